"""The simulator's base rates: how much of the value moved, and how many of the active accounts, are illicit.

Run ``.venv/bin/python benchmarks/bench_base_rates.py [--accounts N] [--days D] [--seeds 1 2 3]
[--generator G] [--crime-scale S]``.

For each seed, one world at crime scale 1 (the default), in memory. Over the run proper (the warm
history left out):

- **illicit share of value**: the illicit value of labelled deposits, withdrawals and P2P orders over
  the fiat value of every deposit, withdrawal and P2P order (docs/simulator.md, "Base rates", compares
  it with Chainalysis's public figures);
- **accounts**: accounts with a labelled event over accounts with any event;
- both by region, since the regional mix of typologies differs.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from vigil.sim import SimConfig
from vigil.sim.lists import load_illicit
from vigil.sim.run import simulate

ROOT = Path(__file__).resolve().parent.parent
LISTS = ROOT.parent / "shared" / "data" / "lists"
MOVES = frozenset({"deposit", "withdrawal", "p2p_order"})


def one_world(config: SimConfig) -> dict[str, Any]:
    start = config.start.strftime("%Y-%m-%dT%H:%M:%S")
    value: dict[str, int] = defaultdict(int)  # region -> cents moved
    illicit: dict[str, int] = defaultdict(int)  # region -> illicit cents
    active: dict[str, set[str]] = defaultdict(set)
    labelled: dict[str, set[str]] = defaultdict(set)
    region_of: dict[str, str] = {}  # event id -> region, for the labels of moves in the run
    in_run: dict[str, tuple[str, str]] = {}  # event id -> (region, account) of every event in the run

    def sink(events: list[dict[str, Any]], labels: list[dict[str, Any]]) -> None:
        for e in events:
            if e["ts"] < start:
                continue
            region, account = e["region"], e["account_id"]
            in_run[e["event_id"]] = (region, account)
            active[region].add(account)
            if e["type"] in MOVES:
                value[region] += int(Decimal(e["fiat_value"]) * 100)
                region_of[e["event_id"]] = region
        for r in labels:
            where = in_run.get(r["event_id"])
            if where is None:
                continue
            labelled[where[0]].add(where[1])
            if r["event_id"] in region_of:
                illicit[where[0]] += int(Decimal(r["illicit_value"]) * 100)

    began = time.perf_counter()
    simulate(config, sink, load_illicit(LISTS), lambda _claim: None)
    regions = sorted(active)
    by_region = {
        r: {
            "value_share": illicit[r] / value[r] if value[r] else 0.0,
            "account_share": len(labelled[r]) / len(active[r]) if active[r] else 0.0,
        }
        for r in regions
    }
    total_value, total_illicit = sum(value.values()), sum(illicit.values())
    n_active = sum(len(a) for a in active.values())
    n_labelled = sum(len(a) for a in labelled.values())
    return {
        "seed": config.seed,
        "value_share": total_illicit / total_value,
        "account_share": n_labelled / n_active,
        "by_region": by_region,
        "seconds": round(time.perf_counter() - began, 1),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--accounts", type=int, default=20_000)
    p.add_argument("--days", type=float, default=7.0)
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--generator", type=int, default=SimConfig().generator)
    p.add_argument("--crime-scale", type=float, default=1.0)
    p.add_argument("--json", help="also write the figures as JSON to this file")
    args = p.parse_args(argv)
    runs = []
    for seed in args.seeds:
        config = SimConfig(
            accounts=args.accounts,
            days=args.days,
            seed=seed,
            generator=args.generator,
            crime_scale=args.crime_scale,
        )
        run = one_world(config)
        runs.append(run)
        print(
            f"seed {seed}: illicit share of value {run['value_share']:.2%}, "
            f"accounts with a labelled event {run['account_share']:.2%} ({run['seconds']} s)"
        )
        for region, figures in run["by_region"].items():
            print(
                f"    {region}: value {figures['value_share']:.2%}, accounts {figures['account_share']:.2%}"
            )
    mean_value = statistics.mean(r["value_share"] for r in runs)
    mean_accounts = statistics.mean(r["account_share"] for r in runs)
    print(
        f"generator {args.generator}, {args.accounts:,} accounts, {args.days:g} days, crime scale "
        f"{args.crime_scale:g}: mean illicit share of value {mean_value:.2%}, of active accounts "
        f"{mean_accounts:.2%} (python {platform.python_version()}, {platform.machine()})"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "runs": runs}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
