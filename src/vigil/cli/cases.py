"""``vigil cases``: the desk from the command line (docs/desk.md).

``sync`` turns the journal's flagged decisions into cases (what ``vigil serve`` does at start-up and
after every commit), for a database filled by ``vigil replay``; ``list`` prints the queue; ``tick``
checks the SLA clocks now (breaches escalate and notify), for a desk run without a server.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from vigil import bootstrap
from vigil.cli.streams import db_settings, print_json
from vigil.desk import QueueFilter, SecurityDesk
from vigil.desk.views import summary_view
from vigil.errors import InvalidInput
from vigil.model.cases import Queue, Severity

T = TypeVar("T")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cases = sub.add_parser("cases", help="the security desk: open cases from the journal, list, check SLAs")
    ccmd = cases.add_subparsers(dest="cases_command", required=True)
    sync = ccmd.add_parser("sync", help="open cases for the flagged decisions the desk has not read yet")
    listing = ccmd.add_parser("list", help="open cases, highest priority first")
    listing.add_argument("--severity", choices=[s.value for s in Severity])
    listing.add_argument("--queue", choices=[q.value for q in Queue])
    listing.add_argument("--region")
    listing.add_argument("--limit", type=int, default=20)
    tick = ccmd.add_parser("tick", help="record the SLA breaches due now: escalate and notify")
    for p, func in ((sync, cmd_sync), (listing, cmd_list), (tick, cmd_tick)):
        p.add_argument("--db", help="database (default: $VIGIL_DB or .vigil/vigil.db)")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=func)


def _with_desk(db: str | None, run: Callable[[SecurityDesk], T]) -> T:
    settings = db_settings(db)
    stores = bootstrap.stores(settings)
    try:
        return run(bootstrap.security_desk(settings, stores))
    finally:
        stores.close()


def cmd_sync(args: argparse.Namespace) -> int:
    added = _with_desk(args.db, lambda s: s.feed.catch_up())
    if args.json:
        print_json({"alerts": added})
    else:
        print(f"{added} alert(s) added to cases")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise InvalidInput("--limit must be at least 1", field="limit")
    where = QueueFilter(
        queue=Queue(args.queue) if args.queue else None,
        region=args.region,
        severity=Severity(args.severity) if args.severity else None,
    )
    cases, total = _with_desk(args.db, lambda s: s.desk.queue(where, args.limit))
    if args.json:
        print_json({"cases": [summary_view(c) for c in cases], "total": total})
        return 0
    for c in cases:
        alerts = sum(a.count for a in c.alerts)
        print(
            f"{c.case_id}  {c.priority:3d}  {c.severity.value:<8} {c.state.value:<13} {c.region:<6}"
            f" {c.account_id:<14} alerts {alerts:<4} value {c.value_at_risk}"
        )
    print(f"{len(cases)} of {total} open case(s)")
    return 0


def cmd_tick(args: argparse.Namespace) -> int:
    breached = _with_desk(args.db, lambda s: s.desk.tick())
    ids = [c.case_id for c in breached]
    print_json({"breached": ids}) if args.json else print(
        f"{len(ids)} case(s) breached an SLA: {' '.join(ids)}"
    )
    return 0
