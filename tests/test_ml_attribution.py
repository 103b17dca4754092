"""Path attribution: per-feature shares that sum, with the bias, to LightGBM's own margin."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np

from vigil.ml.attribution import PathAttribution
from vigil.ml.fast import FastBooster


def _booster(seed: int, trees: int = 60) -> tuple[lgb.Booster, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4000, 8))
    x[rng.random(x.shape) < 0.2] = np.nan  # missing values take the default direction of each split
    signal = np.nan_to_num(x[:, 0]) + 0.5 * np.nan_to_num(x[:, 3]) + rng.normal(scale=0.5, size=4000)
    params = {"objective": "binary", "verbose": -1, "num_threads": 1, "num_leaves": 15, "deterministic": True}
    return lgb.train(params, lgb.Dataset(x, (signal > 1).astype(int)), trees), x


def test_shares_and_bias_sum_to_the_margin_row_by_row() -> None:
    booster, x = _booster(1)
    attribution = PathAttribution(booster)
    margins = booster.predict(x[:300], raw_score=True)
    with FastBooster(booster) as fast:
        for i in range(300):
            row = np.ascontiguousarray(x[i])
            leaves = fast.leaves(row)
            assert np.array_equal(leaves, booster.predict(x[i : i + 1], pred_leaf=True)[0])
            total = attribution.shares(leaves).sum() + attribution.bias
            assert abs(total - margins[i]) < 1e-9


def test_a_feature_never_split_on_gets_no_share_and_the_signal_gets_the_most() -> None:
    booster, x = _booster(2)
    attribution = PathAttribution(booster)
    used = booster.feature_importance("split") > 0
    with FastBooster(booster) as fast:
        shares = np.array([attribution.shares(fast.leaves(np.ascontiguousarray(r))) for r in x[:500]])
    assert np.all(shares[:, ~used] == 0)
    assert int(np.argmax(np.abs(shares).mean(axis=0))) == 0  # the strongest feature of the signal


def test_a_single_leaf_model_is_all_bias() -> None:
    x = np.zeros((100, 3))
    booster = lgb.train(
        {"objective": "binary", "verbose": -1, "num_threads": 1},
        lgb.Dataset(x, np.r_[np.ones(10), np.zeros(90)]),
        3,
    )
    attribution = PathAttribution(booster)
    with FastBooster(booster) as fast:
        row = np.ascontiguousarray(x[0])
        shares = attribution.shares(fast.leaves(row))
        assert np.all(shares == 0)
        assert abs(attribution.bias - fast.raw(row)) < 1e-9
