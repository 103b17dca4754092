"""Strings to integer rows and codes, for millions of them, at numpy speed.

A dictionary keyed by millions of freshly decoded strings costs about half a microsecond per row
here: each lookup compares the new string with a stored one somewhere in memory (a cache miss).
Hashing the new string costs a fifth of that. So event ids are indexed by their 64-bit hashes,
sorted in numpy, and every match is verified against the stored id, so a hash collision can never
join the wrong rows (ids that share a hash go to a small dictionary). Account names are coded by
their hashes too, in order of first sight; two names sharing a 64-bit hash (odds about 1e-10 for
50,000 accounts) would count as one account.
"""

from __future__ import annotations

import operator
from itertools import repeat

import numpy as np
import numpy.typing as npt

Rows = npt.NDArray[np.int64]


def hashes(names: list[str]) -> npt.NDArray[np.int64]:
    """Python's hash of each name (stable within a process, which is all the index needs)."""
    return np.fromiter(map(hash, names), np.int64, len(names))


class EventIndex:
    """Event ids in file order; ``freeze`` once all are in, then ``rows`` looks ids up."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self._parts: list[npt.NDArray[np.int64]] = []
        self._sorted = np.empty(0, np.int64)
        self._order = np.empty(0, np.int64)
        self._shared: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def extend(self, ids: list[str]) -> None:
        self.ids.extend(ids)
        self._parts.append(hashes(ids))

    def freeze(self) -> tuple[int, int] | None:
        """Sort the index; returns the rows (first, repeat) of the earliest repeated id, if any."""
        all_hashes = np.concatenate(self._parts) if self._parts else np.empty(0, np.int64)
        self._parts.clear()
        self._order = np.argsort(all_hashes, kind="stable")
        self._sorted = all_hashes[self._order]
        repeat_at = np.flatnonzero(self._sorted[1:] == self._sorted[:-1])
        duplicate: tuple[int, int] | None = None
        for run in np.split(repeat_at, np.flatnonzero(np.diff(repeat_at) != 1) + 1) if repeat_at.size else []:
            rows = sorted(self._order[int(run[0]) : int(run[-1]) + 2].tolist())
            first_row: dict[str, int] = {}
            for row in rows:
                name = self.ids[row]
                if name in first_row:
                    if duplicate is None or row < duplicate[1]:
                        duplicate = (first_row[name], row)
                else:
                    first_row[name] = row
            self._shared.update(first_row)
        return duplicate

    def rows(self, ids: list[str]) -> Rows:
        """The row of each id, or -1 for an id the index does not hold."""
        k = len(ids)
        if not self._sorted.size:
            return np.full(k, -1, np.int64)
        at = np.minimum(np.searchsorted(self._sorted, hashes(ids)), self._sorted.size - 1)
        rows = self._order[at]
        stored = map(self.ids.__getitem__, rows.tolist())
        same = np.fromiter(map(operator.eq, stored, ids), np.bool_, k)
        for i in np.flatnonzero(~same).tolist():
            rows[i] = self._shared.get(ids[i], -1)
        return rows


class HashedNames:
    """Names to dense codes in order of first sight, by hash; ``names[code]`` is the name."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._code: dict[int, int] = {}

    def encode(self, names: list[str]) -> npt.NDArray[np.int32]:
        """The code of each name; new names get the next codes, in the order they first appear."""
        unique, first, inverse = np.unique(hashes(names), return_index=True, return_inverse=True)
        codes = np.fromiter(map(self._code.get, unique.tolist(), repeat(-1)), np.int32, unique.size)
        new = np.flatnonzero(codes == -1)
        for j in new[np.argsort(first[new])].tolist():
            codes[j] = self._code[int(unique[j])] = len(self.names)
            self.names.append(names[int(first[j])])
        return codes[inverse]

    def hashes(self) -> npt.NDArray[np.int64]:
        """The hash of each name, by code, to check names against codes without string lookups."""
        return hashes(self.names)
