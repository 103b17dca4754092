"""The entity graph: accounts linked by what they share and by what passes between them.

Built incrementally, one event at a time (``observe``), in a few dictionary operations per link:

* an attribute (device, IP, document, face, e-mail, phone, card, address) keeps the accounts that
  used it: one account as a bare index, several as a list (most identifiers have one user, and a
  million-account graph keeps millions of them, so no dict or tuple per identifier). An account using
  it for the first time is linked to every earlier user (edge ``first_us`` = now); a later use
  refreshes those edges' ``last_us``.
* an attribute used by more than ``hub_limit`` accounts is a hub (a café's IP, an exchange's deposit
  address): from the moment its ``hub_limit + 1``-th account arrives it links nobody more and
  refreshes nothing, and its member list is dropped (the edges it made stay).
* a direct link (transfer, trade) is an edge of its own kind, counted per event, with the money moved;
  transfers also keep the directed flow (``flows``) that cluster signals read.

Edges are per pair and kind: ``count`` is the number of attributes of that kind the two share (or
of events, for direct kinds). ``adjacency`` holds, per account, each neighbour with the summed weight
of the kinds that link them (each kind counted once), in thousandths (integers: sums are exact, so
the order links arrive in cannot change them), which is what propagation walks.
Components are kept by union-find, so an account's cluster size is a lookup.

Accounts are interned to dense integers (``index``/``names``) so the graph can be handed to numpy,
scipy or igraph without copying strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vigil.graph.links import DEFAULT_WEIGHTS, Link, LinkKind, links_of
from vigil.model import Decision, Event, KycSubmitted, Outcome, Withdrawal

Pair = tuple[int, int]
Members = int | list[int]  # an identifier's users: one account's index, or several in order of arrival


@dataclass(slots=True)
class Edge:
    """What links two accounts by one kind: how many shared attributes (or events), since when, until when."""

    count: int
    first_us: int
    last_us: int
    cents: int = 0  # money moved between them (direct kinds), in cents
    example: str = ""  # one attribute they share (an explanation), "" for direct kinds

    def __reduce__(self) -> tuple[Any, ...]:
        """Positional arguments: a snapshot holds millions of edges (pickle's default is a dict each)."""
        return Edge, (self.count, self.first_us, self.last_us, self.cents, self.example)


class EntityGraph:
    def __init__(self, *, hub_limit: int = 50, weights: dict[LinkKind, float] | None = None) -> None:
        if hub_limit < 2:
            raise ValueError(f"hub_limit must be at least 2, got {hub_limit}")
        self.hub_limit = hub_limit
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        missing = set(LinkKind) - set(self.weights)
        if missing:
            raise ValueError(f"weights lack link kinds: {', '.join(sorted(missing))}")
        self.index: dict[str, int] = {}
        self.names: list[str] = []
        self.first_us: list[int] = []
        self.milli = {kind: round(w * 1000) for kind, w in self.weights.items()}
        self.adjacency: list[dict[int, int]] = []  # neighbour -> summed weight, in thousandths
        self.edges: dict[tuple[int, int, LinkKind], Edge] = {}
        self.flows: dict[Pair, list[int]] = {}  # (from, to) -> [transfers, cents]
        self.flagged: dict[int, int] = {}  # account -> when it was flagged (µs)
        self.kyc_us: dict[int, int] = {}  # account -> its first KYC submission (µs)
        self.withdrawn: dict[int, int] = {}  # account -> cents withdrawn (every rail)
        self.hubs: set[tuple[LinkKind, str]] = set()
        self._members: dict[LinkKind, dict[str, Members]] = {kind: {} for kind in LinkKind}
        self._parent: list[int] = []
        self._size: list[int] = []
        self.events = 0

    # -- accounts ----------------------------------------------------------------------------
    def intern(self, account_id: str, ts_us: int) -> int:
        i = self.index.get(account_id)
        if i is None:
            i = self.index[account_id] = len(self.names)
            self.names.append(account_id)
            self.first_us.append(ts_us)
            self.adjacency.append({})
            self._parent.append(i)
            self._size.append(1)
        return i

    def __len__(self) -> int:
        return len(self.names)

    @property
    def edge_count(self) -> int:
        return len(self.edges)

    # -- building ----------------------------------------------------------------------------
    def observe(self, event: Event) -> int:
        """Add what ``event`` links (and the account facts clusters are judged by); its account's index."""
        a = self.add_links(event.account_id, event.ts_us, links_of(event))
        self.note_account(a, event)
        return a

    def note_account(self, a: int, event: Event) -> None:
        if isinstance(event, KycSubmitted):
            self.kyc_us.setdefault(a, event.ts_us)
        elif isinstance(event, Withdrawal):
            self.withdrawn[a] = self.withdrawn.get(a, 0) + int(event.fiat_value * 100)

    def add_links(self, account_id: str, ts_us: int, links: list[Link]) -> int:
        self.events += 1
        a = self.intern(account_id, ts_us)
        for link in links:
            if link.direct:
                if link.value == account_id:
                    continue  # a self-match links nothing
                b = self.intern(link.value, ts_us)
                self._link(a, b, link.kind, ts_us, "", link.cents, new=True)
                if link.kind is LinkKind.TRANSFER:
                    flow = self.flows.get((a, b))
                    if flow is None:
                        self.flows[(a, b)] = [1, link.cents]
                    else:
                        flow[0] += 1
                        flow[1] += link.cents
                continue
            kept = self._members[link.kind]
            value = link.value
            members = kept.get(value)
            if members is None:
                if (link.kind, value) not in self.hubs:
                    kept[value] = a
                continue
            if isinstance(members, int):  # one user so far (a repeat by that user changes nothing)
                if members != a:
                    self._link(a, members, link.kind, ts_us, value, 0, new=True)
                    kept[value] = [members, a]
                continue
            if a in members:  # a repeat: refresh last-seen on its edges to the others (they exist)
                edges, kind = self.edges, link.kind
                for m in members:
                    if m != a:
                        edge = edges[(a, m, kind) if a < m else (m, a, kind)]
                        if ts_us > edge.last_us:
                            edge.last_us = ts_us
                continue
            if len(members) >= self.hub_limit:
                self.hubs.add((link.kind, value))
                del kept[value]
                continue
            for m in members:
                self._link(a, m, link.kind, ts_us, value, 0, new=True)
            members.append(a)
        return a

    def _link(
        self, a: int, b: int, kind: LinkKind, ts_us: int, example: str, cents: int, *, new: bool
    ) -> None:
        key = (a, b, kind) if a < b else (b, a, kind)
        edge = self.edges.get(key)
        if edge is None:
            self.edges[key] = Edge(1, ts_us, ts_us, cents, example)
            w = self.milli[kind]
            adj_a, adj_b = self.adjacency[a], self.adjacency[b]
            adj_a[b] = adj_a.get(b, 0) + w
            adj_b[a] = adj_b.get(a, 0) + w
            self._union(a, b)
            return
        if new:
            edge.count += 1
            edge.cents += cents
        if ts_us > edge.last_us:
            edge.last_us = ts_us

    def observe_decided(self, event: Event, decision: Decision) -> int:
        """``observe``, and flag the account when the decision held or blocked it."""
        a = self.observe(event)
        if decision.outcome >= Outcome.HOLD:
            self.flagged.setdefault(a, event.ts_us)
        return a

    def empty_copy(self) -> EntityGraph:
        """A new, empty graph with the same parameters (a rebuild starts from it)."""
        return EntityGraph(hub_limit=self.hub_limit, weights=self.weights)

    def flag(self, account_id: str, ts_us: int) -> None:
        """Mark an account as flagged (held, blocked, frozen or a seed), from ``ts_us`` on."""
        a = self.intern(account_id, ts_us)
        self.flagged.setdefault(a, ts_us)

    # -- components --------------------------------------------------------------------------
    def _find(self, a: int) -> int:
        parent = self._parent
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def _union(self, a: int, b: int) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size[rb]

    def component_size(self, a: int) -> int:
        return self._size[self._find(a)]

    def component(self, a: int) -> int:
        """The component's representative (equal for accounts in one component)."""
        return self._find(a)

    # -- reading -----------------------------------------------------------------------------
    def kinds_between(self, a: int, b: int) -> dict[LinkKind, Edge]:
        lo, hi = (a, b) if a < b else (b, a)
        return {kind: e for kind in LinkKind if (e := self.edges.get((lo, hi, kind))) is not None}

    def edge_rows(self) -> list[tuple[str, str, str, int, int, int, int, str]]:
        """Every edge as (account, account, kind, count, first_us, last_us, cents, example), sorted."""
        names = self.names
        rows = []
        for (a, b, kind), e in self.edges.items():
            x, y = sorted((names[a], names[b]))
            rows.append((x, y, kind.value, e.count, e.first_us, e.last_us, e.cents, e.example))
        rows.sort()
        return rows
