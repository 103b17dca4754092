"""The list side: every listed name indexed for screening one party at a time.

Search runs in three steps:

1. each query token (and each compound pair, "abd al"...) finds its similar listed tokens through
   the vocabulary's keys (typos, spelling variants, Arabic-script consonants, joined words);
2. postings add up, per listed name, how much of the name the query covers and how much of the
   query the name covers (``retrieval``); their estimate of the name score drops the names that
   cannot reach the threshold, and the names of the best-estimated CANDIDATES entries go on
   (entries with an equal identifier always do);
3. the scorer aligns the query with each of those names, with the similarities step 1 already
   computed, skips those whose bound is too low, and applies evidence.

``search_exhaustive`` skips steps 1-2: it compares the query with every listed token directly and
scores every name that shares any similar token with it. It is the reference the benchmark
measures the index's recall against.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vigil.screening.entries import NameEntry
from vigil.screening.names.align import JOIN_FLOOR, Candidate, PreparedName, listed_similarity
from vigil.screening.names.evidence import identifier_value
from vigil.screening.names.normalise import TokenClass
from vigil.screening.names.results import NameMatch, NameQuery
from vigil.screening.names.retrieval import (
    UNITS,
    Hit,
    Postings,
    adjacent_joins,
    estimate,
    given_share,
    worth_scoring,
)
from vigil.screening.names.scorer import PreparedEntry, Probe, Scorer
from vigil.screening.names.similarity import INITIAL_SIM, by_rule
from vigil.screening.names.tokens import Tok, TokenWeights
from vigil.screening.names.vocab import Sims, Vocabulary

# Chosen on the labelled set (benchmarks/name_variants.py, names only, no facts): the lowest
# threshold whose false-positive rate stays under 1%. Held-out seed 2, recall / false positives:
# 70: 95.2% / 2.5%, 75: 94.9% / 1.4%, 80: 94.3% / 0.8%, 85: 91.5% / 0.3%, 90: 80.7% / 0.1%.
DEFAULT_THRESHOLD = 80.0
CANDIDATES = 12  # entries aligned at most per search (or ``limit`` if more), best estimates first


@dataclass(frozen=True, slots=True)
class _Name:
    """Where a listed name sits: its entry, its place among the entry's names, its token ids."""

    entry: int
    position: int
    tok_ids: tuple[int, ...]
    join_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Found:
    """What retrieval found for a query side: per query token, the similar ids (``sims[i]``), the
    same turned around (id -> [(query token, similarity)]), and which query tokens go by rule."""

    sims: Sequence[Sims]
    inverse: dict[int, list[tuple[int, float]]]
    ruled: tuple[int, ...]

    @classmethod
    def of(cls, toks: Sequence[Tok], sims: Sequence[Sims]) -> Found:
        inverse: dict[int, list[tuple[int, float]]] = {}
        for i, found in enumerate(sims):
            for ident, s in found.items():
                inverse.setdefault(ident, []).append((i, s))
        ruled = tuple(i for i, q in enumerate(toks) if q.initial or q.cls is TokenClass.LEGAL)
        return cls(sims, inverse, ruled)


def retrieved_pairs(
    probe: Probe, name: PreparedName, tok_ids: Sequence[int], join_ids: Sequence[int], found: Found
) -> list[Candidate]:
    """The pairings of ``name`` from what retrieval found; initials and legal forms are compared
    by rule (they are never retrieved). The same pairs as ``align.direct_pairs`` where retrieval
    found everything."""
    toks = probe.toks
    cands: list[Candidate] = []
    inverse = found.inverse
    for j, ident in enumerate(tok_ids):
        for i, s in inverse.get(ident, ()):
            if i not in found.ruled:
                cands.append((-s, 1, toks[i].text, j, j + 1, (i,)))
    for g, ident in zip(name.joins, join_ids, strict=True):
        for i, s in inverse.get(ident, ()):
            if s >= JOIN_FLOOR and not toks[i].initial:
                cands.append((-s, g.end - g.start, toks[i].text, g.start, g.end, (i,)))
    for i in found.ruled:
        q, own = toks[i], found.sims[i]
        for j, (e, r) in enumerate(zip(name.toks, name.roles, strict=True)):
            s = listed_similarity(q, e, r) if by_rule(q, e) else own.get(tok_ids[j], 0.0)
            if s > 0.0:
                cands.append((-s, 1, q.text, j, j + 1, (i,)))
    for j in name.by_rule:
        e = name.toks[j]
        if e.initial:
            for i, q in enumerate(toks):
                if i not in found.ruled and (s := listed_similarity(q, e, name.roles[j])) > 0.0:
                    cands.append((-s, 1, q.text, j, j + 1, (i,)))
    return cands


class NameIndex:
    """Listed parties, ready to be searched by name (see the module docstring)."""

    __slots__ = (
        "_by_identifier",
        "_first",
        "_given_share",
        "_names",
        "_postings",
        "entries",
        "scorer",
        "vocabulary",
    )

    def __init__(self, entries: list[PreparedEntry], scorer: Scorer) -> None:
        self.entries = entries
        self.scorer = scorer
        self.vocabulary = Vocabulary()
        self._names: list[_Name] = []
        self._first: list[int] = []  # per entry, the document number of its first name
        self._by_identifier: dict[str, list[int]] = {}
        toks: list[int] = []
        docs: list[int] = []
        units: list[int] = []  # a token's place, or (after the tokens) a join's
        shares: list[float] = []
        for e, prepared in enumerate(entries):
            self._first.append(len(self._names))
            for document in prepared.entry.identifiers:
                self._by_identifier.setdefault(identifier_value(document.value), []).append(e)
            for k, name in enumerate(prepared.names):
                doc = len(self._names)
                total = sum(name.costs) or 1.0
                tok_ids = tuple(self.vocabulary.add(t) for t in name.toks)
                join_ids = tuple(self.vocabulary.add(g.tok, joined=True) for g in name.joins)
                self._names.append(_Name(e, k, tok_ids, join_ids))
                for j, ident in enumerate(tok_ids):
                    toks.append(ident)
                    docs.append(doc)
                    units.append(j)
                    shares.append(name.costs[j] / total)
                for u, (g, ident) in enumerate(zip(name.joins, join_ids, strict=True), len(tok_ids)):
                    toks.append(ident)
                    docs.append(doc)
                    units.append(u)
                    shares.append(sum(name.costs[g.start : g.end]) / total)
        self.vocabulary.freeze()
        self.vocabulary.warm({i for name in self._names for i in name.tok_ids})
        self.vocabulary.warm({i for name in self._names for i in name.join_ids}, joined=True)
        self._given_share = np.array([given_share(n) for p in entries for n in p.names], dtype=np.float64)
        self._postings = Postings(
            np.array(toks, dtype=np.int64),
            np.array(docs, dtype=np.int64),
            np.minimum(np.array(units, dtype=np.int64), UNITS - 1),
            np.array(shares, dtype=np.float64),
            len(self.vocabulary),
            len(self._names),
            values_are="entry",
        )

    @classmethod
    def build(cls, entries: Iterable[NameEntry], weights: TokenWeights | None = None) -> NameIndex:
        """Index ``entries``; token rarity is counted over them unless ``weights`` is given."""
        listed = list(entries)
        scorer = Scorer(weights if weights is not None else Scorer.count_weights(listed))
        prepared = [p for p in map(scorer.prepare_entry, listed) if p.names]
        return cls(prepared, scorer)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def name_count(self) -> int:
        return len(self._names)

    def probe(self, query: NameQuery) -> Probe:
        return self.scorer.probe(query.name, query.birth_date, query.countries, query.identifiers, query.kind)

    def search(
        self, query: NameQuery, limit: int = 10, threshold: float = DEFAULT_THRESHOLD
    ) -> list[NameMatch]:
        """Listed parties scoring at least ``threshold`` (0-100), best first, at most ``limit``."""
        probe = self.probe(query)
        sims = [self.vocabulary.similar(t) for t in probe.toks]
        total = sum(w for t, w in zip(probe.toks, probe.weights, strict=True) if not t.initial) or 1.0
        hits: list[Hit] = [
            (v, s, w / total, i)
            for i, (found, w) in enumerate(zip(sims, probe.weights, strict=True))
            for v, s in found.items()
        ]
        width = len(probe.toks)
        for i, joined in adjacent_joins(probe.toks):
            share = (probe.weights[i] + probe.weights[i + 1]) / total
            hits.extend(
                (v, s, share, width + i) for v, s in self.vocabulary.similar(joined, joined=True).items()
            )
        bonus = None
        if any(t.initial for t in probe.toks):
            bonus = self._initial_bonus
        least = worth_scoring(threshold)
        docs, entry_cover, query_cover = self._postings.coverage(hits, least, bonus)
        guess = estimate(entry_cover, query_cover)
        keep = guess >= least
        docs, guess, tie = docs[keep], guess[keep], entry_cover[keep] + query_cover[keep]
        chosen: dict[int, set[int]] = {}
        room = max(CANDIDATES, limit)
        # Best estimate first; estimates capped at 1 tie, and then more shared tokens go first.
        for doc in docs[np.lexsort((-tie, -guess))].tolist():
            name = self._names[doc]
            positions = chosen.get(name.entry)
            if positions is None:
                if len(chosen) == room:
                    continue  # the best-estimated CANDIDATES (or ``limit``) entries...
                positions = chosen[name.entry] = set()
            positions.add(name.position)  # ...with each of their names that passed
        for e in self._identified(probe):
            chosen[e] = set(range(len(self.entries[e].names)))
        return self._rank(probe, chosen, sims, limit, threshold)

    def _initial_bonus(self, docs: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        bonus: npt.NDArray[np.float64] = INITIAL_SIM * self._given_share[docs]
        return bonus

    def search_exhaustive(
        self, query: NameQuery, limit: int = 10, threshold: float = DEFAULT_THRESHOLD
    ) -> list[NameMatch]:
        """The same scorer over every name sharing any similar token, all similarities computed."""
        probe = self.probe(query)
        sims = [self.vocabulary.scan(t) for t in probe.toks]
        hit = set().union(*sims) if sims else set()
        chosen: dict[int, set[int]] = {}
        for name in self._names:
            if not hit.isdisjoint(name.tok_ids) or not hit.isdisjoint(name.join_ids):
                chosen.setdefault(name.entry, set()).add(name.position)
        for e in self._identified(probe):
            chosen[e] = set(range(len(self.entries[e].names)))
        return self._rank(probe, chosen, sims, limit, threshold)

    def _identified(self, probe: Probe) -> set[int]:
        found: set[int] = set()
        for ident in probe.identifiers:
            found.update(self._by_identifier.get(identifier_value(ident.value), ()))
        return found

    def _rank(
        self, probe: Probe, chosen: dict[int, set[int]], sims: list[Sims], limit: int, threshold: float
    ) -> list[NameMatch]:
        matches: list[NameMatch] = []
        base = self._first
        found = Found.of(probe.toks, sims)
        for e, positions in chosen.items():
            prepared = self.entries[e]

            def pairs(k: int, e: int = e, positions: set[int] = positions) -> list[Candidate] | None:
                if k not in positions:
                    return None
                ids = self._names[base[e] + k]
                return retrieved_pairs(probe, self.entries[e].names[k], ids.tok_ids, ids.join_ids, found)

            match = self.scorer.match(probe, prepared, pairs, threshold)
            if match is not None:
                matches.append(match)
        matches.sort(key=lambda m: (-m.score, m.entry_id))
        return matches[:limit]
