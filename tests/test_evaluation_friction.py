"""Evaluation v2 on hand-made runs with answers worked out by hand: delays, challenges, holds and
blocks of honest withdrawals, false alerts and cases per 1,000 account-days, case precision, delayed
exit value, the judged window and the simulator's history left out.

The world (days and minutes after 2026-01-05 10:00 UTC; ``*`` a labelled event; ``+Ns`` a delay
ending N seconds after the event)::

    event  account region day  min  type        outcome    delay    label
    w1     h1      ID     0    0    withdrawal  allow      +3600
    w2     h1      ID     0    10   withdrawal  challenge  +7200
    w3     h2      ID     0    0    withdrawal  hold       +3600    (held: the hold counts, not the delay)
    w4     h2      ID     0    5    withdrawal  block
    w5     h3      EU     0    0    withdrawal  review     +14400
    w6     h3      EU     0    1    withdrawal  allow
    a1     h4      ID     0    0    login       review
    a2     h4      ID     10   0    login       review              (10 days later: same case)
    a3     h4      ID     45   0    login       review              (35 days later: a new case)
    a4     h4      ID     50   0    login       review
    b1     h5      ID     2    0    login       review
    b2     h5      ID     32   0    login       review              (exactly 30 days: same case)
    x1     v1      ID     0    0    login       review            * ato-1
    x2     v1      ID     0    5    withdrawal  allow      +1800  * ato-1 exit 100 (delayed, not stopped)
    x3     v1      ID     0    20   withdrawal  hold       +1800  * ato-1 exit 50 (stopped)
    y1     v2      ID     -40  0    login       review              (a case before v2's crime)
    y2     v2      ID     0    30   deposit     allow             * ato-2
    y3     v2      ID     1    0    login       review              (after v2's first label: a true case)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from vigil.codec import parse_instant
from vigil.errors import InvalidInput
from vigil.evaluation import (
    DecisionRecord,
    EventRecord,
    LabelRecord,
    Ratio,
    Report,
    Spread,
    ValueStopped,
    Window,
    evaluate,
    from_records,
    render_table,
    report_json,
)
from vigil.evaluation.records import OutcomeName

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
DAY = 1440

Row = tuple[str, str, str, float, str, OutcomeName | None, int | None, tuple[str, str, bool] | None]
WORLD: list[Row] = [
    ("w1", "h1", "ID", 0, "withdrawal", "allow", 3600, None),
    ("w2", "h1", "ID", 10, "withdrawal", "challenge", 7200, None),
    ("w3", "h2", "ID", 0, "withdrawal", "hold", 3600, None),
    ("w4", "h2", "ID", 5, "withdrawal", "block", None, None),
    ("w5", "h3", "EU", 0, "withdrawal", "review", 14400, None),
    ("w6", "h3", "EU", 1, "withdrawal", "allow", None, None),
    ("a1", "h4", "ID", 0, "login", "review", None, None),
    ("a2", "h4", "ID", 10 * DAY, "login", "review", None, None),
    ("a3", "h4", "ID", 45 * DAY, "login", "review", None, None),
    ("a4", "h4", "ID", 50 * DAY, "login", "review", None, None),
    ("b1", "h5", "ID", 2 * DAY, "login", "review", None, None),
    ("b2", "h5", "ID", 32 * DAY, "login", "review", None, None),
    ("x1", "v1", "ID", 0, "login", "review", None, ("ato-1", "0", False)),
    ("x2", "v1", "ID", 5, "withdrawal", "allow", 1800, ("ato-1", "100", True)),
    ("x3", "v1", "ID", 20, "withdrawal", "hold", 1800, ("ato-1", "50", True)),
    ("y1", "v2", "ID", -40 * DAY, "login", "review", None, None),
    ("y2", "v2", "ID", 30, "deposit", "allow", None, ("ato-2", "0", False)),
    ("y3", "v2", "ID", DAY, "login", "review", None, None),
]


def records(
    world: list[Row],
) -> tuple[list[EventRecord], list[DecisionRecord], list[LabelRecord]]:
    events, decisions, labels = [], [], []
    for eid, account, region, minutes, kind, outcome, delay, lab in world:
        ts = T0 + timedelta(minutes=minutes)
        events.append(EventRecord(type=kind, event_id=eid, account_id=account, ts=ts, region=region))
        if outcome is not None:
            until = None if delay is None else ts + timedelta(seconds=delay)
            decisions.append(DecisionRecord(eid, account, outcome, 1.0, delay_until=until))
        if lab is not None:
            ring, value, exit = lab
            labels.append(LabelRecord(eid, account, "account_takeover", ring, Decimal(value), exit))
    return events, decisions, labels


def judge(world: list[Row], window: Window | None = None, *, case_gap_days: float = 30) -> Report:
    return evaluate(from_records(*records(world), window=window), case_gap_days=case_gap_days)


@pytest.fixture(scope="module")
def report() -> Report:
    return judge(WORLD, Window(run_share=0))  # judge everything: y1 is 40 days before the rest


def test_honest_withdrawals_challenged_delayed_held_blocked(report: Report) -> None:
    f = report.friction
    # Legitimate withdrawals with a decision: w1..w6. Delayed: w1, w2, w5 (w3's hold counts instead).
    assert f.withdrawals_challenged == Ratio(1, 6)
    assert f.withdrawals_delayed == Ratio(3, 6)
    assert (f.withdrawals_held, f.withdrawals_blocked, f.withdrawals_stopped) == (
        Ratio(1, 6),
        Ratio(1, 6),
        Ratio(2, 6),
    )
    assert f.withdrawals_alerted == Ratio(3, 6)
    # Delays 3600, 7200, 14400 s: the median is the middle one, p90 = 7200 + 0.8 * (14400 - 7200).
    assert f.delay == Spread(7200.0, 12960.0)


def test_friction_per_region(report: Report) -> None:
    eu, id_ = report.region_friction
    assert (eu.withdrawals_delayed, eu.withdrawals_alerted, eu.delay) == (
        Ratio(1, 2),
        Ratio(1, 2),
        Spread(14400.0, 14400.0),
    )
    assert (id_.withdrawals_challenged, id_.withdrawals_delayed, id_.withdrawals_stopped) == (
        Ratio(1, 4),
        Ratio(2, 4),
        Ratio(2, 4),
    )
    assert id_.delay == Spread(5400.0, 6840.0)


def test_delayed_exit_value_is_reported_apart_from_stopped(report: Report) -> None:
    # x2 (100) was delayed and left; x3 (50) was held (its delay does not make it "delayed").
    assert report.overall.value_stopped == ValueStopped(
        stopped=Decimal("50"),
        total=Decimal("150"),
        exits=2,
        exits_stopped=1,
        delayed=Decimal("100"),
        exits_delayed=1,
    )
    assert report.overall.value_stopped.delayed_share == pytest.approx(100 / 150)


def test_false_alerts_and_cases_per_1000_active_account_days(report: Report) -> None:
    f = report.friction
    # Alerts: w3 w4 w5 a1-a4 b1 b2 x1 x3 y1 y3 (13); on labelled events: x1 x3.
    assert (f.alerts, f.false_alerts) == (13, 11)
    # Account-days: h1 h2 h3 (day 0), h4 (4 days), h5 (2), v1 (1), v2 (days -40, 0, 1).
    assert f.active_account_days == 13
    # Cases: h2 1, h3 1, h4 2 (a3 comes 35 days after a2), h5 1 (exactly 30 days is not "more
    # than"), v1 1 (true), v2 2 (y1 ended before the crime; y3 after its first label: true).
    assert (f.cases, f.true_cases, f.legitimate_cases) == (8, 2, 5)
    assert f.case_precision == Ratio(2, 8)
    assert f.false_alerts_per_1000_account_days == pytest.approx(11 / 13 * 1000)
    assert f.legitimate_cases_per_1000_account_days == pytest.approx(5 / 13 * 1000)
    eu, id_ = report.region_friction
    assert (eu.cases, eu.legitimate_cases, eu.false_alerts, eu.active_account_days) == (1, 1, 1, 1)
    assert (id_.cases, id_.true_cases, id_.legitimate_cases) == (7, 2, 4)


def test_the_case_gap_is_a_parameter(report: Report) -> None:
    f = judge(WORLD, Window(run_share=0), case_gap_days=5).friction
    # h4: a1 | a2 | a3 a4 (5 days exactly); h5: b1 | b2; v2: y1 | y3; h2, h3, v1: one each.
    assert (f.cases, f.true_cases, f.legitimate_cases) == (10, 2, 7)
    assert report.case_gap_days == 30 and report_json(report)["definitions"]["case_gap_days"] == 30
    with pytest.raises(InvalidInput, match="case_gap_days"):
        judge(WORLD, Window(run_share=0), case_gap_days=-1)


def test_the_json_and_the_tables_show_the_new_figures(report: Report) -> None:
    data = report_json(report)
    assert data["format"] == "vigil-evaluation/2"
    friction = data["friction"]
    assert friction["legitimate_withdrawals_delayed"] == {"hits": 3, "total": 6, "value": 0.5}
    assert (friction["delay_median_seconds"], friction["delay_p90_seconds"]) == (7200.0, 12960.0)
    assert friction["case_precision"] == {"hits": 2, "total": 8, "value": 0.25}
    assert (friction["false_alerts"], friction["legitimate_cases"], friction["cases"]) == (11, 5, 8)
    value = data["overall"]["value_stopped"]
    assert (value["delayed"], value["exits_delayed"], value["stopped"]) == ("100", 1, "50")
    window = data["counts"]["window"]
    assert window["since"] == "2025-11-26T00:00:00Z" and window["until"] is None
    assert window["before"] == {"events": 0, "first_day": None, "last_day": None}
    text = render_table(report)
    assert "Friction to honest users" in text and "Alert volume and cases" in text
    overall = [line.split() for line in text.splitlines() if line.startswith("overall")]
    # friction row: honest wd, challenged, delayed, p50, p90, held, blocked, stopped, alerted
    assert overall[2] == [
        "overall",
        "6",
        "16.7%",
        "50.0%",
        "2.0h",
        "3.6h",
        "16.7%",
        "16.7%",
        "33.3%",
        "50.0%",
    ]
    assert overall[3][-4:] == ["8", "5", "384.62", "25.0%"]


def test_the_run_starts_on_its_first_busy_day_leaving_the_history_out() -> None:
    # Without run_share=0, y1 (40 days before, alone on its day) is the simulator-like history.
    report = judge(WORLD)
    j = report.counts.judged
    assert j.since_detected and j.since_us == parse_instant("2026-01-05", "--since")
    assert (j.before.events, str(j.before.first_day), j.after.events) == (1, "2025-11-26", 0)
    f = report.friction
    # y1 is gone: v2 has one case (true), one account-day fewer, one false alert fewer.
    assert (f.alerts, f.false_alerts, f.active_account_days) == (12, 10, 12)
    assert (f.cases, f.true_cases, f.legitimate_cases) == (7, 2, 5)
    assert "left out: 1 events from 2025-11-26 to 2025-11-26 (the simulator's history" in render_table(report)


def history_world() -> list[Row]:
    """A sparse history (one login a day on days -300 and -6..-1) before two busy days."""
    rows: list[Row] = [
        (f"o{d}", f"h{d}", "ID", d * DAY, "login", "allow", None, None) for d in (-300, *range(-6, 0))
    ]
    for day in (0, 1):
        for i in range(8):
            rows.append((f"r{day}-{i}", f"h{i}", "ID", day * DAY + i, "login", "review", None, None))
    rows.append(("c1", "v1", "ID", 30, "login", "review", None, ("ato-1", "0", False)))
    return rows


def test_history_days_are_left_out_of_account_days() -> None:
    report = judge(history_world())
    assert report.counts.first_day.isoformat() == "2026-01-05"
    assert report.counts.judged.before.events == 7
    # 8 honest accounts on 2 days, v1 on one: 17 account-days, not 24 with the history's logins.
    assert report.friction.active_account_days == 17
    assert report.counts.accounts == 9  # the history's accounts h-300, h-6.. without run events are out
    everything = judge(history_world(), Window(run_share=0))
    assert everything.friction.active_account_days == 24 and everything.counts.accounts == 16


def test_the_run_never_starts_after_the_first_labelled_event() -> None:
    rows = history_world()
    rows.append(("c0", "v1", "ID", -3 * DAY, "deposit", "allow", None, ("ato-1", "0", False)))
    report = judge(rows)
    assert report.counts.first_day.isoformat() == "2026-01-02"
    assert report.counts.judged.before.events == 4 and report.counts.labelled_events == 2


def window_world() -> list[Row]:
    """Three days: h1 is held every day; v1's crime starts on day 0 (reviewed on day 1 only), v2's on
    day 1 (never alerted); u2, labelled, has no decision, but it is outside the windows tested."""
    ato1, ato2 = ("ato-1", "0", False), ("ato-2", "0", False)
    return [
        ("e0", "h1", "ID", 0, "withdrawal", "hold", None, None),
        ("v0", "v1", "ID", 1, "login", "allow", None, ato1),
        ("u0", "v2", "EU", 2, "login", "allow", None, None),
        ("e1", "h1", "ID", DAY, "withdrawal", "hold", None, None),
        ("v1", "v1", "ID", DAY + 1, "login", "review", None, ato1),
        ("u1", "v2", "EU", DAY + 2, "login", "allow", None, ato2),
        ("e2", "h1", "ID", 2 * DAY, "withdrawal", "hold", None, None),
        ("v2", "v1", "ID", 2 * DAY + 1, "login", "allow", None, ato1),
        ("u2", "v2", "EU", 2 * DAY + 2, "login", None, None, ato2),
    ]


def test_a_test_window_judges_only_its_events() -> None:
    since, until = parse_instant("2026-01-06", "--since"), parse_instant("2026-01-07T00:00:00Z", "--until")
    report = judge(window_world(), Window(since, until))
    c = report.counts
    assert (c.events, c.labelled_events, c.accounts, c.rings) == (3, 2, 3, 2)
    assert (c.judged.before.events, c.judged.after.events, c.judged.since_detected) == (3, 3, False)
    # v1's first label in the window is day 1, where its review is: recalled. v2 is not alerted.
    assert report.overall.account_recall == Ratio(1, 2)
    assert report.overall.event_recall == Ratio(1, 2)
    f = report.friction
    assert (f.withdrawals_stopped, f.active_account_days, f.alerts, f.false_alerts) == (Ratio(1, 1), 3, 2, 1)
    text = render_table(report)
    assert "window: from 2026-01-06T00:00Z until 2026-01-07T00:00Z" in text
    assert "left out: 3 events from 2026-01-05 to 2026-01-05 (before --since)" in text
    assert "left out: 3 events from 2026-01-07 to 2026-01-07 (at or after --until)" in text


def test_a_window_without_labels_or_events_is_refused() -> None:
    first_only = Window(until_us=parse_instant("2026-01-05T10:00:30Z", "--until"))  # e0 alone
    with pytest.raises(InvalidInput, match="none of the 5 labelled events is in the window"):
        judge(window_world(), first_only)
    with pytest.raises(InvalidInput, match="field '--since': no events in the window from 2027"):
        judge(window_world(), Window(parse_instant("2027-01-01", "--since")))
    with pytest.raises(InvalidInput, match="field '--until': no events before 2020"):
        judge(window_world(), Window(until_us=parse_instant("2020-01-01", "--until")))


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("yesterday", None, "field '--since': not an ISO 8601 instant or date: 'yesterday'"),
        (None, "2026-13-01", "field '--until': not an ISO 8601 instant or date: '2026-13-01'"),
        ("2026-01-06T10:00:00", None, "field '--since': '2026-01-06T10:00:00' has no timezone"),
        ("2026-01-06", "2026-01-06", r"--since \(2026-01-06T00:00:00\+00:00\) must be before --until"),
        ("2026-01-07T00:00:00+02:00", "2026-01-06T12:00:00Z", "must be before --until"),
    ],
)
def test_bad_since_and_until_are_refused(since: str | None, until: str | None, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Window.parse(since, until)


def test_instants_take_any_offset_and_dates_are_midnight_utc() -> None:
    assert parse_instant("2026-01-06T02:00:00+02:00", "--since") == parse_instant("2026-01-06", "--since")
    assert (
        parse_instant("2026-01-06T00:00:00.5Z", "--since") - parse_instant("2026-01-06", "--since") == 500_000
    )
