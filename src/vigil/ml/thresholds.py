"""Thresholds per region, chosen for a stated goal rather than a round number.

The goal is friction to honest users: **hold** at most ``max_held`` of legitimate withdrawals (0.1% by
default) and send at most ``max_reviewed`` of legitimate scored events to **review** (1%). On the
calibration window, each region's threshold is the lowest score that keeps its legitimate rows under
the goal; a region with too few legitimate rows takes the all-regions threshold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vigil.errors import InvalidInput
from vigil.model import EventType, Outcome
from vigil.model.learning import GLOBAL

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Goal:
    max_held: float = 0.001  # share of legitimate withdrawals a hold may hit
    max_reviewed: float = 0.01  # share of legitimate scored events a review may hit
    min_rows: int = 1000  # legitimate rows a region needs for its own thresholds

    def describe(self) -> str:
        return (
            f"hold at most {self.max_held:.2%} of legitimate withdrawals, "
            f"review at most {self.max_reviewed:.2%} of legitimate events"
        )


@dataclass(frozen=True, slots=True)
class Cut:
    """A region's thresholds on the calibrated probability, and what they did on the window."""

    review: float
    hold: float
    legit_held: float  # share of legitimate withdrawals at or over ``hold`` on the window
    illicit_caught: float  # share of illicit rows at or over ``review``
    rows: int
    own: bool  # False: the region had too few rows and uses the all-regions thresholds

    def outcome(self, probability: float, event_type: EventType) -> Outcome:
        if probability >= self.hold and event_type is EventType.WITHDRAWAL:
            return Outcome.HOLD
        if probability >= self.review:
            return Outcome.REVIEW
        return Outcome.ALLOW

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cut:
        try:
            return cls(**data)
        except TypeError as e:
            raise InvalidInput(f"thresholds: {e}", field="thresholds") from None


def _lowest_under(scores: Floats, share: float) -> float:
    """The lowest threshold t with mean(scores >= t) <= share (strictly above the k-th largest score)."""
    if len(scores) == 0:
        return 1.0
    allowed = int(np.floor(share * len(scores)))
    ordered = np.sort(scores)[::-1]
    if allowed >= len(ordered):
        return 0.0
    return float(np.nextafter(ordered[allowed], np.inf))


def _cut(p: Floats, y: npt.NDArray[np.int8], types: npt.NDArray[np.str_], goal: Goal, own: bool) -> Cut:
    legit = y == 0
    withdrawals = legit & (types == EventType.WITHDRAWAL.value)
    hold = _lowest_under(p[withdrawals], goal.max_held)
    review = min(hold, _lowest_under(p[legit], goal.max_reviewed))
    held = float(np.mean(p[withdrawals] >= hold)) if withdrawals.any() else 0.0
    caught = float(np.mean(p[y == 1] >= review)) if (y == 1).any() else 0.0
    return Cut(review, hold, held, caught, len(p), own)


def choose(
    p: Floats,
    y: npt.NDArray[np.int8],
    regions: npt.NDArray[np.str_],
    types: npt.NDArray[np.str_],
    goal: Goal = Goal(),
) -> dict[str, Cut]:
    """Thresholds per region (and GLOBAL, the fallback) on a calibration window."""
    if len(p) == 0:
        raise InvalidInput("the calibration window is empty", field="window")
    cuts = {GLOBAL: _cut(p, y, types, goal, True)}
    for region in sorted(set(regions.tolist())):
        mask = regions == region
        if int(np.sum(mask & (y == 0))) >= goal.min_rows:
            cuts[region] = _cut(p[mask], y[mask], types[mask], goal, True)
        else:
            g = cuts[GLOBAL]
            cuts[region] = Cut(g.review, g.hold, g.legit_held, g.illicit_caught, int(mask.sum()), False)
    return cuts
