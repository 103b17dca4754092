"""The digests of the event ids a journal holds, in 8 bytes each instead of a set's 60 to 90.

``KnownIds`` keeps the old digests in one sorted ``array('Q')`` (looked up by ``bisect``, in C, about
a microsecond) and the recent ones in a small set, merged into the array once the set reaches a
sixteenth of it (a copy of the array, so about 8 bytes copied per id added, in one pause every so
often: some milliseconds per million ids held). A set of Python ints costs about 80 bytes per id,
more than a small account's whole feature state; the engine holds one digest per event it decided.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator

import numpy as np
import numpy.typing as npt

MIN_RECENT = 1024  # below this many recent digests, never merge

Digests = npt.NDArray[np.uint64]


class KnownIds:
    """A set of 64-bit digests: ``in``, ``add``, ``len``, iteration (sorted array first), equality."""

    __slots__ = ("_recent", "_sorted")

    def __init__(self, digests: Iterable[int] | Digests = ()) -> None:
        if isinstance(digests, np.ndarray):
            unique = np.unique(digests.astype(np.uint64, copy=False))
        else:
            unique = np.unique(np.fromiter(digests, dtype=np.uint64))
        self._sorted = array("Q", unique.tobytes())
        self._recent: set[int] = set()

    def __contains__(self, digest: object) -> bool:
        if digest in self._recent:
            return True
        ordered = self._sorted
        if not isinstance(digest, int) or not 0 <= digest < 1 << 64:
            return False
        i = bisect_left(ordered, digest)
        return i < len(ordered) and ordered[i] == digest

    def add(self, digest: int) -> None:
        if digest not in self:
            self.add_absent(digest)

    def add_absent(self, digest: int) -> None:
        """``add`` a digest the caller just found absent (skips the look-up)."""
        recent = self._recent
        recent.add(digest)
        if len(recent) >= max(MIN_RECENT, len(self._sorted) >> 4):
            self._merge()

    def _merge(self) -> None:
        new = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
        new.sort()
        old = np.frombuffer(self._sorted, dtype=np.uint64)
        self._sorted = array("Q", np.insert(old, old.searchsorted(new), new).tobytes())
        self._recent.clear()

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def __iter__(self) -> Iterator[int]:
        yield from self._sorted
        yield from self._recent

    def array(self) -> Digests:
        """Every digest, sorted, as a new ``uint64`` numpy array (what a snapshot keeps)."""
        old = np.frombuffer(self._sorted, dtype=np.uint64)
        if not self._recent:
            return old.copy()
        new = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
        return np.sort(np.concatenate([old, new]))

    def nbytes(self) -> int:
        """About how many bytes the digests take (the array, and a set entry and int per recent one)."""
        return self._sorted.itemsize * len(self._sorted) + 80 * len(self._recent)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KnownIds):
            return NotImplemented
        return len(self) == len(other) and bool(np.array_equal(self.array(), other.array()))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"KnownIds({len(self):,} digests)"
