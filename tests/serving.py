"""A real ``vigil serve`` in a child process, for the tests that need one (crash, browser)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vigil_cli(*args: str, db: str, stdin: str | None = None) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", *args, "--db", db],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


@dataclass
class Server:
    db: str
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)  # more VIGIL_* settings for this server

    def start(self) -> None:
        env = {**os.environ, "VIGIL_ACCESS_LOG": "false", "VIGIL_PORT": str(self.port), **self.env}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "vigil.cli.main", "serve", "--db", self.db],
                env=env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            try:
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
            finally:
                conn.close()
        raise AssertionError("server not ready in 60 s:\n" + self.log.read_text()[-3000:])

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
