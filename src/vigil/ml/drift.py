"""Drift monitoring by population stability index (PSI), pure numpy.

PSI compares how a feature (or the score) is spread over bins in a *reference* window (the one the
model was trained or calibrated on) and a *current* window::

    PSI = sum over bins of (c_i - r_i) * ln(c_i / r_i)

where ``r_i`` and ``c_i`` are the shares of each window in bin ``i``. Every term is >= 0 (the two
factors always have the same sign), so PSI is >= 0 and is 0 when the shares agree.

Binning. The bins come from the reference alone: the cut points are its quantiles at 1/bins, ...,
(bins-1)/bins (taken as observed values, never interpolated), deduplicated, and the bins are the
right-closed intervals ``(-inf, c_1], (c_1, c_2], ..., (c_k, +inf)``. Cuts at or above the
reference's maximum are dropped, so every value bin holds some of the reference; the open ends mean a
current value outside the reference's range falls in the first or last bin. A feature with few
distinct values gets fewer bins (a point mass such as "zero" keeps a bin of its own), a constant
feature gets one. NaN, a missing feature, is one more bin, so a change in how often a feature is
missing is drift too.

Smoothing. A share below ``EPSILON`` (1e-4) is raised to it, so a bin that is empty in one window
gives a large but finite term instead of infinity: a bin holding 3% of one window and nothing of the
other contributes about 0.03 * ln(0.03 / 1e-4) = 0.17. Shares above the floor are left exactly as
counted, so PSI(a, a) is exactly 0 and a hand computation on non-empty bins matches to the last digit.

Bands are the conventional credit-scoring ones: under 0.1 stable, 0.1 to 0.25 moderate, 0.25 and
over significant (the alert level).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from vigil.errors import InvalidInput

Floats = npt.NDArray[np.float64]
Labels = npt.NDArray[np.str_]

EPSILON = 1e-4  # floor on a bin's share: an empty bin costs a large finite term, not infinity
MODERATE_AT = 0.1
ALERT_AT = 0.25
SCORE = "score"  # the name of the score's row in a drift report


class Band(StrEnum):
    """How far a distribution has moved, by its PSI."""

    STABLE = "stable"  # PSI < 0.1
    MODERATE = "moderate"  # 0.1 <= PSI < 0.25
    SIGNIFICANT = "significant"  # PSI >= 0.25: investigate, consider retraining


def band(value: float, *, alert_at: float = ALERT_AT, moderate_at: float = MODERATE_AT) -> Band:
    """The band of a PSI value; ``alert_at`` is where significant starts."""
    if value >= alert_at:
        return Band.SIGNIFICANT
    if value >= moderate_at:
        return Band.MODERATE
    return Band.STABLE


@dataclass(frozen=True, slots=True)
class DriftRow:
    """The PSI of one feature (or of the score, ``name == "score"``) in one region."""

    region: str
    name: str
    psi: float
    band: Band
    reference_n: int  # rows of the region in the reference window
    current_n: int  # rows of the region in the current window


def _as_vector(values: Floats, field: str) -> Floats:
    """``values`` as a non-empty 1-D float64 array, or InvalidInput naming ``field``."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise InvalidInput(f"expected a 1-D array, got shape {array.shape}", field=field)
    if array.size == 0:
        raise InvalidInput("is empty: PSI needs at least one value", field=field)
    return array


def bin_cuts(reference: Floats, bins: int) -> Floats:
    """The cut points the reference's quantiles give, deduplicated and all below its maximum.

    Quantile ``k/bins`` is the ``ceil(k * n / bins)``-th smallest value (integer arithmetic, no
    interpolation), so cuts are observed values. Empty when the reference has no non-NaN value."""
    values = np.sort(reference[~np.isnan(reference)])
    n = len(values)
    if n == 0:
        return values
    k = np.arange(1, bins)
    cuts = np.unique(values[(k * n + bins - 1) // bins - 1])
    return cuts[cuts < float(values[-1])]


def bin_shares(values: Floats, cuts: Floats) -> Floats:
    """The share of ``values`` in each bin: ``(-inf, c_1], ..., (c_k, +inf)``, then NaN."""
    missing = np.isnan(values)
    index = np.searchsorted(cuts, values[~missing], side="left")
    counts = np.bincount(index, minlength=len(cuts) + 1)
    return np.append(counts, np.count_nonzero(missing)) / len(values)


def psi_of_shares(reference: Floats, current: Floats) -> float:
    """PSI of two share vectors over the same bins, each share floored at ``EPSILON``."""
    r = np.maximum(reference, EPSILON)
    c = np.maximum(current, EPSILON)
    return float(np.sum((c - r) * np.log(c / r)))


def psi(reference: Floats, current: Floats, *, bins: int = 10) -> float:
    """Population stability index of ``current`` against ``reference`` (NaN = missing).

    At most ``bins`` value bins from the reference's quantiles plus one bin for NaN; see the module
    docstring for the binning and the smoothing. Raises InvalidInput for an empty or non-1-D input
    (naming ``reference`` or ``current``) and for ``bins < 2``."""
    if bins < 2:
        raise InvalidInput(f"must be at least 2, got {bins}", field="bins")
    ref = _as_vector(reference, "reference")
    cur = _as_vector(current, "current")
    cuts = bin_cuts(ref, bins)
    return psi_of_shares(bin_shares(ref, cuts), bin_shares(cur, cuts))


def _check_window(x: Floats, regions: Labels, scores: Floats, names: Sequence[str], window: str) -> Floats:
    """``x`` as 2-D float64 after checking the window's shapes; InvalidInput names the argument."""
    matrix = np.asarray(x, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != len(names):
        raise InvalidInput(
            f"expected shape (rows, {len(names)}) (one column per name), got {matrix.shape}",
            field=f"{window}_x",
        )
    for field, array in ((f"{window}_regions", regions), (f"{window}_scores", scores)):
        if np.ndim(array) != 1 or len(array) != matrix.shape[0]:
            raise InvalidInput(
                f"expected {matrix.shape[0]} values (one per row of {window}_x), got shape {np.shape(array)}",
                field=field,
            )
    return matrix


def _check_names(names: Sequence[str]) -> None:
    """Feature names must be unique and must not take the score's row name."""
    if len(set(names)) != len(names):
        raise InvalidInput("feature names must be unique", field="names")
    if SCORE in names:
        raise InvalidInput(f"{SCORE!r} is the score's row and cannot name a feature", field="names")


def _region_rows(
    region: str, ref: tuple[Floats, Floats], cur: tuple[Floats, Floats], names: Sequence[str], bins: int
) -> list[DriftRow]:
    """One region's rows: every feature column and the score, by PSI descending (then by name)."""
    (ref_x, ref_s), (cur_x, cur_s) = ref, cur
    columns = [(name, ref_x[:, j], cur_x[:, j]) for j, name in enumerate(names)]
    columns.append((SCORE, ref_s, cur_s))
    rows = []
    for name, r, c in columns:
        value = psi(r, c, bins=bins)
        rows.append(DriftRow(region, name, value, band(value), len(ref_s), len(cur_s)))
    return sorted(rows, key=lambda row: (-row.psi, row.name))


def drift_report(
    reference_x: Floats,
    reference_regions: Labels,
    reference_scores: Floats,
    current_x: Floats,
    current_regions: Labels,
    current_scores: Floats,
    names: Sequence[str],
    *,
    min_rows: int = 200,
    bins: int = 10,
) -> list[DriftRow]:
    """PSI of every feature column and of the score, per region, current window against reference.

    Only regions present in both windows with at least ``min_rows`` rows in each are compared; the
    others are skipped (too few rows make PSI noise). Rows are sorted by region, then PSI descending.
    Mismatched shapes raise InvalidInput naming the argument."""
    if min_rows < 1:
        raise InvalidInput(f"must be at least 1, got {min_rows}", field="min_rows")
    if bins < 2:
        raise InvalidInput(f"must be at least 2, got {bins}", field="bins")
    _check_names(names)
    ref_x = _check_window(reference_x, reference_regions, reference_scores, names, "reference")
    cur_x = _check_window(current_x, current_regions, current_scores, names, "current")
    ref_regions, cur_regions = np.asarray(reference_regions), np.asarray(current_regions)
    ref_s = np.asarray(reference_scores, dtype=np.float64)
    cur_s = np.asarray(current_scores, dtype=np.float64)
    rows: list[DriftRow] = []
    for region in sorted(set(ref_regions.tolist()) & set(cur_regions.tolist())):
        in_ref, in_cur = ref_regions == region, cur_regions == region
        if min(np.count_nonzero(in_ref), np.count_nonzero(in_cur)) < min_rows:
            continue
        ref = (ref_x[in_ref], ref_s[in_ref])
        cur = (cur_x[in_cur], cur_s[in_cur])
        rows.extend(_region_rows(str(region), ref, cur, names, bins))
    return rows


def alerts(rows: Sequence[DriftRow], *, threshold: float = ALERT_AT) -> list[DriftRow]:
    """The rows at or over ``threshold``, in their given order."""
    return [row for row in rows if row.psi >= threshold]


def _line(row: DriftRow, threshold: float, width: int) -> str:
    """One row of the text report: name, PSI, band and the ALERT marker when due."""
    marker = "  ALERT" if row.psi >= threshold else ""
    return f"  {row.name:<{width}} {row.psi:8.3f}  {row.band.value:<11}{marker}".rstrip()


def _region_block(region: str, rows: Sequence[DriftRow], top: int, threshold: float) -> list[str]:
    """The report's lines for one region: the score, then its ``top`` drifting features."""
    score = [row for row in rows if row.name == SCORE]
    features = [row for row in rows if row.name != SCORE]
    first = rows[0]
    lines = [f"region {region}: reference {first.reference_n:,} rows, current {first.current_n:,} rows"]
    width = max(len(row.name) for row in rows)
    lines.extend(_line(row, threshold, width) for row in score)
    lines.append(f"  top drifting features (of {len(features)}):")
    lines.extend(_line(row, threshold, width) for row in features[:top])
    rest = features[top:]
    if rest:
        hidden = len(alerts(rest, threshold=threshold))
        lines.append(f"  ... {len(rest)} more features, {hidden} of them at or over {threshold:g}")
    return lines


def format_report(rows: Sequence[DriftRow], *, top: int = 10, threshold: float = ALERT_AT) -> str:
    """A plain-text report for an analyst: per region the score's PSI and the ``top`` features by
    PSI, rows at or over ``threshold`` marked ALERT."""
    if top < 1:
        raise InvalidInput(f"must be at least 1, got {top}", field="top")
    regions = sorted({row.region for row in rows})
    if not regions:
        return "Drift report: no region had enough rows in both windows to compare.\n"
    count = len(alerts(rows, threshold=threshold))
    lines = [f"Drift report: {len(regions)} regions, {count} alerts (PSI >= {threshold:g})"]
    for region in regions:
        mine = sorted((row for row in rows if row.region == region), key=lambda row: (-row.psi, row.name))
        lines.append("")
        lines.extend(_region_block(region, mine, top, threshold))
    return "\n".join(lines) + "\n"
