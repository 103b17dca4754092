"""Start-up time with N journalled events: a full replay of the journal against a snapshot plus a small tail.

Run ``.venv/bin/python benchmarks/bench_startup.py --workdir DIR [--sizes 500000,1000000,2000000]
[--tail 10000] [--repeat 3] [--json PATH]`` (issue 22: a server whose journal holds 10 million events is
ready in under 30 s). Run it from the project's root: the simulator reads ``../shared``.

For each size N, once (cached in ``DIR/nN``, reused by later runs): ``vigil sim`` writes a stream with
accounts in proportion to N (N / 14 accounts over 4 days of history and 3 simulated days, so state grows
with N: the pessimistic case; ``--days`` and ``--events-per-account`` give longer histories of fewer
accounts, whose state grows more slowly than their events); its first N events are decided into a SQLite
journal by the whole engine (rules, graph; batches of 1,000), a snapshot is written after the first
N - tail, and the desk catches up with the journal (the cases its flagged decisions open).

Then, each start in a fresh process (the page cache warm, as on a restart), ``--repeat`` times, alternated:

1. **full**: ``bootstrap.start_engine`` with snapshots off: the whole journal replayed;
2. **snapshot**: the same with the snapshot: header checks, read, SHA-256, unpickle, the tail replayed;
   then, in that process, the parts again one by one, an in-process snapshot write (what a shutdown
   costs), the ``fork`` pause of a background snapshot (what the event loop pays) and its child's write;
3. **serve**: ``api.services.build`` (the engine from the snapshot, the desk folded from its cases, its
   catch-up, access), the server's "engine ready" and "services ready".

With ``--desk-cases N`` it measures the desk's start instead (issue 22 lists its folds with the engine's
state): N cases on SQLite, each opened by a held withdrawal and alerted four times in all (five history
entries), folded by ``Desk`` construction (``bootstrap.security_desk``), median of five.

Both starts must reach the same ``Catalog.state_digest`` (checked). Per-event costs are fitted over the
sizes and extrapolated to 10 million; what is measured and what is extrapolated is printed apart.
Nothing is asserted but the digest. The machine is shared and noisy: compare medians and ratios.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # run as a script: find the package

from vigil import bootstrap
from vigil.adapters.snapshot_files import DirectorySnapshots
from vigil.settings import Settings

TARGET_EVENTS = 10_000_000
TARGET_SECONDS = 30.0
EVENTS_PER_ACCOUNT = 14


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def memory_mb() -> dict[str, float]:
    """VmRSS and VmHWM (peak) of this process, in MB."""
    found: dict[str, float] = {}
    with Path("/proc/self/status").open() as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(rest.split()[0]) / 1024
    return found


def settings_for(root: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "db": str(root / "vigil.db"),
        "snapshot_dir": root / "snapshots",
        "event_max_age_days": 36_500,
        "access_log": False,
    }
    return Settings(**{**values, **overrides})


# -- building the journal (once per size) ------------------------------------------------------------


def build(root: Path, n: int, tail: int, seed: int, days: int, per_account: int) -> dict[str, Any]:
    marker = root / "built.json"
    if marker.exists():
        built: dict[str, Any] = json.loads(marker.read_text())
        if built["events"] == n and built["tail"] == tail:
            return built
        raise SystemExit(f"{root} holds another build ({built}): remove it or use another --workdir")
    from vigil.codec import decode_event
    from vigil.engine.snapshot import journal_end, save

    root.mkdir(parents=True, exist_ok=True)
    accounts = -(-n // per_account)
    events_file = root / "events.jsonl"
    log(f"[n={n:,}] simulating {accounts:,} accounts...")
    start = time.perf_counter()
    sim = [sys.executable, "-m", "vigil.cli.main", "sim", "--accounts", str(accounts), "--days", str(days)]
    sim += ["--history-days", "4", "--seed", str(seed), "-o", str(events_file)]
    sim += ["--labels", str(root / "labels.jsonl"), "--claims", str(root / "claims.jsonl")]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    subprocess.run(sim, check=True, env=env, stdout=subprocess.DEVNULL)
    sim_s = time.perf_counter() - start
    with events_file.open("rb") as counting:
        written = sum(1 for _ in counting)
    if written < n:
        raise SystemExit(
            f"the simulation wrote {written:,} events, fewer than {n:,}: lower --events-per-account"
        )
    settings = settings_for(root, batch_size=1000, snapshots=False)
    engine = bootstrap.build_engine(settings)
    bootstrap.tune_gc()
    decided = 0
    start = time.perf_counter()
    write: dict[str, Any] = {}
    with events_file.open("rb") as lines:
        for line in lines:
            engine.decide(decode_event(line))
            decided += 1
            if decided == n - tail:
                engine.commit()
                store = DirectorySnapshots(root / "snapshots", keep=2)
                saved = save(engine, store, *journal_end(engine.journal))
                write = {"snapshot_write_s": saved.seconds, "snapshot_bytes": saved.size}
                log(f"[n={n:,}] snapshot at {decided:,}: {saved.size / 1e6:,.1f} MB in {saved.seconds:.1f} s")
            if decided % 100_000 == 0:
                log(f"[n={n:,}] decided {decided:,} ({decided / (time.perf_counter() - start):,.0f}/s)")
            if decided == n:
                break
    engine.close()
    decide_s = time.perf_counter() - start
    stores = bootstrap.stores(settings)
    try:
        cases_added = bootstrap.security_desk(settings, stores).feed.catch_up()
    finally:
        stores.close()
    built = {
        "events": n,
        "tail": tail,
        "accounts": accounts,
        "seed": seed,
        "days": days + 4,
        "simulate_s": sim_s,
        "decide_s": decide_s,
        "alerts": cases_added,
        "db_bytes": (root / "vigil.db").stat().st_size,
        **write,
    }
    marker.write_text(json.dumps(built, indent=2))
    return built


# -- one start, in a fresh process -------------------------------------------------------------------


def tuned_gc_s() -> float:
    """What the server does once started (``bootstrap.tune_gc``: a full collection, then freeze)."""
    t = time.perf_counter()
    bootstrap.tune_gc()
    return time.perf_counter() - t


def measure_full(root: Path) -> dict[str, Any]:
    start = time.perf_counter()
    engine, resumed = bootstrap.start_engine(settings_for(root, snapshots=False))
    seconds = time.perf_counter() - start
    assert resumed.snapshot is None
    gc_s = tuned_gc_s()
    digest = engine.catalog.state_digest()
    return {
        "seconds": seconds,
        "tune_gc_s": gc_s,
        "replayed": resumed.replayed,
        "digest": digest,
        **memory_mb(),
    }


def measure_snapshot(root: Path) -> dict[str, Any]:
    from vigil.engine import snapshot
    from vigil.engine.snapshotter import Snapshotter

    start = time.perf_counter()
    engine, resumed = bootstrap.start_engine(settings_for(root))
    seconds = time.perf_counter() - start
    assert resumed.snapshot is not None, resumed.refused
    result: dict[str, Any] = {
        "seconds": seconds,
        "tune_gc_s": tuned_gc_s(),
        "replayed": resumed.replayed,
        "digest": engine.catalog.state_digest(),
        **memory_mb(),
    }
    # the parts, one by one (a second copy of the state while they run: after the figures above)
    store = DirectorySnapshots(root / "snapshots")
    parts: dict[str, float] = {}
    t = time.perf_counter()
    with store.open(resumed.snapshot) as f:
        header = snapshot.read_header(f.read(snapshot.HEADER_SPACE))
        payload = f.read()
    parts["read"] = time.perf_counter() - t
    t = time.perf_counter()
    import hashlib

    assert hashlib.sha256(payload).hexdigest() == header.payload_sha256
    parts["sha256"] = time.perf_counter() - t
    gc.disable()
    t = time.perf_counter()
    data = snapshot._StateUnpickler(io.BytesIO(payload)).load()
    parts["unpickle"] = time.perf_counter() - t
    t = time.perf_counter()
    known = set(data["known"].tolist())
    parts["known_set"] = time.perf_counter() - t
    gc.enable()
    del data, known, payload
    gc.collect()
    result["parts"] = parts
    result["snapshot_bytes"] = snapshot.HEADER_SPACE + header.payload_bytes
    bootstrap.tune_gc()  # again, after the parts: as the server runs
    with tempfile.TemporaryDirectory(dir=root) as scratch:
        target = DirectorySnapshots(scratch, keep=1)
        saved = snapshot.save(engine, target, resumed.position, resumed.anchor)
        result["write_in_process_s"] = saved.seconds  # what a shutdown snapshot costs
        pauses = []
        for _ in range(5):
            t = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            pauses.append((time.perf_counter() - t) * 1000)
            os.waitpid(pid, 0)
        result["fork_ms"] = pauses
        background = Snapshotter(engine, target, every_decisions=1, every_seconds=0, uncovered=1)
        t = time.perf_counter()
        background.committed(0)
        background.wait()
        result["forked_write_s"] = time.perf_counter() - t
        result["forked_fork_ms"] = background.last_fork_ms
        result["forked_result"] = background.last_result
    return result


def measure_serve(root: Path) -> dict[str, Any]:
    from vigil.api import services as api_services

    settings = settings_for(root, snapshot_on_shutdown=False, batch_size=100_000)
    timings: dict[str, float] = {}
    original_desk = bootstrap.security_desk

    def timed_desk(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        desk = original_desk(*args, **kwargs)
        timings["desk_fold_s"] = time.perf_counter() - t
        original_catch_up = desk.feed.catch_up

        def timed_catch_up() -> int:
            t = time.perf_counter()
            added = original_catch_up()
            timings["desk_catch_up_s"] = time.perf_counter() - t
            return added

        desk.feed.catch_up = timed_catch_up  # type: ignore[method-assign]
        return desk

    bootstrap.security_desk = timed_desk
    start = time.perf_counter()
    services = api_services.build(settings)
    bootstrap.tune_gc()  # the server's lifespan does this before it logs "ready"
    ready = time.perf_counter() - start
    t = time.perf_counter()
    count = services.engine.journal.count()  # what the "ready" log line reads
    timings["count_s"] = time.perf_counter() - t
    assert services.started is not None and services.security is not None
    result = {
        "services_ready_s": ready,
        "engine_s": services.started.seconds,
        "snapshot": services.started.snapshot,
        "events": count,
        "cases": services.security.desk.store.cases(),
        **timings,
        **memory_mb(),
    }
    services.close()
    return result


def measure_desk(root: Path, cases: int) -> dict[str, Any]:
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from vigil.model import Decision, Outcome, Rail, Reason, ReasonCode, Versions, Withdrawal

    settings = settings_for(root, db=str(root / f"desk-{cases}.db"))
    versions = Versions(engine="bench", catalog="bench", rules="bench")
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    built = Path(settings.db).exists()
    stores = bootstrap.stores(settings)
    try:
        if not built:
            desk = bootstrap.security_desk(settings, stores).desk
            for round_ in range(4):  # the first round opens each case with its first alert, then 3 more
                batch = []
                for i in range(cases):
                    value = Decimal(1000 + i % 5000)
                    event = Withdrawal(
                        event_id=f"w-{round_}-{i}",
                        account_id=f"acc-{i:07d}",
                        ts=t0 + timedelta(minutes=round_ * 10, seconds=i),
                        region="EU",
                        rail=Rail.FIAT,
                        asset="EUR",
                        amount=int(value * 100),
                        fiat_value=value,
                    )
                    code = ReasonCode.VELOCITY_HIGH_VALUE_BURST
                    reason = Reason(code=code, rule_id="r1", score=80.0, detail="a burst")
                    decision = Decision(
                        event_id=event.event_id,
                        account_id=event.account_id,
                        event_type=event.type,
                        region="EU",
                        outcome=Outcome.HOLD,
                        score=80.0,
                        reasons=(reason,),
                        trace=(),
                        versions=versions,
                        elapsed_us=1.0,
                    )
                    batch.append((event, decision))
                    if len(batch) == 1000:
                        desk.ingest_many(batch)
                        batch = []
                if batch:
                    desk.ingest_many(batch)
    finally:
        stores.close()
    runs = []
    for _ in range(5):
        stores = bootstrap.stores(settings)
        t = time.perf_counter()
        bootstrap.security_desk(settings, stores)
        runs.append(time.perf_counter() - t)
        found = stores.cases.cases() if stores.cases is not None else 0
        stores.close()
    return {
        "cases": found,
        "entries_per_case": 5,
        "fold_s": median(runs),
        "runs": runs,
    }


def run_child(kind: str, root: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--root", str(root)],
        check=True,
        stdout=subprocess.PIPE,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# -- report ----------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares y = a + b x."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    return my - b * mx, b


def report(rows: list[dict[str, Any]], tail: int) -> dict[str, Any]:
    print(f"\n## Start-up, full replay against snapshot + a tail of {tail:,} (medians)\n")
    print(
        "| events | accounts | snapshot MB | full replay s | µs/event | snapshot + tail s | µs/event"
        " | read | sha256 | unpickle | id set | ratio | tune_gc s full / snap | RSS full / snap MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        n, full, snap, p = r["events"], r["full_s"], r["snapshot_s"], r["parts"]
        cells = [
            f"{n:,}",
            f"{r['accounts']:,}",
            f"{r['snapshot_bytes'] / 1e6:,.0f}",
            f"{full:.1f}",
            f"{full / n * 1e6:.1f}",
            f"{snap:.2f}",
            f"{snap / n * 1e6:.2f}",
            *(f"{p[k]:.2f}" for k in ("read", "sha256", "unpickle", "known_set")),
            f"{full / snap:.0f}x",
            f"{r['full_tune_gc_s']:.2f} / {r['snapshot_tune_gc_s']:.2f}",
            f"{r['rss_full']:,.0f} / {r['rss_snapshot']:,.0f}",
        ]
        print("| " + " | ".join(cells) + " |")
    print(
        "\n| events | serve: engine s | desk fold s (cases) | desk catch-up s | count s | services ready s |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows:
        s = r["serve"]
        print(
            f"| {r['events']:,} | {s['engine_s']:.2f} | {s['desk_fold_s']:.2f} ({s['cases']:,}) |"
            f" {s['desk_catch_up_s']:.3f} | {s['count_s']:.3f} | {s['services_ready_s']:.2f} |"
        )
    print("\n| events | snapshot write in process s (shutdown) | fork pause ms | forked write s |")
    print("|---|---|---|---|")
    for r in rows:
        cells = [f"{r['events']:,}", f"{r['write_in_process_s']:.1f}", f"{r['fork_ms']:.1f}"]
        print("| " + " | ".join([*cells, f"{r['forked_write_s']:.1f}"]) + " |")
    xs = [float(r["events"]) for r in rows]
    extrapolated: dict[str, Any] = {}
    if len(rows) >= 2:
        for key in ("full_s", "snapshot_s", "services_s", "write_in_process_s"):
            a, b = fit(xs, [float(r[key]) for r in rows])
            at = a + b * TARGET_EVENTS
            extrapolated[key] = {"intercept_s": a, "us_per_event": b * 1e6, "at_10m_s": at}
        print(f"\nExtrapolated to {TARGET_EVENTS:,} events (least squares over the sizes measured):")
        for key, e in extrapolated.items():
            per, fixed, at = e["us_per_event"], e["intercept_s"], e["at_10m_s"]
            print(f"- {key}: {per:.2f} µs/event + {fixed:.2f} s -> {at:.1f} s")
        target = extrapolated["services_s"]["at_10m_s"]
        verdict = "met" if target < TARGET_SECONDS else "missed"
        print(f"target: services ready under {TARGET_SECONDS:.0f} s at 10M events: {verdict} (extrapolated)")
    return extrapolated


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workdir", type=Path, help="where journals are built and kept (reused)")
    p.add_argument("--sizes", default="500000,1000000,2000000", help="journal sizes, comma-separated")
    p.add_argument("--tail", type=int, default=10_000, help="events after the snapshot")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=22)
    p.add_argument("--days", type=int, default=3, help="days simulated after 4 days of history (default 3)")
    p.add_argument(
        "--events-per-account",
        type=int,
        default=EVENTS_PER_ACCOUNT,
        help=f"accounts = N / this (default {EVENTS_PER_ACCOUNT}: about 2 events an account a day, 7 days)",
    )
    p.add_argument("--json", type=Path, help="write every figure here")
    p.add_argument("--desk-cases", type=int, help="measure the desk's fold of this many cases instead")
    p.add_argument("--child", choices=["full", "snapshot", "serve"], help=argparse.SUPPRESS)
    p.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        measure = {"full": measure_full, "snapshot": measure_snapshot, "serve": measure_serve}[args.child]
        print(json.dumps(measure(args.root)))
        return
    if args.workdir is None:
        p.error("--workdir is required")
    if args.desk_cases:
        args.workdir.mkdir(parents=True, exist_ok=True)
        desk = measure_desk(args.workdir, args.desk_cases)
        each = ", ".join(f"{r:.3f}" for r in desk["runs"])
        print(f"desk fold of {desk['cases']:,} cases (5 entries): median {desk['fold_s']:.3f} s ({each})")
        if args.json:
            args.json.write_text(json.dumps(desk, indent=2))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    machine = platform.processor() or platform.machine()
    log(f"{machine}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    rows = []
    for n in sizes:
        default = (args.days, args.events_per_account) == (3, EVENTS_PER_ACCOUNT)
        root = args.workdir / (f"n{n}" if default else f"n{n}-days{args.days}-per{args.events_per_account}")
        built = build(root, n, args.tail, args.seed, args.days, args.events_per_account)
        runs: dict[str, list[dict[str, Any]]] = {"full": [], "snapshot": [], "serve": []}
        for i in range(args.repeat):
            for kind in ("full", "snapshot", "serve"):
                result = run_child(kind, root)
                runs[kind].append(result)
                seconds = result.get("seconds", result.get("services_ready_s"))
                log(f"[n={n:,}] run {i + 1} {kind}: {seconds:.2f} s")
        digests = {r["digest"] for r in runs["full"] + runs["snapshot"]}
        if len(digests) != 1:
            raise SystemExit(f"n={n}: full replay and snapshot + tail reached different states: {digests}")
        snaps = runs["snapshot"]
        serve = runs["serve"]
        serve_median = {
            k: median([s[k] for s in serve]) for k in serve[0] if isinstance(serve[0][k], float | int)
        }
        row = {
            **built,
            "full_s": median([r["seconds"] for r in runs["full"]]),
            "full_tune_gc_s": median([r["tune_gc_s"] for r in runs["full"]]),
            "snapshot_tune_gc_s": median([r["tune_gc_s"] for r in snaps]),
            "full_runs": [r["seconds"] for r in runs["full"]],
            "snapshot_s": median([r["seconds"] for r in snaps]),
            "snapshot_runs": [r["seconds"] for r in snaps],
            "services_s": serve_median["services_ready_s"],
            "serve": serve_median,
            "parts": {k: median([r["parts"][k] for r in snaps]) for k in snaps[0]["parts"]},
            "snapshot_bytes": snaps[0]["snapshot_bytes"],
            "write_in_process_s": median([r["write_in_process_s"] for r in snaps]),
            "fork_ms": median([m for r in snaps for m in r["fork_ms"]]),
            "fork_ms_runs": [r["fork_ms"] for r in snaps],
            "forked_write_s": median([r["forked_write_s"] for r in snaps]),
            "forked_results": [r["forked_result"] for r in snaps],
            "rss_full": median([r["VmRSS"] for r in runs["full"]]),
            "rss_snapshot": median([r["VmRSS"] for r in snaps]),
            "hwm_full": median([r["VmHWM"] for r in runs["full"]]),
            "hwm_snapshot": median([r["VmHWM"] for r in snaps]),
        }
        rows.append(row)
        log(json.dumps({k: v for k, v in row.items() if k != "serve"}, default=str))
    extrapolated = report(rows, args.tail)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "extrapolated": extrapolated}, indent=2, default=str))


if __name__ == "__main__":
    main()
