"""Columns every metric needs, derived once from a ``Dataset`` (pure numpy, no I/O).

Per event: alert (review or worse; also the rows of all alerts), stop (hold or block), delayed
(a delay with an outcome below hold: with a hold or block, the stop is what counts), labelled, UTC
day. Per account: its region (that of its first event by time, ties by file order), whether
any of its events is labelled, whether any was stopped. Per label: the event's time, account,
region, outcome and score, and whether an exit's value was stopped (its own hold/block, or an
earlier stopped labelled event of the same ring on the same account), and whether its event was
delayed. Per ring: the region of its
first labelled event.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vigil.evaluation.dataset import DAY_US, NO_DELAY, Dataset
from vigil.model import Outcome

__all__ = ["DAY_US", "NEVER", "Bools", "Frame", "Ints", "build_frame", "first_rows"]

NEVER = np.iinfo(np.int64).max

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Frame:
    """A dataset plus its derived columns; see the module docstring for each."""

    data: Dataset
    alert: Bools
    alert_rows: Ints
    stop: Bools
    delayed: Bools
    decided: Bools
    labelled: Bools
    day: Ints
    account_region: npt.NDArray[np.int32]
    labelled_account: Bools
    stopped_account: Bools
    l_ts: Ints
    l_account: npt.NDArray[np.int32]
    l_region: npt.NDArray[np.int32]
    l_alert: Bools
    l_stop: Bools
    l_delayed: Bools
    l_score: npt.NDArray[np.float64]
    l_exit_stopped: Bools
    ring_region: npt.NDArray[np.int32]

    def account_days(self, events: Bools | None = None) -> int:
        """Distinct (account, UTC day) pairs among ``events`` (all events if None)."""
        d = self.data
        account, day = (d.account, self.day) if events is None else (d.account[events], self.day[events])
        if account.size == 0:
            return 0
        span = int(self.day.max() - self.day.min()) + 1
        keys = account.astype(np.int64) * span + (day - self.day.min())
        return int(np.unique(keys).size)


def first_rows(groups: npt.NDArray[np.int32], ts: Ints, n_groups: int) -> Ints:
    """For each group code in ``range(n_groups)``, the row of its earliest ``ts`` (ties: the first row).

    Groups without rows get -1.
    """
    earliest = np.full(n_groups, NEVER, np.int64)
    np.minimum.at(earliest, groups, ts)
    candidates = np.flatnonzero(ts == earliest[groups])
    codes, first = np.unique(groups[candidates], return_index=True)
    rows = np.full(n_groups, -1, np.int64)
    rows[codes] = candidates[first]
    return rows


def build_frame(data: Dataset) -> Frame:
    """Derive every shared column of ``data`` once."""
    n_accounts = len(data.accounts)
    alert = data.outcome >= Outcome.REVIEW
    stop = data.outcome >= Outcome.HOLD
    delayed = (data.delay_until_us != NO_DELAY) & ~stop
    labelled = np.zeros(data.n_events, np.bool_)
    labelled[data.label_event] = True
    labelled_account = np.zeros(n_accounts, np.bool_)
    labelled_account[data.account[data.label_event]] = True
    stopped_account = np.zeros(n_accounts, np.bool_)
    stopped_account[data.account[stop]] = True
    account_first = first_rows(data.account, data.ts_us, n_accounts)
    rows = data.label_event
    l_ts, l_account, l_stop = data.ts_us[rows], data.account[rows], stop[rows]
    ring_first = first_rows(data.label_ring, l_ts, len(data.rings))
    return Frame(
        data=data,
        alert=alert,
        alert_rows=np.flatnonzero(alert),
        stop=stop,
        delayed=delayed,
        decided=data.outcome >= 0,
        labelled=labelled,
        day=data.ts_us // DAY_US,
        account_region=data.region[account_first],
        labelled_account=labelled_account,
        stopped_account=stopped_account,
        l_ts=l_ts,
        l_account=l_account,
        l_region=data.region[rows],
        l_alert=alert[rows],
        l_stop=l_stop,
        l_delayed=delayed[rows],
        l_score=data.score[rows],
        l_exit_stopped=_exit_stopped(data, l_ts, l_account, l_stop),
        ring_region=data.region[rows[ring_first]],
    )


def _exit_stopped(data: Dataset, l_ts: Ints, l_account: npt.NDArray[np.int32], l_stop: Bools) -> Bools:
    """Per label: an exit whose value was stopped, by its own hold/block or an earlier one of its ring
    on the same account (the account was frozen before the value could leave)."""
    pairs = data.label_ring.astype(np.int64) * len(data.accounts) + l_account
    _, pair = np.unique(pairs, return_inverse=True)
    first_stop = np.full(int(pair.max()) + 1 if pair.size else 0, NEVER, np.int64)
    np.minimum.at(first_stop, pair[l_stop], l_ts[l_stop])
    return data.label_exit & (l_stop | (first_stop[pair] < l_ts))
