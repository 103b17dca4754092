"""Which events an evaluation judges: a test window, and the simulator's history left out.

Only events with ``since <= ts < until`` are judged, with their decisions and labels; the others
are counted apart (``Outside``), never errors. ``until`` defaults to no end.

``since`` defaults to the **start of the run**. The simulator writes each account's history first
(its opening, KYC, an address-book entry, a last login: months to years before the run), so a
two-day run spans years. Those events set up state; they are not the run. The run starts on the
first UTC day with at least ``run_share`` (default 25%) as many events as the busiest day, and no
later than the day of the first labelled event (crime happens only in the run). The history's
busiest days, the week of last logins before the run, have as many active accounts as a fifth to a
half of a run day (most accounts do not act every day) but one event each, under a tenth of a run
day's events: counting them would multiply the active account-days of a two-day run by three.
A run shorter than about a day can fall under the threshold: give ``--since`` then. A ``since``
given explicitly is used as it is; ``run_share=0`` judges everything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import compress

import numpy as np
import numpy.typing as npt

from vigil.codec import parse_instant
from vigil.errors import InvalidInput
from vigil.evaluation.dataset import DAY_US, Dataset, Judged, Outside

RUN_SHARE = 0.25
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Window:
    """The instants judged, in microseconds since the epoch: ``since`` (None: the run's start,
    detected) included, ``until`` (None: no end) excluded."""

    since_us: int | None = None
    until_us: int | None = None
    run_share: float = RUN_SHARE

    def __post_init__(self) -> None:
        if self.since_us is not None and self.until_us is not None and self.since_us >= self.until_us:
            since, until = instant(self.since_us).isoformat(), instant(self.until_us).isoformat()
            raise InvalidInput(f"--since ({since}) must be before --until ({until})", field="--since")
        if not 0 <= self.run_share <= 1:
            raise InvalidInput(f"must be between 0 and 1, not {self.run_share}", field="run_share")

    @classmethod
    def parse(cls, since: str | None, until: str | None, *, run_share: float = RUN_SHARE) -> Window:
        """A window from the command line's ``--since`` and ``--until`` (either may be None)."""
        return cls(
            None if since is None else parse_instant(since, "--since"),
            None if until is None else parse_instant(until, "--until"),
            run_share,
        )


def instant(us: int) -> datetime:
    """Microseconds since the epoch as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=us)


def run_start(ts_us: npt.NDArray[np.int64], first_label_us: int | None, share: float) -> int:
    """Midnight UTC of the run's first day (see the module docstring), over events at ``ts_us``."""
    day = ts_us // DAY_US
    first_day = int(day.min())
    if share > 0:
        events = np.bincount(day - first_day)
        first_day += int(np.flatnonzero(events >= share * events.max())[0])
    if first_label_us is not None:
        first_day = min(first_day, first_label_us // DAY_US)
    return first_day * DAY_US


def cut(data: Dataset, window: Window) -> tuple[Dataset, npt.NDArray[np.int64]]:
    """``data`` restricted to the window, and the rows (in ``data``) of the events kept.

    Names (accounts, regions, typologies, rings) are coded again so that only those seen in the
    window count. ``InvalidInput`` naming the option when no event falls in the window.
    """
    ts = data.ts_us
    until = window.until_us
    early = np.ones(ts.size, np.bool_) if until is None else ts < until
    if not early.any():
        message = f"no events before {instant(until or 0).isoformat()}: the events start {_first(ts)}"
        raise InvalidInput(message, field="--until")
    since, detected = window.since_us, window.since_us is None
    if since is None:
        labelled = data.label_event[early[data.label_event]]
        first_label = int(ts[labelled].min()) if labelled.size else None
        since = run_start(ts[early], first_label, window.run_share)
    inside = early & (ts >= since)
    if not inside.any():
        message = f"no events in the window from {instant(since).isoformat()}: the events end {_last(ts)}"
        raise InvalidInput(message, field="--since")
    judged = Judged(since, until, detected, Outside.of(ts[ts < since]), Outside.of(ts[~early]))
    if inside.all():
        return replace(data, judged=judged), np.arange(ts.size, dtype=np.int64)
    rows = np.flatnonzero(inside)
    keep = inside[data.label_event]
    new_row = np.full(ts.size, -1, np.int64)
    new_row[rows] = np.arange(rows.size)
    accounts, account = _recode(data.accounts, data.account[rows])
    regions, region = _recode(data.regions, data.region[rows])
    typologies, typology = _recode(data.typologies, data.label_typology[keep])
    rings, ring = _recode(data.rings, data.label_ring[keep])
    cropped = Dataset(
        accounts=accounts,
        regions=regions,
        account=account,
        ts_us=ts[rows],
        region=region,
        withdrawal=data.withdrawal[rows],
        outcome=data.outcome[rows],
        score=data.score[rows],
        delay_until_us=data.delay_until_us[rows],
        typologies=typologies,
        rings=rings,
        label_event=new_row[data.label_event[keep]],
        label_typology=typology,
        label_ring=ring,
        label_value=tuple(compress(data.label_value, keep.tolist())),
        label_exit=data.label_exit[keep],
        judged=judged,
    )
    return cropped, rows


def _recode(
    names: tuple[str, ...], codes: npt.NDArray[np.int32]
) -> tuple[tuple[str, ...], npt.NDArray[np.int32]]:
    """Only the names ``codes`` use, in their former order, and the codes into them."""
    used, inverse = np.unique(codes, return_inverse=True)
    return tuple(names[i] for i in used.tolist()), inverse.astype(np.int32)


def _first(ts: npt.NDArray[np.int64]) -> str:
    return instant(int(ts.min())).isoformat()


def _last(ts: npt.NDArray[np.int64]) -> str:
    return instant(int(ts.max())).isoformat()
