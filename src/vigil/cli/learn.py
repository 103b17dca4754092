"""``vigil labels``, ``vigil train`` and ``vigil drift``: the learning loop (``vigil models``: cli/models.py).

``labels import FILE`` adds the simulator's labels (case dispositions will add theirs through the same
port). ``train`` replays the database's history through the engine's feature catalog (progress on
stderr) and fits a model (every region, or ``--region R`` for a regional challenger) with thresholds
chosen for the budgets (settings ``VIGIL_ML_*``, or flags), and prints each region's operating point and
what it costs; ``--promote`` then compares it with the champion and records it only when it is better.
``drift`` compares the features and scores of a recent window with an earlier one, per region.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from typing import ClassVar

import msgspec
import numpy as np

from vigil import bootstrap
from vigil.cli.streams import StatusLine, db_settings, instant, print_json
from vigil.evaluation.jsonl import read_blocks
from vigil.evaluation.records import LabelRecord
from vigil.learning.budgets import goal_of, parse_override
from vigil.learning.report import operating_points, unmet
from vigil.learning.service import DAY_US, Learning, Windows
from vigil.ml.drift import SCORE, alerts, drift_report, format_report
from vigil.ml.thresholds import Goal
from vigil.model.learning import GLOBAL, Label
from vigil.settings import Settings

_LABELS = msgspec.json.Decoder(LabelRecord)


def db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="database (default: $VIGIL_DB or .vigil/vigil.db)")


def window_options(p: argparse.ArgumentParser) -> None:
    """The training windows, cut from the end of the history (docs/ml.md)."""
    p.add_argument("--calibration-days", type=float, default=3.0, help="calibration window (default 3)")
    p.add_argument("--holdout-days", type=float, default=3.0, help="held-out window (default 3)")
    p.add_argument("--training-days", type=float, default=None, help="training window (default all)")
    p.add_argument("--min-illicit", type=int, default=30, help="illicit events training needs (30)")
    p.add_argument(
        "--until", type=instant, default=None, help="end of the held-out window, ISO 8601 (the last event)"
    )


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = db_option
    labels = sub.add_parser("labels", help="labels on events, for training")
    lcmd = labels.add_subparsers(dest="labels_command", required=True)
    imp = lcmd.add_parser("import", help="add the simulator's labels (JSON lines from vigil sim --labels)")
    imp.add_argument("file")
    imp.add_argument("--source", default="simulator", help="who labelled them (default: simulator)")
    db(imp)
    imp.set_defaults(func=cmd_labels_import)

    train = sub.add_parser("train", help="train a model on the database's labelled history")
    train.add_argument("--region", help="train a regional challenger on this region's events")
    train.add_argument(
        "--promote", action="store_true", help="then compare with the champion; promote it if better"
    )
    train.add_argument(
        "--max-held",
        type=float,
        default=None,
        help="share of legitimate withdrawals held ($VIGIL_ML_MAX_HELD)",
    )
    train.add_argument(
        "--max-false-alerts",
        type=float,
        default=None,
        help="false alerts per 1,000 active account-days ($VIGIL_ML_MAX_FALSE_ALERTS)",
    )
    train.add_argument(
        "--budget",
        action="append",
        default=[],
        metavar="REGION:KEY=VALUE[,KEY=VALUE]",
        help="a region's own budget (keys max_held, max_false_alerts); repeatable",
    )
    window_options(train)
    db(train)
    train.set_defaults(func=cmd_train)

    drift = sub.add_parser("drift", help="population stability of features and scores, per region")
    drift.add_argument("--days", type=float, default=7.0, help="the current window (default 7 days)")
    drift.add_argument("--reference-days", type=float, default=7.0, help="the window before it (7 days)")
    drift.add_argument("--threshold", type=float, default=0.25, help="alert at this PSI (default 0.25)")
    drift.add_argument(
        "--until", type=instant, default=None, help="end of the current window (the last event)"
    )
    drift.add_argument("--json", action="store_true")
    db(drift)
    drift.set_defaults(func=cmd_drift)


def open_learning(settings: Settings, args: argparse.Namespace) -> tuple[Learning, bootstrap.Stores]:
    opened = bootstrap.stores(settings)
    registry = opened.models or bootstrap.model_registry(settings)
    learning = bootstrap.learning(settings, opened.journal, bootstrap.label_store(settings), registry)
    if hasattr(args, "calibration_days"):
        learning.windows = Windows(
            calibration_days=args.calibration_days,
            holdout_days=args.holdout_days,
            training_days=args.training_days,
            min_illicit=args.min_illicit,
            until_us=args.until,
        )
    return learning, opened


def cmd_labels_import(args: argparse.Namespace) -> int:
    settings = db_settings(args.db)
    store = bootstrap.label_store(settings)
    now = time.time_ns() // 1000
    added = 0
    try:
        for block in read_blocks(args.file, _LABELS):
            added += store.add(
                [Label(r.event_id, r.account_id, True, r.typology, args.source, now) for r in block.records]
            )
        print(f"{added:,} labels added from {args.file} ({store.count():,} in the database)")
    finally:
        store.close()
    return 0


def goal_from(settings: Settings, args: argparse.Namespace) -> Goal:
    """The budgets: settings, overridden by the flags given."""
    return goal_of(
        settings.ml_max_held if args.max_held is None else args.max_held,
        settings.ml_max_false_alerts if args.max_false_alerts is None else args.max_false_alerts,
        settings.ml_budgets,
        [parse_override(text) for text in args.budget],
    )


class TrainProgress:
    """``vigil train``'s progress on stderr: a line per finished stage, and a live one on a terminal."""

    SENTENCES: ClassVar[dict[str, str]] = {
        "replaying": "replayed the journal",
        "fitting": "fitted",
        "calibrating": "calibrated",
    }

    def __init__(self) -> None:
        self.status = StatusLine()
        self.stage: str | None = None
        self.began = time.perf_counter()
        self.done_ = 0
        self.total = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.finish()
            self.stage, self.began = stage, time.perf_counter()
            if stage != "replaying" and self.status.enabled:  # shown at once, not rate-limited
                sys.stderr.write(f"\rvigil train: {stage} on {done:,} events...")
                sys.stderr.flush()
        self.done_, self.total = done, total
        if stage == "replaying":
            self.status.show(
                f"vigil train: replaying the journal, {done:,} of {total:,} events ({self._rate():,.0f}/s)"
            )

    def _rate(self) -> float:
        return self.done_ / max(time.perf_counter() - self.began, 1e-9)

    def finish(self) -> None:
        """Close the current stage with a line that says what it did and how long it took."""
        if self.stage is None:
            return
        self.status.done()
        took = time.perf_counter() - self.began
        what = f"{self.SENTENCES.get(self.stage, self.stage)}: {self.done_:,} events in {took:.1f} s"
        if self.stage == "replaying":
            what += f" ({self._rate():,.0f}/s)"
        sys.stderr.write(f"vigil train: {what}\n")
        self.stage = None


def cmd_train(args: argparse.Namespace) -> int:
    settings = db_settings(args.db)
    goal = goal_from(settings, args)
    learning, opened = open_learning(settings, args)
    try:
        began = time.perf_counter()
        progress = TrainProgress()
        try:
            trained = learning.train(region=args.region, goal=goal, progress=progress)
        finally:
            progress.finish()
        took = time.perf_counter() - began
        w = trained.windows["training"]
        ap = trained.metrics.get("holdout_ap")
        print(
            f"trained {trained.model_id} in {took:.1f} s: {w['rows']:,} events, {w['illicit']:,} illicit; "
            f"held-out AP {'-' if ap is None else f'{ap:.4f}'} ({trained.windows['holdout']['rows']:,} "
            f"held-out events of {'every region' if trained.region == GLOBAL else trained.region})"
        )
        print("\n".join(operating_points(trained)))
        missed = unmet(trained)
        if missed:
            print(
                f"vigil train: budgets NOT met on the calibration window in {', '.join(missed)}: "
                "the closest operating points are shown and recorded",
                file=sys.stderr,
            )
        if args.promote:
            return compare(learning, args.region or GLOBAL, trained.model_id, promote=True)
        return 0
    finally:
        learning.labels.close()
        opened.close()


def compare(learning: Learning, region: str, challenger: str, *, promote: bool) -> int:
    comparison = learning.compare(region, challenger)
    print(comparison.sentence())
    if promote:
        done = learning.promote(comparison, by="vigil models compare --promote")
        print(f"promoted {challenger} for {region}" if done else "not promoted: the champion stays")
    return 0


def cmd_drift(args: argparse.Namespace) -> int:
    settings = db_settings(args.db)
    learning, opened = open_learning(settings, args)
    try:
        rows = learning.rows()
        end = args.until or int(rows.ts_us.max()) + 1
        start = end - int(args.days * DAY_US)
        reference = rows.window(start - int(args.reference_days * DAY_US), start)
        current = rows.window(start, end)
        ref_scores = learning.serving_scores(reference)
        cur_scores = learning.serving_scores(current)
        unscored = ref_scores is None or cur_scores is None
        report = drift_report(
            reference.x,
            reference.regions,
            np.full(len(reference), np.nan) if ref_scores is None else ref_scores,
            current.x,
            current.regions,
            np.full(len(current), np.nan) if cur_scores is None else cur_scores,
            rows.names,
        )
        if unscored:  # no model serves: there is no score to compare, only features
            report = [r for r in report if r.name != SCORE]
            print("no model serves yet: features only (vigil train --promote)", file=sys.stderr)
        if args.json:
            print_json([dataclasses.asdict(r) for r in report])
        else:
            print(format_report(report))
        return 3 if alerts(report, threshold=args.threshold) else 0
    finally:
        learning.labels.close()
        opened.close()
