"""``vigil graph``: network analysis over a database's history.

``expand ACCOUNT...`` lists the accounts most likely in the same operation as the seeds, each with the
path that links it; ``clusters`` lists communities of linked accounts, most suspicious first, with the
signals that make them so. The graph is rebuilt from the journal's events and decisions.
"""

from __future__ import annotations

import argparse
import sys

from vigil import bootstrap
from vigil.cli.streams import db_settings, print_json
from vigil.graph import EntityGraph, from_history
from vigil.graph.communities import RESOLUTION, clusters
from vigil.graph.expand import expand
from vigil.views import cluster_view, expansion_view


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    graph = sub.add_parser("graph", help="network analysis: expand from seed accounts, find rings")
    cmds = graph.add_subparsers(dest="graph_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="database (default: $VIGIL_DB or .vigil/vigil.db)")
        p.add_argument("--json", action="store_true", help="print JSON instead of text")

    e = cmds.add_parser("expand", help="the accounts most likely in the same operation as the seeds")
    e.add_argument("accounts", nargs="+", help="seed account ids (flagged accounts)")
    e.add_argument("--top", type=int, default=20, help="accounts to list (default 20)")
    e.add_argument("--hops", type=int, default=3, help="links away from a seed at most (default 3)")
    common(e)
    e.set_defaults(func=cmd_expand)
    c = cmds.add_parser("clusters", help="communities of linked accounts, most suspicious first")
    c.add_argument("--top", type=int, default=20, help="communities to list (default 20)")
    c.add_argument("--min-size", type=int, default=3, help="smallest community listed (default 3)")
    c.add_argument(
        "--resolution", type=float, default=RESOLUTION, help="Leiden resolution: higher, smaller communities"
    )
    common(c)
    c.set_defaults(func=cmd_clusters)


def _graph(db: str | None) -> EntityGraph:
    settings = db_settings(db)
    journal = bootstrap.journal(settings)
    try:
        return from_history(journal.decided(), hub_limit=settings.graph_hub_limit)
    finally:
        journal.close()


def cmd_expand(args: argparse.Namespace) -> int:
    result = expand(_graph(args.db), args.accounts, top=args.top, hops=args.hops)
    if args.json:
        print_json(expansion_view(result))
        return 0
    print(f"{result.considered:,} accounts within {args.hops} links of {', '.join(result.seeds)}")
    for f in result.found:
        flag = "  FLAGGED" if f.flagged else ""
        print(f"{f.score:9.5f}  {f.account:24} {f.hops} hop{'s' if f.hops > 1 else ''}{flag}")
        for step in f.path:
            links = ", ".join(f"{k.value} {v}".strip() for k, v in step.kinds)
            print(f"           {step.from_account} -> {step.to_account} ({links})")
    return 0


def cmd_clusters(args: argparse.Namespace) -> int:
    found = clusters(_graph(args.db), min_size=args.min_size, resolution=args.resolution)
    if args.json:
        print_json([cluster_view(c) for c in found[: args.top]])
        return 0
    for c in found[: args.top]:
        print(f"{c.score:6.3f}  {c.size:4} accounts  {'; '.join(c.reasons) or 'no signal'}")
        shown = ", ".join(c.members[:8]) + (", ..." if c.size > 8 else "")
        print(f"        {shown}")
    print(f"{len(found)} communities of {args.min_size} or more accounts", file=sys.stderr)
    return 0
