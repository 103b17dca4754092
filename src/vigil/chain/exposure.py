"""Direct and indirect exposure of an output or an address to each list category.

Tracing goes backwards from what is traced (a deposit's output, or every output an address
received), transaction by transaction, up to ``max_hops`` transactions. A listed address that spent
into the traced transaction itself is **1 hop** (direct exposure); one that paid an address which then
paid it is 2 hops, and so on. An address that is itself listed is 0 hops.

Share of value: the **haircut** (proportional) method. A transaction mixes its inputs, so each of its
outputs is funded by every input in proportion to the input's value (the fee shrinks them all
alike). A listed input of value ``v`` in a transaction with inputs worth ``V`` taints ``v/V`` of
whatever the traced value drew from that transaction. Tracing stops at a listed address (its own
sources are not counted again) and at a coinbase (new coins are clean). Poison (any contact taints
everything) flags most of a busy chain after two hops; first-in-first-out depends on the order of
inputs and outputs, which a wallet chooses freely, so it can be steered by the launderer. Haircut is
the one whose figure means something ("30 % of this deposit came from stolen funds within 3 hops")
and cannot be moved by reordering a transaction.

Explanation: for each category the **shortest path** (fewest hops; among equals the one carrying the
largest share) as the transaction hashes from the listed address's spend to the traced transaction,
so a reviewer can follow it on any explorer. What was not traced is reported too: value older than
``max_hops`` (``beyond``) and value from transactions the graph does not hold (``unknown``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vigil.chain.blocks import Outpoint
from vigil.chain.graph import TxGraph
from vigil.errors import NotFound
from vigil.model import Chain
from vigil.model.addresses import address_key
from vigil.screening.entries import AddressEntry, Category
from vigil.screening.index import AddressIndex

Lookup = Callable[[str], Sequence[AddressEntry]]
MAX_HOPS = 3


def index_lookup(index: AddressIndex, chain: Chain) -> Lookup:
    """What the lists say about an address of ``chain`` as a node spells it: the index keyed canonically."""

    def lookup(address: str) -> tuple[AddressEntry, ...]:
        return index.lookup(address_key(chain, address))

    return lookup


@dataclass(frozen=True, slots=True)
class CategoryExposure:
    """Exposure to one category: the nearest hop count, the share of value within ``max_hops``, why.

    ``path`` holds transaction hashes from the listed address's spend to the traced transaction
    (``len(path) == hops``; empty at 0 hops). ``listed`` is the address on the list at the end of the
    path and ``entry`` the list entry that names it.
    """

    category: Category
    hops: int
    share: float
    value: int
    path: tuple[str, ...]
    listed: str
    entry: AddressEntry
    sources: int  # distinct listed addresses of this category reached


@dataclass(frozen=True, slots=True)
class Exposure:
    """What was traced, its value in base units, and its exposure per category, most severe first."""

    target: str
    value: int
    max_hops: int
    categories: tuple[CategoryExposure, ...]
    beyond: float  # share of value whose sources lie more than max_hops back, unlisted so far
    unknown: float  # share of value from transactions the graph does not hold

    def of(self, category: Category) -> CategoryExposure | None:
        return next((c for c in self.categories if c.category == category), None)


@dataclass(slots=True)
class _Hit:
    hops: int
    share: float
    best: float
    path: tuple[str, ...]
    listed: str
    entry: AddressEntry
    sources: set[str]


# A frontier maps a transaction to (share of the traced value drawn from it, path from it to the target).
_Frontier = dict[str, tuple[float, tuple[str, ...]]]


def trace_output(graph: TxGraph, outpoint: Outpoint, lookup: Lookup, *, max_hops: int = MAX_HOPS) -> Exposure:
    """The exposure of one output (a deposit): where the value it carries came from."""
    out = graph.output(outpoint)
    if out is None:
        raise NotFound(f"output {outpoint} is not in the followed chain")
    frontier: _Frontier = {outpoint.txid: (1.0, (outpoint.txid,))}
    return _trace(graph, str(outpoint), out.value, frontier, lookup, max_hops, {})


def trace_address(graph: TxGraph, address: str, lookup: Lookup, *, max_hops: int = MAX_HOPS) -> Exposure:
    """The exposure of an address: of everything it received, weighted by value; 0 hops when listed."""
    received = [(p, graph.output(p)) for p in graph.received(address)]
    total = sum(o.value for _, o in received if o is not None)
    hits: dict[Category, _Hit] = {}
    for entry in lookup(address):
        hits.setdefault(entry.category, _Hit(0, 1.0, 1.0, (), address, entry, {address}))
    frontier: _Frontier = {}
    if total and not hits:
        for point, out in received:
            if out is None or out.value == 0:
                continue
            share, path = frontier.get(point.txid, (0.0, (point.txid,)))
            frontier[point.txid] = (share + out.value / total, path)
    return _trace(graph, address, total, frontier, lookup, max_hops, hits)


def _trace(
    graph: TxGraph,
    target: str,
    value: int,
    frontier: _Frontier,
    lookup: Lookup,
    max_hops: int,
    hits: dict[Category, _Hit],
) -> Exposure:
    if max_hops < 1:
        raise ValueError(f"max_hops must be at least 1, not {max_hops}")
    unknown = beyond = 0.0
    for hop in range(1, max_hops + 1):
        after: _Frontier = {}
        for txid, (share, path) in frontier.items():
            tx = graph.transaction(txid)
            if tx is None:
                unknown += share
                continue
            total = tx.input_value
            if tx.coinbase or total == 0:
                continue
            for spend in tx.inputs:
                part = share * spend.value / total
                if part == 0.0:  # an input of no value carries nothing, listed or not
                    continue
                entries = lookup(spend.address) if spend.address is not None else ()
                if entries:
                    _record(hits, entries, hop, part, path, spend.address or "")
                elif spend.prevout is None:
                    continue
                elif hop == max_hops:
                    beyond += part
                else:
                    reached, first_path = after.get(spend.prevout.txid, (0.0, (spend.prevout.txid, *path)))
                    after[spend.prevout.txid] = (reached + part, first_path)
        frontier = after
    categories = tuple(
        CategoryExposure(
            category=c,
            hops=h.hops,
            share=min(h.share, 1.0),
            value=round(min(h.share, 1.0) * value),
            path=h.path,
            listed=h.listed,
            entry=h.entry,
            sources=len(h.sources),
        )
        for c, h in sorted(hits.items(), key=lambda kv: (-kv[0].severity, kv[1].hops, kv[0].value))
    )
    return Exposure(target, value, max_hops, categories, beyond, unknown)


def _record(
    hits: dict[Category, _Hit],
    entries: Sequence[AddressEntry],
    hop: int,
    part: float,
    path: tuple[str, ...],
    address: str,
) -> None:
    seen: set[Category] = set()
    for entry in entries:  # most severe first, as the index returns them
        if entry.category in seen:
            continue
        seen.add(entry.category)
        hit = hits.get(entry.category)
        if hit is None:
            hits[entry.category] = _Hit(hop, part, part, path, address, entry, {address})
            continue
        hit.share += part
        hit.sources.add(address)
        if hop < hit.hops or (hop == hit.hops and part > hit.best):
            hit.hops, hit.best, hit.path, hit.listed, hit.entry = hop, part, path, address, entry
