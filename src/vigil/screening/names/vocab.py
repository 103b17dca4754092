"""Distinct tokens of one side of screening, and how to find the ones similar to a query token.

Names repeat their tokens: 23,000 listed names hold about 25,000 distinct tokens, a million
customers far fewer than three million. Fuzzy matching therefore happens once per distinct token:
retrieval keys (``tokens.plain_keys``, ``tokens.skeleton_keys``) propose candidates, the token
similarity decides. ``retrieval`` then goes from tokens to the names that hold them.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from vigil.screening.names.similarity import Columns, ruled, similarities, similarity, start
from vigil.screening.names.tokens import Tok, plain_keys, skeleton_keys

Sims = dict[int, float]  # vocabulary id -> similarity (only the non-zero ones)
CACHE_LIMIT = 200_000  # distinct tokens remembered by ``similar``; cleared, not evicted, beyond
FEW = 8  # candidates scored one by one: for so few, numpy's overhead costs more than it saves


class KeyTable:
    """Retrieval keys -> vocabulary ids: distinct key hashes (sorted) with their ids (CSR).

    A dict of strings would hold the 1.5 million keys of the lists at some 250 bytes each; this
    holds them at about 16. Two keys with the same hash merely propose a candidate that the
    similarity then rejects. Keys added after a lookup are merged in at the next lookup.
    """

    __slots__ = ("_hashes", "_ids", "_new_hashes", "_new_ids", "_offsets", "_unique")

    def __init__(self) -> None:
        self._hashes = np.empty(0, dtype=np.int64)
        self._ids = np.empty(0, dtype=np.int32)
        self._unique = np.empty(0, dtype=np.int64)
        self._offsets = np.zeros(1, dtype=np.int64)
        self._new_hashes = array("q")
        self._new_ids = array("i")

    def __len__(self) -> int:
        return len(self._hashes) + len(self._new_hashes)

    def add(self, keys: Iterable[str], ident: int) -> None:
        for k in keys:
            self._new_hashes.append(hash(k))
            self._new_ids.append(ident)

    def merge(self) -> None:
        """File the keys added since the last lookup (done by ``lookup`` itself if needed)."""
        if self._new_hashes:
            hashes = np.concatenate([self._hashes, np.frombuffer(self._new_hashes, dtype=np.int64)])
            ids = np.concatenate([self._ids, np.frombuffer(self._new_ids, dtype=np.int32)])
            order = np.argsort(hashes, kind="stable")
            self._hashes, self._ids = hashes[order], ids[order]
            self._unique, starts = np.unique(self._hashes, return_index=True)
            self._offsets = np.append(starts, len(self._hashes)).astype(np.int64)
            self._new_hashes, self._new_ids = array("q"), array("i")

    def lookup(self, keys: Iterable[str]) -> npt.NDArray[np.int32]:
        """Ids filed under any of ``keys`` (with repeats)."""
        self.merge()
        if not len(self._unique):
            return np.empty(0, dtype=np.int32)
        wanted = np.fromiter((hash(k) for k in keys), dtype=np.int64)
        place = np.minimum(np.searchsorted(self._unique, wanted), len(self._unique) - 1)
        place = place[self._unique[place] == wanted]
        lo = self._offsets[place]
        lengths = self._offsets[place + 1] - lo
        total = int(lengths.sum())
        if total == 0:
            return np.empty(0, dtype=np.int32)
        ends = np.cumsum(lengths)
        found: npt.NDArray[np.int32] = self._ids[np.arange(total) + np.repeat(lo - (ends - lengths), lengths)]
        return found


class Vocabulary:
    """Interned tokens with their retrieval keys."""

    __slots__ = (
        "_abjad",
        "_cache",
        "_ids",
        "_joined_only",
        "_known",
        "_plain",
        "_ruled",
        "_skel",
        "_skel_abjad",
        "_starts",
        "toks",
    )

    def __init__(self) -> None:
        self.toks: list[Tok] = []
        self._abjad = array("b")  # per token, for ``similarities``: from Arabic script?
        self._ruled = array("b")  # compared by rule?
        self._starts = array("i")  # first letter of the fold (vowels 0)
        self._ids: dict[tuple[str, bool], int] = {}
        self._joined_only: set[int] = set()
        self._plain = KeyTable()
        self._skel = KeyTable()  # every token's skeleton keys, for Arabic-script queries...
        self._skel_abjad = KeyTable()  # ...and Arabic-script tokens' only, for Latin queries
        self._cache: dict[tuple[str, bool, bool], Sims] = {}
        self._known: dict[tuple[str, bool, bool], Sims] = {}  # answers for its own tokens, kept

    def __len__(self) -> int:
        return len(self.toks)

    def add(self, t: Tok, joined: bool = False) -> int:
        """The id of ``t``, added if new; ``joined`` for a word made of two (fewer keys)."""
        key = (t.text, t.abjad)
        found = self._ids.get(key)
        if found is not None:
            if not joined and found in self._joined_only:  # now seen on its own: all its keys
                self._joined_only.discard(found)
                self._plain.add(plain_keys(t) - plain_keys(t, True), found)
                self._skel_keys(skeleton_keys(t) - skeleton_keys(t, True), t, found)
                self._cache.clear()
            return found
        ident = len(self.toks)
        self._ids[key] = ident
        self.toks.append(t)
        self._abjad.append(t.abjad)
        self._ruled.append(ruled(t))
        self._starts.append(start(t))
        if joined:
            self._joined_only.add(ident)
        self._plain.add(plain_keys(t, joined), ident)
        self._skel_keys(skeleton_keys(t, joined), t, ident)
        self._cache.clear()  # a cached answer may now miss the new token
        self._known.clear()
        return ident

    def _skel_keys(self, keys: frozenset[str], t: Tok, ident: int) -> None:
        self._skel.add(keys, ident)
        if t.abjad:
            self._skel_abjad.add(keys, ident)

    def freeze(self) -> None:
        """Sort the keys now rather than at the first search (an index calls this when built)."""
        self._plain.merge()
        self._skel.merge()
        self._skel_abjad.merge()

    def get(self, t: Tok) -> int | None:
        return self._ids.get((t.text, t.abjad))

    def similar(self, t: Tok, joined: bool = False) -> Sims:
        """Vocabulary tokens sharing a retrieval key with ``t``, with their (non-zero) similarity.

        ``joined`` for a word made of two (it uses the fewer keys such words are filed under).
        Skeleton keys count only when one of the two tokens came from an abjad script, so that
        Latin spellings with the same consonants ("Hassan", "Hussein") do not meet through them.
        """
        key = (t.text, t.abjad, joined)
        cached = self._known.get(key)
        if cached is None:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        found = self._plain.lookup(plain_keys(t, joined))
        skeletons = self._skel if t.abjad else self._skel_abjad
        if len(skeletons):
            found = np.concatenate([found, skeletons.lookup(skeleton_keys(t, joined))])
        sims = self._score(t, np.unique(found))
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = sims
        return sims

    def warm(self, ids: Iterable[int], joined: bool = False) -> None:
        """Answer ``similar`` for these tokens of the vocabulary now, once and for good.

        Most query tokens are tokens of the lists themselves (only a typo or a new spelling
        is not): their answers are then ready, and the first query that meets them is as fast
        as the thousandth.
        """
        for i in ids:
            t = self.toks[i]
            key = (t.text, t.abjad, joined)
            if key not in self._known:
                self._known[key] = self.similar(t, joined)

    def scan(self, t: Tok) -> Sims:
        """Like ``similar`` but against every token, no keys: the exhaustive reference (slow)."""
        return self._score(t, np.arange(len(self.toks)))

    def _score(self, t: Tok, ids: npt.NDArray[np.int64] | npt.NDArray[np.int32]) -> Sims:
        toks = self.toks
        listed = ids.tolist()
        if len(listed) <= FEW:
            return {i: s for i in listed if (s := similarity(t, toks[i])) > 0.0}
        chosen = [toks[i] for i in listed]
        columns = Columns(
            chosen,
            [c.text for c in chosen],
            [c.fold for c in chosen],
            np.frombuffer(self._starts, dtype=np.int32)[ids],
            np.frombuffer(self._abjad, dtype=np.int8)[ids] == 1,
            np.frombuffer(self._ruled, dtype=np.int8)[ids] == 1,
        )
        values = similarities(t, columns)
        return {i: v for i, v in zip(listed, values.tolist(), strict=True) if v > 0.0}
