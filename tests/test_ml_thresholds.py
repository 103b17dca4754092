"""Thresholds for stated budgets: known answers on synthetic windows, unmet budgets said, the fallback
region's own figures, active account-days, and malformed budgets refused by name."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vigil.errors import InvalidInput
from vigil.learning.budgets import goal_of, parse_override
from vigil.ml.dataset import DAY_US, Activity
from vigil.ml.thresholds import Budget, Cut, Goal, choose
from vigil.model import EventType, Outcome
from vigil.model.learning import GLOBAL

W, D = "withdrawal", "deposit"


def _window(
    legit_p: list[float], legit_types: list[str], bad_p: list[float], region: str = "EU"
) -> tuple[np.ndarray, ...]:
    p = np.asarray(legit_p + bad_p, dtype=np.float64)
    y = np.asarray([0] * len(legit_p) + [1] * len(bad_p), dtype=np.int8)
    types = np.asarray(legit_types + [W] * len(bad_p), dtype=np.str_)
    regions = np.asarray([region] * len(p), dtype=np.str_)
    values = np.asarray([10.0] * len(legit_p) + [100.0 * (i + 1) for i in range(len(bad_p))])
    return p, y, regions, types, values


def test_the_budget_is_met_exactly_at_the_lowest_thresholds_that_meet_it() -> None:
    # 4,000 legitimate events (2,000 withdrawals) with distinct scores; 5,000 active account-days.
    rng = np.random.default_rng(7)
    legit = rng.permutation(np.linspace(0.001, 0.5, 4000)).tolist()
    types = [W if i % 2 == 0 else D for i in range(4000)]
    p, y, regions, t, values = _window(legit, types, [0.9, 0.6, 0.45, 0.01])
    days = {GLOBAL: 5000, "EU": 5000}
    goal = Goal(Budget(max_held=0.002, max_false_alerts=1.0))  # 5 false alerts, 4 withdrawals held
    cut = choose(p, y, regions, t, values, days, goal)["EU"]
    legit_p = p[y == 0]
    honest_w = legit_p[t[y == 0] == W]
    assert cut.false_alerts == 5 == int((legit_p >= cut.review).sum())
    assert cut.review == np.nextafter(np.sort(legit_p)[-6], 1.0)  # the 6th highest stays under it
    assert cut.held == int((honest_w >= cut.hold).sum()) <= 4 and cut.hold >= cut.review
    assert cut.met and cut.own and cut.false_alerts_per_1000 == 1.0
    assert cut.account_days == 5000 and cut.legit_withdrawals == 2000 and cut.illicit == 4
    caught = [s >= cut.review for s in (0.9, 0.6, 0.45, 0.01)]
    assert cut.caught_review == sum(caught) / 4
    worth = sum(v for v, c in zip((100, 200, 300, 400), caught, strict=True) if c)
    assert cut.value_review == pytest.approx(worth / 1000)
    # one more allowed alert lowers the threshold to the next score, no further
    looser = choose(p, y, regions, t, values, {GLOBAL: 6000, "EU": 6000}, goal)["EU"]
    assert looser.false_alerts == 6 and looser.review == np.nextafter(np.sort(legit_p)[-7], 1.0)


def test_the_hold_budget_counts_only_honest_withdrawals() -> None:
    legit = [0.1] * 990 + [0.5, 0.6, 0.7, 0.8, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95]
    p, y, regions, t, values = _window(legit, [W] * 1000, [0.99])
    goal = Goal(Budget(max_held=0.003, max_false_alerts=1000.0), min_rows=10)
    cut = choose(p, y, regions, t, values, {GLOBAL: 100, "EU": 100}, goal)["EU"]
    assert cut.held == 3 and cut.hold == np.nextafter(0.92, 1.0) and cut.legit_held == 0.003
    assert cut.review <= cut.hold and cut.caught_hold == 1.0 and cut.met


def test_an_infeasible_budget_reports_the_closest_point_and_says_so() -> None:
    # five honest events score 1.0: no probability threshold keeps the budget's 2 false alerts
    legit = [1.0] * 5 + [0.2] * 1995
    p, y, regions, t, values = _window(legit, [D] * 2000, [1.0, 0.3])
    cut = choose(p, y, regions, t, values, {GLOBAL: 2000, "EU": 2000}, Goal())["EU"]
    assert cut.review == 1.0 and cut.false_alerts == 5 and cut.false_alerts_per_1000 == 2.5
    assert not cut.alerts_met and not cut.met and cut.held_met
    assert cut.caught_review == 0.5
    assert Cut.from_json(cut.to_json()) == cut and cut.to_json()["met"] is False


def test_a_region_without_enough_rows_takes_the_global_thresholds_with_its_own_figures() -> None:
    rng = np.random.default_rng(3)
    big = _window(rng.uniform(0, 0.5, 3000).tolist(), [W] * 3000, [0.95, 0.9], "EU")
    small = _window([0.3] * 30 + [0.99] * 3, [W] * 33, [0.97], "AF")  # 3 honest events over the EU's cut
    p, y, regions, t, values = (np.concatenate([a, b]) for a, b in zip(big, small, strict=True))
    days = {GLOBAL: 3100, "EU": 3000, "AF": 100}
    cuts = choose(p, y, regions, t, values, days, Goal(Budget(0.01, 1.0), min_alerts=3))
    eu, af, glob = cuts["EU"], cuts["AF"], cuts[GLOBAL]
    assert eu.own and not af.own and (af.review, af.hold) == (glob.review, glob.hold)
    assert af.rows == 34 and af.legit_withdrawals == 33 and af.account_days == 100
    assert af.false_alerts == int((p[(regions == "AF") & (y == 0)] >= glob.review).sum())
    assert (af.legit_held, af.false_alerts_per_1000) != (glob.legit_held, glob.false_alerts_per_1000)
    assert not af.met  # 3 false alerts on 100 account-days is over 1 per 1,000: said, not hidden
    assert eu.false_alerts <= 3 and eu.met


def test_per_region_budgets_override_the_default() -> None:
    legit = np.linspace(0.01, 0.6, 2000).tolist()
    eu = _window(legit, [D] * 2000, [0.9], "EU")
    na = _window(legit, [D] * 2000, [0.9], "NA")
    p, y, regions, t, values = (np.concatenate([a, b]) for a, b in zip(eu, na, strict=True))
    goal = Goal(Budget(0.001, 2.0), regions={"NA": Budget(0.001, 0.5)}, min_alerts=2)
    cuts = choose(p, y, regions, t, values, {GLOBAL: 8000, "EU": 4000, "NA": 4000}, goal)
    assert cuts["EU"].false_alerts == 8 and cuts["NA"].false_alerts == 2
    assert cuts["NA"].review > cuts["EU"].review and cuts["NA"].budget.max_false_alerts == 0.5


def test_malformed_windows_and_budgets_are_refused_by_name() -> None:
    p, y, regions, t, values = _window([0.1] * 10, [D] * 10, [0.9])
    with pytest.raises(InvalidInput, match="no active account-days for EU"):
        choose(p, y, regions, t, values, {GLOBAL: 10})
    with pytest.raises(InvalidInput, match="differ in length"):
        choose(p, y[:-1], regions, t, values, {GLOBAL: 10, "EU": 10})
    with pytest.raises(InvalidInput, match="empty"):
        choose(p[:0], y[:0], regions[:0], t[:0], values[:0], {GLOBAL: 0})
    for bad in (-0.1, 1.5, math.nan):
        with pytest.raises(InvalidInput, match="max_held"):
            Budget(max_held=bad)
    with pytest.raises(InvalidInput, match="max_false_alerts"):
        Budget(max_false_alerts=math.inf)
    with pytest.raises(InvalidInput, match="min_rows"):
        Goal(min_rows=0)
    with pytest.raises(InvalidInput, match="min_alerts"):
        Goal(min_alerts=-1)
    with pytest.raises(InvalidInput, match="older Vigil"):
        Cut.from_json({"review": 0.1, "hold": 0.2, "legit_held": 0.0, "illicit_caught": 1.0})
    with pytest.raises(InvalidInput, match="thresholds"):
        Cut.from_json({"budget": {"max_held": 0.1}})


def test_budget_overrides_parse_and_merge_and_bad_ones_name_what_is_wrong() -> None:
    assert parse_override("EU:max_held=0.002, max_false_alerts=0.5") == (
        "EU",
        {"max_held": 0.002, "max_false_alerts": 0.5},
    )
    settings: dict[str, dict[str, float]] = {"EU": {"max_held": 0.01}, "AF": {"max_false_alerts": 3}}
    goal = goal_of(0.001, 1.0, settings, [("EU", {"max_false_alerts": 0.2})])
    assert goal.of("EU") == Budget(0.01, 0.2) and goal.of("AF") == Budget(0.001, 3.0)
    assert goal.of("NA") == Budget(0.001, 1.0) and "EU: hold at most 1.00%" in goal.describe()
    for text, words in [
        ("EU", "REGION:KEY=VALUE"),
        (":max_held=1", "REGION:KEY=VALUE"),
        ("EU:", "REGION:KEY=VALUE"),
        ("EU:held=0.1", "unknown key 'held'"),
        ("EU:max_held=lots", "must be a number"),
        ("EU:max_held", "must be a number"),
        ("EU:max_false_alerts=inf", "must be finite"),
    ]:
        with pytest.raises(InvalidInput, match=words):
            parse_override(text)
    with pytest.raises(InvalidInput, match="budget of EU: max_held must be a share"):
        goal_of(0.001, 1.0, {}, [("EU", {"max_held": 2.0})])
    with pytest.raises(InvalidInput, match="budget of EU: expected KEY: VALUE"):
        goal_of(0.001, 1.0, {"EU": 0.5})  # type: ignore[dict-item]
    with pytest.raises(InvalidInput, match="max_false_alerts"):
        goal_of(0.001, -1.0)


def test_active_account_days_count_distinct_accounts_per_utc_day_and_region() -> None:
    t0 = 20_000 * DAY_US
    # (day offset in hours, account, region): account 0 twice on day 0 in EU, once in AF; account 1 on
    # days 0 and 1 in EU; account 2 on day 1 in AF.
    events = [(1, 0, 0), (2, 0, 0), (3, 0, 1), (5, 1, 0), (25, 1, 0), (30, 2, 1)]
    activity = Activity(
        np.asarray([t0 + h * 3_600_000_000 for h, _, _ in events], dtype=np.int64),
        np.asarray([a for _, a, _ in events], dtype=np.int32),
        np.asarray([r for _, _, r in events], dtype=np.int32),
        ("EU", "AF"),
    )
    assert activity.account_days() == {GLOBAL: 4, "EU": 3, "AF": 2}
    assert activity.account_days(t0 + DAY_US, None) == {GLOBAL: 2, "EU": 1, "AF": 1}
    assert activity.account_days(t0, t0 + 4 * 3_600_000_000) == {GLOBAL: 1, "EU": 1, "AF": 1}
    assert activity.account_days(t0 + 100 * DAY_US) == {GLOBAL: 0, "EU": 0, "AF": 0}


def test_p2p_orders_are_held_within_the_same_share_as_withdrawals() -> None:
    # A P2P sale is a cash-out: the model may hold it, and the hold threshold keeps honest P2P orders
    # within the held share too (here the P2P scores are higher, so they set the threshold).
    legit = [0.1] * 995 + [0.5, 0.6, 0.7, 0.8, 0.9] + [0.2] * 995 + [0.95, 0.96, 0.97, 0.98, 0.985]
    types = [W] * 1000 + ["p2p_order"] * 1000
    p, y, regions, t, values = _window(legit, types, [0.99])
    goal = Goal(Budget(max_held=0.002, max_false_alerts=1000.0), min_rows=10)
    cut = choose(p, y, regions, t, values, {GLOBAL: 100, "EU": 100}, goal)["EU"]
    assert cut.hold == np.nextafter(0.97, 1.0)  # two honest P2P orders over it, as 0.2% of 1,000 allows
    assert cut.legit_p2p == 1000 and cut.held_p2p == 2 and cut.held == 0 and cut.met
    assert cut.outcome(0.99, EventType.P2P_ORDER) is Outcome.HOLD
    assert cut.outcome(0.99, EventType.WITHDRAWAL) is Outcome.HOLD
    assert cut.outcome(0.99, EventType.DEPOSIT) is Outcome.REVIEW
    # a cut read from an older sidecar (no P2P counts) still loads
    old = cut.to_json()
    del old["legit_p2p"], old["held_p2p"]
    assert Cut.from_json(old).held_p2p == 0


def test_a_region_whose_budget_allows_too_few_alerts_takes_the_global_thresholds() -> None:
    # 2,000 legitimate rows each, but 1 false alert per 1,000 over 600 account-days allows none: the
    # region's own threshold would be the highest of its honest scores (noise). The global one serves it.
    rng = np.random.default_rng(5)
    eu = _window(rng.uniform(0, 0.5, 2000).tolist(), [D] * 2000, [0.45], "EU")
    na = _window(rng.uniform(0, 0.5, 2000).tolist(), [D] * 2000, [0.45], "NA")
    p, y, regions, t, values = (np.concatenate([a, b]) for a, b in zip(eu, na, strict=True))
    days = {GLOBAL: 6600, "EU": 600, "NA": 6000}
    cuts = choose(p, y, regions, t, values, days, Goal(Budget(0.001, 1.0)))
    assert not cuts["EU"].own and (cuts["EU"].review, cuts["EU"].hold) == (
        cuts[GLOBAL].review,
        cuts[GLOBAL].hold,
    )
    assert cuts["NA"].own and cuts["NA"].false_alerts == 6  # its budget allows 6: its own
    alone = choose(p, y, regions, t, values, days, Goal(Budget(0.001, 1.0), min_alerts=0))["EU"]
    assert alone.own and alone.false_alerts == 0 and alone.review > cuts["EU"].review
