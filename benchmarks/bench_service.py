"""The service under load: ``POST /v1/events`` through ``vigil serve`` with the full engine, on loopback.

Run ``.venv/bin/python benchmarks/bench_service.py [--backend sqlite|postgres|both] [--quick]
[--duration-scale X] [--json PATH] [--lists DIR | --no-lists] [--wait-quiet S] [--nice N]``.
``--quick`` is a smoke run (short phases: about 40 s per backend after the list import);
``--wait-quiet`` waits up to S seconds (default 90) for other users' work to pause before each server
starts; ``--nice -10`` runs the server and the load generator ahead of other work on a shared machine.
The default run takes about 5 minutes per backend (SQLite) to 7 (PostgreSQL, slower list import).

Per backend, on a fresh database (SQLite: a file in a temporary directory; PostgreSQL: a database
``vigil_bench_<pid>_...`` created for the run, migrated with ``vigil db upgrade``, dropped afterwards)
holding the screening lists of ``make demo`` (imported once per backend from ``--lists``, default
``../shared/data/lists``, into a template that every fresh database is copied from; ``--no-lists``
turns screening off): an API key (``vigil keys create``), then ``vigil serve`` as a subprocess, its
JSON log (stderr) in a file, ready when ``/readyz`` answers 200. The events come from ``vigil sim``
(generated once, cached under /tmp by parameters and simulator source) and are sent in file order by
``benchmarks/loadgen.py``, which runs in this process on the same 2 cores as the server: the figures
include the load generator. One cursor runs through all the phases of a server, so no event id is
sent twice.

1. warm-up: closed loop, 16 connections, 5 s (not in the table; its slowest request, reported, shows
   what the server still builds on first use after ``/readyz``; if that took over half of the
   warm-up, a second warm-up follows).
2. saturation: closed loop, 15 s with each of 16, 32 and 64 connections; the best throughput is the
   saturation rate, reported with its latency.
3. open loop at half the saturation rate (10 s), then at fixed rates (1,000/s and 2,000/s for 10 s,
   3,000/s for 20 s); 32 connections; latency counted from each request's scheduled time (no
   coordinated omission). A rate the server cannot follow queues requests in the load generator; the
   run waits 10 s for them after its last scheduled send, then counts what is left as errors.
4. soak: 60 s open loop at 80% of the measured saturation rate; the server's RSS (``VmRSS`` of
   ``/proc/<pid>/status``) every second: first and last sample and the slope of a least-squares line
   in MB per minute; errors (any status but 200, a lost connection, an unanswered request).
5. the access log off (``VIGIL_ACCESS_LOG=false``): a second server on another fresh database,
   saturation at the best connection count of step 2, then 3,000/s.

Every phase also reports the CPU used meanwhile, in cores: by the server process, by this harness
(the load generator), by PostgreSQL's processes, and by everything else on the machine (other users'
work: the machine is shared and noisy). The figures are printed, not asserted: the exit status is
non-zero only when the harness itself fails (a server that does not start or dies, a database that
cannot be created). The server is killed at the end whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import gc
import hashlib
import json
import math
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find the package

from benchmarks.loadgen import Requests, Result, Target, event_loop_runner, run

ROOT = Path(__file__).resolve().parents[1]
VIGIL = Path(sys.executable).with_name("vigil")
CACHE = Path(tempfile.gettempdir()) / "vigil-bench-service"
DEFAULT_LISTS = ROOT.parent / "shared" / "data" / "lists"
TICKS = os.sysconf("SC_CLK_TCK")
PR_SET_PDEATHSIG = 1
TARGET_RATE = 3_000.0
TARGET_P99_MS = 10.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    warmup: float = 5.0
    saturation: float = 15.0
    saturation_connections: tuple[int, ...] = (16, 32, 64)
    rates: tuple[tuple[float, float], ...] = ((1_000.0, 10.0), (2_000.0, 10.0), (TARGET_RATE, 20.0))
    relative_rates: tuple[tuple[float, float], ...] = ((0.5, 10.0),)  # (fraction of saturation, seconds)
    open_connections: int = 32
    soak: float = 60.0
    soak_fraction: float = 0.8
    log_off: bool = True  # step 5
    pause: float = 1.0
    sim_accounts: int = 20_000
    sim_days: int = 21
    sim_seed: int = 1

    def scaled(self, factor: float) -> Plan:
        """Every phase ``factor`` times as long (and, when longer, a stream with as many more days)."""
        return replace(
            self,
            warmup=self.warmup * factor,
            saturation=self.saturation * factor,
            rates=tuple((rate, seconds * factor) for rate, seconds in self.rates),
            relative_rates=tuple((f, seconds * factor) for f, seconds in self.relative_rates),
            soak=self.soak * factor,
            sim_days=self.sim_days if factor <= 1 else math.ceil(self.sim_days * factor),
        )


QUICK = Plan(
    warmup=2.0,
    saturation=4.0,
    saturation_connections=(16, 64),
    rates=((TARGET_RATE, 5.0),),
    relative_rates=(),
    soak=10.0,
    log_off=False,
    pause=0.5,
    sim_days=3,
)


# -- machine and processes ---------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    mem_gib = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = int(line.split()[1]) / 1024**2
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "memory_gib": round(mem_gib, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def machine_line(info: dict[str, Any]) -> str:
    return (
        f"{info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable), {info['memory_gib']} GiB, "
        f"CPython {info['python']}, Linux {info['kernel']}, SQLite {info['sqlite']}"
        + (f", PostgreSQL {info['postgres']}" if info.get("postgres") else "")
        + f"; load average at start {' '.join(str(x) for x in info['load_average'])}"
        + (f"; server and load generator at nice {info['nice']}" if info.get("nice") else "")
    )


def _proc_cpu(pid: int | str) -> float:
    """CPU seconds (user + system) of one process; 0 when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _postgres_cpu() -> float:
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if stat.partition("(")[2].rpartition(")")[0] == "postgres":
            fields = stat.rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def _machine_busy() -> float:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


@dataclass(frozen=True)
class CpuSnapshot:
    wall: float
    busy: float
    server: float
    harness: float
    postgres: float

    @classmethod
    def take(cls, server_pid: int) -> CpuSnapshot:
        t = os.times()
        return cls(
            time.perf_counter(), _machine_busy(), _proc_cpu(server_pid), t.user + t.system, _postgres_cpu()
        )

    def cores_since(self, before: CpuSnapshot) -> dict[str, float]:
        wall = max(self.wall - before.wall, 1e-9)
        server = (self.server - before.server) / wall
        harness = (self.harness - before.harness) / wall
        postgres = (self.postgres - before.postgres) / wall
        busy = (self.busy - before.busy) / wall
        return {
            "server": server,
            "harness": harness,
            "postgres": postgres,
            "other": max(0.0, busy - server - harness - postgres),
            "server_cpu_s": self.server - before.server,
        }


def wait_quiet(max_wait: float, threshold: float = 0.25, quiet_seconds: int = 3) -> float:
    """Wait until other processes use under ``threshold`` cores for ``quiet_seconds`` in a row (at most
    ``max_wait`` seconds); the cores they used in the last second."""
    deadline = time.perf_counter() + max_wait
    quiet = 0
    other = math.nan
    while True:
        t = os.times()
        busy, own, wall = _machine_busy(), t.user + t.system, time.perf_counter()
        time.sleep(1.0)
        t = os.times()
        used = (_machine_busy() - busy) - (t.user + t.system - own)
        other = max(0.0, used / (time.perf_counter() - wall))
        quiet = quiet + 1 if other < threshold else 0
        if quiet >= quiet_seconds or time.perf_counter() >= deadline:
            return other


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return math.nan


def slope_per_minute(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per minute."""
    points = [(t, v) for t, v in samples if not math.isnan(v)]
    if len(points) < 2:
        return math.nan
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return 60 * cov / var if var else math.nan


# -- events ------------------------------------------------------------------------------------


def sim_digest() -> str:
    """A digest of the simulator's sources: a changed simulator gets a new cache file."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "src" / "vigil" / "sim").rglob("*.py")):
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def events_file(plan: Plan) -> Path:
    name = f"events_a{plan.sim_accounts}_d{plan.sim_days}_s{plan.sim_seed}_{sim_digest()}.jsonl"
    path = CACHE / name
    if path.exists():
        log(f"events: cached {path}")
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        out = Path(tmp) / "events.jsonl"
        log(f"events: vigil sim --accounts {plan.sim_accounts} --days {plan.sim_days} --seed {plan.sim_seed}")
        subprocess.run(
            [
                str(VIGIL),
                "sim",
                f"--accounts={plan.sim_accounts}",
                f"--days={plan.sim_days}",
                f"--seed={plan.sim_seed}",
                f"--events={out}",
                f"--labels={Path(tmp) / 'labels.jsonl'}",
                f"--claims={Path(tmp) / 'claims.jsonl'}",
            ],
            cwd=ROOT,
            check=True,
        )
        out.replace(path)
    return path


def read_bodies(path: Path) -> list[bytes]:
    return [line for line in path.read_bytes().split(b"\n") if line.strip()]


# -- databases and the server ------------------------------------------------------------------


class Database:
    """A fresh database for one server: its URL (or path), and its removal."""

    def __init__(self, url: str, cleanup: Callable[[], None]) -> None:
        self.url = url
        self._cleanup = cleanup

    def drop(self) -> None:
        self._cleanup()


# The screening lists of ``make demo`` (source, directory under --lists), imported once per backend into
# a template database that every fresh database starts from.
LIST_IMPORTS = (
    ("ofac_addresses", "ofac_crypto_addresses"),
    ("ofac_sdn_addresses", "sanctions_names"),
    ("graphsense", "graphsense_tagpacks"),
    ("scamsniffer", "scamsniffer"),
    ("ofac_sdn", "sanctions_names"),
    ("un", "sanctions_names"),
)


def import_lists(db: str, lists: Path) -> None:
    started = time.perf_counter()
    for source, directory in LIST_IMPORTS:
        _vigil("lists", "import", source, str(lists / directory), "--db", db)
    log(f"lists: {len(LIST_IMPORTS)} imported in {time.perf_counter() - started:.0f} s")


def sqlite_database(workdir: Path, name: str, template: Path | None = None) -> Database:
    path = workdir / f"{name}.db"
    if template is not None:
        for suffix in ("", "-wal"):
            source = Path(f"{template}{suffix}")
            if source.exists():
                shutil.copyfile(source, f"{path}{suffix}")
    return Database(str(path), lambda: None)  # the work directory is removed at the end


def _libpq(base: str, dbname: str) -> str:
    rest = base.partition("://")[2]
    return f"postgresql://{rest.rstrip('/')}/{dbname}"


def postgres_database(base: str, name: str, template: str | None = None) -> Database:
    """A new database ``name``: a copy of ``template`` (already migrated), or empty and migrated."""
    import psycopg

    admin = _libpq(base, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # a leftover of a killed run
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    url = f"{base.rstrip('/')}/{name}"

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        log(f"postgres: dropped {name}")

    db = Database(url, drop)
    if template is None:
        try:
            _vigil("db", "upgrade", "--db", url)
        except BaseException:
            db.drop()
            raise
    return db


def postgres_version(base: str) -> str:
    import psycopg

    with psycopg.connect(_libpq(base, "postgres")) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def _vigil(*args: str) -> str:
    done = subprocess.run([str(VIGIL), *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"vigil {' '.join(args[:2])} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def create_key(db: str) -> str:
    token: str = json.loads(_vigil("keys", "create", "loadgen", "--role", "service", "--db", db, "--json"))[
        "token"
    ]
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _die_with_parent() -> None:
    """In the server's process before exec: SIGTERM it if this harness dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy


class Server:
    """``vigil serve`` as a subprocess; ``stop`` ends it (SIGTERM, then SIGKILL)."""

    def __init__(self, db: str, log_path: Path, *, access_log: bool, nice: int = 0) -> None:
        self.port = free_port()
        self.log_path = log_path
        env = {**os.environ, "VIGIL_ACCESS_LOG": "true" if access_log else "false", "VIGIL_LOG_LEVEL": "INFO"}
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(VIGIL), "serve", "--db", db, "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        self.started = time.perf_counter()
        if nice:
            os.setpriority(os.PRIO_PROCESS, self.proc.pid, nice)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float = 180.0) -> float:
        url = f"http://127.0.0.1:{self.port}/readyz"
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                with _DIRECT.open(url, timeout=2) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - self.started
            except (urllib.error.URLError, OSError):
                pass  # not listening yet, or 503 while not ready: ask again
            time.sleep(0.2)
        raise RuntimeError(f"the server was not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def log_summary(self) -> dict[str, Any]:
        levels: dict[str, int] = {}
        size = 0
        with contextlib.suppress(OSError), self.log_path.open("rb") as f:
            for line in f:
                size += len(line)
                try:
                    level = str(json.loads(line).get("level", "?"))
                except ValueError:
                    level = "not json"
                levels[level] = levels.get(level, 0) + 1
        return {"bytes": size, "levels": levels}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


# -- phases ------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    result: Result
    cores: dict[str, float]
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        r = self.result
        per_request_us = 1e6 * self.cores["server_cpu_s"] / r.ok if r.ok else math.nan
        return {
            "phase": self.name,
            "mode": r.mode,
            "connections": r.connections,
            "offered_per_s": r.target_rate,
            "achieved_per_s": round(r.rate, 1),
            "ok": r.ok,
            "errors": r.errors,
            "replayed": r.replayed,
            "exhausted": r.exhausted,
            "seconds": round(r.elapsed, 2),
            "p50_ms": round(r.ms(50), 3),
            "p90_ms": round(r.ms(90), 3),
            "p99_ms": round(r.ms(99), 3),
            "p99_9_ms": round(r.ms(99.9), 3),
            "max_ms": round(r.max_ms, 3),
            "service_p99_ms": round(r.ms(99, service=True), 3),
            "server_cpu_us_per_request": round(per_request_us, 1),
            "cores": {k: round(v, 2) for k, v in self.cores.items() if k != "server_cpu_s"},
            **self.extra,
        }


class Session:
    """One server, one cursor over the events, the phases run against it."""

    def __init__(self, server: Server, requests: Requests, target: Target, plan: Plan) -> None:
        self.server = server
        self.requests = requests
        self.target = target
        self.plan = plan
        self.phases: list[Phase] = []

    async def phase(
        self, name: str, *, connections: int, seconds: float, rate: float | None = None, keep: bool = True
    ) -> Phase:
        if not self.server.alive():
            raise RuntimeError(f"the server died before {name}:\n{self.server.log_tail()}")
        before = CpuSnapshot.take(self.server.pid)
        result = await run(self.requests, self.target, connections=connections, duration=seconds, rate=rate)
        cores = CpuSnapshot.take(self.server.pid).cores_since(before)
        phase = Phase(name, result, cores)
        log(f"  {name}: {result.summary()}")
        log(
            "    cores: "
            + ", ".join(f"{k} {v:.2f}" for k, v in cores.items() if k != "server_cpu_s")
            + f"; {self.requests.remaining:,} events left"
        )
        if keep:
            self.phases.append(phase)
        if not self.server.alive():
            raise RuntimeError(f"the server died during {name}:\n{self.server.log_tail()}")
        await asyncio.sleep(self.plan.pause)
        return phase

    async def soak(self, rate: float, basis: str) -> Phase:
        samples: list[tuple[float, float]] = []
        t0 = time.perf_counter()

        async def sample() -> None:
            while True:
                samples.append((time.perf_counter() - t0, rss_mb(self.server.pid)))
                await asyncio.sleep(1.0)

        sampler = asyncio.get_running_loop().create_task(sample())
        try:
            phase = await self.phase(
                "soak", connections=self.plan.open_connections, seconds=self.plan.soak, rate=rate
            )
        finally:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
        values = [v for _, v in samples if not math.isnan(v)]
        windows = phase.result.windows(10.0)
        phase.extra = {
            "basis": basis,
            "rss_samples": len(values),
            "rss_start_mb": round(values[0], 1) if values else None,
            "rss_end_mb": round(values[-1], 1) if values else None,
            "rss_min_mb": round(min(values), 1) if values else None,
            "rss_max_mb": round(max(values), 1) if values else None,
            "rss_slope_mb_per_min": round(slope_per_minute(samples), 2),
            "rss_every_10s_mb": [round(v, 1) for t, v in samples if round(t) % 10 == 0 and not math.isnan(v)],
            "windows_10s": [
                {"from_s": start, "per_s": round(count / max(length, 1e-9), 1), "p99_ms": round(p99, 3)}
                for start, length, count, p99 in windows
            ],
        }
        return phase


async def main_phases(session: Session, *, full: bool) -> dict[str, Any]:
    plan = session.plan
    out: dict[str, Any] = {}
    log(f"  warm-up {plan.warmup:.0f} s")
    warmup = await session.phase("warm-up", connections=16, seconds=plan.warmup, keep=False)
    out["warmup"] = warmup.row()  # its slowest request shows what is still built on first use
    if warmup.result.max_ms > 1000 * plan.warmup / 2:  # a stall took most of it: warm up once more
        await session.phase("warm-up again", connections=16, seconds=plan.warmup, keep=False)
    best: Phase | None = None
    connections = plan.saturation_connections if full else (session.plan.saturation_connections[0],)
    for n in connections:
        p = await session.phase(f"saturation, {n} connections", connections=n, seconds=plan.saturation)
        if best is None or p.result.rate > best.result.rate:
            best = p
    assert best is not None
    out["saturation"] = best.row()
    if full:
        for fraction, seconds in plan.relative_rates:
            rate = fraction * best.result.rate
            await session.phase(
                f"open loop {fraction:.0%} of saturation",
                connections=plan.open_connections,
                seconds=seconds,
                rate=rate,
            )
    rates = plan.rates if full else tuple(r for r in plan.rates if r[0] == TARGET_RATE)
    for rate, seconds in rates:
        await session.phase(
            f"open loop {rate:,.0f}/s", connections=plan.open_connections, seconds=seconds, rate=rate
        )
    if full:
        soak_rate = plan.soak_fraction * best.result.rate
        basis = f"{plan.soak_fraction:.0%} of the measured saturation rate {best.result.rate:,.0f}/s" + (
            f", itself below the {TARGET_RATE:,.0f}/s target" if best.result.rate < TARGET_RATE else ""
        )
        log(f"  soak {plan.soak:.0f} s at {soak_rate:,.0f}/s = {basis}")
        out["soak"] = (await session.soak(soak_rate, basis)).row()
    out["phases"] = [p.row() for p in session.phases]
    return out


def serve_and_measure(
    label: str,
    db: Database,
    bodies: list[bytes],
    plan: Plan,
    workdir: Path,
    *,
    access_log: bool,
    full: bool,
    wait: float,
    nice: int,
) -> dict[str, Any]:
    token = create_key(db.url)
    waited, other = 0.0, math.nan
    if wait > 0:
        started = time.perf_counter()
        other = wait_quiet(wait)
        waited = time.perf_counter() - started
        log(f"{label}: waited {waited:.0f} s for a quiet machine; others use {other:.2f} cores")
    server = Server(db.url, workdir / f"{label}.log", access_log=access_log, nice=nice)
    try:
        ready = server.wait_ready()
        log(f"{label}: server pid {server.pid} on port {server.port} ready in {ready:.1f} s")
        target = Target("127.0.0.1", server.port, "/v1/events", token)
        requests = Requests(target, bodies)
        gc.collect()
        gc.freeze()
        rss_before = rss_mb(server.pid)
        session = Session(server, requests, target, plan)
        out: dict[str, Any] = event_loop_runner()(main_phases(session, full=full))
        out["server_rss_mb"] = {"ready": round(rss_before, 1), "end": round(rss_mb(server.pid), 1)}
        out["events_sent"] = requests.cursor
        out["access_log"] = access_log
        out["quiet_wait"] = {"seconds": round(waited, 1), "other_cores_at_start": round(other, 2)}
        del requests
        return out
    finally:
        server.stop()
        out_log = server.log_summary()
        size = out_log["bytes"] / 1e6
        log(f"{label}: server stopped; log {size:.1f} MB, lines by level {out_log['levels']}")
        gc.unfreeze()


def measure_backend(
    backend: str, bodies: list[bytes], plan: Plan, args: argparse.Namespace
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp, contextlib.ExitStack() as cleanup:
        workdir = Path(tmp)
        log(f"== {backend}")
        sqlite_template: Path | None = None
        pg_template: str | None = None
        if args.lists is not None:
            if backend == "sqlite":
                sqlite_template = workdir / "template.db"
                import_lists(str(sqlite_template), args.lists)
            else:
                pg_template = f"vigil_bench_{os.getpid()}_template"
                template_db = postgres_database(args.pg, pg_template)
                cleanup.callback(template_db.drop)
                import_lists(template_db.url, args.lists)

        @contextlib.contextmanager
        def fresh(name: str) -> Iterator[Database]:
            if backend == "sqlite":
                db = sqlite_database(workdir, name, sqlite_template)
            else:
                db = postgres_database(args.pg, f"vigil_bench_{os.getpid()}_{name}", pg_template)
            try:
                yield db
            finally:
                db.drop()

        with fresh("main") as db:
            result = serve_and_measure(
                f"{backend}-main",
                db,
                bodies,
                plan,
                workdir,
                access_log=True,
                full=True,
                wait=args.wait_quiet,
                nice=args.nice,
            )
        if plan.log_off:
            log(f"== {backend}, access log off")
            off_plan = Plan(
                warmup=plan.warmup,
                saturation=plan.saturation,
                saturation_connections=(result["saturation"]["connections"],),
                rates=tuple(r for r in plan.rates if r[0] == TARGET_RATE),
                open_connections=plan.open_connections,
                pause=plan.pause,
            )
            with fresh("logoff") as db:
                result["access_log_off"] = serve_and_measure(
                    f"{backend}-logoff",
                    db,
                    bodies,
                    off_plan,
                    workdir,
                    access_log=False,
                    full=False,
                    wait=args.wait_quiet,
                    nice=args.nice,
                )
        return result


# -- report ------------------------------------------------------------------------------------


def _ms(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.2f}"


def _errors(row: dict[str, Any]) -> str:
    errors: dict[str, int] = row["errors"]
    text = ", ".join(f"{k}: {v}" for k, v in sorted(errors.items())) if errors else "0"
    return text + (f" (+{row['replayed']} replayed)" if row["replayed"] else "")


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| phase | offered/s | achieved/s | ok | errors | p50 ms | p90 | p99 | p99.9 | max | "
        "server µs CPU/req | cores: server / harness / postgres / other |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        c = r["cores"]
        offered = f"{r['offered_per_s']:,.0f}" if r["offered_per_s"] else "closed loop"
        lines.append(
            f"| {r['phase']} | {offered} | {r['achieved_per_s']:,.0f} | {r['ok']:,} | {_errors(r)} | "
            f"{_ms(r['p50_ms'])} | {_ms(r['p90_ms'])} | {_ms(r['p99_ms'])} | {_ms(r['p99_9_ms'])} | "
            f"{_ms(r['max_ms'])} | {r['server_cpu_us_per_request']:,.0f} | "
            f"{c['server']:.2f} / {c['harness']:.2f} / {c['postgres']:.2f} / {c['other']:.2f} |"
            + (" events ran out" if r["exhausted"] else "")
        )
    return "\n".join(lines)


def report(backend: str, result: dict[str, Any]) -> str:
    sat = result["saturation"]
    soak = result["soak"]
    at_target = next((r for r in result["phases"] if r["offered_per_s"] == TARGET_RATE), None)
    out = [f"### {backend}", "", table(result["phases"]), ""]
    out.append(
        f"- saturation: {sat['achieved_per_s']:,.0f} decisions/s with {sat['connections']} connections, "
        f"p50 {_ms(sat['p50_ms'])} ms, p99 {_ms(sat['p99_ms'])} ms"
    )
    if at_target is not None:
        out.append(
            f"- open loop at {TARGET_RATE:,.0f}/s: achieved {at_target['achieved_per_s']:,.0f}/s, "
            f"p50 {_ms(at_target['p50_ms'])} ms, p99 {_ms(at_target['p99_ms'])} ms, "
            f"p99.9 {_ms(at_target['p99_9_ms'])} ms, errors {_errors(at_target)}"
        )
    out.append(
        f"- soak: {soak['achieved_per_s']:,.0f}/s achieved, {soak['offered_per_s']:,.0f}/s offered "
        f"({soak['basis']}) for {soak['seconds']:.0f} s: {soak['ok']:,} ok, errors {_errors(soak)}, "
        f"p99 {_ms(soak['p99_ms'])} ms; server RSS {soak['rss_start_mb']} -> {soak['rss_end_mb']} MB "
        f"(min {soak['rss_min_mb']}, max {soak['rss_max_mb']}), slope "
        f"{soak['rss_slope_mb_per_min']:+.2f} MB/min over {soak['rss_samples']} samples"
    )
    out.append("  RSS every 10 s (MB): " + ", ".join(f"{v:.0f}" for v in soak["rss_every_10s_mb"]))
    out.append(
        "  per 10 s: "
        + "; ".join(f"{w['per_s']:,.0f}/s p99 {w['p99_ms']:.1f} ms" for w in soak["windows_10s"])
    )
    warm = result["warmup"]
    out.append(
        f"- warm-up (closed loop, 16 connections, {warm['seconds']:.1f} s, right after /readyz): "
        f"{warm['ok']:,} ok, errors {_errors(warm)}, p50 {_ms(warm['p50_ms'])} ms, "
        f"slowest {_ms(warm['max_ms'])} ms"
    )
    out.append(
        f"- server RSS: {result['server_rss_mb']['ready']} MB when ready, "
        f"{result['server_rss_mb']['end']} MB at the end; {result['events_sent']:,} events sent"
    )
    quiet = result["quiet_wait"]
    out.append(
        f"- before the server started: other processes used {quiet['other_cores_at_start']:.2f} cores "
        f"(waited {quiet['seconds']:.0f} s for a quiet machine)"
    )
    met_rate = sat["achieved_per_s"] >= TARGET_RATE
    met_p99 = (
        at_target is not None
        and at_target["achieved_per_s"] >= 0.99 * TARGET_RATE
        and at_target["p99_ms"] < TARGET_P99_MS
        and not at_target["errors"]
    )
    out.append(
        f"- targets: >= {TARGET_RATE:,.0f} decisions/s {'met' if met_rate else 'missed'}; p99 < "
        f"{TARGET_P99_MS:.0f} ms at {TARGET_RATE:,.0f}/s {'met' if met_p99 else 'missed'}; soak errors "
        f"{'none' if not soak['errors'] else 'some'}"
    )
    off = result.get("access_log_off")
    if off is not None:
        out += ["", f"Access log off ({backend}, fresh database):", "", table(off["phases"])]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument(
        "--quick",
        action="store_true",
        help="short phases: a smoke run of about 40 s per backend after the list import",
    )
    p.add_argument("--duration-scale", type=float, default=1.0, help="multiply every phase's duration")
    p.add_argument(
        "--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432", help="PostgreSQL server URL"
    )
    p.add_argument("--json", type=Path, help="also write every figure as JSON here")
    p.add_argument(
        "--lists",
        type=Path,
        default=DEFAULT_LISTS if DEFAULT_LISTS.is_dir() else None,
        help=f"screening lists to import first, as `make demo` does (default {DEFAULT_LISTS}, if present)",
    )
    p.add_argument("--no-lists", dest="lists", action="store_const", const=None, help="screening off")
    p.add_argument(
        "--wait-quiet",
        type=float,
        default=90.0,
        help="before starting each server, wait up to this many seconds for other processes to use under"
        " a quarter of a core (the machine is shared; 0 = do not wait)",
    )
    p.add_argument(
        "--nice",
        type=int,
        default=0,
        help="scheduling priority of the server and this harness (e.g. -10: ahead of other users' work on a"
        " shared machine; negative values need the privilege); PostgreSQL's processes keep theirs",
    )
    args = p.parse_args(argv)
    # SIGTERM unwinds like an exception, so that every server is stopped and every database dropped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if args.duration_scale <= 0:
        p.error("--duration-scale must be positive")
    if args.nice:
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)
    plan = (QUICK if args.quick else Plan()).scaled(args.duration_scale)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]

    info = machine()
    if "postgres" in backends:
        info["postgres"] = postgres_version(args.pg)
    log(f"machine: {machine_line(info)}")
    bodies = read_bodies(events_file(plan))
    log(f"events: {len(bodies):,} loaded")
    info["nice"] = args.nice
    info["lists"] = str(args.lists) if args.lists is not None else None
    results: dict[str, Any] = {"machine": info, "plan": plan.__dict__, "backends": {}}
    started = time.perf_counter()
    failed: list[str] = []
    for backend in backends:
        t = time.perf_counter()
        try:
            results["backends"][backend] = measure_backend(backend, bodies, plan, args)
        except Exception:  # noqa: BLE001 - the harness failed for this backend: report it, measure the others, exit 1
            log(f"{backend}: FAILED\n{traceback.format_exc()}")
            failed.append(backend)
            continue
        results["backends"][backend]["wall_seconds"] = round(time.perf_counter() - t, 1)
        log(f"{backend}: done in {time.perf_counter() - t:.0f} s")
    results["wall_seconds"] = round(time.perf_counter() - started, 1)

    command = "$ .venv/bin/python benchmarks/bench_service.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    print(command.rstrip())
    print(f"Machine: {machine_line(info)}")
    print(
        f"Screening: the lists of `make demo` ({', '.join(src for src, _ in LIST_IMPORTS)}) from {args.lists}"
        if args.lists is not None
        else "Screening: off (no list imported)"
    )
    for backend, result in results["backends"].items():
        print()
        print(report(backend, result))
    print(f"\nwall time {results['wall_seconds']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    if failed:
        print(f"\nthe harness failed for: {', '.join(failed)} (see the log above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
