"""Network analysis on the simulator's rings: expansion from one member, and communities with no seed.

Simulates an exchange (``--accounts``, ``--days``, crime rates scaled by ``--crime-scale`` so enough
rings appear), builds the entity graph from its events (``EntityGraph.observe``, as the engine does),
then, per ring of at least two accounts:

* **expansion**: seeded with one member (the first the labels name), the share of the other members
  found in the top ``k`` of ``expand`` (k = 10, 20 and 50), per typology;
* **communities**: ``clusters`` with no seed; a community is *alerted* when its score reaches
  ``--threshold``. Account-level precision (alerted accounts that belong to any ring) and recall
  (ring accounts in an alerted community), per typology.

Run: ``.venv/bin/python benchmarks/bench_graph_rings.py`` (about two minutes; ``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import msgspec

from vigil.codec import decode_event
from vigil.graph import EntityGraph
from vigil.graph.communities import RESOLUTION, clusters
from vigil.graph.expand import expand
from vigil.sim import SimConfig, write_simulation

LISTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "lists"


class _Label(msgspec.Struct):
    account_id: str
    typology: str
    ring_id: str


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--days", type=float, default=7)
    parser.add_argument("--crime-scale", type=float, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument(
        "--resolution", type=float, nargs="+", default=[RESOLUTION, 10.0], help="Leiden resolutions to try"
    )
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.accounts, args.days = 3000, 3
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        began = time.perf_counter()
        with (
            (d / "e.jsonl").open("wb") as e,
            (d / "l.jsonl").open("wb") as lab,
            (d / "c.jsonl").open("wb") as c,
        ):
            config = SimConfig(
                accounts=args.accounts, days=args.days, seed=args.seed, crime_scale=args.crime_scale
            )
            summary = write_simulation(config, e, lab, c, lists=LISTS)
        simulated = time.perf_counter() - began
        rings: dict[tuple[str, str], set[str]] = defaultdict(set)
        decoder = msgspec.json.Decoder(_Label)
        with (d / "l.jsonl").open("rb") as fh:
            for line in fh:
                label = decoder.decode(line)
                rings[(label.typology, label.ring_id)].add(label.account_id)
        graph = EntityGraph()
        began = time.perf_counter()
        with (d / "e.jsonl").open("rb") as fh:
            for line in fh:
                graph.observe(decode_event(line))
        built = time.perf_counter() - began
    print(
        f"simulated {summary.events:,} events of {args.accounts:,} accounts over {args.days:g} days"
        f" in {simulated:.0f} s"
    )
    print(
        f"graph: {len(graph):,} accounts, {graph.edge_count:,} edges, {len(graph.hubs):,} hubs;"
        f" built in {built:.1f} s ({built / summary.events * 1e6:.1f} µs per event)"
    )
    multi = {k: v for k, v in rings.items() if len(v) >= 2}
    ring_accounts = set().union(*multi.values()) if multi else set()
    print(f"\nrings of two or more accounts: {len(multi)}\n")
    print("| typology | rings | members (median) | found in top 10 | top 20 | top 50 |")
    print("|---|---|---|---|---|---|")
    by_typology: dict[str, list[tuple[int, float, float, float]]] = defaultdict(list)
    for (typology, _), members in sorted(multi.items()):
        seed = sorted(members)[0]
        if seed not in graph.index:
            continue
        result = expand(graph, [seed], top=50)
        ranked = [f.account for f in result.found]
        others = members - {seed}
        top10, top20, top50 = (len(others & set(ranked[:k])) / len(others) for k in (10, 20, 50))
        by_typology[typology].append((len(members), top10, top20, top50))
    for typology, rows in sorted(by_typology.items()):
        sizes = statistics.median(r[0] for r in rows)
        means = [statistics.mean(r[i] for r in rows) for i in (1, 2, 3)]
        print(f"| {typology} | {len(rows)} | {sizes:g} | {means[0]:.0%} | {means[1]:.0%} | {means[2]:.0%} |")
    for resolution in args.resolution:
        _communities(graph, multi, ring_accounts, args.threshold, resolution)


def _communities(
    graph: EntityGraph,
    multi: dict[tuple[str, str], set[str]],
    ring_accounts: set[str],
    threshold: float,
    resolution: float,
) -> None:
    began = time.perf_counter()
    found = clusters(graph, min_size=3, resolution=resolution)
    detected = time.perf_counter() - began
    alerted = [c for c in found if c.score >= threshold]
    flagged = set().union(*(set(c.members) for c in alerted)) if alerted else set()
    precision = len(flagged & ring_accounts) / len(flagged) if flagged else 0.0
    recall = len(flagged & ring_accounts) / len(ring_accounts) if ring_accounts else 0.0
    print(
        f"\nLeiden resolution {resolution:g}: {len(found):,} communities of 3+ accounts in {detected:.1f} s;"
        f" {len(alerted)} alerted (score >= {threshold}): {len(flagged):,} accounts"
    )
    print(f"account precision {precision:.1%}, recall {recall:.1%} (ring accounts of rings of 2+)")
    print("\n| typology | ring accounts | in an alerted community |")
    print("|---|---|---|")
    per: dict[str, set[str]] = defaultdict(set)
    for (typology, _), members in multi.items():
        per[typology] |= members
    for typology, members in sorted(per.items()):
        print(f"| {typology} | {len(members)} | {len(members & flagged) / len(members):.0%} |")


if __name__ == "__main__":
    main()
