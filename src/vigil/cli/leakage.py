"""``vigil sim audit``: the simulator's leakage audit (docs/simulator.md, "Leakage audit").

Simulates a reference world and a target world (two seeds, in memory), scores every single input and a
reference model per typology, prints a table (or writes JSON with ``--json``), and exits 1 when an input
alone exceeds the threshold without a justification, 0 otherwise (2 on bad input).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import msgspec

from vigil.cli.streams import open_output
from vigil.leakage import DEFAULT_JUSTIFIED, DEFAULT_THRESHOLD, AuditSpec, run_audit
from vigil.leakage.runner import DEFAULT_CRIME_SCALE
from vigil.sim.lists import DEFAULT_LISTS


def add_parser(sim: argparse.ArgumentParser) -> None:
    """Register ``audit`` under ``vigil sim`` (which keeps working without a subcommand)."""
    sub = sim.add_subparsers(dest="sim_command", metavar="{audit}")
    p = sub.add_parser(
        "audit",
        help="leakage audit: how far each single input tells a typology apart (exit 1 on an artefact)",
        description="Score every catalog feature and raw event field alone, and a reference model "
        "trained on another seed, per typology; see docs/simulator.md, 'Leakage audit'.",
    )
    p.add_argument("--accounts", type=int, default=3_000, help="accounts per world (default 3000)")
    p.add_argument("--days", type=float, default=3.0, help="days simulated per world (default 3)")
    p.add_argument("--seed", type=int, default=2, help="seed of the target world, scored (default 2)")
    p.add_argument(
        "--reference-seed", type=int, default=1, help="seed of the reference world, learned from (default 1)"
    )
    p.add_argument("--generator", type=int, help="simulator generator version (default: the simulator's)")
    p.add_argument(
        "--crime-scale",
        type=float,
        default=DEFAULT_CRIME_SCALE,
        help=f"multiply every typology's rate (default {DEFAULT_CRIME_SCALE:g})",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"an input alone above this AP is an artefact (default {DEFAULT_THRESHOLD:g})",
    )
    p.add_argument(
        "--min-positives",
        type=int,
        default=10,
        help="labelled events a typology needs per world (default 10)",
    )
    p.add_argument("--trees", type=int, default=200, help="trees of the reference model (default 200)")
    p.add_argument("--justified", default=str(DEFAULT_JUSTIFIED), help="the justified list (YAML)")
    p.add_argument("--lists", default=str(DEFAULT_LISTS), help=f"reference lists (default {DEFAULT_LISTS})")
    p.add_argument(
        "--target-files",
        nargs=2,
        metavar=("EVENTS", "LABELS"),
        help="read the target world from these files (as vigil sim writes them) instead of simulating it",
    )
    p.add_argument(
        "--reference-files",
        nargs=2,
        metavar=("EVENTS", "LABELS"),
        help="read the reference world from these files instead of simulating it",
    )
    p.add_argument("--json", help="write the report as JSON to this file (- for stdout)")
    p.set_defaults(func=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    spec = AuditSpec(
        accounts=args.accounts,
        days=args.days,
        seed=args.seed,
        reference_seed=args.reference_seed,
        generator=args.generator,
        crime_scale=args.crime_scale,
        threshold=args.threshold,
        min_positives=args.min_positives,
        trees=args.trees,
        lists=Path(args.lists),
        justified=Path(args.justified),
        target_files=_paths(args.target_files),
        reference_files=_paths(args.reference_files),
    )
    report = run_audit(spec, progress=lambda text: print(f"vigil sim audit: {text}", file=sys.stderr))
    table = report.table()
    print(table, file=sys.stderr if args.json == "-" else sys.stdout)
    if args.json:
        with open_output(args.json) as out:
            out.write(msgspec.json.format(msgspec.json.encode(report.view()), indent=2) + b"\n")
    return report.exit_code


def _paths(pair: list[str] | None) -> tuple[Path, Path] | None:
    return None if pair is None else (Path(pair[0]), Path(pair[1]))
