"""``vigil snapshot``: write a snapshot of the engine's state, so the next start replays only what follows.

One library call (``bootstrap.write_snapshot``): the engine starts as ``vigil serve`` would (the newest
snapshot that fits plus the journal's tail, or the whole journal), and its state is written as a new
snapshot (docs/operations.md, "Snapshots"). It only reads the database, so it may run beside a server,
from a timer: a way to have snapshots without the server forking.
"""

from __future__ import annotations

import argparse
import sys

from vigil import bootstrap
from vigil.cli.streams import print_json
from vigil.settings import Settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser(
        "snapshot", help="write a snapshot of the engine's state: the next start replays only what follows"
    )
    s.add_argument("--db", help="database: SQLite path or PostgreSQL URL (default: $VIGIL_DB)")
    s.add_argument(
        "--dir", help="snapshot directory (default: $VIGIL_SNAPSHOT_DIR, or <db>.snapshots beside SQLite)"
    )
    s.add_argument(
        "--keep", type=_positive, help="the newest snapshots kept (default: $VIGIL_SNAPSHOT_KEEP or 2)"
    )
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_snapshot)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("keep at least one snapshot")
    return value


def cmd_snapshot(args: argparse.Namespace) -> int:
    overrides: dict[str, object] = {"snapshots": True}
    for name, setting in (("db", "db"), ("dir", "snapshot_dir"), ("keep", "snapshot_keep")):
        if getattr(args, name) is not None:
            overrides[setting] = getattr(args, name)
    settings = Settings(**overrides)  # type: ignore[arg-type]
    resumed, saved = bootstrap.write_snapshot(settings)
    store = bootstrap.snapshot_store(settings)
    where = store.where if store is not None else ""
    if args.json:
        print_json(
            {
                "snapshot": saved.name,
                "dir": where,
                "position": saved.position,
                "events": saved.events,
                "bytes": saved.size,
                "seconds": round(saved.seconds, 3),
                "started_from": resumed.snapshot,
                "replayed": resumed.replayed,
                "start_seconds": round(resumed.seconds, 3),
                "refused": list(resumed.refused),
            }
        )
        return 0
    print(f"started from {resumed.describe()}", file=sys.stderr)
    print(
        f"wrote {where}/{saved.name}: journal position {saved.position:,}, {saved.events:,} events,"
        f" {saved.size / 1e6:,.1f} MB in {saved.seconds:.2f} s"
    )
    return 0
