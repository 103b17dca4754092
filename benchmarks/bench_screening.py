"""Address screening against every address list in ../shared loaded together.

Run ``.venv/bin/python benchmarks/bench_screening.py [--lists DIR] [--lookups N] [--repeat R]``
(``--lists`` defaults to ../shared/data/lists).

1. Import: each address source is read and parsed as ``vigil lists import`` does (time, entries,
   rows skipped); then one ``AddressIndex`` over all of them (build time, RSS growth).
2. Lookup (the issue's "address lookup under 5 us per address"): ``index.lookup(key)`` for a
   shuffled mix of listed keys and unlisted keys of the same shapes, half and half. Timed as whole
   loops of ``--lookups`` calls; the figure is the median over ``--repeat`` runs of loop time / calls.
3. Screening as the engine does it, per address shape: ``parse_address`` (checksum validation)
   plus lookup plus the policy, ``Screener.screen_address``; median of per-call times.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

from vigil.adapters.list_files import DiskListFiles
from vigil.model import Chain
from vigil.screening.entries import AddressEntry
from vigil.screening.index import AddressIndex
from vigil.screening.policy import Direction, default_policy
from vigil.screening.screener import Screener
from vigil.screening.sources import SOURCES

TARGET_LOOKUP_US = 5.0
# Where each address source lives under the lists directory.
FOLDERS = {
    "ofac_addresses": "ofac_crypto_addresses",
    "ofac_sdn_addresses": "sanctions_names",
    "graphsense": "graphsense_tagpacks",
    "scamsniffer": "scamsniffer",
    "cryptoscamdb": "cryptoscamdb",
    "forta": "forta",
}
SHAPES = {
    "BTC base58": (Chain.BTC, "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"),
    "BTC bech32": (Chain.BTC, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    "ETH lower": (Chain.ETH, "0x01e2919679362dfbc9ee1644ba9c6da6d6245bb1"),
    "ETH EIP-55": (Chain.ETH, "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"),
    "TRON": (Chain.TRON, "TNUC9Qb1rRpS5CbWLmNMxXBjyFoydXjWFR"),
}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_all(lists: Path) -> list[AddressEntry]:
    files = DiskListFiles()
    entries: list[AddressEntry] = []
    for name, folder in FOLDERS.items():
        source = SOURCES[name]
        start = time.perf_counter()
        parsed = source.parse(files.read(str(lists / folder), source.files))
        took = time.perf_counter() - start
        print(
            f"  {name:20} {len(parsed.entries):>9,} entries {len(parsed.errors):>8,} rows skipped"
            f"  {took:6.2f} s"
        )
        entries.extend(e for e in parsed.entries if isinstance(e, AddressEntry))
    return entries


def unlisted_like(key: str, rng: random.Random) -> str:
    """A key of the same shape that no list holds: the last characters shuffled."""
    head, tail = key[:-8], list(key[-8:])
    rng.shuffle(tail)
    return head + "".join(tail)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lists", default=str(Path(__file__).resolve().parents[1].parent / "shared/data/lists"))
    p.add_argument("--lookups", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    lists = Path(args.lists)
    if not lists.is_dir():
        sys.exit(f"lists directory {lists} not found: pass --lists (../shared/data/lists)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    print("1. import")
    base = rss_mb()
    start = time.perf_counter()
    entries = load_all(lists)
    parsed_s = time.perf_counter() - start
    start = time.perf_counter()
    index = AddressIndex(entries)
    build_s = time.perf_counter() - start
    print(
        f"  all sources parsed in {parsed_s:.1f} s; index of {len(index):,} entries, "
        f"{index.addresses:,} distinct addresses built in {build_s:.2f} s; "
        f"peak RSS +{rss_mb() - base:,.0f} MB"
    )

    rng = random.Random(7)
    listed = [e.key for e in entries]
    keys = [
        rng.choice(listed) if i % 2 else unlisted_like(rng.choice(listed), rng) for i in range(args.lookups)
    ]
    hits = sum(1 for k in keys if k in index)
    lookup = index.lookup
    runs = []
    for _ in range(args.repeat):
        start = time.perf_counter_ns()
        for k in keys:
            lookup(k)
        runs.append((time.perf_counter_ns() - start) / len(keys) / 1000)
    med = statistics.median(runs)
    print(
        f"2. lookup: {len(keys):,} keys ({hits / len(keys):.0%} listed), median {med:.3f} us per address "
        f"(runs {', '.join(f'{r:.3f}' for r in runs)}); target {TARGET_LOOKUP_US} us: "
        f"{'met' if med < TARGET_LOOKUP_US else 'MISSED'} ({TARGET_LOOKUP_US / med:,.0f}x headroom)"
    )

    print("3. parse + lookup + policy (Screener.screen_address), per address shape")
    screener = Screener(index, default_policy())
    for shape, (chain, text) in SHAPES.items():
        times = []
        for _ in range(20_000):
            t = time.perf_counter_ns()
            screener.screen_address(chain, text, Direction.WITHDRAWAL)
            times.append(time.perf_counter_ns() - t)
        times.sort()
        median, p99 = times[len(times) // 2] / 1000, times[int(len(times) * 0.99)] / 1000
        print(f"  {shape:12} median {median:6.2f} us  p99 {p99:6.2f} us")


if __name__ == "__main__":
    main()
