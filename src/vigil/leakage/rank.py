"""How well one input alone ranks a typology's events above honest ones (pure numpy).

``oriented_ap`` is the average precision of an input used as a score in whichever direction ranks
better (high values first, or low values first), missing values always ranked last (their own lowest
rank, in both directions). Ties are broken pessimistically (``ml.metrics.average_precision``: illicit
rows after legitimate ones of the same score), so a constant input earns at most the base rate.

A categorical input has no order of its own: ``category_rates`` learns each value's illicit rate on
**another** world (the reference) and ``encode`` turns values into those rates, so an input is never
scored by what it learned from the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from vigil.errors import InvalidInput
from vigil.ml.metrics import average_precision

Floats = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int8]

RARE = "<rare>"  # values seen fewer than ``min_count`` times on the reference, and values never seen
MISSING = "<missing>"  # a field the event has, left empty


class Direction(StrEnum):
    HIGH = "high"  # high values are suspicious
    LOW = "low"  # low values are suspicious


def oriented_ap(y: Labels, x: Floats) -> tuple[float, Direction]:
    """The better AP of ``x`` and ``-x`` as scores for ``y`` (1 = illicit), NaN ranked last either way."""
    if x.shape != y.shape:
        raise InvalidInput(f"{len(x)} values for {len(y)} labels", field="x")
    missing = np.isnan(x)
    high = np.where(missing, -np.inf, x)
    low = np.where(missing, -np.inf, -x)
    ap_high = average_precision(y, high)
    ap_low = average_precision(y, low)
    return (ap_high, Direction.HIGH) if ap_high >= ap_low else (ap_low, Direction.LOW)


def base_rate(y: Labels) -> float:
    """The share of illicit rows: what a useless input scores on average."""
    return float(y.mean()) if len(y) else 0.0


def category_rates(values: Sequence[str], y: Labels, *, min_count: int = 5) -> dict[str, float]:
    """Each value's illicit rate among the rows where it occurs; values seen fewer than ``min_count`` times
    are pooled under ``RARE`` (so identifiers, which rarely repeat, are one category)."""
    if len(values) != len(y):
        raise InvalidInput(f"{len(values)} values for {len(y)} labels", field="values")
    if min_count < 1:
        raise InvalidInput(f"{min_count} must be at least 1", field="min_count")
    totals: dict[str, list[int]] = {}
    for value, label in zip(values, y.tolist(), strict=True):
        entry = totals.setdefault(value, [0, 0])
        entry[0] += 1
        entry[1] += label
    rates: dict[str, float] = {}
    rare = [0, 0]
    for value, (count, illicit) in totals.items():
        if count >= min_count:
            rates[value] = illicit / count
        else:
            rare[0] += count
            rare[1] += illicit
    if rare[0]:
        rates[RARE] = rare[1] / rare[0]
    return rates


def encode(values: Sequence[str | None], rates: dict[str, float]) -> Floats:
    """Values as their reference illicit rate: an unknown value takes the ``RARE`` rate (NaN when the
    reference had no rare values), ``None`` (the event has no such field) is NaN."""
    rare = rates.get(RARE, np.nan)
    return np.array(
        [np.nan if v is None else rates.get(v, rare) for v in values],
        dtype=np.float64,
    )
