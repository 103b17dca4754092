"""Decision latency while wrong passwords flood the sign-in route, on ``vigil serve`` over loopback.

Run ``.venv/bin/python benchmarks/bench_login_flood.py [--seconds S] [--clients N] [--interval MS]
[--json PATH]`` from the repository root (``PYTHONPATH=src`` to measure a checkout's code).

On a fresh SQLite database in a temporary directory, the harness adds one person (``vigil users add``)
and one API key (``vigil keys create``), starts ``vigil serve`` as a subprocess on a free loopback
port and waits for ``/readyz``. Then two phases of ``--seconds`` each (default 10):

1. quiet: one prober thread sends ``POST /v1/events`` (a login event, a fresh id each time) every
   ``--interval`` ms (default 20) on a kept-alive connection and records each answer's latency;
2. flood: the same prober, while ``--clients`` threads (default 4) loop ``POST /v1/auth/login`` with
   the person's name and a wrong password, each on its own connection, as fast as answers come.

It prints p50, p99 and max decision latency per phase, the sign-in answers by status during the flood
(401: checked and wrong; 429: refused by the limits without a check), and whether the issue's bar
holds: flood p99 within 2x of quiet p99. Latency is measured from each request's send; every event
answer must be 200 (anything else is counted as an error). The server is killed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

VIGIL = [sys.executable, "-m", "vigil.cli.main"]
PASSWORD = "the right password for ana"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([*VIGIL, *args], env=env, input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"vigil {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


@contextlib.contextmanager
def server(workdir: Path) -> Iterator[tuple[int, str]]:
    """``vigil serve`` on a fresh database; yields its port and a service key's token."""
    port = _free_port()
    env = {**os.environ, "VIGIL_DB": str(workdir / "vigil.db"), "VIGIL_ACCESS_LOG": "false"}
    _cli(env, "users", "add", "ana", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n")
    token = next(
        w for w in _cli(env, "keys", "create", "bench", "--role", "service").split() if w.startswith("vk_")
    )
    log = (workdir / "serve.log").open("w")
    proc = subprocess.Popen(
        [*VIGIL, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"vigil serve exited ({proc.returncode}); see {workdir / 'serve.log'}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    break
            time.sleep(0.2)
        else:
            raise SystemExit("vigil serve was not ready within 120 s")
        yield port, token
    finally:
        proc.kill()
        proc.wait()
        log.close()


def _event(n: int) -> bytes:
    ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_790_000_000 + n))
    body = {
        "type": "login",
        "event_id": f"bench-{n}",
        "account_id": f"acct-{n % 500}",
        "ts": ts,
        "region": "EU",
        "country": "DE",
        "device_id": f"dev-{n % 700}",
        "ip": "192.0.2.1",
        "success": True,
    }
    return json.dumps(body).encode()


class Prober(threading.Thread):
    """Sends one event every ``interval`` seconds until stopped; keeps each answer's latency."""

    def __init__(self, port: int, token: str, interval: float, start_at: int) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.interval, self.n = port, token, interval, start_at
        self.latencies: list[float] = []
        self.errors = 0
        self.stop = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        while not self.stop.is_set():
            body = _event(self.n)
            self.n += 1
            sent = time.perf_counter()
            try:
                conn.request("POST", "/v1/events", body=body, headers=headers)
                answer = conn.getresponse()
                answer.read()
            except (OSError, http.client.HTTPException):
                self.errors += 1
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            took = time.perf_counter() - sent
            if answer.status == 200:
                self.latencies.append(took)
            else:
                self.errors += 1
            self.stop.wait(max(0.0, self.interval - took))


class Flooder(threading.Thread):
    """Loops wrong passwords for ``ana`` until stopped; counts the answers by status."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.statuses: Counter[int] = Counter()
        self.stop = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body = json.dumps({"username": "ana", "password": "not the password at all"}).encode()
        while not self.stop.is_set():
            try:
                conn.request(
                    "POST", "/v1/auth/login", body=body, headers={"Content-Type": "application/json"}
                )
                answer = conn.getresponse()
                answer.read()
                self.statuses[answer.status] += 1
            except (OSError, http.client.HTTPException):
                self.statuses[0] += 1
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))] * 1000


def phase(
    port: int, token: str, seconds: float, interval: float, clients: int, start_at: int
) -> dict[str, Any]:
    prober = Prober(port, token, interval, start_at)
    flooders = [Flooder(port) for _ in range(clients)]
    for f in flooders:
        f.start()
    time.sleep(0.5 if clients else 0)  # the flood is on before the first probe
    prober.start()
    time.sleep(seconds)
    prober.stop.set()
    prober.join()
    for f in flooders:
        f.stop.set()
    for f in flooders:
        f.join()
    logins: Counter[int] = Counter()
    for f in flooders:
        logins.update(f.statuses)
    lat = prober.latencies
    return {
        "events": len(lat),
        "errors": prober.errors,
        "p50_ms": round(_pct(lat, 0.50), 2),
        "p99_ms": round(_pct(lat, 0.99), 2),
        "max_ms": round(max(lat) * 1000, 2) if lat else float("nan"),
        "logins": {str(k): v for k, v in sorted(logins.items())},
        "next": prober.n,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--clients", type=int, default=4, help="threads looping wrong passwords")
    parser.add_argument("--interval", type=float, default=20.0, help="ms between two probe events")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.clients < 1 or args.interval <= 0:
        parser.error("--seconds and --interval must be positive, --clients at least 1")
    with tempfile.TemporaryDirectory(prefix="vigil-login-flood-") as tmp, server(Path(tmp)) as (port, token):
        quiet = phase(port, token, args.seconds, args.interval / 1000, 0, 0)
        flood = phase(port, token, args.seconds, args.interval / 1000, args.clients, quiet["next"])
    figures = {"quiet": quiet, "flood": flood, "clients": args.clients, "seconds": args.seconds}
    ratio = flood["p99_ms"] / quiet["p99_ms"] if quiet["p99_ms"] else float("inf")
    figures["p99_ratio"] = round(ratio, 2)
    for name, f in (("quiet", quiet), ("flood", flood)):
        print(
            f"{name:5}  events {f['events']:5}  errors {f['errors']:3}  p50 {f['p50_ms']:8.2f} ms"
            f"  p99 {f['p99_ms']:8.2f} ms  max {f['max_ms']:8.2f} ms  sign-ins by status {f['logins']}"
        )
    verdict = "holds" if ratio <= 2 else "fails"
    print(f"flood p99 / quiet p99 = {ratio:.2f} (the bar, within 2x: {verdict})")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
