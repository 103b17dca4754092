"""``vigil eval``: score a run's decisions against the simulator's labels.

One library call (``load`` then ``evaluate``) plus its I/O: the table on stdout, the JSON report
and the charts where asked, progress and timings on stderr. Bad input raises ``InvalidInput``
(exit code 2 in ``vigil.cli.main``); a file that cannot be read or written is a ``ConfigError``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from vigil.cli.streams import StatusLine
from vigil.errors import ConfigError
from vigil.evaluation import Window, encode_report, evaluate, load, render_table, write_charts
from vigil.evaluation.cases import CASE_GAP_DAYS


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``eval`` on the ``vigil`` command's subparsers."""
    p = sub.add_parser(
        "eval",
        help="score decisions against the simulator's labels: recall, precision, value stopped, friction",
        description="Score decisions (vigil replay) against the simulator's labels; see docs/evaluation.md.",
    )
    p.add_argument("--events", required=True, help="the events file (JSON lines) the decisions were made on")
    p.add_argument("--decisions", required=True, help="the decisions file written by `vigil replay`")
    p.add_argument("--labels", required=True, help="the simulator's labels file (JSON lines)")
    p.add_argument(
        "--since",
        metavar="INSTANT",
        help="judge only events at or after this ISO 8601 instant (or date: midnight UTC); "
        "default: the run's first busy day, leaving the simulator's history out",
    )
    p.add_argument(
        "--until", metavar="INSTANT", help="judge only events before this ISO 8601 instant (or date)"
    )
    p.add_argument(
        "--case-gap-days",
        type=float,
        default=CASE_GAP_DAYS,
        metavar="N",
        help="an account's alert more than N days after its previous one opens a new case "
        f"(default {CASE_GAP_DAYS:g})",
    )
    p.add_argument("--json", metavar="REPORT.json", help="also write the report as JSON")
    p.add_argument(
        "--charts", metavar="DIR", help="also write precision_recall.png and value_vs_friction.png into DIR"
    )
    p.set_defaults(func=cmd_eval)


def cmd_eval(args: argparse.Namespace) -> int:
    """Load, evaluate, print the table; write the JSON and charts if asked."""
    window = Window.parse(args.since, args.until)
    started = time.perf_counter()
    status = StatusLine()

    read: dict[str, int] = {}

    def progress(file: str, rows: int) -> None:
        read[file] = rows
        status.show(f"{file}: {rows:>12,} rows")

    try:
        data = load(args.events, args.decisions, args.labels, progress=progress, window=window)
    finally:
        status.done()
    loaded = time.perf_counter()
    decisions = int((data.outcome >= 0).sum())
    left_out = data.judged.before.events + data.judged.after.events
    lines, seconds = sum(read.values()), loaded - started
    info(
        f"read {lines:,} lines in {seconds:.1f} s ({lines / max(seconds, 1e-9):,.0f} lines/s); "
        f"judged {data.n_events:,} events, {decisions:,} decisions and {data.n_labels:,} labels"
        + (f" ({left_out:,} events outside the window left out)" if left_out else "")
    )
    report = evaluate(data, case_gap_days=args.case_gap_days)
    info(f"evaluated in {time.perf_counter() - loaded:.1f} s")
    if report.counts.undecided_events:
        info(f"note: {report.counts.undecided_events:,} events have no decision in {args.decisions}")
    sys.stdout.write(render_table(report))
    sys.stdout.flush()
    if args.json:
        _write(Path(args.json), encode_report(report))
        info(f"report written to {args.json}")
    if args.charts:
        try:
            paths = write_charts(report, args.charts)
        except OSError as exc:
            raise ConfigError(f"cannot write charts into {args.charts}: {exc.strerror or exc}") from None
        info("charts written: " + ", ".join(str(p) for p in paths))
    return 0


def info(message: str) -> None:
    print(message, file=sys.stderr)


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
