"""A regtest litecoind of its own for each test session (and the chain benchmark).

``regtest_node()`` starts ``litecoind -regtest -txindex -fallbackfee=0.0001`` with a datadir under a
temporary directory and free RPC and P2P ports, waits until it answers, and stops it (RPC ``stop``,
then a kill if it lingers) when the block ends. Tests that need it fail, never skip, when the binary
is missing: ``scripts/ensure-litecoind.sh`` installs Debian's package (as root), or point
``VIGIL_TEST_LITECOIND`` at a litecoind binary.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.serving import free_port
from vigil.adapters.utxo_rpc import UtxoRpc
from vigil.errors import ChainUnavailable

HOW_TO_GET_IT = (
    "Run `bash scripts/ensure-litecoind.sh` (as root on Debian: installs the litecoind package; the tests"
    " start their own regtest node), or set VIGIL_TEST_LITECOIND to a litecoind binary."
)


class LitecoindMissing(RuntimeError):
    pass


def litecoind_binary() -> str:
    configured = os.environ.get("VIGIL_TEST_LITECOIND")
    if configured:
        if not Path(configured).is_file():
            raise LitecoindMissing(f"VIGIL_TEST_LITECOIND={configured} is not a file. {HOW_TO_GET_IT}")
        return configured
    binary = shutil.which("litecoind")
    if binary is None:
        raise LitecoindMissing(f"litecoind is not installed (not on PATH). {HOW_TO_GET_IT}")
    return binary


def require_litecoind() -> None:
    """Fail the calling test (never skip) when litecoind cannot be found, saying how to get it."""
    try:
        litecoind_binary()
    except LitecoindMissing as missing:
        message = str(missing)
    else:
        return
    import pytest  # only the tests call this; the benchmark lets the error speak

    pytest.fail(message, pytrace=False)


class Node:
    """A running regtest node: ``rpc()`` for the node, ``rpc(wallet)`` for one of its wallets."""

    def __init__(
        self, process: subprocess.Popen[bytes], port: int, user: str, password: str, datadir: Path
    ) -> None:
        self.process = process
        self.port = port
        self.user = user
        self.password = password
        self.datadir = datadir
        self.url = f"http://127.0.0.1:{port}"

    def rpc(self, wallet: str | None = None, *, timeout: float = 60.0) -> UtxoRpc:
        url = self.url if wallet is None else f"{self.url}/wallet/{wallet}"
        return UtxoRpc(url, user=self.user, password=self.password, timeout=timeout, name="regtest litecoind")

    def call(self, method: str, *params: Any, wallet: str | None = None) -> Any:
        return self.rpc(wallet).call(method, *params)


@contextmanager
def regtest_node(*, extra: tuple[str, ...] = ()) -> Iterator[Node]:
    binary = litecoind_binary()
    with tempfile.TemporaryDirectory(prefix="vigil-ltc-") as tmp:
        datadir = Path(tmp)
        port, user, password = free_port(), "vigil", secrets.token_hex(8)
        args = [
            binary,
            "-regtest",
            "-txindex",
            "-fallbackfee=0.0001",
            f"-datadir={datadir}",
            f"-rpcport={port}",
            f"-port={free_port()}",
            f"-rpcuser={user}",
            f"-rpcpassword={password}",
            "-listen=0",
            "-server",
            "-printtoconsole=0",
            "-rpcworkqueue=64",
            *extra,
        ]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        node = Node(process, port, user, password, datadir)
        try:
            _wait_ready(node)
            yield node
        finally:
            _stop(node)


def _wait_ready(node: Node) -> None:
    deadline = time.monotonic() + 30
    probe = node.rpc(timeout=2)
    while True:
        if node.process.poll() is not None:
            err = node.process.stderr.read().decode(errors="replace") if node.process.stderr else ""
            raise RuntimeError(f"litecoind exited with {node.process.returncode}: {err.strip()[:500]}")
        try:
            probe.call("getblockchaininfo")
            return
        except ChainUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _stop(node: Node) -> None:
    if node.process.poll() is None:
        with contextlib.suppress(ChainUnavailable):  # already going down: the wait below decides
            node.call("stop")
        try:
            node.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            node.process.kill()
            node.process.wait()
    if node.process.stderr:
        node.process.stderr.close()
