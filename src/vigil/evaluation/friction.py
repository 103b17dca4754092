"""What honest users pay, and what analysts receive, overall or in one region (pure numpy).

Over the **legitimate withdrawals with a decision** (the denominator of every share here):
challenged (outcome challenge), delayed (a delay with an outcome below hold; how long: median and
p90 of ``delay_until - ts``), held, blocked, stopped (held or blocked) and alerted (review or
worse). Over the legitimate accounts: those with a hold or block on any event.

Volume, per 1,000 **active account-days** (the sum over UTC days of the accounts with an event that
day): alerts, **false alerts** (alerts on legitimate events) and **legitimate cases** (cases on
legitimate accounts, ``cases.py``), with **case precision** = true cases / all cases. In a region:
the events of the region (alerts, false alerts, account-days) and the accounts of the region
(cases, legitimate accounts; an account's region is that of its first event).
"""

from __future__ import annotations

import numpy as np

from vigil.evaluation.cases import Cases
from vigil.evaluation.frame import Frame
from vigil.evaluation.results import Friction, Ratio, Spread
from vigil.model import Outcome


def friction(f: Frame, cases: Cases, name: str, *, region: int | None = None) -> Friction:
    """The friction and volume of the module docstring, overall (``region`` None) or in one region."""
    d = f.data
    honest = d.withdrawal & ~f.labelled & f.decided
    legit_accounts = ~f.labelled_account
    in_region = np.ones(cases.account.size, np.bool_)
    events = None
    if region is not None:
        events = d.region == region
        honest &= events
        legit_accounts = legit_accounts & (f.account_region == region)
        in_region = f.account_region[cases.account] == region
    alerts = f.alert if events is None else f.alert & events
    withdrawals = int(honest.sum())
    outcome = d.outcome[honest]

    def share(hits: np.ndarray) -> Ratio:
        return Ratio(int(hits.sum()), withdrawals)

    delayed = honest & f.delayed
    return Friction(
        name=name,
        withdrawals_challenged=share(outcome == Outcome.CHALLENGE),
        withdrawals_delayed=share(delayed),
        delay=spread((d.delay_until_us[delayed] - d.ts_us[delayed]) / 1e6),
        withdrawals_held=share(outcome == Outcome.HOLD),
        withdrawals_blocked=share(outcome == Outcome.BLOCK),
        withdrawals_stopped=share(outcome >= Outcome.HOLD),
        withdrawals_alerted=share(outcome >= Outcome.REVIEW),
        accounts_stopped=Ratio(int((legit_accounts & f.stopped_account).sum()), int(legit_accounts.sum())),
        alerts=int(alerts.sum()),
        false_alerts=int((alerts & ~f.labelled).sum()),
        cases=int(in_region.sum()),
        true_cases=int((cases.true & in_region).sum()),
        legitimate_cases=int((cases.legitimate & in_region).sum()),
        active_account_days=f.account_days(events),
    )


def spread(seconds: np.ndarray) -> Spread:
    """Median and p90 (linear interpolation, as ``numpy.percentile``); None for no durations."""
    if not seconds.size:
        return Spread(None, None)
    median, p90 = np.percentile(seconds, [50, 90])
    return Spread(float(median), float(p90))
