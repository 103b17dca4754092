"""The fast single-row predictor gives LightGBM's own answers, refuses malformed rows, and closes cleanly."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import pytest

from vigil.errors import InvalidInput
from vigil.ml.fast import FastBooster

N_FEATURES = 8
Matrix = npt.NDArray[np.float64]


def make_data(rows: int, seed: int) -> tuple[Matrix, Matrix]:
    """Features with ~20% NaN (some rows all NaN), and labels that depend on them and on missingness."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, N_FEATURES))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[::97] = np.nan  # whole rows missing
    x[1::89] = 0.0  # and whole rows of zeros, which LightGBM's dense-to-sparse step skips
    filled = np.nan_to_num(x)
    logit = 1.5 * filled[:, 0] - filled[:, 1] + filled[:, 2] * filled[:, 3] + 0.8 * np.isnan(x[:, 4]) - 0.5
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    return x, y


def train(rounds: int = 40, **params: object) -> lgb.Booster:
    x, y = make_data(2_000, seed=1)
    base = {
        "objective": "binary",
        "num_leaves": 15,
        "learning_rate": 0.1,
        "num_threads": 1,
        "deterministic": True,
        "force_row_wise": True,
        "seed": 7,
        "verbose": -1,
    }
    return lgb.train(base | params, lgb.Dataset(x, y), num_boost_round=rounds)


@pytest.fixture(scope="module")
def booster() -> lgb.Booster:
    return train()


@pytest.fixture(scope="module")
def held_out() -> Matrix:
    x, _ = make_data(300, seed=2)
    return x


@pytest.fixture
def fast(booster: lgb.Booster) -> Iterator[FastBooster]:
    with FastBooster(booster) as f:
        yield f


def rows_of(x: Matrix) -> list[Matrix]:
    return [np.ascontiguousarray(r) for r in x]


def test_the_held_out_rows_include_missing_values(held_out: Matrix) -> None:
    assert len(held_out) >= 200
    assert np.isnan(held_out).any(axis=1).sum() >= 100
    assert np.isnan(held_out).all(axis=1).any()


def test_raw_is_the_boosters_raw_score_row_by_row(
    fast: FastBooster, booster: lgb.Booster, held_out: Matrix
) -> None:
    expected = booster.predict(held_out, raw_score=True)
    got = np.array([fast.raw(r) for r in rows_of(held_out)])
    assert fast.n_features == N_FEATURES
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    assert len(set(np.round(got, 6))) > 50  # a model with some spread, not a constant


def test_contributions_are_pred_contrib_and_sum_to_the_margin(
    fast: FastBooster, booster: lgb.Booster, held_out: Matrix
) -> None:
    expected = booster.predict(held_out, pred_contrib=True)
    assert isinstance(expected, np.ndarray)
    for i, r in enumerate(rows_of(held_out)):
        c = fast.contributions(r)
        assert c.shape == (N_FEATURES + 1,)
        np.testing.assert_allclose(c, expected[i], rtol=0, atol=1e-9)
        assert abs(c.sum() - fast.raw(r)) <= 1e-9


def test_contributions_are_a_fresh_array_each_call(fast: FastBooster, held_out: Matrix) -> None:
    first = fast.contributions(held_out[3].copy())
    kept = first.copy()
    fast.contributions(held_out[4].copy())
    np.testing.assert_array_equal(first, kept)


def test_probability_is_predict(fast: FastBooster, booster: lgb.Booster, held_out: Matrix) -> None:
    expected = booster.predict(held_out)
    got = np.array([fast.probability(r) for r in rows_of(held_out)])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_the_sigmoid_parameter_is_honoured(held_out: Matrix) -> None:
    steep = train(rounds=10, sigmoid=2.5)
    with FastBooster(steep) as f:
        got = np.array([f.probability(r) for r in rows_of(held_out)])
    np.testing.assert_allclose(got, steep.predict(held_out), rtol=0, atol=1e-12)


def test_a_reused_row_buffer_is_read_afresh_each_call(
    fast: FastBooster, booster: lgb.Booster, held_out: Matrix
) -> None:
    """The engine refills one buffer per event: the remembered address must not mean a remembered row."""
    buffer = np.empty(N_FEATURES)
    expected_raw = booster.predict(held_out, raw_score=True)
    expected_contrib = booster.predict(held_out, pred_contrib=True)
    for i in range(0, len(held_out), 7):
        buffer[:] = held_out[i]
        assert abs(fast.raw(buffer) - expected_raw[i]) <= 1e-9
        np.testing.assert_allclose(fast.contributions(buffer), expected_contrib[i], rtol=0, atol=1e-9)


def test_read_only_and_view_rows_are_accepted(
    fast: FastBooster, booster: lgb.Booster, held_out: Matrix
) -> None:
    frozen = held_out[5].copy()
    frozen.flags.writeable = False
    assert fast.raw(frozen) == pytest.approx(booster.predict(held_out[5:6], raw_score=True)[0], abs=1e-9)
    view = held_out[6]  # a row of a C-ordered matrix is contiguous: used in place
    assert fast.raw(view) == pytest.approx(booster.predict(held_out[6:7], raw_score=True)[0], abs=1e-9)


def test_a_model_loaded_from_its_string_works(booster: lgb.Booster, held_out: Matrix) -> None:
    loaded = lgb.Booster(model_str=booster.model_to_string())
    with FastBooster(loaded) as f:
        raw = np.array([f.raw(r) for r in rows_of(held_out)])
        contrib = np.array([f.contributions(r) for r in rows_of(held_out)])
        prob = np.array([f.probability(r) for r in rows_of(held_out)])
    np.testing.assert_allclose(raw, booster.predict(held_out, raw_score=True), rtol=0, atol=1e-9)
    np.testing.assert_allclose(contrib, booster.predict(held_out, pred_contrib=True), rtol=0, atol=1e-9)
    np.testing.assert_allclose(prob, booster.predict(held_out), rtol=0, atol=1e-12)


def test_best_iteration_is_used_as_predict_uses_it(held_out: Matrix) -> None:
    stopped = train(rounds=30)
    stopped.best_iteration = 12  # what early stopping sets
    with FastBooster(stopped) as f:
        got = np.array([f.raw(r) for r in rows_of(held_out)])
    np.testing.assert_allclose(got, stopped.predict(held_out, raw_score=True), rtol=0, atol=1e-9)
    assert not np.allclose(got, stopped.predict(held_out, raw_score=True, num_iteration=-1))


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (np.zeros(N_FEATURES - 1), f"length {N_FEATURES}"),
        (np.zeros(N_FEATURES + 1), f"length {N_FEATURES}"),
        (np.zeros(N_FEATURES, dtype=np.float32), "float64"),
        (np.zeros(N_FEATURES, dtype=np.int64), "float64"),
        (np.zeros(N_FEATURES, dtype=">f8"), "float64"),
        (np.zeros((1, N_FEATURES)), "1-D"),
        (np.zeros((N_FEATURES, 1)), "1-D"),
        (np.zeros(2 * N_FEATURES)[::2], "C-contiguous"),
        ([0.0] * N_FEATURES, "numpy float64 array"),
    ],
    ids=["short", "long", "float32", "int64", "big-endian", "2-D row", "2-D column", "strided", "list"],
)
def test_malformed_rows_are_refused(fast: FastBooster, row: object, words: str) -> None:
    for method in (fast.raw, fast.probability, fast.contributions):
        with pytest.raises(InvalidInput, match=words) as caught:
            method(row)  # type: ignore[arg-type]
        assert caught.value.field == "row"


def test_a_row_reshaped_in_place_is_refused_on_its_next_call(fast: FastBooster) -> None:
    row = np.zeros(N_FEATURES)
    fast.raw(row)
    row.shape = (1, N_FEATURES)
    with pytest.raises(InvalidInput, match="1-D"):
        fast.raw(row)


def test_close_is_idempotent_and_later_calls_fail_clearly(booster: lgb.Booster, held_out: Matrix) -> None:
    f = FastBooster(booster)
    row = held_out[0].copy()
    f.raw(row)
    f.close()
    f.close()
    for method in (f.raw, f.probability, f.contributions):
        with pytest.raises(RuntimeError, match="FastBooster is closed"):
            method(row)
    # the booster itself is untouched
    assert np.shape(booster.predict(held_out[:1], raw_score=True)) == (1,)


def test_the_context_manager_closes(booster: lgb.Booster, held_out: Matrix) -> None:
    with FastBooster(booster) as f:
        f.raw(held_out[0].copy())
    with pytest.raises(RuntimeError, match="closed"):
        f.raw(held_out[0].copy())


def test_dropping_it_frees_cleanly(booster: lgb.Booster, held_out: Matrix) -> None:
    """``__del__`` closes, once, without an unraisable error (pytest would report one as a warning)."""
    for _ in range(50):
        f = FastBooster(booster)
        f.contributions(held_out[1].copy())
        del f
    f = FastBooster(booster)
    f.close()
    del f
    gc.collect()


def test_several_fast_boosters_share_one_booster(booster: lgb.Booster, held_out: Matrix) -> None:
    rows = rows_of(held_out[:20])
    with FastBooster(booster) as a, FastBooster(booster) as b:
        assert [a.raw(r) for r in rows] == [b.raw(r) for r in rows]
        b.close()
        assert a.raw(rows[0]) == pytest.approx(booster.predict(held_out[:1], raw_score=True)[0], abs=1e-9)


def test_models_other_than_binary_are_refused() -> None:
    x, y = make_data(300, seed=3)
    common = {"num_threads": 1, "verbose": -1, "deterministic": True, "force_row_wise": True}
    regression = lgb.train(common | {"objective": "regression"}, lgb.Dataset(x, y), num_boost_round=3)
    with pytest.raises(InvalidInput, match="objective is 'regression'"):
        FastBooster(regression)
    classes = (np.arange(len(y)) % 3).astype(np.float64)
    multiclass = lgb.train(
        common | {"objective": "multiclass", "num_class": 3}, lgb.Dataset(x, classes), num_boost_round=3
    )
    with pytest.raises(InvalidInput, match="3 per iteration"):
        FastBooster(multiclass)
