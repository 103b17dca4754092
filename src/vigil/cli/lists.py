"""``vigil lists``: import list snapshots, show them, and diff two snapshots of a source.

``import SOURCE PATH`` reads a list directory (or file) in its real format, saves it as the next
snapshot of SOURCE in the database, prints what it added and removed and the rows it skipped, and
re-screens what the change affects. Exit code 2 (and the previous snapshot stays) when the files
cannot be read as that source at all.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import msgspec

from vigil import bootstrap
from vigil.adapters.list_files import DiskListFiles
from vigil.cli.streams import db_settings, print_json
from vigil.errors import InvalidInput
from vigil.screening.entries import AddressEntry, NameEntry
from vigil.screening.snapshot import SnapshotDiff, SnapshotInfo, changed_fields, diff_entries
from vigil.screening.sources import SOURCES
from vigil.watchlists import ImportReport, import_list

_SHOW_ERRORS = 10


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lists = sub.add_parser("lists", help="screening lists: import snapshots, show, diff")
    cmds = lists.add_subparsers(dest="lists_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="database (default: $VIGIL_DB or .vigil/vigil.db)")
        p.add_argument("--json", action="store_true", help="print JSON instead of text")

    known = ", ".join(sorted(SOURCES))
    i = cmds.add_parser("import", help="import a list as the next snapshot of its source")
    i.add_argument("source", help=f"one of: {known}")
    i.add_argument("path", help="the list's directory or file, in the source's own format")
    common(i)
    i.set_defaults(func=cmd_import)

    s = cmds.add_parser("show", help="every snapshot: source, version, date, entries, rows skipped")
    common(s)
    s.set_defaults(func=cmd_show)

    d = cmds.add_parser("diff", help="what changed between two snapshots of a source (default: last two)")
    d.add_argument("source")
    d.add_argument("--from", dest="old", type=int, help="older version (default: the one before --to)")
    d.add_argument("--to", dest="new", type=int, help="newer version (default: the latest)")
    d.add_argument("--limit", type=int, default=20, help="entries to list per kind of change (text output)")
    common(d)
    d.set_defaults(func=cmd_diff)

    src = cmds.add_parser("sources", help="the list formats Vigil imports")
    src.set_defaults(func=cmd_sources, json=False)


def cmd_sources(args: argparse.Namespace) -> int:
    for name, source in sorted(SOURCES.items()):
        print(f"{name:20} {source.kind:8} {source.description}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    settings = db_settings(args.db)
    report = import_list(
        args.source,
        args.path,
        files=DiskListFiles(),
        lists=bootstrap.list_store(settings),
        now=datetime.now(UTC),
        screening=bootstrap.screening_store(settings),
        policy=bootstrap.policy(settings),
    )
    if args.json:
        print_json(_import_view(report))
    else:
        _print_import(report)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    infos = bootstrap.list_store(db_settings(args.db)).snapshots()
    if args.json:
        print_json([_info_view(i) for i in infos])
        return 0
    if not infos:
        print("no list imported yet: vigil lists import SOURCE PATH (vigil lists sources)")
    for i in infos:
        date = f", list dated {i.list_date}" if i.list_date else ""
        print(
            f"{i.source:20} v{i.version:<3} {i.kind:7} {i.entries:>9,} entries {i.errors:>7,} rows skipped  "
            f"imported {i.imported_at:%Y-%m-%d %H:%M:%S}Z{date}  from {i.origin}"
        )
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    store = bootstrap.list_store(db_settings(args.db))
    infos = store.snapshots(args.source)
    if not infos:
        raise InvalidInput(f"no snapshot of {args.source!r} in the database", field="source")
    new = args.new if args.new is not None else infos[-1].version
    old = args.old if args.old is not None else new - 1
    versions = {i.version for i in infos}
    for name, v in (("--to", new), ("--from", old)):
        if v not in versions and not (name == "--from" and v == 0):
            raise InvalidInput(f"{args.source!r} has no version {v} (has 1 to {max(versions)})", field=name)
    diff: SnapshotDiff[AddressEntry] | SnapshotDiff[NameEntry]
    if infos[-1].kind == "address":
        before_a = store.address_entries(args.source, old) if old else ()
        diff = diff_entries(args.source, old, before_a, new, store.address_entries(args.source, new))
    else:
        before_n = store.name_entries(args.source, old) if old else ()
        diff = diff_entries(args.source, old, before_n, new, store.name_entries(args.source, new))
    if args.json:
        print_json(_diff_view(diff, limit=None))
    else:
        _print_diff(diff, args.limit)
    return 0


# -- presentation ---------------------------------------------------------------------------------


def _info_view(i: SnapshotInfo) -> dict[str, Any]:
    return msgspec.to_builtins(i)  # type: ignore[no-any-return]


def _entry_line(e: AddressEntry | NameEntry) -> str:
    if isinstance(e, AddressEntry):
        return f"{e.entry_id}  {e.key}  {e.category.value}  {e.label}"
    return f"{e.entry_id}  {e.kind.value}  {e.name}"


def _diff_view(
    diff: SnapshotDiff[AddressEntry] | SnapshotDiff[NameEntry], limit: int | None
) -> dict[str, Any]:
    def cut(items: tuple[Any, ...]) -> list[Any]:
        return msgspec.to_builtins(list(items if limit is None else items[:limit]))  # type: ignore[no-any-return]

    return {
        "source": diff.source,
        "from": diff.old_version,
        "to": diff.new_version,
        "added": cut(diff.added),
        "removed": cut(diff.removed),
        "changed": [
            {
                "fields": list(changed_fields(o, n)),
                "old": msgspec.to_builtins(o),
                "new": msgspec.to_builtins(n),
            }
            for o, n in (diff.changed if limit is None else diff.changed[:limit])
        ],
    }


def _print_diff(diff: SnapshotDiff[AddressEntry] | SnapshotDiff[NameEntry], limit: int) -> None:
    print(diff.summary())
    for title, items in (("added", diff.added), ("removed", diff.removed)):
        for e in items[:limit]:
            print(f"  {title:8} {_entry_line(e)}")
        if len(items) > limit:
            print(f"  ... {len(items) - limit:,} more {title}")
    for o, n in diff.changed[:limit]:
        print(f"  changed  {_entry_line(n)}  ({', '.join(changed_fields(o, n))})")
    if len(diff.changed) > limit:
        print(f"  ... {len(diff.changed) - limit:,} more changed")


def _import_view(r: ImportReport) -> dict[str, Any]:
    return {
        "snapshot": _info_view(r.info),
        "saved": r.saved,
        "added": len(r.diff.added),
        "removed": len(r.diff.removed),
        "changed": len(r.diff.changed),
        "rows_skipped": [
            {"file": e.file, "line": e.line, "field": e.field, "error": e.message} for e in r.errors
        ],
        "alerts": msgspec.to_builtins(list(r.alerts)),
    }


def _print_import(r: ImportReport) -> None:
    i = r.info
    if r.saved:
        print(f"imported {i.describe()}")
        print(f"  {r.diff.summary()}")
    else:
        print(f"unchanged: the files hold the same entries as {i.describe()}; nothing saved")
    if r.errors:
        print(f"  {len(r.errors):,} rows skipped; most common reasons:")
        for message, n in Counter(_kind_of(e.message) for e in r.errors).most_common(5):
            print(f"    {n:>7,}  {message}")
        for e in r.errors[:_SHOW_ERRORS]:
            print(f"    {e}")
        if len(r.errors) > _SHOW_ERRORS:
            print(f"    ... {len(r.errors) - _SHOW_ERRORS:,} more (--json lists them all)")
    if r.alerts:
        print(f"  re-screening raised {len(r.alerts):,} new alerts:")
        for a in r.alerts[:_SHOW_ERRORS]:
            print(f"    {a.kind.value:7} {a.customer_id}  {a.entry_id}  {a.detail}")


def _kind_of(message: str) -> str:
    """The message without the values it names, so that like errors count together."""
    return re.sub(r"\d+", "N", re.sub(r"'[^']*'", "'...'", message))
