"""Drift by population stability index: the formula, the binning (quantiles, NaN, constants, values out
of range), the per-region report and its alerts, and the errors that name the bad argument."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.errors import InvalidInput
from vigil.ml.drift import (
    EPSILON,
    Band,
    DriftRow,
    alerts,
    band,
    bin_cuts,
    bin_shares,
    drift_report,
    format_report,
    psi,
)

Floats = npt.NDArray[np.float64]
NAMES = ["amount_24h", "hour_of_day", "new_device"]

samples = st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1, max_size=60).map(
    lambda values: np.array(values, dtype=np.float64)
)


def _normal(seed: int, n: int = 5000, shift: float = 0.0) -> Floats:
    return np.random.default_rng(seed).normal(shift, 1.0, n)


# --- psi: the formula and the binning ------------------------------------------------------------------


def test_identical_samples_have_zero_psi() -> None:
    a = _normal(1)
    assert psi(a, a) == 0.0
    assert psi(a, np.random.default_rng(2).permutation(a)) == 0.0


def test_two_samples_of_one_distribution_have_psi_near_zero() -> None:
    value = psi(_normal(1), _normal(2))
    assert 0.0 < value < 0.02
    assert band(value) is Band.STABLE


def test_a_larger_mean_shift_gives_a_larger_psi() -> None:
    reference = _normal(1)
    values = [psi(reference, _normal(2, shift=shift)) for shift in (0.0, 0.1, 0.3, 0.6, 1.0)]
    assert values == sorted(values)
    assert len(set(values)) == len(values)
    assert band(values[-1]) is Band.SIGNIFICANT


def test_two_bins_by_hand() -> None:
    # bins=2 on a half-0, half-1 reference: the median cut 0 gives bins (-inf, 0] and (0, inf).
    reference = np.array([0.0] * 50 + [1.0] * 50)
    current = np.array([0.0] * 20 + [1.0] * 80)
    by_hand = (0.2 - 0.5) * math.log(0.2 / 0.5) + (0.8 - 0.5) * math.log(0.8 / 0.5)
    assert psi(reference, current, bins=2) == pytest.approx(by_hand, rel=1e-12)
    assert by_hand == pytest.approx(0.3 * math.log(4.0))


def test_an_empty_bin_costs_a_finite_term_set_by_epsilon() -> None:
    reference = np.array([0.0] * 50 + [1.0] * 50)
    current = np.array([1.0] * 100)  # the first bin is empty in the current window
    expected = (EPSILON - 0.5) * math.log(EPSILON / 0.5) + (1.0 - 0.5) * math.log(1.0 / 0.5)
    value = psi(reference, current, bins=2)
    assert math.isfinite(value)
    assert value == pytest.approx(expected, rel=1e-12)


def test_quantile_bins_hold_equal_shares_of_a_continuous_reference() -> None:
    reference = np.arange(1000, dtype=np.float64)
    shares = bin_shares(reference, bin_cuts(reference, 10))
    assert shares.tolist() == pytest.approx([0.1] * 10 + [0.0])  # ten value bins, then NaN


def test_few_distinct_values_get_fewer_bins_and_a_point_mass_keeps_its_own() -> None:
    binary = np.array([0.0] * 95 + [1.0] * 5)
    assert bin_cuts(binary, 10).tolist() == [0.0]
    assert bin_shares(binary, bin_cuts(binary, 10)).tolist() == pytest.approx([0.95, 0.05, 0.0])
    # a rare flag that becomes common is drift even though every decile of the reference is 0
    assert band(psi(binary, np.array([0.0] * 70 + [1.0] * 30))) is Band.SIGNIFICANT


def test_a_change_in_the_missing_share_alone_is_detected() -> None:
    values = _normal(1, n=1000)
    reference = np.concatenate([values, np.full(50, np.nan)])
    current = np.concatenate([values, np.full(500, np.nan)])
    assert psi(values, values) == 0.0  # the non-missing values are the same in both windows
    assert band(psi(reference, current)) is Band.SIGNIFICANT


def test_a_constant_feature_has_one_bin() -> None:
    constant = np.full(300, 3.0)
    assert bin_cuts(constant, 10).size == 0
    assert psi(constant, constant) == 0.0
    assert psi(constant, np.full(300, 7.0)) == 0.0  # another value lands in the same, only, bin
    with_missing = np.concatenate([np.full(200, 3.0), np.full(100, np.nan)])
    assert band(psi(constant, with_missing)) is Band.SIGNIFICANT  # missingness is still seen


def test_an_all_missing_reference_still_compares() -> None:
    reference = np.full(100, np.nan)
    assert psi(reference, reference) == 0.0
    assert band(psi(reference, np.ones(100))) is Band.SIGNIFICANT


def test_values_outside_the_reference_range_fall_in_the_end_bins() -> None:
    reference = np.linspace(0.0, 1.0, 1000)
    assert psi(reference, np.full(100, 50.0)) == psi(reference, np.full(100, 1.0))
    assert psi(reference, np.full(100, -50.0)) == psi(reference, np.full(100, 0.0))
    assert psi(reference, np.array([-np.inf, np.inf])) == psi(reference, np.array([0.0, 1.0]))
    assert math.isfinite(psi(reference, np.full(100, 50.0)))


@given(samples, samples, st.integers(min_value=2, max_value=20))
def test_psi_is_never_negative(reference: Floats, current: Floats, bins: int) -> None:
    value = psi(reference, current, bins=bins)
    assert value >= 0.0
    assert math.isfinite(value)


@given(samples, st.integers(min_value=2, max_value=20))
def test_psi_of_a_sample_with_itself_is_zero(sample: Floats, bins: int) -> None:
    assert psi(sample, sample, bins=bins) == 0.0
    assert psi(sample, sample[::-1], bins=bins) == pytest.approx(0.0, abs=1e-12)


@given(samples, st.integers(min_value=2, max_value=20))
def test_every_value_bin_holds_some_of_the_reference(sample: Floats, bins: int) -> None:
    shares = bin_shares(sample, bin_cuts(sample, bins))
    value_bins = shares[:-1]
    assert len(value_bins) <= bins
    assert float(np.sum(shares)) == pytest.approx(1.0)
    if not np.isnan(sample).all():
        assert (value_bins > 0).all()


@pytest.mark.parametrize(
    ("reference", "current", "bins", "field"),
    [
        (np.array([]), np.ones(3), 10, "reference"),
        (np.ones(3), np.array([]), 10, "current"),
        (np.ones(3), np.ones(3), 1, "bins"),
        (np.ones((3, 2)), np.ones(3), 10, "reference"),
    ],
)
def test_bad_psi_input_names_the_argument(reference: Floats, current: Floats, bins: int, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        psi(reference, current, bins=bins)
    assert caught.value.field == field
    assert field in str(caught.value)


# --- bands ---------------------------------------------------------------------------------------------


def test_bands_follow_the_credit_scoring_convention() -> None:
    assert [band(v) for v in (0.0, 0.0999, 0.1, 0.2499, 0.25, 3.0)] == [
        Band.STABLE,
        Band.STABLE,
        Band.MODERATE,
        Band.MODERATE,
        Band.SIGNIFICANT,
        Band.SIGNIFICANT,
    ]
    assert band(0.2, alert_at=0.2) is Band.SIGNIFICANT
    assert Band("significant") is Band.SIGNIFICANT
    assert str(Band.MODERATE) == "moderate"


# --- the per-region report -----------------------------------------------------------------------------


def _window(seed: int, sizes: dict[str, int], drifted: bool) -> tuple[Floats, npt.NDArray[np.str_], Floats]:
    """Rows of three features and a score; when ``drifted``, region "eu" moves its amount, its share of
    missing devices and its score, and everything else stays put."""
    rng = np.random.default_rng(seed)
    xs, regions, scores = [], [], []
    for region, n in sizes.items():
        moved = drifted and region == "eu"
        amount = rng.lognormal(5.0 + (1.0 if moved else 0.0), 1.0, n)
        hour = rng.integers(0, 24, n).astype(np.float64)
        device = np.where(rng.random(n) < (0.4 if moved else 0.05), np.nan, rng.integers(0, 2, n))
        xs.append(np.column_stack([amount, hour, device]))
        regions.append(np.full(n, region))
        scores.append(rng.beta(2.0, 8.0 if not moved else 4.0, n))
    return np.concatenate(xs), np.concatenate(regions), np.concatenate(scores)


def _report(min_rows: int = 200) -> list[DriftRow]:
    ref = _window(1, {"eu": 2000, "us": 2000, "br": 150, "sg": 500}, drifted=False)
    cur = _window(2, {"eu": 2000, "us": 2000, "br": 150, "jp": 500}, drifted=True)
    return drift_report(*ref, *cur, NAMES, min_rows=min_rows)


def test_the_report_finds_the_drifting_region_and_features() -> None:
    rows = _report()
    assert {row.region for row in rows} == {"eu", "us"}  # br under min_rows, sg and jp in one window
    eu = {row.name: row for row in rows if row.region == "eu"}
    us = {row.name: row for row in rows if row.region == "us"}
    assert set(eu) == set(us) == {*NAMES, "score"}
    assert eu["amount_24h"].band is Band.SIGNIFICANT
    assert eu["new_device"].band is Band.SIGNIFICANT
    assert eu["score"].band is Band.SIGNIFICANT
    assert eu["hour_of_day"].band is Band.STABLE
    assert all(row.band is Band.STABLE for row in us.values())
    assert (eu["amount_24h"].reference_n, eu["amount_24h"].current_n) == (2000, 2000)


def test_report_rows_are_sorted_by_region_then_psi_descending() -> None:
    rows = _report()
    keys = [(row.region, -row.psi) for row in rows]
    assert keys == sorted(keys)
    assert [row.region for row in rows] == ["eu"] * 4 + ["us"] * 4


def test_a_region_under_min_rows_is_skipped_not_an_error() -> None:
    assert "br" not in {row.region for row in _report()}
    assert "br" in {row.region for row in _report(min_rows=100)}
    assert _report(min_rows=10_000) == []


def test_alerts_keep_only_rows_at_or_over_the_threshold() -> None:
    rows = _report()
    assert {(row.region, row.name) for row in alerts(rows)} == {
        ("eu", "amount_24h"),
        ("eu", "new_device"),
        ("eu", "score"),
    }
    assert alerts(rows, threshold=math.inf) == []
    assert len(alerts(rows, threshold=0.0)) == len(rows)


def test_the_text_report_marks_alerts() -> None:
    text = format_report(_report())
    assert text.startswith("Drift report: 2 regions, 3 alerts (PSI >= 0.25)")
    assert "region eu: reference 2,000 rows, current 2,000 rows" in text
    assert text.count("ALERT") == 3
    eu_block, us_block = text.split("region us")
    rows = {line.split()[0]: line for line in eu_block.splitlines() if line.startswith("  ")}
    for name in ("amount_24h", "new_device", "score"):
        assert rows[name].endswith("ALERT")
    assert "ALERT" not in rows["hour_of_day"]
    assert "ALERT" not in us_block


def test_the_text_report_shows_the_top_features_and_counts_the_rest() -> None:
    text = format_report(_report(), top=1)
    eu_block = text.split("region us")[0]
    assert "... 2 more features, 1 of them at or over 0.25" in eu_block
    assert "hour_of_day" not in eu_block
    assert format_report([]).startswith("Drift report: no region")


@pytest.mark.parametrize(
    ("argument", "field"),
    [
        ("current_x", "current_x"),
        ("reference_regions", "reference_regions"),
        ("current_scores", "current_scores"),
        ("names", "reference_x"),
    ],
)
def test_mismatched_shapes_name_the_argument(argument: str, field: str) -> None:
    ref_x, ref_regions, ref_scores = _window(1, {"eu": 300}, drifted=False)
    cur_x, cur_regions, cur_scores = _window(2, {"eu": 300}, drifted=False)
    names = list(NAMES)
    if argument == "current_x":
        cur_x = cur_x[:, :2]
    elif argument == "reference_regions":
        ref_regions = ref_regions[:-1]
    elif argument == "current_scores":
        cur_scores = np.ones((300, 2))
    else:
        names = names[:2]
    with pytest.raises(InvalidInput) as caught:
        drift_report(ref_x, ref_regions, ref_scores, cur_x, cur_regions, cur_scores, names)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_feature_names_must_be_unique_and_not_score() -> None:
    ref = _window(1, {"eu": 300}, drifted=False)
    cur = _window(2, {"eu": 300}, drifted=False)
    for names in (["a", "a", "b"], ["a", "score", "b"]):
        with pytest.raises(InvalidInput) as caught:
            drift_report(*ref, *cur, names)
        assert caught.value.field == "names"
    with pytest.raises(InvalidInput) as caught:
        drift_report(*ref, *cur, NAMES, bins=1)
    assert caught.value.field == "bins"
