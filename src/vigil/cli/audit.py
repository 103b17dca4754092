"""``vigil audit``: verify the audit log's hash chain, and show its records (docs/audit.md).

``verify`` reads the whole log, streaming, and checks every hash and every link: it prints
``ok: N records, head HASH`` and exits 0, or the first problem, naming the record, and exits 3 (an
alert, as for ``vigil drift``).
Records cut off the end leave an intact, shorter chain: ``--head`` (a head printed by an earlier
verify and kept elsewhere) is what detects that. ``show`` prints records in seq order, as JSON lines
with ``--json`` (every field as stored, so that they can be verified again).

A ``--head`` that is not 64 hex digits, or a database file that does not exist, is invalid input
(exit 2): verifying a mistyped path must not report an empty, intact log.
"""

from __future__ import annotations

import argparse
import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from vigil import bootstrap
from vigil.audit import AuditTrail
from vigil.audit.chain import is_hash
from vigil.cli.streams import db_settings, open_output, print_json
from vigil.errors import InvalidInput
from vigil.ports import AuditLog

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser("audit", help="the audit log: verify its hash chain, show its records")
    acmd = audit.add_subparsers(dest="audit_command", required=True)
    ver = acmd.add_parser("verify", help="check every record's hash and link; exit 1 on the first problem")
    ver.add_argument("--head", help="the head (last hash) recorded earlier: detects a truncated tail")
    ver.add_argument("--json", action="store_true", help="the verification as JSON")
    _db_option(ver)
    ver.set_defaults(func=cmd_audit_verify)
    show = acmd.add_parser("show", help="records in seq order (JSON lines with --json)")
    show.add_argument("--subject", help="only this subject (case:c-000001, account:a00001)")
    show.add_argument("--actor", help="only this actor (a username or an API key id)")
    show.add_argument("--since-seq", type=int, default=0, metavar="SEQ", help="only records after SEQ")
    show.add_argument("--limit", type=int, help="at most this many records (the first ones)")
    show.add_argument("--json", action="store_true", help="JSON lines: every field as stored")
    _db_option(show)
    show.set_defaults(func=cmd_audit_show)


def _db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="database (default: $VIGIL_DB or .vigil/vigil.db)")


def _open(db: str | None) -> AuditLog:
    """The audit log of an existing database: a missing file is ``InvalidInput``, not a new empty log."""
    settings = db_settings(db)
    if settings.db != "memory" and not settings.is_postgres and not Path(settings.db).is_file():
        raise InvalidInput(f"there is no database at {settings.db}", field="db")
    return bootstrap.audit_log(settings)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    head = None if args.head is None else args.head.lower()
    if head is not None and not is_hash(head):
        raise InvalidInput(f"{args.head!r} is not a head: a head is 64 hex digits", field="head")
    log = _open(args.db)
    try:
        result = AuditTrail(log).verify(expect_head=head)
    finally:
        log.close()
    if args.json:
        print_json(dataclasses.asdict(result))
    elif result.ok:
        print(f"ok: {result.records} records, head {result.head}")
    else:
        where = "" if result.seq is None else f" at record {result.seq}"
        print(f"FAILED{where}: {result.problem}")
        print(f"{result.records} records intact before it, ending on head {result.head}")
    return 0 if result.ok else 3


def _when(at_us: int) -> str:
    try:
        return (_EPOCH + timedelta(microseconds=at_us)).isoformat(timespec="microseconds")
    except (OverflowError, TypeError):  # a time no datetime holds: show it as stored, verify will judge
        return str(at_us)


def cmd_audit_show(args: argparse.Namespace) -> int:
    log = _open(args.db)
    try:
        found = log.records(
            since_seq=args.since_seq, subject=args.subject, actor=args.actor, limit=args.limit
        )
        with open_output("-") as out:
            for r in found:
                if args.json:
                    out.write(msgspec.json.encode(dataclasses.asdict(r)) + b"\n")
                else:
                    line = f"{r.seq:>8}  {_when(r.at_us)}  {r.actor}  {r.action}  {r.subject}  {r.detail}\n"
                    out.write(line.encode("utf-8"))
    finally:
        log.close()
    return 0
