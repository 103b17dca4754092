"""Cases: an account's alerts grouped as the desk would hold them (pure numpy).

The desk keeps one open case per account and adds each new alert to it; analysts close cases,
which the evaluation cannot see. So it models them: an account's alerts, in time order, form one
case until an alert comes more than ``gap_days`` (default 30) after the previous one, which opens
a new case.

A case is **true** when its account is labelled and it holds an alert at or after the account's
first labelled event (its last alert is then at or after it). A **legitimate case** is one on a
legitimate account (no labelled event). A case on a labelled account that ended before its crime
began is neither: it is counted among all cases (so it lowers case precision) but not among the
legitimate ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vigil.errors import InvalidInput
from vigil.evaluation.frame import DAY_US, NEVER, Bools, Frame

CASE_GAP_DAYS = 30.0


@dataclass(frozen=True, slots=True)
class Cases:
    """One row per case: its account (a code), whether it is true, whether it is legitimate."""

    account: npt.NDArray[np.int32]
    true: Bools
    legitimate: Bools


def group_cases(f: Frame, gap_days: float = CASE_GAP_DAYS) -> Cases:
    """The cases of every alert of ``f`` (see the module docstring)."""
    if not (gap_days >= 0 and np.isfinite(gap_days)):
        raise InvalidInput(f"must be a number of days >= 0, not {gap_days}", field="case_gap_days")
    d = f.data
    account, ts = d.account[f.alert_rows], d.ts_us[f.alert_rows]
    order = np.lexsort((ts, account))
    account, ts = account[order], ts[order]
    opens = np.ones(account.size, np.bool_)
    opens[1:] = (account[1:] != account[:-1]) | (ts[1:] - ts[:-1] > round(gap_days * DAY_US))
    starts = np.flatnonzero(opens)
    ends = np.empty_like(starts)  # each case ends just before the next one opens
    ends[:-1] = starts[1:] - 1
    ends[-1:] = account.size - 1
    last = ts[ends]
    case_account = account[starts]
    first_label = np.full(len(d.accounts), NEVER, np.int64)
    np.minimum.at(first_label, f.l_account, f.l_ts)
    return Cases(
        account=case_account,
        true=last >= first_label[case_account],
        legitimate=~f.labelled_account[case_account],
    )
