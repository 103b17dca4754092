"""Simulator speed on one core, and proof that its memory does not grow with the events written.

Run ``.venv/bin/python benchmarks/bench_sim.py [--accounts N] [--days D] [--repeat R] [--generator G]``.

Each run happens in a fresh child process (so its peak resident memory is its own) and writes
real files in a temporary directory. Figures, medians over ``--repeat`` runs:

- history: the events before the run proper (each account's opening, KYC, address book and last
  login; with generator 2 also the warm history of honest sessions), per second;
- steady: the events of the simulated days (honest sessions and crime), per second, which is the
  rate the issue's target (100,000 events/s on one core) is about;
- overall: all events over the whole wall time, set-up included;
- peak RSS for ``--days`` and for four times as many days with the same accounts: if memory
  grew with the events written, the second would be about four times the first.
"""

from __future__ import annotations

import argparse
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

from vigil.sim import SimConfig, write_simulation

ROOT = Path(__file__).resolve().parent.parent
LISTS = ROOT.parent / "shared" / "data" / "lists"
TARGET = 100_000


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(accounts: int, days: float, seed: int, generator: int) -> dict[str, Any]:
    marks: list[tuple[float, int, int]] = []

    def progress(events: int, hours: int) -> None:
        marks.append((time.perf_counter(), events, hours))

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        began = time.perf_counter()
        with (
            (d / "e.jsonl").open("wb") as e,
            (d / "l.jsonl").open("wb") as lab,
            (d / "c.jsonl").open("wb") as c,
        ):
            summary = write_simulation(
                SimConfig(accounts=accounts, days=days, seed=seed, generator=generator),
                e,
                lab,
                c,
                lists=LISTS,
                progress=progress,
            )
        ended = time.perf_counter()
        size = (d / "e.jsonl").stat().st_size
    history_t, history_n, _ = marks[0]
    return {
        "events": summary.events,
        "history_events": history_n,
        "history_rate": history_n / (history_t - began),
        "steady_rate": (summary.events - history_n) / (ended - history_t),
        "overall_rate": summary.events / (ended - began),
        "seconds": ended - began,
        "peak_rss_mb": peak_rss_mb(),
        "bytes_per_event": size / max(1, summary.events),
        "peak_pending": summary.peak_pending,
    }


def run_child(accounts: int, days: float, seed: int, generator: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(accounts), str(days), str(seed), str(generator)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generator", type=int, default=2, help="generator version (1 or 2)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        accounts, days, seed, generator = args.child
        print(json.dumps(child(int(accounts), float(days), int(seed), int(generator))))
        return 0
    if not LISTS.is_dir():
        print(f"bench_sim: the shared reference lists are missing: expected {LISTS}", file=sys.stderr)
        return 1
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    runs = [run_child(args.accounts, args.days, seed, args.generator) for seed in range(1, args.repeat + 1)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(
        f"simulator (generator {args.generator}), {args.accounts:,} accounts x {args.days:g} days, "
        f"median of {args.repeat} runs:"
    )
    print(f"  events              {med['events']:>14,.0f}  ({med['history_events']:,.0f} of them history)")
    print(f"  history             {med['history_rate']:>14,.0f} events/s")
    print(
        f"  steady (the days)   {med['steady_rate']:>14,.0f} events/s   "
        f"target {TARGET:,}: {med['steady_rate'] / TARGET:.2f}x"
    )
    print(f"  overall             {med['overall_rate']:>14,.0f} events/s   ({med['seconds']:.1f} s)")
    print(f"  bytes per event     {med['bytes_per_event']:>14,.0f}")
    print(
        f"  peak RSS            {med['peak_rss_mb']:>14,.0f} MB       "
        f"peak events waiting {med['peak_pending']:,.0f}"
    )
    longer = run_child(args.accounts, args.days * 4, 1, args.generator)
    ratio = longer["peak_rss_mb"] / runs[0]["peak_rss_mb"]
    print(
        f"memory vs events: {args.days * 4:g} days wrote {longer['events'] / runs[0]['events']:.1f}x "
        f"the events with {ratio:.2f}x the peak RSS "
        f"({longer['peak_rss_mb']:,.0f} MB vs {runs[0]['peak_rss_mb']:,.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
