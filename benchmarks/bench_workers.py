"""Partitioned workers on NATS JetStream (issue 22): CPU per decision in process, through one worker and
through two, and latency end to end at 1,000 and 3,000 events/s offered, in one run.

End to end here is: submit (the server's ``Submitter``, as ``vigil serve`` calls it) -> NATS JetStream ->
worker (decide) -> PostgreSQL (the journal's commit) -> the answer back through NATS. HTTP is not in the
loop (docs/benchmarks.md says what that leaves out). Needs NATS at 127.0.0.1:4222 and the test PostgreSQL
(``scripts/ensure-nats.sh``, ``scripts/ensure-postgres.sh``); every run uses its own stream and schema.

    python benchmarks/bench_workers.py [--seconds 5] [--rates 1000,3000] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import text

from vigil.adapters.memory import MemoryJournal
from vigil.adapters.nats_bus import NatsBus
from vigil.adapters.postgres import connect, migrate
from vigil.adapters.rule_files import BuiltinRules
from vigil.engine import Engine
from vigil.errors import VigilError
from vigil.features import default_catalog
from vigil.model import Event
from vigil.rules import load_rules
from vigil.sim.example import example_stream
from vigil.workers import Submitter

NATS = "nats://127.0.0.1:4222"
POSTGRES = os.environ.get(
    "VIGIL_TEST_POSTGRES_URL", "postgresql+psycopg://vigil:vigil@127.0.0.1:5432/vigil_test"
)
LAG = 64
PARTITIONS = 16
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def engine() -> Engine:
    catalog = default_catalog(graph=True)
    return Engine(catalog, load_rules(BuiltinRules().read(), catalog), MemoryJournal(), flag_lag=LAG)


def in_process(events: list[Event]) -> float:
    e = engine()
    start = time.process_time()
    for event in events:
        e.decide(event)
    return (time.process_time() - start) / len(events)


async def offered(submitter: Submitter, events: list[Event], rate: float) -> tuple[list[float], int, float]:
    """Submit at ``rate`` per second (open loop); latencies of the answered, errors, seconds taken."""
    latencies: list[float] = []
    errors = 0

    async def one(event: Event) -> None:
        nonlocal errors
        t = time.perf_counter()
        try:
            await submitter.decide(event)
        except VigilError:
            errors += 1
            return
        latencies.append(time.perf_counter() - t)

    start = time.perf_counter()
    tasks = []
    for i, event in enumerate(events):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(event)))
    await asyncio.gather(*tasks)
    return latencies, errors, time.perf_counter() - start


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000 if s else float("nan")


def run_workers(n: int, phases: list[tuple[float, list[Event]]]) -> None:
    stream = f"VIGIL_B{uuid.uuid4().hex[:10].upper()}"
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = connect(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    migrate(connect(POSTGRES, search_path=schema))
    sep = "&" if "?" in POSTGRES else "?"
    env = {
        **os.environ,
        "VIGIL_DB": f"{POSTGRES}{sep}options=-csearch_path%3D{schema}",
        "VIGIL_BUS": NATS,
        "VIGIL_BUS_STREAM": stream,
        "VIGIL_BUS_PARTITIONS": str(PARTITIONS),
        "VIGIL_FLAG_LAG": str(LAG),
        "VIGIL_LOG_LEVEL": "WARNING",
        "VIGIL_SNAPSHOTS": "false",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "vigil.cli.main", "worker", "--ordinal", str(i), "--of", str(n)],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        for i in range(n)
    ]

    async def main() -> None:
        bus = NatsBus(NATS, stream)
        submitter = Submitter(bus, MemoryJournal(), timeout=10.0)
        while True:
            try:
                if not await submitter.unowned():
                    break
            except VigilError:
                pass
            await asyncio.sleep(0.2)
        for rate, events in phases:
            cpu0 = sum(cpu_seconds(p.pid) for p in procs)
            latencies, errors, seconds = await offered(submitter, events, rate)
            await asyncio.sleep(0.5)
            cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu0
            print(
                f"  {n} worker(s), {rate:>6,.0f}/s offered: {len(latencies) / seconds:>7,.0f}/s answered,"
                f" p50 {pct(latencies, 0.5):7.1f} ms, p99 {pct(latencies, 0.99):7.1f} ms, errors {errors},"
                f" worker CPU {cpu / max(1, len(latencies)) * 1e6:,.0f} µs per decision",
                flush=True,
            )
        await bus.close()

    try:
        asyncio.run(main())
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rates", default="1000,3000")
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    need = int(sum(r * args.seconds for r in rates))
    events = list(example_stream(n_accounts=max(500, need // 15), days=10, seed=3))
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"stream: {len(events):,} events (sim.example), flag lag {LAG}, {PARTITIONS} partitions")
    cpu = in_process(events[:need])
    print(f"in process: {cpu * 1e6:,.0f} µs CPU per decision ({1 / cpu:,.0f}/s on one core)", flush=True)
    for n in (int(w) for w in args.workers.split(",")):
        at, phases = 0, []
        for rate in rates:
            k = int(rate * args.seconds)
            phases.append((rate, events[at : at + k]))
            at += k
        run_workers(n, phases)


if __name__ == "__main__":
    main()
