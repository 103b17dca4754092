"""``vigil screen``: an address or a name against the imported lists; clear false positives; list alerts.

The same code the engine runs: the latest snapshot of every source in the database and the
screening policy. An invalid address or an empty name is invalid input (exit code 2).
"""

from __future__ import annotations

import argparse
import sys

import msgspec

from vigil import bootstrap
from vigil.cli.streams import db_settings, print_json
from vigil.errors import ConfigError, InvalidInput
from vigil.model import Chain
from vigil.screening.entries import NameEntry
from vigil.screening.names import NameQuery
from vigil.screening.policy import Direction
from vigil.screening.screener import AddressScreen, NameScreen, Screener
from vigil.settings import Settings
from vigil.views import address_view, name_view


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    screen = sub.add_parser("screen", help="screen an address or a name against the imported lists")
    cmds = screen.add_subparsers(dest="screen_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="database (default: $VIGIL_DB or .vigil/vigil.db)")
        p.add_argument("--json", action="store_true", help="print JSON instead of text")

    a = cmds.add_parser("address", help="screen one crypto address")
    a.add_argument("chain", help=f"one of: {', '.join(c.value for c in Chain)}")
    a.add_argument("address")
    a.add_argument(
        "--direction",
        choices=[d.value for d in Direction],
        default=Direction.WITHDRAWAL.value,
        help="which side of a transfer the address is on (the policy differs; default withdrawal)",
    )
    common(a)
    a.set_defaults(func=cmd_address)

    n = cmds.add_parser("name", help="screen a person's or company's name")
    n.add_argument("name")
    n.add_argument("--dob", help="date of birth, YYYY or YYYY-MM or YYYY-MM-DD")
    n.add_argument("--country", action="append", default=[], help="ISO country code (repeatable)")
    n.add_argument("--customer", help="apply this customer's clearances of reviewed false positives")
    n.add_argument("--limit", type=int, default=10, help="matches to show at most")
    common(n)
    n.set_defaults(func=cmd_name)

    c = cmds.add_parser(
        "clear",
        help="ask to clear a reviewed false positive for one customer and list entry"
        " (in force once another person approves it: vigil screen approve)",
    )
    c.add_argument("--customer", required=True)
    c.add_argument("--entry", required=True, help="the list entry id, e.g. ofac_sdn:12345")
    c.add_argument("--by", required=True, help="who reviewed it")
    c.add_argument("--reason", required=True, help="why it is not a match")
    common(c)
    c.set_defaults(func=cmd_clear)

    ap = cmds.add_parser("approve", help="approve another person's clearance: from now on it holds")
    ap.add_argument("--customer", required=True)
    ap.add_argument("--entry", required=True, help="the list entry id, e.g. ofac_sdn:12345")
    ap.add_argument("--by", required=True, help="who approves it (not who asked)")
    common(ap)
    ap.set_defaults(func=cmd_approve)

    al = cmds.add_parser("alerts", help="alerts raised by screening and re-screening, oldest first")
    al.add_argument("--customer")
    common(al)
    al.set_defaults(func=cmd_alerts)


def _screener(settings: Settings) -> Screener:
    screener = bootstrap.screener(settings, bootstrap.list_store(settings))
    if screener is None:
        raise ConfigError(f"no list imported into {settings.db}: run `vigil lists import SOURCE PATH` first")
    return screener


def _chain(text: str) -> Chain:
    try:
        return Chain(text.upper())
    except ValueError:
        raise InvalidInput(
            f"unknown chain {text!r} (known: {', '.join(c.value for c in Chain)})", field="chain"
        ) from None


def cmd_address(args: argparse.Namespace) -> int:
    chain = _chain(args.chain)
    result = _screener(db_settings(args.db)).screen_address(chain, args.address, Direction(args.direction))
    if args.json:
        print_json(address_view(result))
    else:
        _print_address(result)
    return 0


def cmd_name(args: argparse.Namespace) -> int:
    settings = db_settings(args.db)
    screener = _screener(settings)
    if screener.names is None:
        raise ConfigError(
            "no name list imported: run `vigil lists import ofac_sdn PATH` (or un, opensanctions)"
        )
    query = NameQuery(args.name, birth_date=args.dob, countries=tuple(c.upper() for c in args.country))
    store = bootstrap.screening_store(settings) if args.customer else None
    result = screener.screen_name(
        query,
        customer_id=args.customer,
        cleared=store.is_cleared if store is not None else None,
        limit=args.limit,
    )
    if args.json:
        print_json(name_view(result))
    else:
        _print_name(result)
    return 0


def _entry(settings: Settings, entry_id: str) -> NameEntry:
    entry = _screener(settings).name_entries.get(entry_id)
    if entry is None:
        raise InvalidInput(f"no name list entry {entry_id!r} in the latest snapshots", field="entry")
    return entry


def cmd_clear(args: argparse.Namespace) -> int:
    settings = db_settings(args.db)
    entry = _entry(settings, args.entry)
    asked = bootstrap.clearances(settings).request(args.customer, entry, args.reason, args.by, by_key=False)
    if args.json:
        print_json(msgspec.to_builtins(asked))
    else:
        print(
            f"asked to clear {entry.entry_id} ({entry.name}) for {args.customer}: in force once another"
            " person approves it (vigil screen approve)"
        )
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    settings = db_settings(args.db)
    entry = _entry(settings, args.entry)
    approved = bootstrap.clearances(settings).approve(args.customer, entry, args.by, by_key=False)
    if args.json:
        print_json(msgspec.to_builtins(approved))
    else:
        print(f"cleared {entry.entry_id} ({entry.name}) for {args.customer}, while the entry stays unchanged")
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    alerts = bootstrap.screening_store(db_settings(args.db)).alerts(args.customer)
    if args.json:
        print_json(msgspec.to_builtins(alerts))
        return 0
    for a in alerts:
        print(f"{a.raised_at:%Y-%m-%d %H:%M}Z  {a.kind.value:7} {a.customer_id:20} {a.entry_id}  {a.detail}")
    print(f"{len(alerts)} alerts", file=sys.stderr)
    return 0


# -- presentation ---------------------------------------------------------------------------------


def _print_address(r: AddressScreen) -> None:
    where = r.address.key if r.address else r.text
    if not r.hits:
        print(f"{where}: not on any imported list ({r.direction.value}: allow)")
        return
    print(
        f"{where}: {r.direction.value} -> {r.outcome.label}" + (" (warn the customer)" if r.warn_user else "")
    )
    for e in r.hits:
        actor = f", actor {e.actor}" if e.actor else ""
        label = f"{e.label}{actor} (confidence {e.confidence})"
        print(f"  {e.source:18} {e.entry_id}  {e.category.value:11} {label}")


def _print_name(r: NameScreen) -> None:
    if not r.matches and not r.cleared:
        print(f"{r.query.name!r}: no match at or above the review score (allow)")
        return
    print(f"{r.query.name!r} -> {r.outcome.label}")
    for m in r.matches:
        print(f"  {m.score:5.1f}  {m.entry_id:24} {m.matched_name}")
        for part in m.explanation:
            print(f"         {part}")
    for m in r.cleared:
        print(f"  {m.score:5.1f}  {m.entry_id:24} {m.matched_name}  (cleared for this customer)")
