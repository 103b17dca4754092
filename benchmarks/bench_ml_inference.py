"""Model inference per event: LightGBM's fast single-row path (``FastBooster``) against ``Booster.predict``.

Run ``.venv/bin/python benchmarks/bench_ml_inference.py [--trees 300] [--leaves 31] [--calls 100000]
[--json PATH]`` (about 8 minutes with the defaults, most of it exact contributions).

A model shaped like Vigil's is trained on synthetic data (seeded, not timed except as "training"):
60 float features, about 30% of the values missing (NaN), 200,000 rows, a binary label from a
non-trivial signal (linear terms, interactions, thresholds, informative missingness, noise columns);
LightGBM with ``--trees`` trees of ``--leaves`` leaves, learning rate 0.05, 2 threads. Rows are then
scored one at a time from held-out data, each call a different row array, in a seeded random order:

raw            ``FastBooster.raw``: the margin
raw, reused    ``FastBooster.raw`` on one row buffer refilled (untimed) before each call, as the engine's
               scorer does: the row's address is known, only its shape and dtype are checked
contributions  ``FastBooster.contributions``: exact TreeSHAP, ``n_features + 1`` values
raw + contrib  both calls for the same row, timed together: what an exactly explained score costs
leaves + path  ``FastBooster.leaves`` and ``PathAttribution.shares``: the engine's serving path (the
               per-feature shares by path attribution, whose sum with the bias is the margin)
predict        ``Booster.predict(row[None], raw_score=True)``, fewer calls (``--predict-calls``)
predict contr  ``Booster.predict(row[None], pred_contrib=True)``, the same number

Each path gets a warm-up (``--warmup`` calls, not recorded) and then ``--calls`` calls (``--contrib-calls``
for the two with contributions), each timed alone with ``time.perf_counter_ns``; figures are nearest-rank
percentiles in µs. The garbage collector is collected and frozen before the timed loops, as the service
does at start-up. One process, one thread for scoring (LightGBM's fast configs use ``num_threads=1``).
The target is "model inference <= 30 µs p50"; it is judged for raw and for raw + contributions and
printed as met or missed. Nothing is asserted. The machine is shared and noisy: trust ratios more than
absolute numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from vigil.ml.attribution import PathAttribution
from vigil.ml.fast import FastBooster

TARGET_P50_US = 30.0
FEATURES = 60
MISSING = 0.30
HELD_OUT = 20_000

Matrix = npt.NDArray[np.float64]
Row = npt.NDArray[np.float64]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    model = "unknown CPU"
    with contextlib.suppress(OSError):  # not Linux: platform.processor() below is all there is
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    return {
        "cpu_model": model,
        "processor": platform.processor(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "lightgbm": lgb.__version__,
        "numpy": np.__version__,
    }


# -- the model -------------------------------------------------------------------------------


def make_data(rows: int, rng: np.random.Generator) -> tuple[Matrix, Matrix]:
    """Features like Vigil's (skewed amounts and counts, ratios, z-scores), a third of them missing.

    The label's log-odds: linear terms in ten features, three interactions, two thresholds, the
    missingness of two features (a missing KYC date or device is itself a signal) and a base rate of
    about 5%; the other 40-odd columns are noise the model has to ignore.
    """
    x = rng.normal(size=(rows, FEATURES))
    x[:, 10:20] = rng.lognormal(mean=3.0, sigma=1.5, size=(rows, 10))  # amounts
    x[:, 20:30] = rng.poisson(lam=3.0, size=(rows, 10))  # counts
    x[:, 30:35] = rng.random(size=(rows, 5))  # ratios
    filled = x.copy()
    x[rng.random(x.shape) < MISSING] = np.nan
    weights = np.array([0.9, -0.7, 0.6, 0.5, -0.5, 0.4, 0.3, -0.3, 0.25, 0.2])
    logit = filled[:, :10] @ weights
    logit += 0.6 * filled[:, 0] * filled[:, 1] - 0.5 * filled[:, 2] * filled[:, 5] + 0.4 * filled[:, 3] ** 2
    logit += 1.2 * (np.log1p(filled[:, 10]) > 5.0) + 0.15 * filled[:, 20] - 0.8 * (filled[:, 30] < 0.1)
    logit += 0.9 * np.isnan(x[:, 40]) + 0.6 * np.isnan(x[:, 41])
    logit -= 5.6
    y = (rng.random(rows) < 1.0 / (1.0 + np.exp(-logit))).astype(np.float64)
    return x, y


def auc(y: Matrix, score: Matrix) -> float:
    """Area under the ROC curve by ranks (scores are continuous: ties are negligible)."""
    order = np.argsort(score)
    ranks = np.empty(len(score))
    ranks[order] = np.arange(1, len(score) + 1)
    positives = float(y.sum())
    negatives = len(y) - positives
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


# -- timing ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    path: str
    calls: int
    p50_us: float
    p90_us: float
    p99_us: float
    p999_us: float
    max_us: float
    mean_us: float


def percentile(ordered: npt.NDArray[np.int64], q: float) -> float:
    """Nearest rank, in µs."""
    return float(ordered[max(1, math.ceil(q * len(ordered))) - 1]) / 1000


def timed(
    path: str,
    call: Callable[[Row], object],
    rows: Sequence[Row],
    order: Sequence[int],
    calls: int,
    warmup: int,
) -> Figures:
    clock = time.perf_counter_ns
    n = len(order)
    for i in range(warmup):
        call(rows[order[(i + calls) % n]])
    ns = np.empty(calls, dtype=np.int64)
    for i in range(calls):
        row = rows[order[i % n]]
        t0 = clock()
        call(row)
        ns[i] = clock() - t0
    ns.sort()
    return Figures(
        path,
        calls,
        percentile(ns, 0.50),
        percentile(ns, 0.90),
        percentile(ns, 0.99),
        percentile(ns, 0.999),
        float(ns[-1]) / 1000,
        float(ns.mean()) / 1000,
    )


def timed_reused(
    fast: FastBooster, rows: Sequence[Row], order: Sequence[int], calls: int, warmup: int
) -> Figures:
    """``FastBooster.raw`` on one buffer that is refilled (outside the timing) before each call."""
    clock = time.perf_counter_ns
    buffer = np.empty(fast.n_features)
    raw = fast.raw
    n = len(order)
    for i in range(warmup):
        buffer[:] = rows[order[(i + calls) % n]]
        raw(buffer)
    ns = np.empty(calls, dtype=np.int64)
    for i in range(calls):
        buffer[:] = rows[order[i % n]]
        t0 = clock()
        raw(buffer)
        ns[i] = clock() - t0
    ns.sort()
    return Figures(
        "raw, reused buffer",
        calls,
        percentile(ns, 0.50),
        percentile(ns, 0.90),
        percentile(ns, 0.99),
        percentile(ns, 0.999),
        float(ns[-1]) / 1000,
        float(ns.mean()) / 1000,
    )


# -- the run ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trees", type=int, default=300, help="boosting rounds (default 300)")
    parser.add_argument("--leaves", type=int, default=31, help="num_leaves (default 31)")
    parser.add_argument("--rows", type=int, default=200_000, help="training rows (default 200,000)")
    parser.add_argument(
        "--calls", type=int, default=100_000, help="timed calls per fast path (default 100,000)"
    )
    parser.add_argument(
        "--contrib-calls",
        type=int,
        default=None,
        help="timed calls for the paths with contributions (default --calls)",
    )
    parser.add_argument(
        "--predict-calls", type=int, default=2_000, help="timed Booster.predict calls (default 2,000)"
    )
    parser.add_argument(
        "--warmup", type=int, default=2_000, help="untimed calls before each path (default 2,000)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the figures here")
    args = parser.parse_args(argv)
    contrib_calls = args.calls if args.contrib_calls is None else args.contrib_calls

    info = machine()
    print(
        f"machine: {info['cpu_model']} ({info['machine']}), {info['cpu_count']} cores, "
        f"{info['python_implementation']} {info['python']}, lightgbm {info['lightgbm']}, "
        f"numpy {info['numpy']}, {info['platform']}"
    )

    rng = np.random.default_rng(args.seed)
    log(f"data: {args.rows:,} training rows + {HELD_OUT:,} held out, {FEATURES} features ...")
    x, y = make_data(args.rows + HELD_OUT, rng)
    x_train, y_train, x_test, y_test = x[: args.rows], y[: args.rows], x[args.rows :], y[args.rows :]
    params = {
        "objective": "binary",
        "num_leaves": args.leaves,
        "learning_rate": 0.05,
        "num_threads": 2,
        "seed": args.seed,
        "verbose": -1,
    }
    log(f"training {args.trees} trees of {args.leaves} leaves ...")
    t0 = time.perf_counter()
    booster = lgb.train(params, lgb.Dataset(x_train, y_train), num_boost_round=args.trees)
    train_s = time.perf_counter() - t0
    test_auc = auc(y_test, np.asarray(booster.predict(x_test, raw_score=True)))
    print(
        f"model: {booster.num_trees()} trees, num_leaves {args.leaves}, {FEATURES} features, "
        f"{np.isnan(x).mean():.0%} missing, positives {y.mean():.1%}; trained on {args.rows:,} rows in "
        f"{train_s:.1f} s (2 threads); held-out AUC {test_auc:.3f}"
    )

    t0 = time.perf_counter()
    fast = FastBooster(booster)
    setup_ms = (time.perf_counter() - t0) * 1000
    rows = [np.ascontiguousarray(r) for r in x_test]
    order = [int(i) for i in rng.permutation(len(rows))]

    # Agreement with Booster.predict on 1,000 held-out rows: a sanity figure, not a test.
    sample = x_test[:1_000]
    raw_diff = float(
        np.max(
            np.abs(np.array([fast.raw(r) for r in rows[:1_000]]) - booster.predict(sample, raw_score=True))
        )
    )
    contrib_diff = float(
        np.max(
            np.abs(
                np.array([fast.contributions(r) for r in rows[:1_000]])
                - booster.predict(sample, pred_contrib=True)
            )
        )
    )
    print(
        f"FastBooster set-up {setup_ms:.1f} ms; max |difference| from Booster.predict over 1,000 rows: "
        f"raw {raw_diff:.1e}, contributions {contrib_diff:.1e}"
    )

    def both(row: Row) -> None:
        fast.raw(row)
        fast.contributions(row)

    attribution = PathAttribution(booster)

    def serving(row: Row) -> None:
        attribution.shares(fast.leaves(row))

    def predict_raw(row: Row) -> None:
        booster.predict(row[None], raw_score=True)

    def predict_contrib(row: Row) -> None:
        booster.predict(row[None], pred_contrib=True)

    gc.collect()
    gc.freeze()
    figures: list[Figures] = []
    for path, call, calls in (
        ("timer alone", lambda row: None, args.calls),
        ("raw", fast.raw, args.calls),
        ("contributions", fast.contributions, contrib_calls),
        ("raw + contributions", both, contrib_calls),
        ("leaves + path attribution", serving, args.calls),
        ("Booster.predict raw_score", predict_raw, args.predict_calls),
        ("Booster.predict pred_contrib", predict_contrib, args.predict_calls),
    ):
        log(f"timing {path}: {calls:,} calls ...")
        figures.append(timed(path, call, rows, order, calls, args.warmup))
        if path == "raw":
            log(f"timing raw, reused buffer: {args.calls:,} calls ...")
            figures.append(timed_reused(fast, rows, order, args.calls, args.warmup))
    gc.unfreeze()
    fast.close()

    by_path = {f.path: f for f in figures}
    baseline = {
        "raw": "Booster.predict raw_score",
        "raw, reused buffer": "Booster.predict raw_score",
        "contributions": "Booster.predict pred_contrib",
        "raw + contributions": "Booster.predict pred_contrib",
        "leaves + path attribution": "Booster.predict pred_contrib",
    }
    print()
    print(
        f"{'path':<30} {'calls':>8} {'p50 µs':>9} {'p90 µs':>9} {'p99 µs':>9} {'p99.9 µs':>9} {'max µs':>9}"
        f" {'mean µs':>9}  speed-up vs Booster.predict (p50)"
    )
    for f in figures:
        base = baseline.get(f.path)
        ratio = f"{by_path[base].p50_us / f.p50_us:5.1f}x  (vs {base})" if base else ""
        print(
            f"{f.path:<30} {f.calls:>8,} {f.p50_us:>9.1f} {f.p90_us:>9.1f} {f.p99_us:>9.1f} {f.p999_us:>9.1f}"
            f" {f.max_us:>9.1f} {f.mean_us:>9.1f}  {ratio}"
        )
    print()
    verdicts = {}
    for path in ("raw", "raw, reused buffer", "raw + contributions", "leaves + path attribution"):
        p50 = by_path[path].p50_us
        verdicts[path] = "met" if p50 <= TARGET_P50_US else "missed"
        print(
            f"target: model inference <= {TARGET_P50_US:.0f} µs p50 -- {path}: {p50:.1f} µs, {verdicts[path]}"
        )

    if args.json is not None:
        report = {
            "machine": info,
            "model": {
                "trees": booster.num_trees(),
                "leaves": args.leaves,
                "features": FEATURES,
                "training_rows": args.rows,
                "missing_share": float(np.isnan(x).mean()),
                "positive_share": float(y.mean()),
                "training_seconds": train_s,
                "held_out_auc": test_auc,
                "params": params,
            },
            "fast_setup_ms": setup_ms,
            "max_abs_difference": {"raw": raw_diff, "contributions": contrib_diff},
            "figures": [asdict(f) for f in figures],
            "target_p50_us": TARGET_P50_US,
            "verdicts": verdicts,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        log(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
