"""Decision latency, throughput and feature-state memory of the engine, against the issue's targets.

Run ``.venv/bin/python benchmarks/bench_decide.py [--events N] [--repeat R] [--quick] [--json PATH]``.

The example stream is generated once (not timed) and encoded to JSON lines. Each timed scenario
runs ``--repeat`` times on a fresh engine, and each figure is the median over the runs:

A  engine, memory journal: wall time of ``engine.decide(event)`` per event, journal included;
B  engine + SQLite journal, ``batch_size=1000`` (group commit, as ``vigil replay`` uses);
C  engine + SQLite journal, ``batch_size=1`` (a commit per decision: the synchronous API's
   durability), on the first ``--sync-events`` events only, to bound the run time;
D  JSON line -> ``decode_event`` -> ``decide`` (memory journal): the cost a replay pays.
M  feature state per active account: a separate run under ``tracemalloc`` with a journal that
   keeps nothing, events decoded from JSON inside the traced run so the strings the state keeps
   are counted as a live feed would allocate them.

One process, one thread. Throughput is events over the wall time of the whole loop (the final
flush included); latencies are nearest-rank percentiles of the per-call wall times.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from vigil.bootstrap import build_engine, load_rule_set, rule_source, tune_gc
from vigil.codec import decode_event, encode_event
from vigil.engine import Engine
from vigil.features import default_catalog
from vigil.model import Decision, Event
from vigil.settings import Settings
from vigil.sim import example_stream

EVENTS_PER_ACCOUNT = 25  # rough rate of the example stream over 14 days; the count is checked
QUICK_EVENTS = 20_000
DEFAULT_GC_THRESHOLD = gc.get_threshold()

TARGET_RATE_MEMORY = 20_000  # decisions/s without persistence
TARGET_P99_US = 1_000.0  # p99 without persistence
TARGET_RATE_SQLITE = 10_000  # decisions/s with SQLite persistence
TARGET_BYTES_PER_ACCOUNT = 2_048  # "under 2 KB" per active account


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the stream ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stream:
    events: list[Event]
    lines: list[bytes]
    blob: bytes
    accounts: int
    days: int
    seed: int
    seconds: float


def make_stream(min_events: int, days: int, seed: int) -> Stream:
    """The smallest whole example stream (all its accounts, all its days) with at least ``min_events``."""
    start = time.perf_counter()
    accounts = max(1, math.ceil(min_events / EVENTS_PER_ACCOUNT))
    events = list(example_stream(accounts, days, seed))
    while len(events) < min_events:
        accounts = math.ceil(accounts * min_events / max(len(events), 1)) + 1
        events = list(example_stream(accounts, days, seed))
    lines = [encode_event(e) + b"\n" for e in events]
    return Stream(events, lines, b"".join(lines), accounts, days, seed, time.perf_counter() - start)


# -- engines ---------------------------------------------------------------------------------


def settings(db: str, batch_size: int = 1) -> Settings:
    # Explicit Nones: a VIGIL_* variable in the environment must not change what is measured.
    return Settings(
        db=db, batch_size=batch_size, rules_dir=None, geoip_country_db=None, geoip_anonymous_db=None
    )


class NullJournal:
    """A ``Journal`` that keeps nothing, so that memory measured around the engine is feature state."""

    def record(self, event: Event, decision: Decision) -> None:
        return None

    def get(self, event_id: str) -> Decision | None:
        return None

    def for_account(self, account_id: str, limit: int = 50) -> list[Decision]:
        return []

    def account_history(
        self, account_id: str, limit: int = 50, *, trace: bool = True
    ) -> list[tuple[Event, Decision]]:
        return []

    def events(self) -> Iterator[Event]:
        return iter(())

    def decided(self, start: int = 0) -> Iterator[tuple[Event, Decision]]:
        return iter(())

    def tail(self, after: int = 0, *, trace: bool = True) -> Iterator[tuple[int, Event, Decision]]:
        return iter(())

    def position(self) -> int:
        return 0

    def count(self) -> int:
        return 0

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


def fresh_gc() -> None:
    """Undo the previous run's ``tune_gc`` so every run starts from the same collector state."""
    gc.unfreeze()
    gc.collect()
    gc.set_threshold(*DEFAULT_GC_THRESHOLD)


def gc_collections() -> list[int]:
    return [generation["collections"] for generation in gc.get_stats()]


# -- timed runs ------------------------------------------------------------------------------


@dataclass(slots=True)
class Figures:
    """One run's figures (or the medians of several runs)."""

    events: int
    seconds: float
    rate: float
    p50_us: float
    p90_us: float
    p99_us: float
    p999_us: float
    max_us: float
    engine_p50_us: float  # Decision.elapsed_us: the engine's own timing, journal excluded
    engine_p99_us: float
    gc0: float  # collections of each generation during the run (tune_gc: gen0 every 100,000 allocations)
    gc1: float
    gc2: float


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest rank."""
    return float(ordered[max(1, math.ceil(q * len(ordered))) - 1])


def timed(engine: Engine, events: Sequence[Event]) -> Figures:
    n = len(events)
    latencies: array[int] = array("q", bytes(8 * n))
    own: array[float] = array("d", bytes(8 * n))
    decide = engine.decide
    clock = time.perf_counter_ns
    gc_before = gc_collections()
    start = clock()
    for i, event in enumerate(events):
        t0 = clock()
        decision = decide(event)
        latencies[i] = clock() - t0
        own[i] = decision.elapsed_us
    engine.journal.flush()
    seconds = (clock() - start) / 1e9
    gc_after = gc_collections()
    ordered = sorted(latencies)
    own_ordered = sorted(own)
    return Figures(
        events=n,
        seconds=seconds,
        rate=n / seconds,
        p50_us=percentile(ordered, 0.50) / 1000,
        p90_us=percentile(ordered, 0.90) / 1000,
        p99_us=percentile(ordered, 0.99) / 1000,
        p999_us=percentile(ordered, 0.999) / 1000,
        max_us=ordered[-1] / 1000,
        engine_p50_us=percentile(own_ordered, 0.50),
        engine_p99_us=percentile(own_ordered, 0.99),
        gc0=gc_after[0] - gc_before[0],
        gc1=gc_after[1] - gc_before[1],
        gc2=gc_after[2] - gc_before[2],
    )


def run_memory_journal(events: Sequence[Event]) -> tuple[Figures, dict[str, str]]:
    fresh_gc()
    engine = build_engine(settings("memory"))
    tune_gc()
    figures = timed(engine, events)
    versions = asdict(engine.versions)
    engine.journal.close()
    return figures, versions


@dataclass(slots=True)
class SqliteRun:
    figures: Figures
    stored: int
    db_bytes: int


def run_sqlite(events: Sequence[Event], batch_size: int, tmpdir: str | None) -> SqliteRun:
    fresh_gc()
    with tempfile.TemporaryDirectory(prefix="vigil-bench-", dir=tmpdir) as tmp:
        path = Path(tmp) / "journal.db"
        engine = build_engine(settings(str(path), batch_size))
        tune_gc()
        try:
            figures = timed(engine, events)
            stored = engine.journal.count()  # every decision really went to disk (not timed)
        finally:
            engine.journal.close()
        db_bytes = sum(p.stat().st_size for p in Path(tmp).iterdir())
    if stored != len(events):
        raise RuntimeError(f"the SQLite journal holds {stored} events, expected {len(events)}")
    return SqliteRun(figures, stored, db_bytes)


@dataclass(slots=True)
class DecodeFigures:
    events: int
    rate: float  # decode + decide
    decode_only_rate: float


def run_decode(blob: bytes) -> DecodeFigures:
    fresh_gc()
    n = 0
    start = time.perf_counter_ns()
    for line in io.BytesIO(blob):
        decode_event(line)
        n += 1
    decode_only = n / ((time.perf_counter_ns() - start) / 1e9)

    fresh_gc()
    engine = build_engine(settings("memory"))
    tune_gc()
    decide = engine.decide
    n = 0
    start = time.perf_counter_ns()
    for line in io.BytesIO(blob):
        decide(decode_event(line))
        n += 1
    engine.journal.flush()
    rate = n / ((time.perf_counter_ns() - start) / 1e9)
    engine.journal.close()
    return DecodeFigures(n, rate, decode_only)


def median_figures(runs: Sequence[Figures]) -> Figures:
    return Figures(**{f.name: statistics.median(getattr(r, f.name) for r in runs) for f in fields(Figures)})


# -- memory ------------------------------------------------------------------------------------


@dataclass(slots=True)
class MemoryFigures:
    events: int
    state_bytes: int
    peak_bytes: int
    accounts: int
    bytes_per_account: float
    entities: dict[str, int]
    approx_bytes_by_key: dict[str, int]
    approx_bytes_by_part: dict[str, int]  # features (all keys), eviction queue, entity graph, known event ids
    top_sites: list[tuple[str, int]]


def deep_size(root: object, seen: set[int]) -> int:
    """Bytes reachable from ``root`` (containers, slotted objects, instance dicts), each object once."""
    total = 0
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
        else:
            for cls in type(obj).__mro__:
                for name in getattr(cls, "__slots__", ()):
                    if hasattr(obj, name):
                        stack.append(getattr(obj, name))
            if hasattr(obj, "__dict__"):
                stack.append(vars(obj))
    return total


def run_memory(lines: Sequence[bytes]) -> MemoryFigures:
    fresh_gc()
    source = rule_source(settings("memory"))
    engine = Engine(default_catalog(), load_rule_set(source), NullJournal(), rule_source=source)
    gc.collect()
    tracemalloc.start(1)
    base = tracemalloc.get_traced_memory()[0]
    for line in lines:
        engine.decide(decode_event(line))
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    snapshot = snapshot.filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    top = [
        (f"{Path(s.traceback[0].filename).name}:{s.traceback[0].lineno}", s.size)
        for s in snapshot.statistics("lineno")[:8]
    ]
    entities = engine.catalog.entity_count()
    seen: set[int] = set()
    # Private, read only: the per-key split is for finding what to shrink, not a figure to gate on.
    by_key = {key.value: deep_size(table, seen) for key, table in engine.catalog._state.items()}
    known = engine._known
    by_part = {
        "features": sum(by_key.values()),
        "eviction queue": deep_size(getattr(engine.catalog, "_idle", None), seen),
        "entity graph": deep_size(engine.catalog.graph, seen),
        "known event ids": deep_size(known, seen),
    }
    accounts = entities["account"]
    state = current - base
    return MemoryFigures(
        events=len(lines),
        state_bytes=state,
        peak_bytes=peak - base,
        accounts=accounts,
        bytes_per_account=state / accounts if accounts else 0.0,
        entities=entities,
        approx_bytes_by_key=by_key,
        approx_bytes_by_part=by_part,
        top_sites=top,
    )


# -- report ----------------------------------------------------------------------------------


def filesystem_of(path: str) -> str:
    """The mount's filesystem type (Linux), so a tmpfs temp dir is not mistaken for a disk."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return "unknown"
    real = os.path.realpath(path)
    best, kind = "", "unknown"
    for entry in mounts:
        parts = entry.split()
        inside = len(parts) >= 3 and (real == parts[1] or real.startswith(parts[1].rstrip("/") + "/"))
        if inside and len(parts[1]) > len(best):
            best, kind = parts[1], parts[2]
    return kind


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for entry in Path("/proc/cpuinfo").read_text().splitlines():
            if entry.startswith("model name"):
                model = entry.split(":", 1)[1].strip()
                break
    except OSError:
        pass  # not Linux: platform.processor() below is all there is
    return {
        "processor": platform.processor(),
        "cpu_model": model,
        "machine": platform.machine(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
    }


def optional(value: Any) -> dict[str, Any] | None:
    return None if value is None else asdict(value)


def report_memory(memory: MemoryFigures) -> None:
    out = print
    out(
        f"feature state (tracemalloc, a journal keeping nothing, {memory.events:,} events decoded from JSON):"
    )
    out(
        f"  total {memory.state_bytes / 1e6:.2f} MB ({memory.state_bytes:,} bytes),"
        f" peak {memory.peak_bytes / 1e6:.2f} MB;"
        f" {memory.accounts:,} active accounts -> {memory.bytes_per_account:,.0f} bytes per active account"
    )
    out(
        "  entities with state: "
        + ", ".join(
            f"{k} {n:,} (~{memory.approx_bytes_by_key.get(k, 0) / 1e6:.2f} MB)"
            for k, n in memory.entities.items()
        )
    )
    out(
        "  where the bytes are, per active account: "
        + ", ".join(
            f"{part} ~{size / memory.accounts:,.0f} B" for part, size in memory.approx_bytes_by_part.items()
        )
    )
    out(
        "  (per-key MB and per-part bytes: an approximate sys.getsizeof walk of the state, shared objects"
        " counted once, in the order listed)"
    )
    out(
        "  largest allocation sites: "
        + "; ".join(f"{site} {size / 1e6:.2f} MB" for site, size in memory.top_sites[:5])
    )
    out("")


def row(label: str, f: Figures | None) -> str:
    if f is None:
        return f"{label:<40} {'(not run)':>9}"
    return (
        f"{label:<40} {f.events:>9,} {f.rate:>12,.0f} {f.p50_us:>8.1f} {f.p90_us:>8.1f} {f.p99_us:>8.1f}"
        f" {f.p999_us:>9.1f} {f.max_us:>10.1f} {f.engine_p50_us:>8.1f} {f.engine_p99_us:>8.1f}"
        f" {f'{f.gc0:.0f}/{f.gc1:.0f}/{f.gc2:.0f}':>9}"
    )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--events", type=int, default=200_000, help="at least this many events (default 200,000)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed scenario; medians reported")
    parser.add_argument(
        "--sync-events", type=int, default=50_000, help="events for scenario C (batch_size=1)"
    )
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tmpdir", default=None, help="where the SQLite files go (default: the system's)")
    parser.add_argument("--quick", action="store_true", help=f"~{QUICK_EVENTS:,} events, one run (CI smoke)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--scenarios",
        default="ABCDM",
        help="which scenarios to run (letters of A, B, C, D, M; default all): AM for a short before/after",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.repeat = QUICK_EVENTS, 1
    if args.events < 1 or args.repeat < 1 or args.sync_events < 1:
        parser.error("--events, --repeat and --sync-events must be positive")

    log(f"generating the stream (>= {args.events:,} events, {args.days} days, seed {args.seed}) ...")
    stream = make_stream(args.events, args.days, args.seed)
    events = stream.events
    sync_events = events[: args.sync_events]
    tmp_fs = filesystem_of(args.tmpdir or tempfile.gettempdir())
    log(f"  {len(events):,} events of {stream.accounts:,} accounts in {stream.seconds:.1f} s")

    a_runs: list[Figures] = []
    b_runs: list[SqliteRun] = []
    c_runs: list[SqliteRun] = []
    d_runs: list[DecodeFigures] = []
    versions: dict[str, str] = {}
    chosen = set(args.scenarios.upper())
    for r in range(1, args.repeat + 1):
        if "A" in chosen:
            log(f"run {r}/{args.repeat}: A memory journal ...")
            figures, versions = run_memory_journal(events)
            a_runs.append(figures)
        if "B" in chosen:
            log(f"run {r}/{args.repeat}: B SQLite batch_size=1000 ...")
            b_runs.append(run_sqlite(events, 1000, args.tmpdir))
        if "C" in chosen:
            log(f"run {r}/{args.repeat}: C SQLite batch_size=1 ({len(sync_events):,} events) ...")
            c_runs.append(run_sqlite(sync_events, 1, args.tmpdir))
        if "D" in chosen:
            log(f"run {r}/{args.repeat}: D decode + decide ...")
            d_runs.append(run_decode(stream.blob))
    if not versions:
        versions = asdict(build_engine(settings("memory")).versions)
    memory = None
    if "M" in chosen:
        log("M feature-state memory (tracemalloc, one run) ...")
        memory = run_memory(stream.lines)

    a = median_figures(a_runs) if a_runs else None
    b = median_figures([x.figures for x in b_runs]) if b_runs else None
    c = median_figures([x.figures for x in c_runs]) if c_runs else None
    d_rate = statistics.median(x.rate for x in d_runs) if d_runs else math.nan
    d_decode = statistics.median(x.decode_only_rate for x in d_runs) if d_runs else math.nan
    b_db = statistics.median(x.db_bytes for x in b_runs) if b_runs else math.nan
    info = machine()

    out = print
    out("vigil decision benchmark")
    out(
        f"machine: processor={info['processor']!r} ({info['cpu_model']}, {info['machine']}), "
        f"cpu_count={info['cpu_count']}, {info['python_implementation']} {info['python']}, {info['platform']}"
    )
    out(f"versions: engine {versions['engine']}, catalog {versions['catalog']}, rules {versions['rules']}")
    out(
        f"stream: example_stream(n_accounts={stream.accounts:,}, days={stream.days}, seed={stream.seed}) = "
        f"{len(events):,} events, {len(stream.blob) / 1e6:.1f} MB of JSON lines (generated untimed)"
    )
    out(
        f"runs: median of {args.repeat} per timed scenario; one process, one thread; tune_gc() after "
        f"each engine is built; SQLite files under {args.tmpdir or tempfile.gettempdir()} ({tmp_fs})"
    )
    out("")
    out("latency = wall time of engine.decide(event), journal included; engine = Decision.elapsed_us")
    header = (
        f"{'scenario':<40} {'events':>9} {'decisions/s':>12} {'p50 µs':>8} {'p90 µs':>8} {'p99 µs':>8}"
        f" {'p99.9 µs':>9} {'max µs':>10} {'eng p50':>8} {'eng p99':>8} {'gc 0/1/2':>9}"
    )
    out(header)
    out("-" * len(header))
    out(row("A engine, no persistence (memory)", a))
    out(row("B engine + SQLite, batch_size=1000", b))
    out(row("C engine + SQLite, batch_size=1 (*)", c))
    if d_runs:
        out(
            f"{'D decode_event + decide (memory)':<40} {len(events):>9,} {d_rate:>12,.0f}   (throughput only)"
        )
        out(f"{'  decode_event alone':<40} {len(events):>9,} {d_decode:>12,.0f}")
    if c is not None:
        out(
            f"(*) C ran on the first {len(sync_events):,} events of the stream only (to bound the run time): "
            "the early, onboarding-heavy part, with less feature state than the full stream."
        )
    if b is not None:
        out(f"B's SQLite files: {b_db / 1e6:.1f} MB ({b_db / len(events):,.0f} bytes per event and decision)")
    out("")
    if memory is not None:
        report_memory(memory)
    targets: list[tuple[str, str, bool]] = []
    if a is not None:
        targets.append(
            (f"A throughput >= {TARGET_RATE_MEMORY:,}/s", f"{a.rate:,.0f}/s", a.rate >= TARGET_RATE_MEMORY)
        )
        targets.append((f"A p99 < {TARGET_P99_US:,.0f} µs", f"{a.p99_us:,.1f} µs", a.p99_us < TARGET_P99_US))
    if b is not None:
        targets.append(
            (
                f"B throughput >= {TARGET_RATE_SQLITE:,}/s (group commit)",
                f"{b.rate:,.0f}/s",
                b.rate >= TARGET_RATE_SQLITE,
            )
        )
    if c is not None:
        targets.append(
            (
                f"C throughput >= {TARGET_RATE_SQLITE:,}/s (commit per decision)",
                f"{c.rate:,.0f}/s",
                c.rate >= TARGET_RATE_SQLITE,
            )
        )
    if memory is not None:
        targets.append(
            (
                f"state < {TARGET_BYTES_PER_ACCOUNT:,} bytes per active account",
                f"{memory.bytes_per_account:,.0f} B",
                memory.bytes_per_account < TARGET_BYTES_PER_ACCOUNT,
            )
        )
    out("targets (from the issue)")
    for name, value, ok in targets:
        out(f"  {verdict(ok)}  {name:<52} {value:>14}")

    if args.json is not None:
        report = {
            "machine": info,
            "versions": versions,
            "stream": {
                "n_accounts": stream.accounts,
                "days": stream.days,
                "seed": stream.seed,
                "events": len(events),
                "json_bytes": len(stream.blob),
            },
            "repeat": args.repeat,
            "tmpdir_filesystem": tmp_fs,
            "scenarios": {
                "A_memory": {"median": optional(a), "runs": [asdict(x) for x in a_runs]},
                "B_sqlite_batch_1000": {
                    "median": optional(b),
                    "runs": [asdict(x.figures) for x in b_runs],
                    "db_bytes": b_db,
                },
                "C_sqlite_batch_1": {
                    "median": optional(c),
                    "runs": [asdict(x.figures) for x in c_runs],
                    "subset": f"first {len(sync_events)} events",
                },
                "D_decode_decide": {
                    "rate": d_rate,
                    "decode_only_rate": d_decode,
                    "runs": [asdict(x) for x in d_runs],
                },
            },
            "memory": optional(memory),
            "targets": [{"target": name, "value": value, "pass": ok} for name, value, ok in targets],
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        log(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
