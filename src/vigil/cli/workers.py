"""``vigil worker --ordinal i --of N`` (one partitioned worker) and ``vigil workers N`` (a supervisor that
runs N of them and restarts one that dies, with its ordinal). docs/operations.md, "Workers"."""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import logging
import signal
import subprocess
import sys
import time
from typing import Any

log = logging.getLogger("vigil.workers")
REFUSED = 3  # the exit code of a worker its cluster refused: the supervisor does not start it again


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    w = sub.add_parser("worker", help="decide the events of this worker's partitions from the event bus")
    w.add_argument("--ordinal", type=int, required=True, help="this worker's number, 0 to N-1")
    w.add_argument("--of", type=int, required=True, dest="workers", help="how many workers (N)")
    _common(w)
    w.set_defaults(func=cmd_worker)
    s = sub.add_parser("workers", help="run N partitioned workers, restarting one that dies")
    s.add_argument("count", type=int, help="how many workers")
    _common(s)
    s.set_defaults(func=cmd_workers)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="PostgreSQL URL of the journal (default: $VIGIL_DB)")
    p.add_argument("--bus", help="nats://host:port (default: $VIGIL_BUS)")
    p.add_argument("--rules", help="rules directory (default: the built-in packs)")


def _settings(args: argparse.Namespace) -> Any:
    from vigil.settings import Settings

    overrides: dict[str, Any] = {}
    for name, key in (("db", "db"), ("bus", "bus"), ("rules", "rules_dir")):
        if getattr(args, name, None):
            overrides[key] = getattr(args, name)
    return Settings(**overrides)


def cmd_worker(args: argparse.Namespace) -> int:
    from vigil import bootstrap
    from vigil.api.logs import configure
    from vigil.errors import ClusterMismatch

    settings = _settings(args)
    configure(settings.log_level)
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # kill -USR1: every thread's stack on stderr
    worker, stores = bootstrap.worker(settings, args.ordinal, args.workers)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await worker.run(stop)
        finally:
            await worker.bus.close()

    try:
        asyncio.run(main())
        worker.snapshot()  # a clean stop: the next start reads only what follows
    except ClusterMismatch as exc:
        print(f"vigil: {exc}", file=sys.stderr)
        return REFUSED
    finally:
        stores.close()
    p = worker.progress
    print(
        f"worker {args.ordinal} of {args.workers}: decided {p.decided:,}, re-observed {p.observed:,},"
        f" folded {p.shared:,} of other partitions, waited for peers {p.waits:,} times",
        file=sys.stderr,
    )
    return 0


def worker_argv(ordinal: int, workers: int, args: argparse.Namespace) -> list[str]:
    argv = [sys.executable, "-m", "vigil.cli.main", "worker", "--ordinal", str(ordinal), "--of", str(workers)]
    for name in ("db", "bus", "rules"):
        if getattr(args, name, None):
            argv += [f"--{name}", getattr(args, name)]
    return argv


def cmd_workers(args: argparse.Namespace) -> int:
    """Run ``count`` workers; one that exits other than by our stop is started again with its ordinal."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    children = {i: subprocess.Popen(worker_argv(i, args.count, args)) for i in range(args.count)}
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        time.sleep(0.1)
        for i, child in list(children.items()):
            code = child.poll()
            if code is None or stopping:
                continue
            if code == REFUSED:
                log.error("worker %d was refused by its cluster: not started again", i)
                del children[i]
                continue
            log.error("worker %d exited with %d: starting it again", i, code)
            children[i] = subprocess.Popen(worker_argv(i, args.count, args))
    for child in children.values():
        child.terminate()
    for child in children.values():
        child.wait(timeout=30)
    return 0
