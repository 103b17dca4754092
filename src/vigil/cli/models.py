"""``vigil models``: the model registry: list, compare (and promote when better), export and import.

``list`` shows each model's held-out AP (on the rows ``compare`` judges it on: its region's), and with
``--json`` its goal and each region's thresholds with their budget and cost. ``compare REGION MODEL``
scores the region's champion and a challenger on the latest held-out window, and ``--promote`` records
the challenger as the region's model only when it is better. ``export`` writes LightGBM's model file
and the JSON sidecar; ``import`` checks them against the running catalog.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from vigil import bootstrap
from vigil.cli.learn import compare, db_option, open_learning, window_options
from vigil.cli.streams import db_settings, print_json
from vigil.errors import ArtifactMismatch, ConfigError, Conflict, NotFound
from vigil.features import default_catalog
from vigil.ml.artifact import load
from vigil.ml.dataset import columns
from vigil.model.learning import ModelVersion, Promotion


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    models = sub.add_parser("models", help="the model registry")
    mcmd = models.add_subparsers(dest="models_command", required=True)
    ls = mcmd.add_parser("list", help="every model version, and which serves each region")
    ls.add_argument("--json", action="store_true")
    db_option(ls)
    ls.set_defaults(func=cmd_models_list)
    cmp = mcmd.add_parser("compare", help="champion vs challenger on the region's held-out window")
    cmp.add_argument("region")
    cmp.add_argument("challenger", help="model id (vigil models list)")
    cmp.add_argument("--promote", action="store_true", help="record the challenger if it is better")
    window_options(cmp)
    db_option(cmp)
    cmp.set_defaults(func=cmd_models_compare)

    exp = mcmd.add_parser("export", help="write a model as PREFIX.txt (LightGBM) and PREFIX.json (sidecar)")
    exp.add_argument("model_id")
    exp.add_argument("prefix")
    db_option(exp)
    exp.set_defaults(func=cmd_models_export)
    imp2 = mcmd.add_parser("import", help="add an exported model (PREFIX.txt + PREFIX.json) to the registry")
    imp2.add_argument("prefix")
    imp2.add_argument("--serve", metavar="REGION", help="serve it in REGION (only where no model serves yet)")
    db_option(imp2)
    imp2.set_defaults(func=cmd_models_import)


def cmd_models_compare(args: argparse.Namespace) -> int:
    learning, opened = open_learning(db_settings(args.db), args)
    try:
        return compare(learning, args.region, args.challenger, promote=args.promote)
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
                    "holdout_rows": side.get("windows", {}).get("holdout", {}).get("rows"),
                    "goal": side.get("goal"),
                    "thresholds": side.get("thresholds", {}),
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
