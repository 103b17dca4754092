"""Thresholds per region, chosen on a calibration window so that stated budgets hold.

A ``Budget`` is what honest users may pay, per region:

- ``max_held``: the share of legitimate withdrawals the model may **hold** (0.1% by default);
- ``max_false_alerts``: the model's false alerts (review or hold on a legitimate event) per 1,000 active
  account-days (1 by default). Active account-days are the sum over UTC days of the distinct accounts
  with at least one event that day in the window (in a region: an event of the region), as the
  evaluation counts them (``vigil.evaluation.metrics``).

On the calibration window, a region's **review** threshold is the lowest probability that keeps its
legitimate events at or over it within the false-alert budget, and its **hold** threshold the lowest
that keeps its legitimate withdrawals held within the held budget **and** its legitimate P2P orders held
within the same share, and never under review (so every hold is an alert the budget counted). The model
holds money on its way out (``HOLDABLE``): a withdrawal, and a P2P order, where the crypto leaves against
fiat paid outside the exchange (a P2P sale is a cash-out, issue 16); it only reviews other events.
A threshold is a probability and stops at 1.0:
when more legitimate events than the budget allows score exactly 1.0, or when a region with fewer
than ``min_rows`` legitimate rows, or whose budget allows fewer than ``min_alerts`` false alerts on the
window, takes the all-regions thresholds (``own`` False) and they cost it more
than its budget, the budget is **not met**: the cut says so (``met`` False) and records what the
closest point costs, never a figure it did not measure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from vigil.errors import InvalidInput
from vigil.model import EventType, Outcome
from vigil.model.learning import GLOBAL

Floats = npt.NDArray[np.float64]
_WITHDRAWAL = EventType.WITHDRAWAL.value
_P2P = EventType.P2P_ORDER.value
# What the model may hold: value leaving the exchange (module docstring).
HOLDABLE = frozenset({EventType.WITHDRAWAL, EventType.P2P_ORDER})


@dataclass(frozen=True, slots=True)
class Budget:
    """What the model may cost honest users in a region (see the module docstring)."""

    max_held: float = 0.001  # share of legitimate withdrawals held
    max_false_alerts: float = 1.0  # false alerts per 1,000 active account-days

    def __post_init__(self) -> None:
        if not (math.isfinite(self.max_held) and 0 <= self.max_held <= 1):
            raise InvalidInput(f"max_held must be a share in [0, 1], got {self.max_held!r}", field="max_held")
        if not (math.isfinite(self.max_false_alerts) and self.max_false_alerts >= 0):
            raise InvalidInput(
                f"max_false_alerts must be a finite number >= 0, got {self.max_false_alerts!r}",
                field="max_false_alerts",
            )

    def describe(self) -> str:
        return (
            f"hold at most {self.max_held:.2%} of legitimate withdrawals, at most "
            f"{self.max_false_alerts:g} false alerts per 1,000 active account-days"
        )


@dataclass(frozen=True, slots=True)
class Goal:
    """The budget of every region, with overrides for some, and the rows a region needs of its own."""

    budget: Budget = field(default_factory=Budget)
    regions: Mapping[str, Budget] = field(default_factory=dict)  # region -> its own budget
    min_rows: int = 1000  # legitimate rows a region needs for its own thresholds
    # False alerts a region's budget must allow on the calibration window for its own thresholds: with
    # fewer, its threshold is the highest score of a handful of legitimate events (noise, and far
    # stricter than its budget on any other window); the all-regions thresholds serve it instead.
    min_alerts: int = 5

    def __post_init__(self) -> None:
        if self.min_rows < 1:
            raise InvalidInput(f"min_rows must be at least 1, got {self.min_rows}", field="min_rows")
        if self.min_alerts < 0:
            raise InvalidInput(f"min_alerts must be 0 or more, got {self.min_alerts}", field="min_alerts")

    def of(self, region: str) -> Budget:
        return self.regions.get(region, self.budget)

    def describe(self) -> str:
        own = "; ".join(f"{r}: {b.describe()}" for r, b in sorted(self.regions.items()))
        return (
            self.budget.describe()
            + (f" (overrides: {own})" if own else "")
            + f"; a region needs {self.min_rows:,} legitimate rows and a budget of {self.min_alerts} false"
            " alerts on the calibration window for thresholds of its own"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "budget": asdict(self.budget),
            "regions": {r: asdict(b) for r, b in sorted(self.regions.items())},
            "min_rows": self.min_rows,
            "min_alerts": self.min_alerts,
        }


@dataclass(frozen=True, slots=True)
class Cut:
    """A region's thresholds on the calibrated probability, its budget, and what they cost on the window."""

    review: float
    hold: float
    budget: Budget
    own: bool  # False: too few rows or too small a budget of its own; the all-regions thresholds serve it
    rows: int
    account_days: int  # active account-days of the window
    legit_withdrawals: int
    held: int  # legitimate withdrawals at or over ``hold``
    false_alerts: int  # legitimate events at or over ``review``
    illicit: int
    caught_review: float  # share of illicit events at or over ``review`` (reviewed or held)
    caught_hold: float  # share of illicit events held (withdrawals and P2P orders at or over ``hold``)
    value_review: float  # the same, as shares of the illicit events' fiat value
    value_hold: float
    legit_p2p: int = 0  # legitimate P2P orders of the window (held within the same share)
    held_p2p: int = 0  # those at or over ``hold``

    @property
    def legit_held(self) -> float:
        return self.held / self.legit_withdrawals if self.legit_withdrawals else 0.0

    @property
    def false_alerts_per_1000(self) -> float:
        if self.account_days == 0:
            return 0.0 if self.false_alerts == 0 else math.inf
        return self.false_alerts / self.account_days * 1000

    @property
    def held_met(self) -> bool:
        return self.held <= _allowed(self.budget.max_held, self.legit_withdrawals) and (
            self.held_p2p <= _allowed(self.budget.max_held, self.legit_p2p)
        )

    @property
    def alerts_met(self) -> bool:
        return self.false_alerts <= _allowed(self.budget.max_false_alerts / 1000, self.account_days)

    @property
    def met(self) -> bool:
        return self.held_met and self.alerts_met

    def outcome(self, probability: float, event_type: EventType) -> Outcome:
        if probability >= self.hold and event_type in HOLDABLE:
            return Outcome.HOLD
        if probability >= self.review:
            return Outcome.REVIEW
        return Outcome.ALLOW

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["met"] = self.met  # for a reader of the sidecar; recomputed on load
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cut:
        try:
            known = {f.name for f in fields(cls)}
            values = {k: v for k, v in data.items() if k in known}
            if "budget" not in data:
                raise InvalidInput(
                    "thresholds without a budget (chosen by an older Vigil): retrain (vigil train)",
                    field="thresholds",
                )
            values["budget"] = Budget(**data["budget"])
            return cls(**values)
        except (TypeError, KeyError) as e:
            raise InvalidInput(f"thresholds: {e}", field="thresholds") from None


def _allowed(rate: float, base: int) -> int:
    """How many events a budget of ``rate`` per unit of ``base`` allows (rounded down, float-safe)."""
    return math.floor(rate * base * (1 + 1e-12))


def _lowest_within(scores: Floats, allowed: int) -> float:
    """The lowest threshold t in [0, 1] with at most ``allowed`` scores >= t (1.0 when none is)."""
    if allowed >= len(scores):
        return 0.0
    kth = float(np.partition(scores, len(scores) - 1 - allowed)[len(scores) - 1 - allowed])
    return min(float(np.nextafter(kth, np.inf)), 1.0)  # 1.0 itself when the (allowed+1)-th is 1.0


def _share(hit: npt.NDArray[np.bool_], weight: Floats | None = None) -> float:
    if weight is None:
        return float(hit.mean()) if len(hit) else 0.0
    total = float(weight.sum())
    return float(weight[hit].sum()) / total if total > 0 else 0.0


def operating_point(
    review: float,
    hold: float,
    p: Floats,
    y: npt.NDArray[np.int8],
    types: npt.NDArray[np.str_],
    values: Floats,
    account_days: int,
    budget: Budget,
    *,
    own: bool,
) -> Cut:
    """What thresholds ``review`` and ``hold`` cost and catch on a window (one region's rows)."""
    legit, bad = y == 0, y == 1
    withdrawal = types == _WITHDRAWAL
    p2p = types == _P2P
    reviewed = p >= review
    held = (withdrawal | p2p) & (p >= hold)
    flagged = reviewed | held
    worth = np.nan_to_num(values[bad], nan=0.0)
    return Cut(
        review=review,
        hold=hold,
        budget=budget,
        own=own,
        rows=len(p),
        account_days=account_days,
        legit_withdrawals=int((legit & withdrawal).sum()),
        held=int((legit & withdrawal & held).sum()),
        false_alerts=int((legit & flagged).sum()),
        illicit=int(bad.sum()),
        caught_review=_share(flagged[bad]),
        caught_hold=_share(held[bad]),
        value_review=_share(flagged[bad], worth),
        value_hold=_share(held[bad], worth),
        legit_p2p=int((legit & p2p).sum()),
        held_p2p=int((legit & p2p & held).sum()),
    )


def _thresholds(
    p: Floats, y: npt.NDArray[np.int8], types: npt.NDArray[np.str_], account_days: int, budget: Budget
) -> tuple[float, float]:
    legit = y == 0
    review = _lowest_within(p[legit], _allowed(budget.max_false_alerts / 1000, account_days))
    holds = []
    for kind in (_WITHDRAWAL, _P2P):  # each kind of exit within the held share
        honest = p[legit & (types == kind)]
        if len(honest):
            holds.append(_lowest_within(honest, _allowed(budget.max_held, len(honest))))
    hold = max(holds) if holds else 1.0
    return review, max(hold, review)


def choose(
    p: Floats,
    y: npt.NDArray[np.int8],
    regions: npt.NDArray[np.str_],
    types: npt.NDArray[np.str_],
    values: Floats,
    account_days: Mapping[str, int],
    goal: Goal | None = None,
) -> dict[str, Cut]:
    """Thresholds per region (and GLOBAL, the fallback) on a calibration window: ``p`` the calibrated
    probabilities, ``y`` the labels, ``values`` each event's fiat value (NaN: none), ``account_days``
    the window's active account-days per region and for GLOBAL."""
    goal = goal or Goal()
    n = len(p)
    if n == 0:
        raise InvalidInput("the calibration window is empty", field="window")
    if not (len(y) == len(regions) == len(types) == len(values) == n):
        raise InvalidInput(
            "probabilities, labels, regions, types and values differ in length", field="window"
        )
    missing = sorted({GLOBAL, *set(regions.tolist())} - set(account_days))
    if missing:
        raise InvalidInput(f"no active account-days for {', '.join(missing)}", field="account_days")
    budget = goal.of(GLOBAL)
    review, hold = _thresholds(p, y, types, account_days[GLOBAL], budget)
    cuts = {
        GLOBAL: operating_point(review, hold, p, y, types, values, account_days[GLOBAL], budget, own=True)
    }
    for region in sorted(set(regions.tolist())):
        m = regions == region
        days, budget = account_days[region], goal.of(region)
        own = (
            int(np.sum(m & (y == 0))) >= goal.min_rows
            and _allowed(budget.max_false_alerts / 1000, days) >= goal.min_alerts
        )
        r, h = _thresholds(p[m], y[m], types[m], days, budget) if own else (review, hold)
        cuts[region] = operating_point(r, h, p[m], y[m], types[m], values[m], days, budget, own=own)
    return cuts
