"""The evaluation's arithmetic on a hand-made run where every expected number is worked out by hand.

The world (minutes after 2026-01-05 10:00 UTC; ``*`` marks a labelled event)::

    event  account t(min) type            region outcome    score  label
    e1     v1      0      login           ID     allow      10     * ato-1
    e2     v1      10     password_reset  ID     hold       70     * ato-1
    e3     v1      20     withdrawal      ID     allow      30     * ato-1 exit 1000.00
    e4     v2      0      login           EU     allow      5      * ato-2
    e5     v2      30     withdrawal      EU     allow      20     * ato-2 exit 500.50
    e6     v2      -60    deposit         EU     review     40       (before v2's first label)
    e7     m1      0      deposit         ID     allow      15     * mule-1 200
    e8     m1      5      withdrawal      ID     block      90     * mule-1 exit 200
    e9     m2      10     deposit         ID     review     60     * mule-1 300
    e10    m2      15     withdrawal      ID     allow      25     * mule-1 exit 300
    e11    m2      20     login           ID     hold       80     * mule-1 (after the exit e10)
    e12    h1      0      withdrawal      ID     hold       75
    e13    h1      1440   login           ID     allow      1        (the next UTC day)
    e14    h2      0      withdrawal      EU     review     45
    e15    h2      5      deposit         EU     challenge  35       (a challenge is not an alert)
    e16    h3      0      withdrawal      ID     allow      2
    e17    h3      10     trade           ID     allow      3
    e18    h4      0      withdrawal      EU     (no decision)
    e19    h4      -30    login           ID     allow      0        (last in the file, first in time)

Alerts: e2 e6 e8 e9 e11 e12 e14 (7), of which on labelled events e2 e8 e9 e11 (4). Stops: e2 e8 e11 e12.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import numpy as np
import pytest

from vigil.evaluation import (
    DecisionRecord,
    EventRecord,
    LabelRecord,
    PRPoint,
    Ratio,
    Report,
    TimeToAlert,
    ValueStopped,
    evaluate,
    from_records,
    render_table,
    report_json,
)
from vigil.evaluation.curves import thresholds
from vigil.evaluation.records import OutcomeName

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)

WORLD: list[tuple[str, str, int, str, str, OutcomeName | None, float, tuple[str, str, str, bool] | None]] = [
    ("e1", "v1", 0, "login", "ID", "allow", 10, ("account_takeover", "ato-1", "0", False)),
    ("e2", "v1", 10, "password_reset", "ID", "hold", 70, ("account_takeover", "ato-1", "0", False)),
    ("e3", "v1", 20, "withdrawal", "ID", "allow", 30, ("account_takeover", "ato-1", "1000.00", True)),
    ("e4", "v2", 0, "login", "EU", "allow", 5, ("account_takeover", "ato-2", "0", False)),
    ("e5", "v2", 30, "withdrawal", "EU", "allow", 20, ("account_takeover", "ato-2", "500.50", True)),
    ("e6", "v2", -60, "deposit", "EU", "review", 40, None),
    ("e7", "m1", 0, "deposit", "ID", "allow", 15, ("mule_ring", "mule-1", "200", False)),
    ("e8", "m1", 5, "withdrawal", "ID", "block", 90, ("mule_ring", "mule-1", "200", True)),
    ("e9", "m2", 10, "deposit", "ID", "review", 60, ("mule_ring", "mule-1", "300", False)),
    ("e10", "m2", 15, "withdrawal", "ID", "allow", 25, ("mule_ring", "mule-1", "300", True)),
    ("e11", "m2", 20, "login", "ID", "hold", 80, ("mule_ring", "mule-1", "0", False)),
    ("e12", "h1", 0, "withdrawal", "ID", "hold", 75, None),
    ("e13", "h1", 1440, "login", "ID", "allow", 1, None),
    ("e14", "h2", 0, "withdrawal", "EU", "review", 45, None),
    ("e15", "h2", 5, "deposit", "EU", "challenge", 35, None),
    ("e16", "h3", 0, "withdrawal", "ID", "allow", 2, None),
    ("e17", "h3", 10, "trade", "ID", "allow", 3, None),
    ("e18", "h4", 0, "withdrawal", "EU", None, 0, None),
    ("e19", "h4", -30, "login", "ID", "allow", 0, None),
]


def event(eid: str, account: str, minutes: float, kind: str = "login", region: str = "ID") -> EventRecord:
    return EventRecord(
        type=kind, event_id=eid, account_id=account, ts=T0 + timedelta(minutes=minutes), region=region
    )


def decision(eid: str, account: str, outcome: OutcomeName, score: float) -> DecisionRecord:
    return DecisionRecord(event_id=eid, account_id=account, outcome=outcome, score=score)


def label(
    eid: str, account: str, typology: str, ring: str, value: str = "0", exit: bool = False
) -> LabelRecord:
    return LabelRecord(
        event_id=eid,
        account_id=account,
        typology=typology,
        ring_id=ring,
        illicit_value=Decimal(value),
        exit=exit,
    )


@pytest.fixture(scope="module")
def report() -> Report:
    events = [event(e, a, t, kind, region) for e, a, t, kind, region, _, _, _ in WORLD]
    decisions = [decision(e, a, o, s) for e, a, _, _, _, o, s, _ in WORLD if o is not None]
    labels = [label(e, a, *lab) for e, a, _, _, _, _, _, lab in WORLD if lab is not None]
    return evaluate(from_records(events, decisions, labels))


def typology(report: Report, name: str) -> int:
    return [t.name for t in report.typologies].index(name)


def test_counts(report: Report) -> None:
    c = report.counts
    assert (c.events, c.decided_events, c.undecided_events) == (19, 18, 1)
    assert (c.labelled_events, c.exits, c.rings) == (10, 4, 3)
    assert (c.accounts, c.labelled_accounts, c.legitimate_accounts) == (8, 4, 4)
    assert (c.alerts, c.stops) == (7, 4)
    assert (c.first_day, c.last_day, c.active_days) == (date(2026, 1, 5), date(2026, 1, 6), 2)


def test_event_recall_counts_alerts_on_labelled_events(report: Report) -> None:
    assert report.overall.event_recall == Ratio(4, 10)
    assert [t.name for t in report.typologies] == ["account_takeover", "mule_ring"]
    assert report.typologies[0].event_recall == Ratio(1, 5)  # e2
    assert report.typologies[1].event_recall == Ratio(3, 5)  # e8 e9 e11
    assert report.overall.event_recall.value == pytest.approx(0.4)


def test_account_recall_ignores_alerts_before_the_first_labelled_event(report: Report) -> None:
    # v2's only alert (e6) is an hour before its first labelled event: v2 is not caught.
    assert report.overall.account_recall == Ratio(3, 4)
    assert report.typologies[typology(report, "account_takeover")].account_recall == Ratio(1, 2)
    assert report.typologies[typology(report, "mule_ring")].account_recall == Ratio(2, 2)


def test_precision_overall_and_one_against_the_legitimate(report: Report) -> None:
    assert report.overall.precision == Ratio(4, 7)
    # Legitimate alerts: e6, e12, e14 (3). A challenge (e15) is not an alert.
    assert report.typologies[typology(report, "account_takeover")].precision == Ratio(1, 4)
    assert report.typologies[typology(report, "mule_ring")].precision == Ratio(3, 6)


def test_time_to_first_alert_per_ring(report: Report) -> None:
    # ato-1: e1 (0) to e2 (10 min) = 600 s; mule-1: e7 (0) to e8 (5 min) = 300 s; ato-2 never.
    # p90 of [300, 600] by linear interpolation: 300 + 0.9 * 300 = 570.
    assert report.overall.time_to_alert == TimeToAlert(rings=3, detected=2, median_s=450.0, p90_s=570.0)
    assert report.overall.time_to_alert.never_alerted == 1
    ato = report.typologies[typology(report, "account_takeover")].time_to_alert
    assert ato == TimeToAlert(rings=2, detected=1, median_s=600.0, p90_s=600.0)
    mule = report.typologies[typology(report, "mule_ring")].time_to_alert
    assert mule == TimeToAlert(rings=1, detected=1, median_s=300.0, p90_s=300.0)


def test_value_stopped_counts_an_earlier_stop_of_the_ring_on_the_same_account(report: Report) -> None:
    # e3 (1000.00) was allowed, but e2 (same ring, same account, earlier) was held: stopped.
    # e8 (200) blocked itself. e10 (300): m2's hold e11 came after it, m1's block is another
    # account; e5 (500.50): nothing stopped in ato-2.
    overall = report.overall.value_stopped
    assert overall == ValueStopped(
        Decimal("1200.00"), Decimal("2000.50"), exits=4, exits_stopped=2, delayed=Decimal(0), exits_delayed=0
    )
    assert overall.share == pytest.approx(1200 / 2000.5)
    ato = report.typologies[typology(report, "account_takeover")].value_stopped
    assert ato == ValueStopped(
        Decimal("1000.00"), Decimal("1500.50"), exits=2, exits_stopped=1, delayed=Decimal(0), exits_delayed=0
    )
    mule = report.typologies[typology(report, "mule_ring")].value_stopped
    assert mule == ValueStopped(
        Decimal("200"), Decimal("500"), exits=2, exits_stopped=1, delayed=Decimal(0), exits_delayed=0
    )


def test_friction_to_honest_users(report: Report) -> None:
    f = report.friction
    # Legitimate withdrawals with a decision: e12 (hold), e14 (review), e16 (allow); e18 has none.
    assert f.withdrawals_stopped == Ratio(1, 3)
    assert f.withdrawals_alerted == Ratio(2, 3)
    # Legitimate accounts: h1..h4 (the victims v1 and v2 are labelled); h1 met a hold.
    assert f.accounts_stopped == Ratio(1, 4)


def test_alert_volume_per_1000_active_accounts_per_day(report: Report) -> None:
    # 2026-01-05: all 8 accounts; 2026-01-06: h1 only. 7 alerts / 9 account-days.
    f = report.friction
    assert (f.alerts, f.active_account_days) == (7, 9)
    assert f.alerts_per_1000_account_days == pytest.approx(7 / 9 * 1000)


def test_regions(report: Report) -> None:
    assert [r.name for r in report.regions] == ["EU", "ID"]
    eu, id_ = report.regions
    assert (id_.event_recall, eu.event_recall) == (Ratio(4, 8), Ratio(0, 2))
    # Account regions: v2 EU (e6 first in time); h4 ID (e19 is first in time, last in the file).
    assert (id_.account_recall, eu.account_recall) == (Ratio(3, 3), Ratio(0, 1))
    assert (id_.precision, eu.precision) == (Ratio(4, 5), Ratio(0, 2))
    assert id_.value_stopped == ValueStopped(
        Decimal("1200.00"), Decimal("1500.00"), exits=3, exits_stopped=2, delayed=Decimal(0), exits_delayed=0
    )
    assert eu.value_stopped == ValueStopped(
        Decimal("0"), Decimal("500.50"), exits=1, exits_stopped=0, delayed=Decimal(0), exits_delayed=0
    )
    assert id_.time_to_alert == TimeToAlert(rings=2, detected=2, median_s=450.0, p90_s=570.0)
    assert eu.time_to_alert == TimeToAlert(rings=1, detected=0, median_s=None, p90_s=None)
    eu_f, id_f = report.region_friction
    assert (id_f.withdrawals_stopped, id_f.withdrawals_alerted) == (Ratio(1, 2), Ratio(1, 2))
    assert (eu_f.withdrawals_stopped, eu_f.withdrawals_alerted) == (Ratio(0, 1), Ratio(1, 1))
    assert (id_f.accounts_stopped, eu_f.accounts_stopped) == (Ratio(1, 3), Ratio(0, 1))
    # ID: day 1 v1 m1 m2 h1 h3 h4, day 2 h1 -> 7 account-days, 5 alerts. EU: v2 h2 h4, 2 alerts.
    assert (id_f.alerts, id_f.active_account_days) == (5, 7)
    assert (eu_f.alerts, eu_f.active_account_days) == (2, 3)


def test_precision_recall_curves_by_hand(report: Report) -> None:
    # Legitimate decided scores: 0 1 2 3 35 40 45 75.
    ato = report.curves.precision_recall["account_takeover"]  # scores 5 10 20 30 70
    assert ato == (
        PRPoint(5.0, 5, 4, 1.0, 5 / 9),
        PRPoint(10.0, 4, 4, 0.8, 0.5),
        PRPoint(20.0, 3, 4, 0.6, 3 / 7),
        PRPoint(30.0, 2, 4, 0.4, 1 / 3),
        PRPoint(70.0, 1, 1, 0.2, 0.5),
    )
    mule = report.curves.precision_recall["mule_ring"]  # scores 15 25 60 80 90
    assert [(p.threshold, p.precision) for p in mule] == [
        (15, 5 / 9),
        (25, 0.5),
        (60, 0.75),
        (80, 1),
        (90, 1),
    ]


def test_value_vs_friction_curves_by_hand(report: Report) -> None:
    # Exits: e5 20 (500.50), e10 25 (300), e3 30 (1000.00), e8 90 (200); honest withdrawals 2 45 75.
    overall = report.curves.value_vs_friction
    assert [p.threshold for p in overall] == [20, 25, 30, 90]
    assert [p.value_flagged for p in overall] == [
        Decimal("2000.50"),
        Decimal("1500.00"),
        Decimal("1200.00"),
        Decimal("200"),
    ]
    assert [p.friction for p in overall] == [pytest.approx(2 / 3)] * 3 + [0.0]
    assert overall[0].value_share == 1.0
    assert overall[3].value_share == pytest.approx(200 / 2000.5)
    by_region = report.curves.value_vs_friction_by_region
    assert [(p.threshold, p.friction) for p in by_region["ID"]] == [(25, 0.5), (30, 0.5), (90, 0.0)]
    assert [(p.threshold, p.value_share, p.friction) for p in by_region["EU"]] == [(20, 1.0, 1.0)]


def test_money_sums_are_exact_decimals() -> None:
    events = [event(f"e{i}", "a", i, "withdrawal") for i in range(3)]
    decisions = [decision(f"e{i}", "a", "hold", 50) for i in range(3)]
    labels = [label(f"e{i}", "a", "structuring", "s-1", "0.10", exit=True) for i in range(3)]
    value = evaluate(from_records(events, decisions, labels)).overall.value_stopped
    assert value.stopped == value.total == Decimal("0.30")  # floats would give 0.30000000000000004
    assert value.share == 1.0


def test_typologies_are_not_a_fixed_list() -> None:
    events = [event("e1", "a", 0), event("e2", "b", 0)]
    decisions = [decision("e1", "a", "block", 99), decision("e2", "b", "allow", 0)]
    labels = [label("e1", "a", "a_typology_nobody_planned", "r-1")]
    report = evaluate(from_records(events, decisions, labels))
    assert [t.name for t in report.typologies] == ["a_typology_nobody_planned"]
    assert report.typologies[0].precision == Ratio(1, 1)


def test_a_share_with_nothing_to_count_is_none_not_zero() -> None:
    events = [event("e1", "a", 0)]
    report = evaluate(from_records(events, [decision("e1", "a", "allow", 1)], [label("e1", "a", "t", "r")]))
    assert report.overall.precision == Ratio(0, 0) and report.overall.precision.value is None
    assert report.overall.value_stopped.share is None  # no exits
    assert report.friction.withdrawals_stopped.value is None  # no legitimate withdrawals
    assert report.friction.accounts_stopped.value is None  # no legitimate account
    assert report.curves.value_vs_friction == ()


def random_report(seed: int, n: int = 3000) -> Report:
    rng = np.random.default_rng(seed)
    kinds = ["login", "deposit", "withdrawal", "trade"]
    events, decisions, labels = [], [], []
    outcomes: list[OutcomeName] = ["allow", "challenge", "review", "hold", "block"]
    for i in range(n):
        account = f"a{rng.integers(200)}"
        kind = kinds[int(rng.integers(4))]
        events.append(
            event(f"e{i}", account, float(rng.integers(0, 60 * 24 * 7)), kind, f"R{rng.integers(3)}")
        )
        illicit = rng.random() < 0.1
        score = float(rng.integers(0, 1000)) / 10 + (20 if illicit else 0)
        outcome = outcomes[min(4, int(score // 25))]
        decisions.append(decision(f"e{i}", account, outcome, score))
        if illicit:
            typ = ["t1", "t2", "t3"][int(rng.integers(3))]
            value = f"{rng.integers(0, 100000) / 100:.2f}"
            labels.append(
                label(f"e{i}", account, typ, f"{typ}-{rng.integers(20)}", value, kind == "withdrawal")
            )
    return evaluate(from_records(events, decisions, labels))


def non_increasing(values: Sequence[float | None]) -> bool:
    return all(a is not None and b is not None and a >= b for a, b in pairwise(values))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_curves_are_monotone_and_short(seed: int) -> None:
    curves = random_report(seed).curves
    assert curves.precision_recall and curves.value_vs_friction
    for pr in curves.precision_recall.values():
        assert 1 < len(pr) <= 50 and pr[0].recall == 1.0
        assert all(a.threshold < b.threshold for a, b in pairwise(pr))
        assert non_increasing([p.recall for p in pr])
        assert non_increasing([p.legitimate_flagged for p in pr])
    for vf in (curves.value_vs_friction, *curves.value_vs_friction_by_region.values()):
        assert 1 < len(vf) <= 50 and vf[0].value_share == 1.0
        assert non_increasing([p.value_share for p in vf])
        assert non_increasing([p.friction for p in vf])


def test_thresholds_are_scores_at_most_max_points() -> None:
    scores = np.arange(1000, dtype=np.float64) / 7
    cuts = thresholds(scores, 50)
    assert len(cuts) <= 50 and cuts[0] == scores.min() and cuts[-1] == scores.max()
    assert np.isin(cuts, scores).all() and (np.diff(cuts) > 0).all()
    few = np.array([3.0, 1.0, 3.0, 2.0])
    assert thresholds(few, 50).tolist() == [1.0, 2.0, 3.0]


def test_the_same_input_gives_the_same_report() -> None:
    assert report_json(random_report(7)) == report_json(random_report(7))


def test_renderers_show_the_numbers(report: Report) -> None:
    text = render_table(report)
    assert "account_takeover" in text and "mule_ring" in text
    assert "note: 1 events have no decision" in text
    ato_row = next(line for line in text.splitlines() if line.startswith("account_takeover"))
    assert ato_row.split()[1:6] == ["5", "20.0%", "2", "50.0%", "25.0%"]
    data = report_json(report)
    assert data["overall"]["event_recall"] == {"hits": 4, "total": 10, "value": 0.4}
    assert data["overall"]["value_stopped"]["stopped"] == "1200.00"
    assert data["typologies"]["mule_ring"]["time_to_first_alert"]["median_seconds"] == 300.0
    assert data["regions"]["EU"]["friction"]["active_account_days"] == 3
    assert data["curves"]["value_vs_friction"]["regions"]["EU"][0]["value_flagged"] == "500.50"
