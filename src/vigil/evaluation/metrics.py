"""Scoring Vigil's decisions against the simulator's labels. Pure: a ``Dataset`` in, a ``Report`` out.

Definitions (docs/evaluation.md says the same, with the JSON keys):

- **alert**: outcome review, hold or block. A challenge is a step-up for the user, not an alert.
- **stopped**: outcome hold or block.
- **labelled event**: an event with a label row; **legitimate event**: an event without one.
  **labelled account**: an account with at least one labelled event; **legitimate account**: an
  account with none (victims of account takeover and scams are labelled, so they are not counted
  as legitimate accounts).
- **region**: the event's ``region``; an account's region is that of its first event (by time);
  a ring's region is that of its first labelled event.

Per typology, per region and overall:

- **event recall** = labelled events with an alert / labelled events.
- **account recall** = labelled accounts with an alert on any of their events (labelled or not) at
  or after their first labelled event / labelled accounts. For a typology, the accounts with a label
  of that typology and their first label of it; for a region, the labelled accounts of the region.
- **precision**: overall = alerts on labelled events / all alerts; per typology, one against the
  legitimate: alerts on its events / (alerts on its events + alerts on legitimate events); per
  region = alerts on the region's labelled events / all alerts on the region's events.
- **time to first alert**, per ring: from the ring's first labelled event to the first alert on
  any of its labelled events; median and p90 (linear interpolation, as ``numpy.percentile``) over
  the rings alerted, and the number never alerted. For a typology, only its labels count.
- **illicit value stopped**, over exit events (``exit: true``): the illicit value of the exits that
  were stopped, by their own hold/block or by a stop on a strictly earlier labelled event of the
  same ring on the same account (the account was frozen before the value could leave), out of all
  the exits' illicit value. Exact decimal sums. The value of exits not stopped but delayed (a
  delay on the exit's own decision) is reported apart: delayed money still left.

Friction and alert volume, overall and per region (no typology: it is about honest users), are in
``friction.py``; cases (an account's alerts grouped as the desk holds them) in ``cases.py``.

Only the judged events count (``window.py``: ``--since``/``--until``, by default the run without
the simulator's history); every count, account-day and "first label" is taken among them.

Events without a decision (possible when ``vigil replay --skip-invalid`` rejected some) are never
alerts and are left out of the legitimate withdrawals; every labelled event has a decision.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from itertools import compress

import numpy as np

from vigil.evaluation.cases import CASE_GAP_DAYS, group_cases
from vigil.evaluation.curves import build_curves
from vigil.evaluation.dataset import Dataset
from vigil.evaluation.frame import NEVER, Bools, Frame, build_frame
from vigil.evaluation.friction import friction
from vigil.evaluation.results import (
    Counts,
    Detection,
    Ratio,
    Report,
    TimeToAlert,
    ValueStopped,
)

_EPOCH = date(1970, 1, 1)


def evaluate(data: Dataset, *, max_curve_points: int = 50, case_gap_days: float = CASE_GAP_DAYS) -> Report:
    """Every metric of the module docstring, overall, per typology and per region (names sorted);
    an account's alerts more than ``case_gap_days`` apart fall into separate cases."""
    f = build_frame(data)
    cases = group_cases(f, case_gap_days)
    everything = np.ones(data.n_labels, np.bool_)
    overall = Detection(
        "overall",
        event_recall(f, everything),
        account_recall(f, everything),
        Ratio(int(f.l_alert.sum()), int(f.alert_rows.size)),
        value_stopped(f, everything),
        time_to_alert(f, everything),
    )
    typologies = []
    for code, name in _by_name(data.typologies):
        mine = data.label_typology == code
        typologies.append(
            Detection(
                name,
                event_recall(f, mine),
                account_recall(f, mine),
                typology_precision(f, mine),
                value_stopped(f, mine),
                time_to_alert(f, mine),
            )
        )
    regions, region_friction = [], []
    for code, name in _by_name(data.regions):
        here = f.l_region == code
        regions.append(
            Detection(
                name,
                event_recall(f, here),
                account_recall(f, everything, accounts=f.account_region == code),
                Ratio(int((f.l_alert & here).sum()), int((data.region[f.alert_rows] == code).sum())),
                value_stopped(f, here),
                time_to_alert(f, everything, rings=f.ring_region == code),
            )
        )
        region_friction.append(friction(f, cases, name, region=code))
    return Report(
        counts=counts(f),
        overall=overall,
        typologies=tuple(typologies),
        regions=tuple(regions),
        friction=friction(f, cases, "overall"),
        region_friction=tuple(region_friction),
        curves=build_curves(f, max_curve_points),
        case_gap_days=case_gap_days,
    )


def _by_name(names: tuple[str, ...]) -> list[tuple[int, str]]:
    return sorted(enumerate(names), key=lambda item: item[1])


def event_recall(f: Frame, labels: Bools) -> Ratio:
    """Labels (a mask over label rows) whose event was alerted, out of those labels."""
    return Ratio(int((f.l_alert & labels).sum()), int(labels.sum()))


def account_recall(f: Frame, labels: Bools, *, accounts: Bools | None = None) -> Ratio:
    """Accounts of ``labels`` (restricted to the ``accounts`` mask) alerted at or after their first one."""
    first = np.full(len(f.data.accounts), NEVER, np.int64)
    np.minimum.at(first, f.l_account[labels], f.l_ts[labels])
    if accounts is not None:
        first[~accounts] = NEVER
    rows = f.alert_rows
    alerted_account = f.data.account[rows]
    hit = f.data.ts_us[rows] >= first[alerted_account]
    return Ratio(int(np.unique(alerted_account[hit]).size), int((first != NEVER).sum()))


def typology_precision(f: Frame, labels: Bools) -> Ratio:
    """One against the legitimate: alerts on these labels / (those + alerts on legitimate events)."""
    mine = int((f.l_alert & labels).sum())
    legitimate = int((~f.labelled[f.alert_rows]).sum())
    return Ratio(mine, mine + legitimate)


def time_to_alert(f: Frame, labels: Bools, *, rings: Bools | None = None) -> TimeToAlert:
    """Per ring of ``labels`` (restricted to the ``rings`` mask), first label to first alert on a label."""
    ring = f.data.label_ring
    first = np.full(len(f.data.rings), NEVER, np.int64)
    np.minimum.at(first, ring[labels], f.l_ts[labels])
    alerted = labels & f.l_alert
    first_alert = np.full(len(f.data.rings), NEVER, np.int64)
    np.minimum.at(first_alert, ring[alerted], f.l_ts[alerted])
    scope = first != NEVER
    if rings is not None:
        scope &= rings
    detected = scope & (first_alert != NEVER)
    delays = (first_alert[detected] - first[detected]) / 1e6
    if not delays.size:
        return TimeToAlert(int(scope.sum()), 0, None, None)
    median, p90 = np.percentile(delays, [50, 90])
    return TimeToAlert(int(scope.sum()), int(delays.size), float(median), float(p90))


def value_stopped(f: Frame, labels: Bools) -> ValueStopped:
    """Illicit value of the exits among ``labels``, and of those stopped (see the module docstring)."""
    exits = f.data.label_exit & labels
    stopped = exits & f.l_exit_stopped
    delayed = exits & ~f.l_exit_stopped & f.l_delayed
    return ValueStopped(
        stopped=decimal_sum(compress(f.data.label_value, stopped)),
        total=decimal_sum(compress(f.data.label_value, exits)),
        exits=int(exits.sum()),
        exits_stopped=int(stopped.sum()),
        delayed=decimal_sum(compress(f.data.label_value, delayed)),
        exits_delayed=int(delayed.sum()),
    )


def decimal_sum(values: Iterable[Decimal]) -> Decimal:
    """An exact sum: 60 significant digits leave no room for rounding with any real amount."""
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        return sum(values, Decimal(0))


def counts(f: Frame) -> Counts:
    """The size of the run."""
    d = f.data
    return Counts(
        events=d.n_events,
        decided_events=int(f.decided.sum()),
        labelled_events=d.n_labels,
        exits=int(d.label_exit.sum()),
        accounts=len(d.accounts),
        labelled_accounts=int(f.labelled_account.sum()),
        rings=len(d.rings),
        alerts=int(f.alert_rows.size),
        stops=int(f.stop.sum()),
        first_day=_EPOCH + timedelta(days=int(f.day.min())),
        last_day=_EPOCH + timedelta(days=int(f.day.max())),
        active_days=int(np.unique(f.day).size),
        judged=d.judged,
    )
