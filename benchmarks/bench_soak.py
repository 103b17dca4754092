"""Soak: the engine's memory day by day over more than a month of simulated exchange (issue 22).

Run from the project's root: ``PYTHONPATH=src:. .venv/bin/python benchmarks/bench_soak.py [--accounts N]
[--days D] [--seed S] [--lateness-hours H] [--no-evict]`` (a few minutes at the defaults).

``vigil sim`` (generator 2, its 14 days of warm history included) writes ``--days`` simulated days for
``--accounts`` accounts to a temporary JSON-lines file (untimed); the whole engine (rules, the entity
graph, a journal that keeps nothing) then decides every event, decoded from its line as a live feed
would be, under ``tracemalloc``. At the end of each simulated day (day 0 is the first day of the warm
history; the accounts' openings and KYC, dated before it, come first) it prints the memory the engine holds
(tracemalloc, after a collection) and, from a ``sys.getsizeof`` walk, how much of it is feature state,
the eviction queue, the entity graph and the known event ids, with the entities holding state and
those evicted so far. Once the longest window (30 days) is full, feature state should stay flat: what
enters the windows leaves them, and idle devices, IPs and addresses are dropped. The graph and the
event-id digests grow with the history by design (the graph is every link ever made; each decided
event's id is kept for idempotency).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from benchmarks.bench_decide import NullJournal, deep_size, machine, settings
from vigil.bootstrap import load_rule_set, rule_source
from vigil.codec import decode_event
from vigil.engine import Engine
from vigil.features import default_catalog
from vigil.sim import SimConfig, write_simulation

ROOT = Path(__file__).resolve().parent.parent
LISTS = ROOT.parent / "shared" / "data" / "lists"
DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parts(engine: Engine) -> dict[str, int]:
    """Approximate bytes by part (a ``sys.getsizeof`` walk; shared objects counted once, in this order)."""
    seen: set[int] = set()
    catalog = engine.catalog
    return {
        "features": sum(deep_size(t, seen) for t in catalog.state().tables.values()),
        "queue": deep_size(catalog.state().idle, seen),
        "graph": deep_size(catalog.graph, seen),
        "known": deep_size(engine.state().known, seen),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--days", type=float, default=45.0)
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--lateness-hours", type=float, default=24.0, help="eviction's lateness allowance")
    parser.add_argument("--no-evict", action="store_true", help="a catalog that never evicts (to compare)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the rows here")
    args = parser.parse_args(argv)

    config = SimConfig(accounts=args.accounts, days=args.days, seed=args.seed)
    with tempfile.TemporaryDirectory(prefix="vigil-soak-") as tmp:
        path = Path(tmp) / "events.jsonl"
        log(f"simulating {args.accounts:,} accounts for {args.days:g} days (+ the warm history) ...")
        began = time.perf_counter()
        with (
            path.open("wb") as events,
            (Path(tmp) / "l").open("wb") as labels,
            (Path(tmp) / "c").open("wb") as c,
        ):
            summary = write_simulation(config, events, labels, c, lists=LISTS)
        log(f"  {summary.events:,} events in {time.perf_counter() - began:.0f} s")

        source = rule_source(settings("memory"))
        lateness = None if args.no_evict else int(args.lateness_hours * HOUR_US)
        engine = Engine(
            default_catalog(lateness=lateness), load_rule_set(source), NullJournal(), rule_source=source
        )
        gc.collect()
        tracemalloc.start(1)
        base = tracemalloc.get_traced_memory()[0]
        rows: list[dict[str, Any]] = []
        first_day = int(config.start_us - config.history_days * DAY_US) // DAY_US  # the warm history's
        day_end = (first_day + 1) * DAY_US
        n = 0
        began = time.perf_counter()

        def mark(day: int) -> None:
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - base
            split = parts(engine)
            entities = engine.catalog.entity_count()
            rows.append(
                {
                    "day": day,
                    "events": n,
                    "mb": held / 1e6,
                    **{f"{k}_mb": v / 1e6 for k, v in split.items()},
                    "accounts": entities["account"],
                    "entities": sum(entities.values()),
                    "evicted": engine.catalog.evicted,
                }
            )
            r = rows[-1]
            print(
                f"{day:>4} {n:>10,} {r['mb']:>9.1f} {r['features_mb']:>9.1f} {r['queue_mb']:>7.2f}"
                f" {r['graph_mb']:>8.1f} {r['known_mb']:>7.2f} {r['accounts']:>9,} {r['entities']:>9,}"
                f" {r['evicted']:>9,}",
                flush=True,
            )

        print("vigil soak benchmark")
        info = machine()
        print(f"machine: {info['cpu_model']}, cpu_count={info['cpu_count']}, {info['python']}")
        print(
            f"stream: vigil sim generator 2, {args.accounts:,} accounts, {args.days:g} days after"
            f" {config.history_days:g} days of warm history, seed {args.seed}: {summary.events:,} events"
        )
        print(f"eviction: {'off' if lateness is None else f'lateness {args.lateness_hours:g} h'}")
        print(
            f"{'day':>4} {'events':>10} {'held MB':>9} {'feat MB':>9} {'queue':>7} {'graph MB':>8}"
            f" {'ids MB':>7} {'accounts':>9} {'entities':>9} {'evicted':>9}"
        )
        with path.open("rb") as lines:
            for line in lines:
                event = decode_event(line)
                t = event.ts_us
                while t >= day_end:
                    mark(day_end // DAY_US - first_day)
                    day_end += DAY_US
                engine.decide(event)
                n += 1
        mark(day_end // DAY_US - first_day)
        tracemalloc.stop()
        log(f"decided {n:,} events in {time.perf_counter() - began:.0f} s (tracemalloc on)")
    if args.json is not None:
        args.json.write_text(json.dumps({"machine": info, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
