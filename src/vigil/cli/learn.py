"""``vigil labels``, ``vigil train``, ``vigil models`` and ``vigil drift``: the learning loop.

``labels import FILE`` adds the simulator's labels (case dispositions will add theirs through the same
port). ``train`` replays the database's history through the engine's feature catalog and fits a model
(every region, or ``--region R`` for a regional challenger). ``models compare REGION MODEL`` scores
the region's champion and a challenger on the latest held-out window, and ``--promote`` records the
challenger as the region's model only when it is better. ``drift`` compares the features and scores of
a recent window with an earlier one, per region.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import numpy as np

from vigil import bootstrap
from vigil.cli.streams import db_settings, print_json
from vigil.errors import ArtifactMismatch, ConfigError, Conflict, NotFound
from vigil.evaluation.jsonl import read_blocks
from vigil.evaluation.records import LabelRecord
from vigil.features import default_catalog
from vigil.learning.service import DAY_US, Learning, Windows
from vigil.ml.artifact import load
from vigil.ml.dataset import columns
from vigil.ml.drift import SCORE, alerts, drift_report, format_report
from vigil.model.learning import GLOBAL, Label, ModelVersion, Promotion
from vigil.settings import Settings

_LABELS = msgspec.json.Decoder(LabelRecord)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    def db(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="database (default: $VIGIL_DB or .vigil/vigil.db)")

    labels = sub.add_parser("labels", help="labels on events, for training")
    lcmd = labels.add_subparsers(dest="labels_command", required=True)
    imp = lcmd.add_parser("import", help="add the simulator's labels (JSON lines from vigil sim --labels)")
    imp.add_argument("file")
    imp.add_argument("--source", default="simulator", help="who labelled them (default: simulator)")
    db(imp)
    imp.set_defaults(func=cmd_labels_import)

    def windows(p: argparse.ArgumentParser) -> None:
        p.add_argument("--calibration-days", type=float, default=3.0, help="calibration window (default 3)")
        p.add_argument("--holdout-days", type=float, default=3.0, help="held-out window (default 3)")
        p.add_argument("--training-days", type=float, default=None, help="training window (default all)")
        p.add_argument("--min-illicit", type=int, default=30, help="illicit events training needs (30)")
        p.add_argument(
            "--until",
            type=_instant,
            default=None,
            help="end of the held-out window, ISO 8601 (default: the last event)",
        )

    train = sub.add_parser("train", help="train a model on the database's labelled history")
    train.add_argument("--region", help="train a regional challenger on this region's events")
    train.add_argument(
        "--promote", action="store_true", help="then compare with the champion; promote it if better"
    )
    windows(train)
    db(train)
    train.set_defaults(func=cmd_train)

    models = sub.add_parser("models", help="the model registry")
    mcmd = models.add_subparsers(dest="models_command", required=True)
    ls = mcmd.add_parser("list", help="every model version, and which serves each region")
    ls.add_argument("--json", action="store_true")
    db(ls)
    ls.set_defaults(func=cmd_models_list)
    cmp = mcmd.add_parser("compare", help="champion vs challenger on the region's held-out window")
    cmp.add_argument("region")
    cmp.add_argument("challenger", help="model id (vigil models list)")
    cmp.add_argument("--promote", action="store_true", help="record the challenger if it is better")
    windows(cmp)
    db(cmp)
    cmp.set_defaults(func=cmd_models_compare)

    exp = mcmd.add_parser("export", help="write a model as PREFIX.txt (LightGBM) and PREFIX.json (sidecar)")
    exp.add_argument("model_id")
    exp.add_argument("prefix")
    db(exp)
    exp.set_defaults(func=cmd_models_export)
    imp2 = mcmd.add_parser("import", help="add an exported model (PREFIX.txt + PREFIX.json) to the registry")
    imp2.add_argument("prefix")
    imp2.add_argument("--serve", metavar="REGION", help="serve it in REGION (only where no model serves yet)")
    db(imp2)
    imp2.set_defaults(func=cmd_models_import)

    drift = sub.add_parser("drift", help="population stability of features and scores, per region")
    drift.add_argument("--days", type=float, default=7.0, help="the current window (default 7 days)")
    drift.add_argument("--reference-days", type=float, default=7.0, help="the window before it (7 days)")
    drift.add_argument("--threshold", type=float, default=0.25, help="alert at this PSI (default 0.25)")
    drift.add_argument(
        "--until", type=_instant, default=None, help="end of the current window (the last event)"
    )
    drift.add_argument("--json", action="store_true")
    db(drift)
    drift.set_defaults(func=cmd_drift)


def _instant(text: str) -> int:
    """An ISO 8601 instant with a timezone, in µs since the epoch (argparse names the option on error)."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 instant: {text!r}") from None
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a timezone (Z or +hh:mm): {text!r}")
    return (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _learning(settings: Settings, args: argparse.Namespace) -> tuple[Learning, bootstrap.Stores]:
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


def cmd_train(args: argparse.Namespace) -> int:
    learning, opened = _learning(db_settings(args.db), args)
    try:
        began = time.perf_counter()
        trained = learning.train(region=args.region)
        took = time.perf_counter() - began
        w = trained.windows["training"]
        print(
            f"trained {trained.model_id} in {took:.1f} s: {w['rows']:,} events, {w['illicit']:,} illicit; "
            f"held-out AP {trained.metrics.get('holdout_ap', float('nan')):.4f}"
        )
        for region, cut in sorted(trained.cuts.items()):
            print(
                f"  {region:8} review at p >= {cut.review:.4f}, hold at p >= {cut.hold:.4f}: "
                f"{cut.legit_held:.3%} of legitimate withdrawals held, {cut.illicit_caught:.1%} of "
                f"illicit events reviewed or held{'' if cut.own else ' (global thresholds)'}"
            )
        if args.promote:
            return _compare(learning, args.region or GLOBAL, trained.model_id, promote=True)
        return 0
    finally:
        learning.labels.close()
        opened.close()


def _compare(learning: Learning, region: str, challenger: str, *, promote: bool) -> int:
    comparison = learning.compare(region, challenger)
    print(comparison.sentence())
    if promote:
        done = learning.promote(comparison, by="vigil models compare --promote")
        print(f"promoted {challenger} for {region}" if done else "not promoted: the champion stays")
    return 0


def cmd_models_compare(args: argparse.Namespace) -> int:
    learning, opened = _learning(db_settings(args.db), args)
    try:
        return _compare(learning, args.region, args.challenger, promote=args.promote)
    finally:
        learning.labels.close()
        opened.close()


def cmd_models_list(args: argparse.Namespace) -> int:
    settings = db_settings(args.db)
    registry = bootstrap.model_registry(settings)
    try:
        serving = registry.serving()
        rows = []
        for v in registry.versions():
            side = json.loads(v.sidecar)
            rows.append(
                {
                    "model_id": v.model_id,
                    "region": v.region,
                    "catalog": v.catalog_hash,
                    "holdout_ap": side.get("metrics", {}).get("holdout_ap"),
                    "serves": sorted(r for r, m in serving.items() if m == v.model_id),
                }
            )
        if args.json:
            history = [dataclasses.asdict(p) for p in registry.promotions()]
            print_json({"models": rows, "promotions": history})
            return 0
        for r in rows:
            ap = "-" if r["holdout_ap"] is None else f"{r['holdout_ap']:.4f}"
            serves = ", ".join(r["serves"]) or "-"
            print(f"{r['model_id']:28} {r['region']:8} AP {ap:7} serves {serves}")
        if not rows:
            print("no models yet: vigil train")
        return 0
    finally:
        registry.close()


def cmd_models_export(args: argparse.Namespace) -> int:
    registry = bootstrap.model_registry(db_settings(args.db))
    try:
        version = registry.get(args.model_id)
        if version is None:
            raise NotFound(f"no model {args.model_id!r} in the registry (vigil models list)")
        text, side = Path(args.prefix + ".txt"), Path(args.prefix + ".json")
        try:
            text.write_text(version.model_text)
            side.write_text(version.sidecar)
        except OSError as e:
            raise ConfigError(f"cannot write {args.prefix}.*: {e.strerror}") from None
        print(f"wrote {text} and {side}")
        return 0
    finally:
        registry.close()


def cmd_models_import(args: argparse.Namespace) -> int:
    settings = db_settings(args.db)
    try:
        model_text = Path(args.prefix + ".txt").read_text()
        sidecar = Path(args.prefix + ".json").read_text()
    except OSError as e:
        raise ConfigError(f"cannot read {e.filename}: {e.strerror}") from None
    try:
        side = json.loads(sidecar)
        version = ModelVersion(
            model_id=str(side["model_id"]),
            region=str(side["region"]),
            created_us=int(side["created_us"]),
            catalog_hash=str(side["catalog_hash"]),
            model_text=model_text,
            sidecar=sidecar,
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
        raise ArtifactMismatch(f"{args.prefix}.json is not a model sidecar ({e})", field="sidecar") from None
    catalog = default_catalog(graph=settings.graph, hub_limit=settings.graph_hub_limit)
    load(version, catalog_hash=catalog.hash, columns=columns(catalog))  # refuses a mismatch, by name
    registry = bootstrap.model_registry(settings)
    try:
        registry.add(version)
        print(f"added {version.model_id} ({version.region})")
        if args.serve:
            serving = registry.serving().get(args.serve)
            if serving is not None:
                raise Conflict(
                    f"{args.serve} is served by {serving}: compare first (vigil models compare "
                    f"{args.serve} {version.model_id} --promote)"
                )
            registry.promote(
                Promotion(
                    region=args.serve,
                    model_id=version.model_id,
                    at_us=time.time_ns() // 1000,
                    by="vigil models import --serve",
                    reason=f"imported from {args.prefix}.*; no model served {args.serve}",
                )
            )
            print(f"{version.model_id} serves {args.serve}")
        return 0
    finally:
        registry.close()


def cmd_drift(args: argparse.Namespace) -> int:
    settings = db_settings(args.db)
    learning, opened = _learning(settings, args)
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
