"""From similar tokens to the names that hold them, and which of those are worth aligning.

Postings (CSR numpy arrays) map each vocabulary id to the documents holding it: listed names for
``NameIndex``, customers for ``CustomerIndex``. For a query, every pair of a query token and a
similar document token adds to two sums per document: the *entry coverage* (how much of the listed
name's weight is matched) and the *query coverage* (how much of the query's weight). Both indexes
compute exactly the same sums over exactly the same pairs, from opposite sides, and ``estimate``
turns them into a guess of the name score: documents with no chance are never aligned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from vigil.screening.names.align import QUERY_EXTRA, PreparedName
from vigil.screening.names.evidence import MOST_POINTS
from vigil.screening.names.normalise import Role
from vigil.screening.names.tokens import Tok, join

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
# Words that compound with the next one, or the previous one (Latin spellings and transliterated
# Arabic script: "bd" is عبد, "bw" ابو, "llh" الله, "ldyn" الدين).
JOIN_FIRST = frozenset(
    (
        *("abd", "abdul", "abdel", "abdal", "abdu", "abu", "abou", "bin", "ben", "ibn", "bd", "bw", "bn"),
        *("al", "el", "ul", "ad", "ud", "ur", "as", "ash", "az", "an", "at", "ar"),
    )
)
JOIN_SECOND = frozenset(("allah", "ullah", "ulla", "llh", "din", "uddin", "eddin", "ldyn", "dyn", "deen"))
ESTIMATE_MARGIN = 0.15  # how far under the score the estimate may fall and still be aligned
UNITS = 1 << 12  # units (tokens and joins) a document may have, for the (document, unit) keys
Hit = tuple[int, float, float, int]  # vocabulary id, entry factor, query factor, query-side unit


class Postings:
    """For each vocabulary id, the documents holding it, where, and a value (CSR layout).

    Each posting is one occurrence: the document, the *unit* it is in the document (a token's
    place, or a join's), and a value (on the list side the unit's share of its name's weight; on
    the customer side the unit's share of the customer's name weight). ``values_are`` says which.
    """

    __slots__ = ("_docs", "_offsets", "_units", "_values", "documents", "values_are")

    def __init__(
        self,
        tokens: Ints,
        docs: Ints,
        units: Ints,
        values: Floats,
        vocabulary: int,
        documents: int,
        values_are: str,
    ) -> None:
        order = np.argsort(tokens, kind="stable")
        self._docs = docs[order].astype(np.int32)
        self._units = units[order].astype(np.int32)
        self._values = values[order]
        counts = np.bincount(tokens, minlength=vocabulary)
        self._offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.documents = documents
        self.values_are = values_are

    def sorted_pairs(self) -> tuple[Ints, npt.NDArray[np.int32]]:
        """(token, document) of every posting, in storage order (to compute new values)."""
        tokens = np.repeat(np.arange(len(self._offsets) - 1), np.diff(self._offsets))
        return tokens, self._docs

    def with_values(self, values: Floats) -> Postings:
        """The same postings with other values (given in storage order)."""
        copy = object.__new__(Postings)
        copy._docs, copy._offsets, copy._units, copy._values = self._docs, self._offsets, self._units, values
        copy.documents, copy.values_are = self.documents, self.values_are
        return copy

    def coverage(
        self, hits: Sequence[Hit], least: float, bonus: Callable[[Ints], Floats] | None = None
    ) -> tuple[Ints, Floats, Floats]:
        """Documents whose estimated name score reaches ``least``, with their two coverages.

        ``hits`` are (vocabulary id, entry factor, query factor, unit of the query side): every
        pair of a query-side unit and a similar document token. The entry coverage of a document
        sums, over the listed units, the best similarity x share any unit of the other side gives
        it; the query coverage sums the shares of the query-side units that meet anything. Both
        sides are counted once per unit, whichever side was indexed, so the two indexes agree.
        ``bonus`` adds to the entry coverage (what initials may match, never retrieved).

        A first pass adds everything up without that care (an over-estimate, so it drops nothing
        wrongly): only the documents it keeps are then counted exactly.
        """
        empty = (np.empty(0, dtype=np.int64), np.empty(0), np.empty(0))
        if not hits:
            return empty
        tokens = np.fromiter((h[0] for h in hits), dtype=np.int64, count=len(hits))
        factors = np.array([(h[1], h[2]) for h in hits], dtype=np.float64).reshape(-1, 2)
        slots = np.fromiter((h[3] for h in hits), dtype=np.int64, count=len(hits))
        starts = self._offsets[tokens]
        lengths = self._offsets[tokens + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return empty
        ends = np.cumsum(lengths)
        index = np.arange(total) + np.repeat(starts - (ends - lengths), lengths)
        docs, units, values = self._docs[index], self._units[index], self._values[index]
        e_values = np.repeat(factors[:, 0], lengths)
        q_values = np.repeat(factors[:, 1], lengths)
        if self.values_are == "entry":
            e_values *= values
            entry_units, query_units = units, np.repeat(slots, lengths)
        else:
            q_values *= values
            entry_units, query_units = np.repeat(slots, lengths), units
        # First pass: plain sums, an over-estimate.
        found, inverse = np.unique(docs, return_inverse=True)
        e_over = np.bincount(inverse, weights=e_values).astype(np.float64)
        if bonus is not None:
            e_over = e_over + bonus(found)
        keep = estimate(e_over, np.bincount(inverse, weights=q_values).astype(np.float64)) >= least
        if not keep.any():
            return empty
        chosen = keep[inverse]
        docs, e_values, q_values = docs[chosen].astype(np.int64), e_values[chosen], q_values[chosen]
        entry_units, query_units = entry_units[chosen], query_units[chosen]
        # Second pass: each listed unit counts its best pairing once, each query unit once.
        e_key = docs * UNITS + entry_units
        order = np.lexsort((e_values, e_key))
        last = np.append(e_key[order][1:] != e_key[order][:-1], True)
        best = order[last]
        q_key, first = np.unique(docs * UNITS + query_units, return_index=True)
        result = np.unique(docs)
        e_cover: Floats = np.bincount(
            np.searchsorted(result, docs[best]), weights=e_values[best], minlength=len(result)
        ).astype(np.float64)
        q_cover: Floats = np.bincount(
            np.searchsorted(result, q_key // UNITS), weights=q_values[first], minlength=len(result)
        ).astype(np.float64)
        if bonus is not None:
            e_cover = e_cover + bonus(result)
        return result, e_cover, q_cover


def estimate(entry: Floats, query: Floats) -> Floats:
    """The name score the two coverages suggest, as if both were exact (see ``align``'s formula).

    With E the share of the listed name's weight covered and Q the share of the query's, the
    Tversky ratio is about 1 / (1/E + QUERY_EXTRA * (1/Q - 1)). Sums over pairs can exceed 1 (a
    token similar to two others counts twice), so both are capped at 1 first.
    """
    e = np.clip(entry, 1e-6, 1.0)
    q = np.clip(query, 1e-6, 1.0)
    result: Floats = 1.0 / (1.0 / e + QUERY_EXTRA * (1.0 / q - 1.0))
    return result


def adjacent_joins(toks: Sequence[Tok]) -> list[tuple[int, Tok]]:
    """Neighbouring tokens that compound names write as one word, with the first one's place.

    Arabic names compound with "abd", "abu", "bin" and the article before a word, and "allah" or
    "al-din" after one: a query's ``abdul jabbar`` or ``عبد الجبار`` then retrieves a listed
    ``ABDULJABBAR`` (customers index theirs the same way). Other neighbours are not tried: they
    would retrieve far more noise than names.
    """
    found: list[tuple[int, Tok]] = []
    for i in range(len(toks) - 1):
        if toks[i].text in JOIN_FIRST or toks[i + 1].text in JOIN_SECOND:
            joined = join(toks[i], toks[i + 1])
            if joined is not None:
                found.append((i, joined))
    return found


def given_share(name: PreparedName) -> float:
    """The largest share of a given or middle name: what a query's initial may stand for.

    Initials are compared by rule, never retrieved, so coverage alone would miss them.
    """
    total = sum(name.costs) or 1.0
    return max(
        (c / total for c, r in zip(name.costs, name.roles, strict=True) if r in (Role.GIVEN, Role.MIDDLE)),
        default=0.0,
    )


def worth_scoring(threshold: float) -> float:
    """The least estimated name score worth aligning: evidence may add MOST_POINTS, and the
    estimate errs by up to ESTIMATE_MARGIN."""
    return max(0.0, (threshold - MOST_POINTS) / 100.0 - ESTIMATE_MARGIN)
