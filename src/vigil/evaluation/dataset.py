"""The evaluation's data: events with their decision and label, aligned by event, in numpy columns.

Millions of events do not fit comfortably as Python objects, so ``DatasetBuilder`` turns each
block of decoded rows into columns at once: names (accounts, regions, typologies, rings) become
dense integer codes, timestamps integer microseconds. Event ids are not kept: they only join the
three files, inside the builder. Only the events of the judged window are kept (``window.py``);
``judged`` says what the window was and how many events were left out on each side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import numpy.typing as npt

NO_DECISION = -1
NO_DELAY = np.iinfo(np.int64).min
DAY_US = 86_400_000_000


@dataclass(frozen=True, slots=True)
class Outside:
    """Events left out on one side of the window: how many, and the UTC days they span (None if none)."""

    events: int
    first_day: date | None
    last_day: date | None

    @classmethod
    def of(cls, ts_us: npt.NDArray[np.int64]) -> Outside:
        if not ts_us.size:
            return cls(0, None, None)
        return cls(int(ts_us.size), _day_of(int(ts_us.min())), _day_of(int(ts_us.max())))


@dataclass(frozen=True, slots=True)
class Judged:
    """The window as it was applied: ``since`` given or detected, and the events left out around it."""

    since_us: int
    until_us: int | None
    since_detected: bool
    before: Outside
    after: Outside


def _day_of(us: int) -> date:
    return date(1970, 1, 1) + timedelta(days=us // DAY_US)


@dataclass(frozen=True, slots=True)
class Dataset:
    """Events (one row each), their decisions, and the labelled events' ground truth.

    Per event: ``account`` and ``region`` are codes into ``accounts`` and ``regions``; ``ts_us``
    microseconds since the epoch (UTC); ``outcome`` an ``Outcome`` value or ``NO_DECISION``;
    ``score`` NaN without a decision; ``delay_until_us`` when the decision's delay ends, or
    ``NO_DELAY`` (always after ``ts_us``: the builder checks it). Per label (one per labelled
    event): ``label_event`` is the event's row, ``label_typology`` and ``label_ring`` codes,
    ``label_value`` the illicit value.
    """

    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    account: npt.NDArray[np.int32]
    ts_us: npt.NDArray[np.int64]
    region: npt.NDArray[np.int32]
    withdrawal: npt.NDArray[np.bool_]
    outcome: npt.NDArray[np.int8]
    score: npt.NDArray[np.float64]
    delay_until_us: npt.NDArray[np.int64]
    typologies: tuple[str, ...]
    rings: tuple[str, ...]
    label_event: npt.NDArray[np.int64]
    label_typology: npt.NDArray[np.int32]
    label_ring: npt.NDArray[np.int32]
    label_value: tuple[Decimal, ...]
    label_exit: npt.NDArray[np.bool_]
    judged: Judged

    @property
    def n_events(self) -> int:
        return int(self.account.size)

    @property
    def n_labels(self) -> int:
        return int(self.label_event.size)
