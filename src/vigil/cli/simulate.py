"""``vigil sim``: simulate an exchange with labelled crime, into files or a pipe.

One library call (``write_simulation``) plus its I/O: events as JSON lines (``-`` for stdout, so
``vigil sim | vigil replay -`` works), labels and recovery claims in their own files, Parquet if
asked, progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

from vigil.cli import leakage
from vigil.cli.streams import open_output
from vigil.errors import InvalidInput
from vigil.sim import SimConfig, write_simulation
from vigil.sim.config import START
from vigil.sim.lists import DEFAULT_LISTS


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``sim`` on the ``vigil`` command's subparsers."""
    p = sub.add_parser(
        "sim",
        help="simulate an exchange with labelled crime: events, labels, recovery claims",
        description="Simulate a seeded exchange with injected typologies; see docs/simulator.md.",
    )
    p.add_argument("--accounts", type=int, default=5_000, help="accounts at the start (default 5000)")
    p.add_argument("--days", type=float, default=2.0, help="days simulated after the history (default 2)")
    p.add_argument(
        "--seed", type=int, default=1, help="random seed: the same seed, the same bytes (default 1)"
    )
    p.add_argument("--start", help="first simulated instant, ISO 8601 UTC (default 2026-01-05T00:00:00Z)")
    p.add_argument("--drift", type=float, default=0.0, help="0..1: move each region's crime mix over the run")
    p.add_argument(
        "--crime-scale", type=float, default=1.0, help="multiply every typology's rate (default 1)"
    )
    p.add_argument(
        "--generator",
        "--sim-version",
        type=int,
        default=2,
        help="generator version: 1 (the original, frozen) or 2 (hiding crime, look-alikes; default)",
    )
    p.add_argument(
        "--history-days",
        type=float,
        default=14.0,
        help="generator 2: days of honest sessions written before the run (default 14)",
    )
    p.add_argument(
        "--claims-scale",
        type=float,
        default=1.0,
        help="generator 2: multiply the rate of mistaken deposits (and their claims) alone (default 1)",
    )
    p.add_argument(
        "--variant-shares",
        metavar="FILE",
        help='generator 2: JSON {"typology": {"variant": share}} overriding the default shares',
    )
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="TYPOLOGY.VARIANT=SHARE",
        help="generator 2: one variant's share (repeatable; applied after --variant-shares)",
    )
    p.add_argument("-o", "--events", default="-", help="events file (JSON lines), or - for stdout (default)")
    p.add_argument("--labels", help="labels file (default labels.jsonl beside the events file; see --claims)")
    p.add_argument(
        "--claims",
        help="recovery claims file (default claims.jsonl beside the events; here when they go to stdout)",
    )
    p.add_argument("--parquet", help="also write the events as Parquet to this file")
    p.add_argument("--lists", default=str(DEFAULT_LISTS), help=f"reference lists (default {DEFAULT_LISTS})")
    p.set_defaults(func=cmd_sim)
    leakage.add_parser(p)


def _config(args: argparse.Namespace) -> SimConfig:
    start = START
    if args.start:
        try:
            start = datetime.fromisoformat(args.start.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidInput(f"{args.start!r} is not an ISO 8601 time ({exc})", field="start") from exc
    return SimConfig(
        accounts=args.accounts,
        days=args.days,
        seed=args.seed,
        start=start,
        drift=args.drift,
        crime_scale=args.crime_scale,
        generator=args.generator,
        history_days=args.history_days,
        claims_scale=args.claims_scale,
        variants=_variants(args.variant_shares, args.variant),
    )


def _variants(path: str | None, pairs: list[str]) -> dict[str, dict[str, float]]:
    """Variant shares from a JSON file, then from ``TYPOLOGY.VARIANT=SHARE`` arguments."""
    table: dict[str, dict[str, float]] = {}
    if path:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="variant_shares") from exc
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path} is not JSON ({exc})", field="variant_shares") from exc
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise InvalidInput(
                f'{path} must be an object of objects: {{"typology": {{"variant": share}}}}',
                field="variant_shares",
            )
        table = {str(t): dict(v) for t, v in data.items()}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        typology, dot, variant = name.partition(".")
        if not sep or not dot or not typology or not variant:
            raise InvalidInput(f"{pair!r} is not TYPOLOGY.VARIANT=SHARE", field="variant")
        try:
            share = float(value)
        except ValueError as exc:
            raise InvalidInput(f"{pair!r}: share {value!r} is not a number", field="variant") from exc
        table.setdefault(typology, {})[variant] = share
    return table


def _beside_events(args: argparse.Namespace, given: str | None, name: str) -> str:
    """An output file the user did not name goes beside the events file, not into the working directory."""
    if given:
        return given
    if args.events == "-":
        return name
    return str(Path(args.events).parent / name)


def cmd_sim(args: argparse.Namespace) -> int:
    config = _config(args)
    args.labels = _beside_events(args, args.labels, "labels.jsonl")
    args.claims = _beside_events(args, args.claims, "claims.jsonl")
    began = time.perf_counter()

    def progress(events: int, hours: int) -> None:
        if hours and hours % 24 == 0:
            rate = events / max(1e-9, time.perf_counter() - began)
            print(f"vigil sim: day {hours // 24}, {events:,} events ({rate:,.0f}/s)", file=sys.stderr)

    with (
        open_output(args.events) as events,
        open_output(args.labels) as labels,
        open_output(args.claims) as claims,
    ):
        summary = write_simulation(
            config,
            events,
            labels,
            claims,
            parquet=Path(args.parquet) if args.parquet else None,
            lists=Path(args.lists),
            progress=progress,
        )
    episodes = ", ".join(f"{k} {v}" for k, v in sorted(summary.episodes.items()))
    print(
        f"vigil sim: {summary.events:,} events, {summary.accounts:,} accounts, "
        f"{summary.labels:,} labelled events, {summary.claims:,} recovery claims in {summary.seconds:.1f} s "
        f"({summary.events / max(summary.seconds, 1e-9):,.0f} events/s)\nepisodes: {episodes or 'none'}",
        file=sys.stderr,
    )
    return 0
