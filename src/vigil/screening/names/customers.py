"""The customer side: every customer's name indexed, to find whom a new or changed list entry hits.

After a list update nobody re-screens a million customers one by one. The entry is the query
instead: its tokens find similar customer tokens, postings add up coverage per customer exactly as
``NameIndex.search`` does per listed name (the same pairs, the same sums, the same estimate), and
the survivors are scored by the same ``Scorer`` with the customer as the query side. So a customer
an entry hits here is a customer whose own search would return that entry, with the same score.
Unlike search there is no cap on candidates: every customer over the estimate is scored (a search
aligns at most ``index.CANDIDATES`` entries, so with more look-alikes competing for one customer,
re-screening may find a hit that customer's search ranked out).

Storage is columnar (numpy arrays of token ids, one list of ids and one of facts), so a million
customers cost tens of megabytes besides their id strings.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vigil.errors import InvalidInput
from vigil.screening.entries import Identifier, NameEntry, SubjectKind
from vigil.screening.names import evidence
from vigil.screening.names.align import Candidate
from vigil.screening.names.index import DEFAULT_THRESHOLD, Found, retrieved_pairs
from vigil.screening.names.normalise import in_context, require_letters, words
from vigil.screening.names.results import NameMatch
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
from vigil.screening.names.similarity import INITIAL_SIM
from vigil.screening.names.tokens import Tok, tok
from vigil.screening.names.vocab import Sims, Vocabulary


@dataclass(frozen=True, slots=True)
class Customer:
    """A screened party as KYC knows it."""

    customer_id: str
    name: str
    birth_date: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2: nationality or residence
    identifiers: tuple[Identifier, ...] = ()
    kind: SubjectKind | None = None


@dataclass(frozen=True, slots=True)
class CustomerMatch:
    """A customer a list entry hits: the customer, and the match as the customer's search sees it."""

    customer_id: str
    match: NameMatch

    @property
    def score(self) -> float:
        return self.match.score


class CustomerIndex:
    """Customers indexed by name tokens (see the module docstring)."""

    __slots__ = (
        "_birth",
        "_by_identifier",
        "_country",
        "_has_initial",
        "_identifiers",
        "_ids",
        "_kind",
        "_offsets",
        "_order_values",
        "_parts",
        "_postings",
        "_tokens",
        "scorer",
        "vocabulary",
    )

    def __init__(self, customers: Iterable[Customer], scorer: Scorer) -> None:
        self.vocabulary = Vocabulary()
        self._ids: list[str] = []
        self._birth: list[str | None] = []
        self._country: list[str | None] = []
        self._kind: list[SubjectKind | None] = []
        self._identifiers: dict[int, tuple[Identifier, ...]] = {}
        self._by_identifier: dict[str, list[int]] = {}
        # Compact arrays, not lists of ints: a million customers make five million postings.
        tokens = array("i")
        offsets = array("q", [0])
        post_tok = array("q")
        post_doc = array("q")
        post_unit = array("q")  # the customer token's place, or (after the tokens) a join's
        part_a = array("i")  # per posting: the customer token(s) it stands for (part_b -1: a single)
        part_b = array("i")
        add = self.vocabulary.add
        for customer in customers:
            doc = len(self._ids)
            toks = self._checked(customer)
            ids = [add(t) for t in toks]
            tokens.extend(ids)
            offsets.append(len(tokens))
            post_tok.extend(ids)
            post_doc.extend([doc] * len(ids))
            post_unit.extend(range(len(ids)))
            part_a.extend(ids)
            part_b.extend([-1] * len(ids))
            for a, joined in adjacent_joins(toks):
                post_tok.append(add(joined, True))
                post_doc.append(doc)
                post_unit.append(len(ids) + a)
                part_a.append(ids[a])
                part_b.append(ids[a + 1])
            self._ids.append(customer.customer_id)
            self._birth.append(customer.birth_date)
            self._country.append(customer.country)
            self._kind.append(customer.kind)
            if customer.identifiers:
                self._identifiers[doc] = customer.identifiers
                for ident in customer.identifiers:
                    self._by_identifier.setdefault(evidence.identifier_value(ident.value), []).append(doc)
        self.vocabulary.freeze()
        self._tokens = np.frombuffer(tokens, dtype=np.int32).copy()
        self._offsets = np.frombuffer(offsets, dtype=np.int64).copy()
        self._parts = np.stack(
            [np.frombuffer(part_a, dtype=np.int32), np.frombuffer(part_b, dtype=np.int32)], axis=1
        )
        initial = np.array([t.initial for t in self.vocabulary.toks], dtype=bool)
        owners = np.repeat(np.arange(len(self._ids)), np.diff(self._offsets))
        self._has_initial = np.bincount(owners, weights=initial[self._tokens], minlength=len(self._ids)) > 0
        posted = np.frombuffer(post_tok, dtype=np.int64)
        self._postings = Postings(
            posted,
            np.frombuffer(post_doc, dtype=np.int64),
            np.minimum(np.frombuffer(post_unit, dtype=np.int64), UNITS - 1),
            np.zeros(len(posted)),
            len(self.vocabulary),
            len(self._ids),
            values_are="query",
        )
        self._order_values = np.argsort(posted, kind="stable")
        self.scorer = scorer
        self.use(scorer)

    @classmethod
    def build(cls, customers: Iterable[Customer], scorer: Scorer) -> CustomerIndex:
        """Index ``customers``; ``scorer`` must be the list index's (``NameIndex.scorer``)."""
        return cls(customers, scorer)

    def __len__(self) -> int:
        return len(self._ids)

    def use(self, scorer: Scorer) -> None:
        """Score with ``scorer`` from now on (the new list version's, after an update).

        Token weights come from the list, so each customer's share of weight per token is
        recomputed; the token index itself does not change.
        """
        weights = np.array([scorer.weights.weight(t) for t in self.vocabulary.toks], dtype=np.float64)
        initial = np.array([t.initial for t in self.vocabulary.toks], dtype=bool)
        owners = np.repeat(np.arange(len(self._ids)), np.diff(self._offsets))
        counted = np.where(initial[self._tokens], 0.0, weights[self._tokens])
        totals = np.bincount(owners, weights=counted, minlength=len(self._ids))
        totals[totals == 0.0] = 1.0
        own = weights[self._parts[:, 0]] + np.where(self._parts[:, 1] >= 0, weights[self._parts[:, 1]], 0.0)
        docs = self._postings.sorted_pairs()[1]
        self._postings = self._postings.with_values(own[self._order_values] / totals[docs])
        self.scorer = scorer

    def _checked(self, customer: Customer) -> list[Tok]:
        where = f"customer {customer.customer_id!r}: "
        try:
            person = (
                None if customer.kind in (None, SubjectKind.UNKNOWN) else customer.kind is SubjectKind.PERSON
            )
            found = in_context(words(customer.name), person)
            require_letters(found, customer.name)
            evidence.check_birth_date(customer.birth_date)
            if customer.country is not None:
                evidence.check_country(customer.country, field="country")
        except InvalidInput as error:
            raise InvalidInput(where + error.message, field=error.field) from error
        return [tok(w) for w in found]

    def probe(self, doc: int) -> Probe:
        toks = tuple(
            self.vocabulary.toks[i] for i in self._tokens[self._offsets[doc] : self._offsets[doc + 1]]
        )
        country = self._country[doc]
        return Probe(
            toks,
            tuple(self.scorer.weights.weight(t) for t in toks),
            self._birth[doc],
            (country.upper(),) if country else (),
            self._identifiers.get(doc, ()),
            self._kind[doc],
        )

    def affected(self, entry: NameEntry, threshold: float = DEFAULT_THRESHOLD) -> list[CustomerMatch]:
        """Every customer ``entry`` hits at ``threshold`` or more, best first."""
        prepared = self.scorer.prepare_entry(entry)
        chosen: dict[int, dict[int, tuple[list[Sims], list[Sims]]]] = {}
        for k, name in enumerate(prepared.names):
            sims = [self.vocabulary.similar(t) for t in name.toks]
            joined = [self.vocabulary.similar(g.tok, joined=True) for g in name.joins]
            total = sum(name.costs) or 1.0
            hits: list[Hit] = [
                (c, s * cost / total, 1.0, j)
                for j, (found, cost) in enumerate(zip(sims, name.costs, strict=True))
                for c, s in found.items()
            ]
            width = len(name.toks)
            for u, (g, found) in enumerate(zip(name.joins, joined, strict=True), width):
                share = sum(name.costs[g.start : g.end]) / total
                hits.extend((c, s * share, 1.0, u) for c, s in found.items())
            initials = INITIAL_SIM * given_share(name)

            def bonus(docs: npt.NDArray[np.int64], initials: float = initials) -> npt.NDArray[np.float64]:
                found: npt.NDArray[np.float64] = np.where(self._has_initial[docs], initials, 0.0)
                return found

            least = worth_scoring(threshold)
            docs, entry_cover, query_cover = self._postings.coverage(hits, least, bonus)
            keep = estimate(entry_cover, query_cover) >= least
            for doc in docs[keep].tolist():
                chosen.setdefault(doc, {})[k] = (sims, joined)
        for ident in entry.identifiers:
            for doc in self._by_identifier.get(evidence.identifier_value(ident.value), ()):
                for k, name in enumerate(prepared.names):
                    chosen.setdefault(doc, {}).setdefault(
                        k,
                        (
                            [self.vocabulary.similar(t) for t in name.toks],
                            [self.vocabulary.similar(g.tok, joined=True) for g in name.joins],
                        ),
                    )
        matches = []
        for doc, names in chosen.items():
            match = self._score(doc, prepared, names, threshold)
            if match is not None:
                matches.append(CustomerMatch(self._ids[doc], match))
        matches.sort(key=lambda m: (-m.score, m.customer_id))
        return matches

    def _score(
        self,
        doc: int,
        prepared: PreparedEntry,
        found: dict[int, tuple[list[Sims], list[Sims]]],
        threshold: float,
    ) -> NameMatch | None:
        probe = self.probe(doc)
        ids = self._tokens[self._offsets[doc] : self._offsets[doc + 1]].tolist()

        def pairs(k: int) -> list[Candidate] | None:
            if k not in found:
                return None
            sims, joined = found[k]
            name = prepared.names[k]
            width = len(name.toks)
            # The entry's tokens looked the customers' up: turn that around, per customer token,
            # with the entry's places (then its joins) standing for vocabulary ids.
            per_token: list[Sims] = []
            for i in ids:
                mine = {j: s for j, found_j in enumerate(sims) if (s := found_j.get(i, 0.0))}
                mine.update({width + g: s for g, found_g in enumerate(joined) if (s := found_g.get(i, 0.0))})
                per_token.append(mine)
            units = range(width + len(name.joins))
            return retrieved_pairs(probe, name, units[:width], units[width:], Found.of(probe.toks, per_token))

        return self.scorer.match(probe, prepared, pairs, threshold)
