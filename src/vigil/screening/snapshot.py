"""List snapshots and what changed between two of them.

Each import of a source is a new snapshot: appended, never overwritten, with where it came from
and when. A new snapshot is compared entry by entry (by ``entry_id``) with the previous one of the
same source: entries added, removed, and changed (same id, different content). Re-screening reads
only the added and changed entries; a clearance stays valid while its entry's digest is unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Generic

from vigil.screening.entries import AddressEntry, E, NameEntry, RowError


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """One import of one source. ``version`` counts imports of the source from 1."""

    source: str
    kind: str  # "address" or "name"
    version: int
    imported_at: datetime
    origin: str  # the path it was read from
    entries: int
    errors: int
    digest: str  # over the entries' digests: equal digests, equal content
    list_date: str = ""  # the list's own date when its files say it (SOURCE.txt, a publication date)

    @classmethod
    def following(
        cls,
        previous: SnapshotInfo | None,
        *,
        source: str,
        kind: str,
        origin: str,
        imported_at: datetime,
        entries: Sequence[AddressEntry | NameEntry],
        errors: int,
        list_date: str,
    ) -> SnapshotInfo:
        """The info of the snapshot after ``previous`` (version 1 after none); stores call this."""
        return cls(
            source=source,
            kind=kind,
            version=1 if previous is None else previous.version + 1,
            imported_at=imported_at,
            origin=origin,
            entries=len(entries),
            errors=errors,
            digest=content_digest(entries),
            list_date=list_date,
        )

    def describe(self) -> str:
        return f"{self.source} v{self.version} ({self.entries:,} entries, {self.imported_at:%Y-%m-%d %H:%M}Z)"


@dataclass(frozen=True, slots=True)
class SnapshotDiff(Generic[E]):
    """What one snapshot changed against the one before it (``old_version`` 0: nothing before)."""

    source: str
    old_version: int
    new_version: int
    added: tuple[E, ...]
    removed: tuple[E, ...]
    changed: tuple[tuple[E, E], ...]  # (old, new)

    @property
    def touched(self) -> tuple[E, ...]:
        """Entries a re-screen must look at: the added ones and the new form of the changed ones."""
        return self.added + tuple(new for _, new in self.changed)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self) -> str:
        return (
            f"{self.source} v{self.old_version} -> v{self.new_version}: {len(self.added):,} added, "
            f"{len(self.removed):,} removed, {len(self.changed):,} changed"
        )


def changed_fields(old: AddressEntry | NameEntry, new: AddressEntry | NameEntry) -> tuple[str, ...]:
    """The fields a changed entry changed, for a reader of the diff."""
    return tuple(f.name for f in fields(old) if getattr(old, f.name) != getattr(new, f.name, None))


def content_digest(entries: Iterable[AddressEntry | NameEntry]) -> str:
    """Digest of a snapshot's content, independent of entry order."""
    h = hashlib.blake2b(digest_size=16)
    for d in sorted(e.digest() for e in entries):
        h.update(d.encode())
    return h.hexdigest()


def diff_entries(
    source: str, old_version: int, old: Sequence[E], new_version: int, new: Sequence[E]
) -> SnapshotDiff[E]:
    before = {e.entry_id: e for e in old}
    after = {e.entry_id: e for e in new}
    added = tuple(e for i, e in after.items() if i not in before)
    removed = tuple(e for i, e in before.items() if i not in after)
    changed = tuple(
        (before[i], e) for i, e in after.items() if i in before and before[i].digest() != e.digest()
    )
    return SnapshotDiff(source, old_version, new_version, added, removed, changed)


def duplicate_ids(entries: Sequence[E], file: str) -> tuple[list[E], list[RowError]]:
    """Keep the first entry of each id; a repeated id is a row error (ids must be unique per source)."""
    seen: set[str] = set()
    kept: list[E] = []
    errors: list[RowError] = []
    for n, entry in enumerate(entries, 1):
        if entry.entry_id in seen:
            errors.append(RowError(file, n, f"duplicate entry id {entry.entry_id!r}", "entry_id"))
            continue
        seen.add(entry.entry_id)
        kept.append(entry)
    return kept, errors
