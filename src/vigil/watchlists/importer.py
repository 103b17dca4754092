"""Importing a list: read its files, parse, compare with the previous snapshot, save, re-screen.

A broken row is reported and skipped; a broken file (or a parse that yields no entry at all)
refuses the snapshot and the previous one stays in force. An import whose content equals the
latest snapshot's saves nothing and says so. Only the entries the new snapshot added or changed
are re-screened (``rescreen.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from vigil.errors import InvalidListFile
from vigil.ports import ListFiles, ListStore, ScreeningStore
from vigil.screening.entries import AddressEntry, NameEntry, RowError
from vigil.screening.names import NameIndex
from vigil.screening.policy import Policy
from vigil.screening.records import ScreeningAlert
from vigil.screening.snapshot import SnapshotDiff, SnapshotInfo, diff_entries, duplicate_ids
from vigil.screening.sources import ListSource, list_source
from vigil.watchlists.loading import name_entries
from vigil.watchlists.rescreen import rescreen_addresses, rescreen_names


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did. ``saved`` is False when the content equals the latest snapshot."""

    info: SnapshotInfo
    saved: bool
    diff: SnapshotDiff[AddressEntry] | SnapshotDiff[NameEntry]
    errors: tuple[RowError, ...]
    alerts: tuple[ScreeningAlert, ...] = field(default=())


def import_list(
    source_name: str,
    path: str,
    *,
    files: ListFiles,
    lists: ListStore,
    now: datetime,
    screening: ScreeningStore | None = None,
    policy: Policy | None = None,
) -> ImportReport:
    """Import ``path`` as the next snapshot of ``source_name``; with a store, re-screen what it changed."""
    source = list_source(source_name)
    texts = files.read(path, source.files)
    parsed = source.parse(texts)
    entries, duplicates = duplicate_ids(list(parsed.entries), file=path)
    errors = tuple(parsed.errors) + tuple(duplicates)
    if not entries:
        first = f"; first problem: {errors[0]}" if errors else ""
        raise InvalidListFile(f"no valid {source.kind} entry in {len(texts)} file(s){first}", file=path)
    previous = lists.latest(source.name)
    v0 = previous.version if previous is not None else 0
    alerts: tuple[ScreeningAlert, ...] = ()
    if source.kind == "address":
        new_a = [e for e in entries if isinstance(e, AddressEntry)]
        old_a = lists.address_entries(source.name) if previous is not None else ()
        diff_a = diff_entries(source.name, v0, old_a, v0 + 1, new_a)
        info, saved = _save(source, path, new_a, errors, previous, files, lists, now, diff_a.is_empty)
        if saved and screening is not None and policy is not None:
            alerts = rescreen_addresses(diff_a, screening, policy, now=now)
        return ImportReport(info, saved, diff_a, errors, alerts)
    new_n = [e for e in entries if isinstance(e, NameEntry)]
    old_n = lists.name_entries(source.name) if previous is not None else ()
    diff_n = diff_entries(source.name, v0, old_n, v0 + 1, new_n)
    info, saved = _save(source, path, new_n, errors, previous, files, lists, now, diff_n.is_empty)
    if saved and screening is not None and policy is not None:
        # The index over every name list now in force: its token weights are the ones screening uses.
        names = NameIndex.build(name_entries(lists))
        alerts = rescreen_names(diff_n, screening, policy, names, now=now)
    return ImportReport(info, saved, diff_n, errors, alerts)


def _save(
    source: ListSource,
    path: str,
    entries: list[AddressEntry] | list[NameEntry],
    errors: tuple[RowError, ...],
    previous: SnapshotInfo | None,
    files: ListFiles,
    lists: ListStore,
    now: datetime,
    unchanged: bool,
) -> tuple[SnapshotInfo, bool]:
    if previous is not None and unchanged:
        return previous, False
    origin = str(Path(path).resolve())
    info = lists.save(source.name, source.kind, origin, now, entries, len(errors), files.list_date(path))
    return info, True
