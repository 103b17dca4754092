"""Speed and memory of the entity graph at exchange scale: build, expansion, communities, cluster signals.

Run ``.venv/bin/python benchmarks/bench_graph.py [--accounts N] [--quick] [--json PATH]`` (default
1,000,000 accounts, about 8.7 million events and 5 million edges, under 10 minutes; ``--quick``: 100,000
accounts, under a minute).

The workload (``benchmarks/graph_workload.py``, seeded) is a population of households, offices, hub
IPs and random trades and transfers with planted rings of 3-30 accounts. Its events are turned into
``Link`` lists a batch at a time outside the timed region and fed in time order to
``EntityGraph.add_links``, under the engine's garbage-collector settings (``tune_gc``). Figures:

1. build: wall time of each ``add_links`` call (median, p99, p99.9, max, over all events, over the last
   10% when the graph is full, per decile and per kind of event), total build time, accounts, edges (per
   pair and kind), neighbour pairs, hubs, components, collector pauses, resident memory (VmRSS before and
   after, the peak VmHWM during the build, and ``getrusage`` max RSS), with an estimated breakdown of
   where the graph's bytes are (``sys.getsizeof`` of its containers). No tracemalloc: it would slow
   the build several times over.
2. ``expand`` from 100 random accounts (top 50), hops 2 and 3: five runs with different seeds each;
   median, min and max seconds and the accounts considered.
3. ``communities.partition`` (Leiden, networkit on 2 threads) at each ``--resolutions`` gamma (default
   1, the function's default and the one judged against the target, then 100 and 1000: modularity's
   communities grow with the graph, so rings of 3-30 need a gamma that grows with it): time, peak memory,
   number and sizes of communities, and the planted rings recovered (a ring counts when at least 80% of
   its members share one community at most twice the ring's size).
4. ``communities.clusters`` (signals) on each partition's labels, in a forked child (copy-on-write) so
   that a call over ``--clusters-budget`` seconds can be stopped: time, clusters, how many fired a
   signal, and how many of the 100 most suspicious are mostly planted ring members. A call stopped at the
   budget is estimated instead, from ``clusters`` on labels that keep 40 random communities (the rest
   made singletons), extrapolated by communities and by members.

Every figure is printed with the issue's targets (met or missed); nothing is asserted. The machine is
shared and noisy: compare medians and ratios.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import time
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find the package

from benchmarks.graph_workload import KIND_NAMES, KYC, WITHDRAWAL, Plan, Rings, account_id, batches, plan
from vigil.bootstrap import tune_gc
from vigil.graph import EntityGraph
from vigil.graph.communities import clusters, partition
from vigil.graph.expand import expand

QUICK_ACCOUNTS = 100_000
TARGET_UPDATE_US = 50.0
TARGET_EXPAND_S = 1.0
TARGET_COMMUNITIES_S = 60.0
TARGET_MEMORY_MB = 4096.0

Labels = npt.NDArray[np.int64]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- memory and the collector ----------------------------------------------------------------


def status_mb(key: str) -> float:
    """A field of /proc/self/status (VmRSS: resident now; VmHWM: peak since the last reset), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux: write 5 to clear_refs), so a phase's own peak can be read."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def max_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


@dataclass(slots=True)
class GcWatch:
    """Collector pauses, through ``gc.callbacks``: count, total and longest, per generation."""

    count: list[int] = field(default_factory=lambda: [0, 0, 0])
    total_ns: int = 0
    longest_ns: int = 0
    _started: int = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter_ns()
            return
        pause = time.perf_counter_ns() - self._started
        self.count[info["generation"]] += 1
        self.total_ns += pause
        self.longest_ns = max(self.longest_ns, pause)

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)

    def summary(self) -> str:
        return (
            f"{sum(self.count):,} collections (gen0/1/2 {self.count[0]}/{self.count[1]}/{self.count[2]}), "
            f"{self.total_ns / 1e9:.2f} s in all, longest {self.longest_ns / 1e6:.0f} ms"
        )


def pct(values: npt.NDArray[np.int64], q: float) -> float:
    """Nearest-rank percentile of nanoseconds, in µs."""
    return float(np.percentile(values, q, method="inverted_cdf")) / 1000


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


# -- 1. build --------------------------------------------------------------------------------


@dataclass(slots=True)
class Build:
    graph: EntityGraph
    times_ns: npt.NDArray[np.int64]
    seconds_calls: float  # the sum of the timed add_links calls
    seconds_feed: float  # wall time of the feeding loops (bookkeeping and clock reads included)
    seconds_batches: float  # building the Link lists (not timed)
    edges_by_decile: list[int]
    gc: GcWatch
    rss_before: float
    rss_after: float
    peak: float


def build(p: Plan) -> Build:
    graph = EntityGraph()
    kyc, withdrawn = graph.kyc_us, graph.withdrawn
    add = graph.add_links
    clock = time.perf_counter_ns
    times: array[int] = array("q", bytes(8 * p.events))
    deciles = [p.events * d // 10 for d in range(1, 11)]
    edges_by_decile: list[int] = []
    gc.collect()
    rss_before = status_mb("VmRSS")
    reset_peak()
    feed = made = 0
    k = 0
    batch_started = clock()
    with GcWatch() as watch:
        for batch in batches(p):
            fed = clock()
            made += fed - batch_started
            for acct, ts, links, kind, cents in batch:
                t0 = clock()
                a = add(acct, ts, links)
                times[k] = clock() - t0
                k += 1
                if kind == KYC:  # what EntityGraph.note_account does for these events (not timed)
                    kyc.setdefault(a, ts)
                elif kind == WITHDRAWAL:
                    withdrawn[a] = withdrawn.get(a, 0) + cents
                if k == deciles[len(edges_by_decile)]:
                    edges_by_decile.append(graph.edge_count)
                    log(f"  {k:>11,} events  {len(graph):>10,} accounts  {graph.edge_count:>11,} edges")
            batch_started = clock()
            feed += batch_started - fed
            del batch
    peak = status_mb("VmHWM")
    gc.collect()
    ns = np.frombuffer(times, dtype=np.int64)
    return Build(
        graph=graph,
        times_ns=ns,
        seconds_calls=float(ns.sum()) / 1e9,
        seconds_feed=feed / 1e9,
        seconds_batches=made / 1e9,
        edges_by_decile=edges_by_decile,
        gc=watch,
        rss_before=rss_before,
        rss_after=status_mb("VmRSS"),
        peak=peak,
    )


def _deep_size(obj: object, depth: int) -> int:
    """``sys.getsizeof`` of a container and, ``depth`` levels down, of what it holds; ints (account ids
    are shared with the index), None and enum members (shared) count nothing."""
    if isinstance(obj, int | Enum) or obj is None:
        return 0
    total = sys.getsizeof(obj)
    if depth > 0 and isinstance(obj, dict):
        total += sum(_deep_size(k, depth - 1) + _deep_size(v, depth - 1) for k, v in obj.items())
    elif depth > 0 and isinstance(obj, list | tuple | set):
        total += sum(_deep_size(x, depth - 1) for x in obj)
    return total


def attribute_values(graph: EntityGraph) -> int:
    """Attribute values the graph keeps a member list for (private state, whatever its layout)."""
    kept: dict[object, object] = getattr(graph, "_members", {})
    if kept and all(isinstance(v, dict) for v in kept.values()) and not isinstance(next(iter(kept)), tuple):
        return sum(len(v) for v in kept.values() if isinstance(v, dict))  # one dict per kind
    return len(kept)


def anatomy(graph: EntityGraph) -> dict[str, float]:
    """Where the graph's bytes are, in MB, by ``sys.getsizeof`` (objects shared between entries counted
    once per kind of entry where it is theirs alone; timestamps' int objects are left in "rest")."""
    size = sys.getsizeof
    mb = 1 / 2**20
    n_edges = len(graph.edges)
    one_edge = next(iter(graph.edges.items()), None)
    edges = size(graph.edges) + (n_edges * (size(one_edge[0]) + size(one_edge[1])) if one_edge else 0)
    adjacency = size(graph.adjacency) + sum(size(d) for d in graph.adjacency)
    weights = list(
        itertools.islice(itertools.chain.from_iterable(d.values() for d in graph.adjacency), 200_000)
    )
    distinct = len({id(w) for w in weights if w > 256})  # ints above 256 are objects of their own...
    pairs = sum(len(d) for d in graph.adjacency)
    adjacency += round(pairs * distinct / max(1, len(weights))) * size(
        1000
    )  # ...unless the graph shares them
    members = _deep_size(getattr(graph, "_members", {}), 3)  # private: its layout may change
    accounts = size(graph.index) + size(graph.names) + sum(size(s) for s in graph.names)
    accounts += size(graph.first_us) + 3 * size(graph._parent) + len(graph) * size(2**40)
    flows = size(graph.flows) + len(graph.flows) * (size((0, 0)) + size([0, 0]))
    hubs = size(graph.hubs) + sum(size(key) + size(key[1]) for key in graph.hubs)
    return {
        "edges (dict, (a, b, kind) keys, Edge objects)": edges * mb,
        "adjacency (a dict per account, int weights)": adjacency * mb,
        "attribute member lists (_members)": members * mb,
        "accounts (index, names, first_us, union-find)": accounts * mb,
        "flows": flows * mb,
        "hubs": hubs * mb,
    }


def components(graph: EntityGraph) -> tuple[int, int]:
    """(components of two or more accounts, the largest component's size)."""
    roots = np.fromiter((graph.component(a) for a in range(len(graph))), dtype=np.int64, count=len(graph))
    sizes = np.bincount(roots)
    return int((sizes > 1).sum()), int(sizes.max(initial=0))


# -- 2. expansion ----------------------------------------------------------------------------


@dataclass(slots=True)
class ExpandRun:
    hops: int
    seconds: list[float]
    considered: list[int]
    found: list[int]


def expansion(graph: EntityGraph, hops: int, runs: int, seed: int) -> ExpandRun:
    out = ExpandRun(hops, [], [], [])
    for r in range(runs):
        rng = np.random.default_rng([seed, 100, r])
        seeds = [graph.names[i] for i in rng.choice(len(graph), size=100, replace=False).tolist()]
        t0 = time.perf_counter()
        result = expand(graph, seeds, top=50, hops=hops)
        out.seconds.append(time.perf_counter() - t0)
        out.considered.append(result.considered)
        out.found.append(len(result.found))
    return out


# -- 3. communities --------------------------------------------------------------------------


def ring_recovery(graph: EntityGraph, rings: Rings, labels: Labels) -> dict[str, tuple[int, int]]:
    """Rings recovered / rings, overall, by size and by what the ring shares."""
    community_size = np.bincount(labels)
    out: dict[str, list[int]] = {}
    for r in range(len(rings)):
        members = rings.of(r)
        idx = np.array([graph.index[account_id(i)] for i in members.tolist()], dtype=np.int64)
        values, counts = np.unique(labels[idx], return_counts=True)
        best = int(counts.argmax())
        size = len(members)
        ok = counts[best] >= 0.8 * size and community_size[values[best]] <= 2 * size
        identity = bool(
            rings.shares_device[r]
            or rings.shares_ip[r]
            or rings.reuses_documents[r]
            or rings.shares_card[r]
            or rings.shares_phone[r]
        )
        bucket = "3-9" if size < 10 else "10-19" if size < 20 else "20-30"
        for key in ("all", f"size {bucket}", "sharing identifiers" if identity else "money only"):
            tally = out.setdefault(key, [0, 0])
            tally[0] += int(ok)
            tally[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def size_histogram(labels: Labels) -> dict[str, int]:
    sizes = np.bincount(labels)
    sizes = sizes[sizes > 0]
    edges = [(1, 1), (2, 2), (3, 9), (10, 29), (30, 99), (100, 999), (1000, 1 << 62)]
    return {
        (f"{lo}" if lo == hi else f"{lo}-{hi}" if hi < 1 << 62 else f">={lo}"): int(
            ((sizes >= lo) & (sizes <= hi)).sum()
        )
        for lo, hi in edges
    }


# -- 4. cluster signals ----------------------------------------------------------------------


def sampled_clusters(
    graph: EntityGraph, labels: Labels, sample: int, seed: int
) -> tuple[float, float, float]:
    """When the whole call overran: (fixed seconds, whole call extrapolated per community, and per member)
    from ``clusters`` on labels that keep ``sample`` random communities of 3+ (the rest made singletons)."""
    sizes = np.bincount(labels)
    big = np.flatnonzero(sizes >= 3)
    n = len(labels)
    singletons = np.arange(n, dtype=np.int64)
    t0 = time.perf_counter()
    clusters(graph, labels=singletons)
    fixed = time.perf_counter() - t0
    keep = np.random.default_rng([seed, 4]).choice(big, size=min(sample, len(big)), replace=False)
    partial = np.where(np.isin(labels, keep), labels, n + singletons)
    t0 = time.perf_counter()
    clusters(graph, labels=partial)
    variable = max(0.0, time.perf_counter() - t0 - fixed)
    by_community = fixed + variable * len(big) / max(1, len(keep))
    by_member = fixed + variable * float(sizes[big].sum()) / max(1, float(sizes[keep].sum()))
    return fixed, by_community, by_member


def _clusters_child(graph: EntityGraph, labels: Labels, rings: set[str], conn: Connection) -> None:
    t0 = time.perf_counter()
    found = clusters(graph, labels=labels)
    seconds = time.perf_counter() - t0
    top = found[:100]
    ringlike = sum(1 for c in top if sum(m in rings for m in c.members) * 2 >= c.size)
    conn.send(
        {
            "seconds": seconds,
            "clusters": len(found),
            "fired": sum(1 for c in found if c.reasons),
            "top100_mostly_ring_members": ringlike,
            "max_rss_mb": max_rss_mb(),
        }
    )
    conn.close()


def full_clusters(graph: EntityGraph, labels: Labels, rings: Rings, budget: float) -> dict[str, Any] | None:
    """The whole ``clusters`` call in a forked child (copy-on-write), or None when it overran ``budget``
    (or failed)."""
    members = {account_id(i) for i in rings.members.tolist()}
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_clusters_child, args=(graph, labels, members, send), daemon=True)
    child.start()
    send.close()
    result: dict[str, Any] | None = None
    if receive.poll(budget):
        try:
            result = receive.recv()
        except EOFError:  # the child died without an answer: its traceback is on stderr
            log("  the clusters() child failed")
    else:
        child.kill()  # our own child, by its handle
    child.join()
    return result


# -- report ----------------------------------------------------------------------------------


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines() if "model name" in ln), ""
        )
    return (
        f"{model or platform.processor()} ({platform.machine()}), {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}, {platform.platform()}"
    )


def report_build(p: Plan, b: Build, out: Callable[[str], None]) -> dict[str, Any]:
    g, ns = b.graph, b.times_ns
    late = ns[len(ns) * 9 // 10 :]
    pairs = sum(len(d) for d in g.adjacency) // 2
    n_components, largest = components(g)
    t0 = time.perf_counter()
    gc.collect()
    full_gc = time.perf_counter() - t0
    mean_us = float(ns.mean()) / 1000
    stats = {
        "all": {q: pct(ns, q) for q in (50, 90, 99, 99.9)} | {"max": float(ns.max()) / 1000, "mean": mean_us},
        "late": {q: pct(late, q) for q in (50, 90, 99, 99.9)} | {"max": float(late.max()) / 1000},
    }
    graph_mb = b.rss_after - b.rss_before
    out("\n1. incremental build (EntityGraph.add_links, one call per event)")
    out(f"  accounts {len(g):,}, edges (pair and kind) {g.edge_count:,}, neighbour pairs {pairs:,},")
    kept = attribute_values(g)
    out(
        f"  hubs {len(g.hubs):,}, attribute values kept {kept:,}, flows {len(g.flows):,}, "
        f"components of 2+ {n_components:,}, largest {largest:,}"
    )
    out(
        f"  build: {b.seconds_calls:.1f} s in add_links ({len(ns) / b.seconds_calls:,.0f} events/s), "
        f"{b.seconds_feed:.1f} s feeding loop, {b.seconds_batches:.1f} s making Link lists (not timed)"
    )
    for name, st in stats.items():
        window = "all events" if name == "all" else "last 10%"
        out(
            f"  µs per event, {window:>10}: p50 {st[50]:.1f}  p90 {st[90]:.1f}  p99 {st[99]:.1f}  "
            f"p99.9 {st[99.9]:.1f}  max {st['max']:,.0f}" + (f"  mean {mean_us:.1f}" if name == "all" else "")
        )
    out("  per decile of the stream: p50 / p99 µs, edges at its end")
    for d in range(10):
        part = ns[len(ns) * d // 10 : len(ns) * (d + 1) // 10]
        out(f"    {d + 1:>2}: {pct(part, 50):6.1f} / {pct(part, 99):7.1f}   {b.edges_by_decile[d]:>11,}")
    out("  per kind of event: count, p50 / p99 / max µs")
    by_kind: dict[str, list[float]] = {}
    for k, name in enumerate(KIND_NAMES):
        sel = ns[p.kind == k]
        if len(sel):
            by_kind[name] = [pct(sel, 50), pct(sel, 99), float(sel.max()) / 1000]
            out(
                f"    {name:>15}: {len(sel):>10,}  {by_kind[name][0]:6.1f} / {by_kind[name][1]:7.1f} / "
                f"{by_kind[name][2]:,.0f}"
            )
    out(f"  collector during the build: {b.gc.summary()}; a full collection afterwards: {full_gc:.2f} s")
    out(
        f"  memory: VmRSS {b.rss_before:,.0f} MB before (workload arrays), {b.rss_after:,.0f} MB after: "
        f"graph {graph_mb:,.0f} MB = {graph_mb * 2**20 / max(1, g.edge_count):.0f} B per edge, "
        f"{graph_mb * 2**20 / max(1, len(g)):,.0f} B per account; peak (VmHWM) during the build "
        f"{b.peak:,.0f} MB"
    )
    parts = anatomy(g)
    rest = graph_mb - sum(parts.values())
    out("  where the graph's memory is (sys.getsizeof estimate):")
    for name, mb in [*parts.items(), ("rest (timestamp ints, strings of examples, allocator slack)", rest)]:
        out(f"    {mb:8,.0f} MB  {name}")
    return {
        "accounts": len(g),
        "edges": g.edge_count,
        "neighbour_pairs": pairs,
        "hubs": len(g.hubs),
        "attribute_values": kept,
        "components_2plus": n_components,
        "largest_component": largest,
        "seconds_add_links": b.seconds_calls,
        "seconds_feed": b.seconds_feed,
        "seconds_link_lists": b.seconds_batches,
        "us": {w: {str(q): v for q, v in st.items()} for w, st in stats.items()},
        "us_by_kind": by_kind,
        "edges_by_decile": b.edges_by_decile,
        "gc": {"counts": b.gc.count, "seconds": b.gc.total_ns / 1e9, "longest_ms": b.gc.longest_ns / 1e6},
        "full_gc_s": full_gc,
        "rss_before_mb": b.rss_before,
        "rss_after_mb": b.rss_after,
        "graph_mb": graph_mb,
        "peak_mb": b.peak,
        "anatomy_mb": parts,
    }


def report_expand(g: EntityGraph, runs: int, seed: int, out: Callable[[str], None]) -> dict[str, Any]:
    out("\n2. expand from 100 random accounts (top 50): seconds over runs with different seeds")
    result: dict[str, Any] = {}
    for hops in (2, 3):
        log(f"2. expand, hops={hops} ...")
        reset_peak()
        run = expansion(g, hops, runs, seed)
        med = statistics.median(run.seconds)
        peak = status_mb("VmHWM")
        out(
            f"  hops={hops}: median {med:.2f} s (min {min(run.seconds):.2f}, max {max(run.seconds):.2f}; "
            f"runs {', '.join(f'{s:.2f}' for s in run.seconds)}), accounts considered median "
            f"{statistics.median(run.considered):,.0f} (max {max(run.considered):,}), found "
            f"{min(run.found)}-{max(run.found)}, peak {peak:,.0f} MB"
        )
        result[f"hops{hops}"] = {"median_s": med, "seconds": run.seconds, "considered": run.considered}
    return result


def report_communities(
    g: EntityGraph,
    rings: Rings,
    resolution: float,
    *,
    sample: int,
    budget: float,
    seed: int,
    out: Callable[[str], None],
) -> dict[str, Any]:
    """Partition at ``resolution``, its communities and rings, and the cost of ``clusters`` on it."""
    log(f"3. partition (Leiden, resolution {resolution:g}) ...")
    reset_peak()
    rss = status_mb("VmRSS")
    with GcWatch() as watch:
        t0 = time.perf_counter()
        labels = partition(g, resolution=resolution)
        seconds = time.perf_counter() - t0
    peak = status_mb("VmHWM")
    sizes = np.bincount(labels)
    sizes = sizes[sizes > 0]
    histogram = size_histogram(labels)
    largest = sorted(sizes.tolist())[-5:][::-1]
    recovered = ring_recovery(g, rings, labels)
    out(f"\n3. communities.partition, resolution (gamma) {resolution:g}: Leiden, networkit, 2 threads")
    out(
        f"  {seconds:.1f} s; peak {peak:,.0f} MB (+{peak - rss:,.0f} MB over the graph); "
        f"collector {watch.summary()}"
    )
    out(
        f"  {len(sizes):,} communities: sizes "
        + ", ".join(f"{k}: {v:,}" for k, v in histogram.items())
        + f"; largest {', '.join(f'{s:,}' for s in largest)}"
    )
    out(
        "  planted rings recovered (>= 80% of members in one community <= 2x the ring): "
        + ", ".join(f"{k} {ok:,}/{n:,} ({ok / n:.0%})" for k, (ok, n) in recovered.items())
    )
    log(f"4. clusters (signals): the whole call, at most {budget:g} s ...")
    whole = full_clusters(g, labels, rings, budget)
    big = int((np.bincount(labels) >= 3).sum())
    estimate: tuple[float, float, float] | None = None
    if whole is not None:
        out(
            f"  clusters() signals: {whole['seconds']:.1f} s for {whole['clusters']:,} clusters of 3+, "
            f"{whole['fired']:,} with a signal; of the 100 most suspicious, "
            f"{whole['top100_mostly_ring_members']} are mostly planted ring members; "
            f"child peak {whole['max_rss_mb']:,.0f} MB"
        )
    else:
        log(f"4. clusters (signals): over the budget; timing {sample} sampled communities ...")
        estimate = sampled_clusters(g, labels, sample, seed)
        out(
            f"  clusters() signals: did not finish within {budget:g} s (--clusters-budget, stopped); "
            f"{big:,} communities of 3+; {min(sample, big)} sampled put the whole call at "
            f"{estimate[1]:,.1f} s (per community) to {estimate[2]:,.1f} s (per member), fixed cost "
            f"{estimate[0]:.1f} s"
        )
    return {
        "resolution": resolution,
        "seconds": seconds,
        "peak_mb": peak,
        "communities": len(sizes),
        "sizes": histogram,
        "largest": largest,
        "rings_recovered": recovered,
        "clusters": {"communities_3plus": big, "whole": whole, "estimate_s": estimate},
    }


def report_targets(figures: dict[str, Any], out: Callable[[str], None]) -> None:
    build, expand_ = figures["build"], figures["expand"]
    first = figures["communities"][0]
    u = build["us"]["all"]
    e3, e2 = expand_["hops3"]["median_s"], expand_["hops2"]["median_s"]
    whole = first["clusters"]["whole"]
    signals = whole["seconds"] if whole else max(first["clusters"]["estimate_s"][1:])
    detection = first["seconds"] + signals
    peak = figures["peak_rss_mb"]
    out("\ntargets")
    out(
        f"  incremental update < {TARGET_UPDATE_US:.0f} µs per event: p99 {u['99']:.1f} µs "
        f"{verdict(u['99'] < TARGET_UPDATE_US)}; mean {u['mean']:.1f} µs "
        f"{verdict(u['mean'] < TARGET_UPDATE_US)}; p99 over the last 10% {build['us']['late']['99']:.1f} µs "
        f"{verdict(build['us']['late']['99'] < TARGET_UPDATE_US)}"
    )
    out(
        f"  expansion from 100 seeds < {TARGET_EXPAND_S:.0f} s: hops=3 median {e3:.2f} s "
        f"{verdict(e3 < TARGET_EXPAND_S)}; hops=2 median {e2:.2f} s {verdict(e2 < TARGET_EXPAND_S)}"
    )
    out(
        f"  full community detection < {TARGET_COMMUNITIES_S:.0f} s (resolution {first['resolution']:g}): "
        f"partition {first['seconds']:.1f} s {verdict(first['seconds'] < TARGET_COMMUNITIES_S)}; with "
        f"clusters() signals {detection:,.0f} s{'' if whole else ' (estimated)'} "
        f"{verdict(detection < TARGET_COMMUNITIES_S)}"
    )
    out(
        f"  memory < {TARGET_MEMORY_MB:,.0f} MB: peak RSS of the run {peak:,.0f} MB (getrusage, workload "
        f"included) {verdict(peak < TARGET_MEMORY_MB)}; the graph alone {build['graph_mb']:,.0f} MB "
        f"{verdict(build['graph_mb'] < TARGET_MEMORY_MB)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=1_000_000, help="accounts (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ACCOUNTS:,} accounts: a smoke run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=5, help="expansion runs per hop bound (default 5)")
    parser.add_argument(
        "--resolutions",
        default="1,100,1000",
        help="Leiden resolutions, comma-separated (default 1,100,1000); the target judges the first",
    )
    parser.add_argument(
        "--clusters-budget",
        type=float,
        default=100.0,
        metavar="S",
        help="stop a whole clusters() call after S seconds and estimate it from a sample (default 100)",
    )
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.accounts = QUICK_ACCOUNTS
    try:
        resolutions = [float(r) for r in args.resolutions.split(",")]
    except ValueError:
        parser.error(f"--resolutions: numbers separated by commas, got {args.resolutions!r}")
    if args.accounts < 1000 or args.runs < 1 or not resolutions or min(resolutions) <= 0:
        parser.error("--accounts must be at least 1,000, --runs and the resolutions positive")
    began = time.perf_counter()
    figures: dict[str, Any] = {"accounts_planned": args.accounts, "seed": args.seed, "machine": machine()}
    out = print

    log(f"planning the workload ({args.accounts:,} accounts, seed {args.seed}) ...")
    t0 = time.perf_counter()
    p = plan(args.accounts, seed=args.seed)
    plan_s = time.perf_counter() - t0
    kinds = Counter(KIND_NAMES[k] for k in p.kind.tolist())
    ring_sizes = np.diff(p.rings.start)
    out("vigil entity-graph benchmark")
    out(f"machine: {figures['machine']}")
    out(
        f"workload: {args.accounts:,} accounts, {p.events:,} events ({p.events / args.accounts:.1f} per "
        f"account), {len(p.rings):,} planted rings of {int(ring_sizes.min())}-{int(ring_sizes.max())} "
        f"({int(ring_sizes.sum()):,} accounts); planned in {plan_s:.1f} s, arrays {p.nbytes / 2**20:.0f} MB"
    )
    out("  events: " + ", ".join(f"{name} {count:,}" for name, count in kinds.most_common()))
    figures["workload"] = {"events": p.events, "rings": len(p.rings), "kinds": dict(kinds), "plan_s": plan_s}

    tune_gc()  # the engine's collector settings
    log("1. build: feeding add_links in time order ...")
    b = build(p)
    g, rings = b.graph, p.rings
    figures["build"] = report_build(p, b, out)
    del p, b  # the per-event arrays: later phases measure the graph and their own work
    gc.collect()

    figures["expand"] = report_expand(g, args.runs, args.seed, out)
    figures["communities"] = [
        report_communities(
            g,
            rings,
            resolution,
            sample=40,
            budget=args.clusters_budget,
            seed=args.seed,
            out=out,
        )
        for i, resolution in enumerate(resolutions)
    ]
    figures["peak_rss_mb"] = max(max_rss_mb(), max_rss_mb(resource.RUSAGE_CHILDREN))
    report_targets(figures, out)
    figures["wall_s"] = time.perf_counter() - began
    out(f"\nwall time of the whole run: {figures['wall_s']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
