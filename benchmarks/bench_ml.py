"""Rules only against rules + model on a simulated exchange, a regional challenger under drift, and the
model's costs.

Three parts, each printing its figures (nothing is asserted):

1. ``compare`` (default): ``vigil sim`` (``--accounts``, ``--days``), then ``vigil replay`` with the rules
   only into one database; ``vigil labels import`` and ``vigil train --promote`` there (windows cut from
   the end: the last ``--test-days`` are the test window, the ``--calibration-days`` before them
   calibrate, everything earlier trains); the model is exported and imported into a second database
   and the stream replayed again with rules + model. ``vigil eval`` then judges both runs on the test
   window only (events, decisions and labels after the cut): recall and precision per typology, illicit
   value stopped, friction to honest users.
2. ``drift``: a second simulation with ``--drift 1`` (each region's typology mix moves over the run); a
   global champion, then a challenger per ``--regions`` trained on that region's last
   ``--recent-days``; both scored by average precision on each region's held-out window (the last
   ``--test-days``): the challenger's own region, and every other region (where it would not serve).
3. ``costs``: the time to build the training set (replaying the journal through the catalog) and to fit
   on one million labelled rows (drawn with replacement from the run's rows when it has fewer), and the
   model's share of the engine's time per scored event (``Scorer.score``, p50/p99).

Run: ``.venv/bin/python benchmarks/bench_ml.py [--parts compare,drift,costs] [--workdir DIR]`` (the default
50,000 accounts x 21 days takes about an hour on 2 cores; ``--quick`` is a smoke run of minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from vigil.adapters.sqlite import SqliteJournal
from vigil.adapters.sqlite_learning import SqliteLabelStore, SqliteModelRegistry
from vigil.features import context_of, default_catalog
from vigil.learning.service import DAY_US, Learning, Windows
from vigil.ml.artifact import load
from vigil.ml.dataset import SCORED, describer, row_of
from vigil.ml.explain import reasons
from vigil.ml.metrics import average_precision
from vigil.ml.model import RiskModel
from vigil.ml.scorer import Scorer
from vigil.model.learning import GLOBAL
from vigil.sim import SimConfig

VIGIL = [sys.executable, "-m", "vigil.cli.main"]
LISTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "lists"


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def run(*args: str, env: dict[str, str] | None = None) -> str:
    log("$ vigil " + " ".join(args))
    began = time.perf_counter()
    done = subprocess.run([*VIGIL, *args], capture_output=True, text=True, env=env, check=False)
    if done.returncode not in (0, 3):
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"vigil {args[0]} failed ({done.returncode})")
    log(f"  {time.perf_counter() - began:.0f} s")
    return done.stdout


class _Stamp(msgspec.Struct):
    event_id: str
    ts: str


class _Id(msgspec.Struct):
    event_id: str


def cut_files(d: Path, tag: str, cut_us: int) -> tuple[Path, Path, Path]:
    """The events, decisions and labels of the test window (events at or after ``cut_us``)."""
    stamp, ident = msgspec.json.Decoder(_Stamp), msgspec.json.Decoder(_Id)
    keep: set[str] = set()
    out = (d / "test-events.jsonl", d / f"test-decisions-{tag}.jsonl", d / "test-labels.jsonl")
    with (d / "events.jsonl").open("rb") as src, out[0].open("wb") as dst:
        for line in src:
            e = stamp.decode(line)
            if datetime.fromisoformat(e.ts).timestamp() * 1e6 >= cut_us:
                keep.add(e.event_id)
                dst.write(line)
    for name, target in ((f"decisions-{tag}.jsonl", out[1]), ("labels.jsonl", out[2])):
        with (d / name).open("rb") as src, target.open("wb") as dst:
            dst.writelines(line for line in src if ident.decode(line).event_id in keep)
    return out


def _run_end(args: argparse.Namespace) -> datetime:
    """The end of the simulated run: episodes still open then leave a few events later, which must not
    decide where the windows are cut."""
    return SimConfig().start + timedelta(days=args.days)


def _us(when: datetime) -> int:
    return (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def part_compare(args: argparse.Namespace, d: Path) -> dict[str, Any]:
    if not (d / "events.jsonl").exists():
        run(
            "sim", "--accounts", str(args.accounts), "--days", str(args.days), "--seed", str(args.seed),
            "-o", str(d / "events.jsonl"), "--labels", str(d / "labels.jsonl"),
            "--claims", str(d / "claims.jsonl"), "--lists", str(args.lists),
        )  # fmt: skip
    a, b = d / "rules.db", d / "model.db"
    if not (d / "decisions-rules.jsonl").exists():
        a.unlink(missing_ok=True)
        run("replay", str(d / "events.jsonl"), "--db", str(a), "-o", str(d / "decisions-rules.jsonl"))
        run("labels", "import", str(d / "labels.jsonl"), "--db", str(a))
    until = _run_end(args)
    windows = [
        "--calibration-days", str(args.calibration_days), "--holdout-days", str(args.test_days),
        "--until", until.isoformat(),
    ]  # fmt: skip
    began = time.perf_counter()
    trained = run("train", "--db", str(a), "--promote", *windows)
    train_s = time.perf_counter() - began
    print(trained)
    model_id = trained.split()[1]
    run("models", "export", model_id, str(d / "model"), "--db", str(a))
    b.unlink(missing_ok=True)
    run("models", "import", str(d / "model"), "--db", str(b), "--serve", GLOBAL)
    began = time.perf_counter()
    run("replay", str(d / "events.jsonl"), "--db", str(b), "-o", str(d / "decisions-model.jsonl"))
    replay_s = time.perf_counter() - began
    cut = _us(until) - int(args.test_days * DAY_US)
    reports = {}
    for tag in ("rules", "model"):
        events, decisions, labels = cut_files(d, tag, cut)
        table = run(
            "eval", "--events", str(events), "--decisions", str(decisions), "--labels", str(labels),
            "--json", str(d / f"report-{tag}.json"),
        )  # fmt: skip
        title = "rules only" if tag == "rules" else "rules + model"
        print(f"\n== {title}, test window (last {args.test_days:g} days)")
        print(table)
        reports[tag] = json.loads((d / f"report-{tag}.json").read_text())
    return {"model_id": model_id, "train_cli_s": train_s, "replay_with_model_s": replay_s, "reports": reports}


def part_drift(args: argparse.Namespace, d: Path) -> dict[str, Any]:
    dd = d / "drift"
    dd.mkdir(exist_ok=True)
    db = dd / "drift.db"
    if not (dd / "events.jsonl").exists():
        run(
            "sim", "--accounts", str(args.accounts), "--days", str(args.days), "--seed", str(args.seed + 1),
            "--drift", "1", "-o", str(dd / "events.jsonl"), "--labels", str(dd / "labels.jsonl"),
            "--lists", str(args.lists),
        )  # fmt: skip
        db.unlink(missing_ok=True)
        run("replay", str(dd / "events.jsonl"), "--db", str(db), "-o", str(dd / "decisions.jsonl"))
        run("labels", "import", str(dd / "labels.jsonl"), "--db", str(db))
    journal, labels, registry = SqliteJournal(db), SqliteLabelStore(db), SqliteModelRegistry(db)
    windows = Windows(
        calibration_days=args.calibration_days,
        holdout_days=args.test_days,
        min_illicit=20,
        until_us=_us(_run_end(args)),
    )
    learning = Learning(journal, labels, registry, default_catalog, windows=windows)
    log("drift: replaying the journal into a training set ...")
    rows = learning.rows()
    champion = learning.train()
    _, holdout_at, end = learning.cuts()
    held = rows.window(holdout_at, end)
    result: dict[str, Any] = {"champion": champion.model_id, "regions": {}}
    print(f"\n== drift: global champion {champion.model_id}; held-out window = last {args.test_days:g} days")
    recent = Windows(
        calibration_days=args.calibration_days,
        holdout_days=args.test_days,
        training_days=args.recent_days,
        min_illicit=20,
        until_us=_us(_run_end(args)),
    )
    for region in args.regions.split(","):
        learning.windows = recent
        try:
            challenger = learning.train(region=region)
        except Exception as e:  # noqa: BLE001 - a region without enough labels is a figure too
            print(f"  {region}: no challenger ({e})")
            continue
        learning.windows = windows
        per: dict[str, dict[str, float]] = {}
        for other in sorted(set(held.regions.tolist())):
            mask = held.regions == other
            if held.y[mask].sum() == 0:
                continue
            x, y = held.x[mask], held.y[mask]
            per[other] = {
                "champion_ap": average_precision(y, champion.model.probability(x)),
                "challenger_ap": average_precision(y, challenger.model.probability(x)),
                "events": float(mask.sum()),
                "illicit": float(y.sum()),
            }
        mine = per.get(region)
        if mine:
            print(
                f"  {region}: challenger trained on its last {args.recent_days:g} days "
                f"({challenger.windows['training']['illicit']} illicit) AP {mine['challenger_ap']:.4f} vs "
                f"champion {mine['champion_ap']:.4f} on {region}'s held-out window "
                f"({mine['illicit']:.0f} illicit of {mine['events']:,.0f})"
            )
        others = [
            f"{o} {v['challenger_ap']:.3f}/{v['champion_ap']:.3f}" for o, v in per.items() if o != region
        ]
        print(f"    elsewhere (challenger/champion AP; it would not serve there): {', '.join(others)}")
        result["regions"][region] = {"challenger": challenger.model_id, "ap": per}
    for store in (journal, labels, registry):
        store.close()
    return result


def part_costs(args: argparse.Namespace, d: Path) -> dict[str, Any]:
    db = d / "rules.db"
    journal, labels, registry = SqliteJournal(db), SqliteLabelStore(db), SqliteModelRegistry(db)
    learning = Learning(journal, labels, registry, default_catalog)
    began = time.perf_counter()
    rows = learning.rows()
    build_s = time.perf_counter() - began
    n = 1_000_000
    pick = np.random.default_rng(args.seed).choice(len(rows), size=n, replace=len(rows) < n)
    pick.sort()
    began = time.perf_counter()
    RiskModel().fit(rows.x[pick], rows.y[pick], rows.names)
    fit_s = time.perf_counter() - began
    print(
        f"\n== costs: training set of {len(rows):,} scored events (of {journal.count():,}) built in "
        f"{build_s:.0f} s ({journal.count() / build_s:,.0f} events/s); fit on {n:,} rows: {fit_s:.1f} s"
    )
    serving = registry.serving()
    figures: dict[str, Any] = {"build_s": build_s, "rows": len(rows), "fit_1m_s": fit_s}
    if GLOBAL in serving:
        version = registry.get(serving[GLOBAL])
        assert version is not None
        catalog = default_catalog()
        trained = load(version, catalog_hash=catalog.hash, columns=rows.names)
        scorer = Scorer({GLOBAL: trained}, describer(catalog))
        loaded = scorer._model_for(GLOBAL)  # the serving model's parts, timed one by one
        assert loaded is not None
        parts: dict[str, list[int]] = {"row": [], "model": [], "reasons": [], "score": []}
        clock = time.perf_counter_ns
        for k, (event, _) in enumerate(journal.decided()):
            vector = catalog.observe(context_of(event, event.network))
            if event.TYPE not in SCORED:
                continue
            t0 = clock()
            row = row_of(vector, event, loaded.row)
            t1 = clock()
            shares = loaded.attribution.shares(loaded.fast.leaves(row))
            trained.model.calibrated(float(shares.sum()) + loaded.attribution.bias)
            t2 = clock()
            reasons(shares, row, trained.model.names_, loaded.codes, loaded.sentences, model_id="m")
            t3 = clock()
            scorer.score(vector, event)
            t4 = clock()
            for name, ns in (("row", t1 - t0), ("model", t2 - t1), ("reasons", t3 - t2), ("score", t4 - t3)):
                parts[name].append(ns)
            if k >= args.latency_events:
                break
        labels_ = {
            "row": "feature row (row_of: every catalog feature read)",
            "model": "model inference (leaf indices + path attribution + calibration)",
            "reasons": "reasons (top 3 shares to reason codes and sentences)",
            "score": "Scorer.score, all of it",
        }
        figures["latency_us"] = {}
        for name, values in parts.items():
            us = np.array(values) / 1000
            p50, p99 = float(np.percentile(us, 50)), float(np.percentile(us, 99))
            print(f"  {labels_[name]}: p50 {p50:.1f} µs, p99 {p99:.1f} µs over {len(us):,} scored events")
            figures["latency_us"][name] = {"p50": p50, "p99": p99}
    for store in (journal, labels, registry):
        store.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="compare,drift,costs")
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--days", type=float, default=21)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--test-days", type=float, default=4)
    parser.add_argument("--calibration-days", type=float, default=3)
    parser.add_argument("--recent-days", type=float, default=7, help="a challenger's training days")
    parser.add_argument("--regions", default="SEA,LATAM,ID", help="regions to train challengers for (drift)")
    parser.add_argument("--latency-events", type=int, default=300_000)
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here (default: temp)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--lists", type=Path, default=LISTS, help="the reference lists the simulator reads")
    parser.add_argument("--quick", action="store_true", help="5,000 accounts x 10 days")
    args = parser.parse_args()
    if args.quick:
        args.accounts, args.days, args.test_days, args.calibration_days = 5000, 10, 3, 2
        args.recent_days, args.latency_events = 5, 20_000
    print(
        f"vigil ML benchmark: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; {args.accounts:,} accounts x {args.days:g} days, "
        f"seed {args.seed}"
    )
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        d = args.workdir or Path(tmp)
        d.mkdir(parents=True, exist_ok=True)
        parts = {"compare": part_compare, "drift": part_drift, "costs": part_costs}
        for name in args.parts.split(","):
            figures[name] = parts[name](args, d)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
