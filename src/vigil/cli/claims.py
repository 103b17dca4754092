"""``vigil claims``: funds sent by mistake from the command line (docs/recovery.md).

``import FILE`` files every claim of a JSON-lines file (the simulator's ``claims.jsonl``: its
``truth`` column is never read) against the deposits in the database's journal, one outcome per line;
``file`` files one claim read as JSON; ``list``, ``show``, ``deposits`` and ``summary`` read;
``confirm``, ``approve``, ``refuse`` and ``credit`` are a person's steps, recorded as ``cli:<login>``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TypeVar

import msgspec

from vigil import bootstrap
from vigil.audit import AuditTrail
from vigil.cli.serve import _operator
from vigil.cli.streams import db_settings, open_input, print_json
from vigil.errors import InvalidInput
from vigil.model.claims import ClaimState
from vigil.recovery import Actor, Claim, Recovery, parse_claim
from vigil.recovery.importer import import_claims
from vigil.recovery.views import claim_view, deposit_view
from vigil.watchlists import load_screener

T = TypeVar("T")
_OBJECT = msgspec.json.Decoder(dict[str, object])


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    claims = sub.add_parser("claims", help="funds sent by mistake: import and file claims, approve, credit")
    cmd = claims.add_subparsers(dest="claims_command", required=True)
    imp = cmd.add_parser("import", help="file every claim of a JSON-lines file (- for stdin)")
    imp.add_argument("path")
    one = cmd.add_parser("file", help="file one claim read as JSON from a file (- for stdin)")
    one.add_argument("path")
    listing = cmd.add_parser("list", help="claims in filing order")
    listing.add_argument("--state", choices=[s.value for s in ClaimState])
    listing.add_argument("--limit", type=int, default=50)
    show = cmd.add_parser("show", help="a claim and its history")
    deposits = cmd.add_parser("deposits", help="deposits that could not be credited, with their claims")
    deposits.add_argument("--limit", type=int, default=50)
    summary = cmd.add_parser("summary", help="claims by state and the value recovered")
    confirm = cmd.add_parser("confirm", help="confirm a history claim with the sending platform")
    confirm.add_argument("--note", required=True, help="how the platform confirmed it")
    approve = cmd.add_parser("approve", help="approve a recovery above the four-eyes value")
    refuse = cmd.add_parser("refuse", help="refuse a claim")
    refuse.add_argument("--reason", required=True)
    credit = cmd.add_parser("credit", help="record the credit of an approved claim")
    for p in (show, confirm, approve, refuse, credit):
        p.add_argument("claim_id")
    table = {
        imp: cmd_import, one: cmd_file, listing: cmd_list, show: cmd_show, deposits: cmd_deposits,
        summary: cmd_summary, confirm: cmd_step, approve: cmd_step, refuse: cmd_step, credit: cmd_step,
    }  # fmt: skip
    for p, func in table.items():
        p.add_argument("--db", help="database (default: $VIGIL_DB or .vigil/vigil.db)")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=func)


def _with(db: str | None, run: Callable[[Recovery], T]) -> T:
    settings = db_settings(db)
    stores = bootstrap.stores(settings)
    try:
        lists = stores.lists
        screener = load_screener(lists, bootstrap.policy(settings)) if lists.snapshots() else None
        if stores.audit is None:
            raise InvalidInput("this database has no audit log", field="db")
        return run(bootstrap.recovery(settings, stores, lambda: screener, AuditTrail(stores.audit)))
    finally:
        stores.close()


def _me() -> Actor:
    return Actor(_operator())


def cmd_import(args: argparse.Namespace) -> int:
    def run(recovery: Recovery) -> tuple[int, int]:
        filed = refused = 0
        with open_input(args.path) as f:
            for outcome in import_claims(recovery, f, _me()):
                if "error" in outcome:
                    refused += 1
                else:
                    filed += 1
                if args.json:  # one JSON line per claim
                    sys.stdout.buffer.write(msgspec.json.encode(outcome) + b"\n")
        return filed, refused

    filed, refused = _with(args.db, run)
    print(f"{filed} claim(s) filed, {refused} refused", file=sys.stderr if args.json else sys.stdout)
    return 0


def cmd_file(args: argparse.Namespace) -> int:
    with open_input(args.path) as f:
        try:
            body = _OBJECT.decode(f.read())
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise InvalidInput(f"not a JSON object: {exc}") from None
    claim = _with(args.db, lambda r: r.file(parse_claim(body), _me()))
    print_json(claim_view(claim)) if args.json else print(f"{claim.claim_id} {claim.state.value}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    state = ClaimState(args.state) if args.state else None
    claims, total = _with(args.db, lambda r: r.claims(state, args.limit))
    if args.json:
        print_json({"claims": [claim_view(c, history=False) for c in claims], "total": total})
        return 0
    for c in claims:
        head = f"{c.claim_id}  {c.state.value:<18} {c.chain:<6} {c.tx_hash[:16]:<16}"
        print(f"{head} {c.claimant_account_id:<14} {c.value}")
    print(f"{len(claims)} of {total} claim(s)")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    print_json(claim_view(_with(args.db, lambda r: r.claim(args.claim_id, reader=_me()))))
    return 0


def cmd_deposits(args: argparse.Namespace) -> int:
    rows = _with(args.db, lambda r: (r.catch_up(), r.uncredited(args.limit))[1])
    print_json({"deposits": [deposit_view(d, c) for d, c in rows]})
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    print_json(_with(args.db, lambda r: r.summary()))
    return 0


def cmd_step(args: argparse.Namespace) -> int:
    verb = args.claims_command

    def run(r: Recovery) -> Claim:
        if verb == "confirm":
            return r.confirm(args.claim_id, args.note, _me())
        if verb == "approve":
            return r.approve(args.claim_id, _me())
        if verb == "refuse":
            return r.refuse(args.claim_id, args.reason, _me())
        return r.credit(args.claim_id, _me())

    claim = _with(args.db, run)
    print_json(claim_view(claim)) if args.json else print(f"{claim.claim_id} {claim.state.value}")
    return 0
