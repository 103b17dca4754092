"""The security desk: alerts into cases, the workflow, SLA clocks, four eyes, appeals, labels, audit."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.desk_kit import MINUTE, T0, Kit, decided, withdrawal
from vigil.adapters.memory_cases import MemoryCaseStore
from vigil.adapters.sqlite_cases import SqliteCaseStore
from vigil.desk.fold import fold
from vigil.desk.service import Change, Desk, QueueFilter
from vigil.errors import Conflict, Forbidden, InvalidInput, NotFound
from vigil.model import Outcome
from vigil.model.cases import (
    ActionKind,
    ActionStatus,
    AppealState,
    AppealTrack,
    CaseEvent,
    CaseState,
    Disposition,
    Kind,
    Queue,
    Severity,
)
from vigil.model.reasons import ReasonCode


@pytest.fixture
def kit() -> Kit:
    return Kit()


def test_a_flagged_decision_opens_one_case_and_repeats_join_its_alert(kit: Kit) -> None:
    first = kit.flag(1)
    assert kit.flag(2) == first  # same account, same pattern: same case, same alert
    assert kit.flag(3, code=ReasonCode.NETWORK_SHARED_DEVICE) == first
    case = kit.desk.case(first)
    assert [(a.key, a.count) for a in sorted(case.alerts, key=lambda a: a.key)] == [
        ("network.shared_device", 1),
        ("velocity.high_value_burst", 2),
    ]
    assert case.value_at_risk == "15000"
    assert case.state is CaseState.NEW and case.severity is Severity.HIGH
    assert kit.flag(4, account="acc-2") != first


def test_allowed_decisions_and_repeated_event_ids_open_nothing(kit: Kit) -> None:
    event = withdrawal(1)
    assert kit.desk.ingest(event, decided(event, Outcome.ALLOW)) is None
    assert kit.desk.ingest(event, decided(event, Outcome.CHALLENGE)) is None
    case = kit.desk.ingest(event, decided(event))
    assert case is not None and kit.desk.ingest(event, decided(event)) is None
    assert kit.desk.case(case.case_id).alerts[0].count == 1


def test_severity_priority_and_sla_deadlines_follow_the_outcome(kit: Kit) -> None:
    blocked = kit.desk.case(kit.flag(1, account="a", outcome=Outcome.BLOCK))
    reviewed = kit.desk.case(kit.flag(2, account="b", outcome=Outcome.REVIEW, value="10"))
    sanctioned = kit.desk.case(
        kit.flag(3, account="c", outcome=Outcome.REVIEW, code=ReasonCode.SCREEN_ADDRESS_SANCTIONED)
    )
    assert blocked.severity is Severity.CRITICAL and blocked.ack_due_us == T0 + 15 * 60_000_000
    assert blocked.resolve_due_us == T0 + 24 * 3_600_000_000
    assert reviewed.severity is Severity.MEDIUM and sanctioned.severity is Severity.CRITICAL
    assert blocked.priority > reviewed.priority
    top, total = kit.desk.queue()
    assert total == 3 and top[0].case_id in (blocked.case_id, sanctioned.case_id)
    assert top[-1].case_id == reviewed.case_id


def test_the_workflow_moves_through_its_states_and_refuses_what_it_does_not_allow(kit: Kit) -> None:
    cid = kit.flag(1)
    case = kit.desk.assign(cid, "ana", Change("sup"))
    assert case.state is CaseState.ASSIGNED and case.assignee == "ana" and case.acknowledged_us == T0
    case = kit.desk.step(cid, Kind.INVESTIGATING, Change("ana"))
    with pytest.raises(Conflict, match="is investigating: you cannot start investigating"):
        kit.desk.step(cid, Kind.INVESTIGATING, Change("ana"))
    case = kit.desk.step(cid, Kind.ESCALATED, Change("ana"), {"reason": "needs a supervisor"})
    assert case.state is CaseState.ESCALATED and case.queue is Queue.SUPERVISOR and case.assignee is None
    with pytest.raises(InvalidInput, match="disposition"):
        kit.desk.resolve(cid, "guilty", "x", Change("sup"))
    with pytest.raises(InvalidInput, match="say why"):
        kit.desk.resolve(cid, "true_positive", " ", Change("sup"))
    case = kit.desk.resolve(cid, "true_positive", "mule confirmed", Change("sup"))
    assert case.state is CaseState.RESOLVED and case.disposition is Disposition.TRUE_POSITIVE
    with pytest.raises(Conflict, match="is resolved: you cannot assign it \\(reopen it first\\)"):
        kit.desk.assign(cid, "ana", Change("sup"))
    case = kit.desk.step(cid, Kind.REOPENED, Change("sup"), {"reason": "new evidence"})
    assert case.state is CaseState.REOPENED and case.disposition is None
    with pytest.raises(NotFound):
        kit.desk.case("c-999999")


def test_a_stale_form_is_refused_and_a_double_click_applies_once(kit: Kit) -> None:
    cid = kit.flag(1)
    seen = kit.desk.case(cid).version
    kit.desk.assign(cid, "ana", Change("sup", version=seen, nonce="n1"))
    again = kit.desk.assign(cid, "ana", Change("sup", version=seen, nonce="n1"))  # the double click
    assert again.version == seen + 1 and len(kit.store.history(cid)) == seen + 1
    with pytest.raises(Conflict, match=f"you saw version {seen}, it is at {seen + 1}"):
        kit.desk.step(cid, Kind.INVESTIGATING, Change("ana", version=seen, nonce="n2"))
    kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana", nonce="n3"))
    kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana", nonce="n3"))
    assert len(kit.desk.case(cid).actions) == 1


def test_freezes_above_the_value_need_a_second_person(kit: Kit) -> None:
    cid = kit.flag(1, value="20000")
    case = kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "mule ring", Change("ana"))
    (action,) = case.actions
    assert action.status is ActionStatus.PENDING and action.value == "20000"
    assert case.state is CaseState.INVESTIGATING and case.assignee == "ana"
    assert not kit.actions.controls("acc-1").frozen
    assert kit.notifier.sent[-1].kind == "approval.requested"
    with pytest.raises(Forbidden, match="another supervisor must approve"):
        kit.actions.approve(cid, action.action_id, "ok", Change("ana"))
    with pytest.raises(Conflict, match="awaiting approval"):
        kit.desk.resolve(cid, "true_positive", "done", Change("ana"))
    case = kit.actions.approve(cid, action.action_id, "agreed", Change("sup"))
    assert case.actions[0].status is ActionStatus.APPLIED and case.actions[0].decided_by == "sup"
    assert kit.actions.controls("acc-1").frozen and kit.desk.freeze_of("acc-1") == action.action_id
    with pytest.raises(Conflict, match="not awaiting approval"):
        kit.actions.approve(cid, action.action_id, "again", Change("sup2"))
    with pytest.raises(Conflict, match="already frozen"):
        kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "again", Change("ana"))
    case = kit.actions.request(cid, ActionKind.UNFREEZE, "cleared", Change("ana"))
    unfreeze = case.actions[-1]
    assert unfreeze.status is ActionStatus.PENDING and unfreeze.target == action.action_id
    kit.actions.reject(cid, unfreeze.action_id, "not yet", Change("sup"))
    assert kit.actions.controls("acc-1").frozen
    case = kit.actions.request(cid, ActionKind.UNFREEZE, "cleared by compliance", Change("ana"))
    kit.actions.approve(cid, case.actions[-1].action_id, "agreed", Change("sup"))
    assert kit.desk.freeze_of("acc-1") is None


def test_small_actions_apply_at_once_and_each_names_what_it_acts_on(kit: Kit) -> None:
    cid = kit.flag(1, value="100")
    case = kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "small", Change("ana"))
    assert case.actions[0].status is ActionStatus.APPLIED
    case = kit.actions.request(cid, ActionKind.HOLD_WITHDRAWAL, "check", Change("ana"), target="evt-1")
    assert [a.target for a in kit.actions.controls("acc-1").held_withdrawals] == ["evt-1"]
    with pytest.raises(Conflict, match="already held"):
        kit.actions.request(cid, ActionKind.HOLD_WITHDRAWAL, "check", Change("ana"), target="evt-1")
    kit.actions.request(cid, ActionKind.RELEASE_WITHDRAWAL, "fine", Change("ana"), target="evt-1")
    assert kit.actions.controls("acc-1").held_withdrawals == ()
    with pytest.raises(NotFound, match="no event 'evt-9'"):
        kit.actions.request(cid, ActionKind.HOLD_WITHDRAWAL, "x", Change("ana"), target="evt-9")
    with pytest.raises(InvalidInput, match="not a step-up"):
        kit.actions.request(cid, ActionKind.REQUIRE_STEP_UP, "x", Change("ana"), target="selfie")
    with pytest.raises(InvalidInput, match="positive amount"):
        kit.actions.request(
            cid, ActionKind.FREEZE_AMOUNT, "x", Change("ana"), asset="BTC", amount=0, value="1"
        )
    with pytest.raises(InvalidInput, match="not a number"):
        kit.actions.request(
            cid, ActionKind.FREEZE_AMOUNT, "x", Change("ana"), asset="BTC", amount=5, value="lots"
        )
    with pytest.raises(InvalidInput, match="say why"):
        kit.actions.request(cid, ActionKind.REQUIRE_STEP_UP, "", Change("ana"), target="2fa")
    kit.actions.request(cid, ActionKind.REQUIRE_STEP_UP, "new device", Change("ana"), target="2fa")
    kit.desk.resolve(cid, "false_positive", "known customer", Change("ana"))
    with pytest.raises(Conflict, match="is resolved: you cannot act on it"):
        kit.actions.request(cid, ActionKind.REQUIRE_STEP_UP, "x", Change("ana"), target="2fa")


def test_a_breached_sla_escalates_once_and_notifies(kit: Kit) -> None:
    cid = kit.flag(1, outcome=Outcome.BLOCK)
    assert kit.desk.tick(T0 + 14 * 60_000_000) == []
    (breached,) = kit.desk.tick(T0 + 16 * 60_000_000)
    assert breached.breaches == ("ack",) and breached.state is CaseState.ESCALATED
    assert breached.queue is Queue.SUPERVISOR
    (notice,) = kit.notifier.sent
    assert notice.kind == "sla.breached" and notice.case_id == cid and "acknowledge" in notice.title
    assert kit.desk.tick(T0 + 17 * 60_000_000) == []  # recorded once
    (late,) = kit.desk.tick(T0 + 25 * 3_600_000_000)
    assert late.breaches == ("ack", "resolve")
    assert kit.desk.breaches_per_day and sum(kit.desk.breaches_per_day.values()) == 2


def test_a_failing_notifier_is_recorded_and_does_not_stop_escalation(kit: Kit) -> None:
    kit.notifier.fail_with = "SMTP down"
    cid = kit.flag(1, outcome=Outcome.BLOCK)
    (case,) = kit.desk.tick(T0 + 16 * 60_000_000)
    assert case.state is CaseState.ESCALATED
    last = kit.store.history(cid)[-1]
    assert last.kind is Kind.NOTIFIED and "SMTP down" in str(last.data["error"])


def test_acknowledged_cases_do_not_breach_the_acknowledge_clock(kit: Kit) -> None:
    cid = kit.flag(1, outcome=Outcome.BLOCK)
    kit.clock.advance(5)
    kit.desk.step(cid, Kind.INVESTIGATING, Change("ana"))
    assert kit.desk.tick(T0 + 60 * 60_000_000) == []


def _frozen(kit: Kit) -> str:
    cid = kit.flag(1, value="100")
    kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana"))
    kit.desk.resolve(cid, "true_positive", "mule", Change("ana"))
    return cid


def test_a_verified_customers_appeal_is_fast_tracked_and_reopens_the_case(kit: Kit) -> None:
    cid = _frozen(kit)
    case, appeal = kit.appeals.file("acc-1", "I am not a mule", True, Change("svc"))
    assert case.case_id == cid and case.state is CaseState.REOPENED
    assert appeal.track is AppealTrack.FAST and appeal.state is AppealState.OPEN
    assert appeal.due_us == kit.clock.now + kit.policy.appeal_fast_us
    case = kit.appeals.decide(cid, appeal.appeal_id, True, "documents check out", Change("ana"))
    assert case.appeals[0].state is AppealState.GRANTED
    assert case.actions[-1].kind is ActionKind.UNFREEZE and not kit.actions.controls("acc-1").frozen


def test_an_unverified_customer_completes_kyc_before_the_appeal_is_decided(kit: Kit) -> None:
    cid = _frozen(kit)
    _, appeal = kit.appeals.file("acc-1", "please", False, Change("svc"))
    assert appeal.track is AppealTrack.KYC_FIRST and appeal.state is AppealState.AWAITING_KYC
    with pytest.raises(Conflict, match="complete KYC first"):
        kit.appeals.decide(cid, appeal.appeal_id, True, "ok", Change("ana"))
    kit.appeals.kyc_done(cid, appeal.appeal_id, Change("svc"))
    case = kit.appeals.decide(cid, appeal.appeal_id, False, "funds traced to a scam", Change("ana"))
    assert case.appeals[0].state is AppealState.UPHELD and kit.actions.controls("acc-1").frozen
    with pytest.raises(Conflict, match="already upheld"):
        kit.appeals.decide(cid, appeal.appeal_id, True, "changed my mind", Change("ana"))
    with pytest.raises(Conflict, match="no freeze in force"):
        kit.appeals.file("acc-2", "why", True, Change("svc"))
    with pytest.raises(InvalidInput, match="customer's words"):
        kit.appeals.file("acc-1", " ", True, Change("svc"))


def test_dispositions_become_labels_for_training(kit: Kit) -> None:
    tp = kit.flag(1, account="a")
    kit.flag(2, account="a")
    fp = kit.flag(3, account="b")
    unsure = kit.flag(4, account="c")
    kit.desk.resolve(tp, "true_positive", "confirmed", Change("ana"))
    kit.desk.resolve(fp, "false_positive", "salary", Change("ana"))
    kit.desk.resolve(unsure, "inconclusive", "no answer", Change("ana"))
    current = kit.labels.current()
    assert {k: (v.illicit, v.source) for k, v in current.items()} == {
        "evt-1": (True, f"case:{tp}"),
        "evt-2": (True, f"case:{tp}"),
        "evt-3": (False, f"case:{fp}"),
    }
    assert current["evt-1"].typology == "velocity.high_value_burst"


def test_every_change_and_every_read_by_a_person_is_audited(kit: Kit) -> None:
    cid = kit.flag(1, value="20000")
    kit.desk.case(cid, reader="ana")
    kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana"))
    kit.actions.approve(cid, f"{cid}/1", "agreed", Change("sup"))
    trail = [(r.actor, r.action) for r in kit.audit.records(subject=f"case:{cid}")]
    assert trail == [
        ("ana", "case.read"),
        ("ana", "case.action_requested"),
        ("sup", "case.action_approved"),
    ]
    assert kit.audit.verify().ok


def test_the_index_is_the_fold_of_what_is_stored(tmp_path: Path) -> None:
    kit = Kit(store=SqliteCaseStore(tmp_path / "d.db"))
    cid = kit.flag(1, value="20000")
    kit.flag(2, account="acc-2")
    kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana"))
    kit.actions.approve(cid, f"{cid}/1", "agreed", Change("sup"))
    kit.desk.tick(T0 + 2 * 3_600_000_000)
    reopened = Desk(
        SqliteCaseStore(tmp_path / "d.db"), kit.audit, kit.notifier, policy=kit.policy, clock=kit.clock
    )
    assert reopened.freeze_of("acc-1") == kit.desk.freeze_of("acc-1") == f"{cid}/1"
    assert list(reopened.all_cases()) == list(kit.desk.all_cases())
    assert reopened.case(cid) == fold(kit.store.history(cid), kit.policy)
    assert reopened.alerts_per_day == kit.desk.alerts_per_day
    # the journal cursor moves with the alerts
    event = withdrawal(9, account="acc-3")
    assert reopened.sync([(42, event, decided(event))]) == 1
    assert reopened.store.cursor() == 42


def test_the_queue_filters_and_pages(kit: Kit) -> None:
    for n in range(30):
        kit.flag(n, account=f"acc-{n}", outcome=Outcome.BLOCK if n % 3 == 0 else Outcome.REVIEW)
    page, total = kit.desk.queue(QueueFilter(severity=Severity.CRITICAL), limit=4, offset=0)
    assert total == 10 and len(page) == 4 and all(c.severity is Severity.CRITICAL for c in page)
    rest, _ = kit.desk.queue(QueueFilter(severity=Severity.CRITICAL), limit=50, offset=4)
    assert len(rest) == 6 and not {c.case_id for c in page} & {c.case_id for c in rest}
    kit.desk.resolve(page[0].case_id, "false_positive", "ok", Change("ana"))
    assert kit.desk.queue(QueueFilter(severity=Severity.CRITICAL))[1] == 9
    assert kit.desk.queue(QueueFilter(severity=Severity.CRITICAL, open_only=False))[1] == 10


def test_an_account_with_an_earlier_true_positive_ranks_higher(kit: Kit) -> None:
    first = kit.flag(1, account="repeat")
    kit.desk.resolve(first, "true_positive", "mule", Change("ana"))
    again = kit.desk.case(kit.flag(2, account="repeat"))
    fresh = kit.desk.case(kit.flag(3, account="fresh"))
    assert again.case_id != first and again.priority == fresh.priority + 5


class CountingStore(MemoryCaseStore):
    def __init__(self) -> None:
        super().__init__()
        self.appends = 0

    def append(self, events: Sequence[CaseEvent], cursor: int | None = None) -> None:
        self.appends += 1
        super().append(events, cursor)


def test_one_group_commit_is_one_transaction_of_alerts() -> None:
    store = CountingStore()
    kit = Kit(store=store)
    existing = kit.flag(1, account="old")
    before = store.appends
    batch = [withdrawal(n, account=a) for n, a in ((2, "new"), (3, "old"), (4, "new"), (5, "calm"))]
    pairs = [(e, decided(e, Outcome.ALLOW if e.account_id == "calm" else Outcome.HOLD)) for e in batch]
    touched = kit.desk.ingest_many(pairs, cursor=9)
    assert store.appends == before + 1 and store.cursor() == 9
    assert [c.account_id for c in touched] == ["new", "old"]
    new = kit.desk.open_case("new")
    assert new is not None and new.alerts[0].count == 2 and new.version == 3
    assert kit.desk.case(existing).alerts[0].count == 2
    assert kit.desk.ingest_many(pairs, cursor=10) == []  # the same decisions again add nothing
    assert fold(kit.store.history(new.case_id), kit.policy) == new


def test_sync_reads_in_batches_and_moves_the_cursor() -> None:
    store = CountingStore()
    kit = Kit(store=store)
    events = [withdrawal(n, account=f"acc-{n % 2}") for n in range(5)]
    assert kit.desk.sync([(i, e, decided(e)) for i, e in enumerate(events, start=1)], batch=2) == 5
    assert store.appends == 3 and store.cursor() == 5
    assert sum(a.count for c in kit.desk.all_cases() for a in c.alerts) == 5


def test_each_change_of_an_account_freeze_is_told_once_with_when_it_was_settled() -> None:
    """What ``vigil serve`` with workers puts on the stream (workers/controls.py): the freeze in force
    after each act that changed it, and at a start every account the desk ever froze."""
    told: list[tuple[str, str | None, int]] = []
    kit = Kit(on_freeze=lambda account, freeze, at: told.append((account, freeze, at)))
    cid = kit.flag(1)
    kit.actions.request(cid, ActionKind.HOLD_WITHDRAWAL, "look first", Change("ana"), target="evt-1")
    assert told == []  # not a freeze
    freeze = kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana")).actions[-1]
    kit.clock.advance(5)
    kit.actions.request(cid, ActionKind.UNFREEZE, "cleared", Change("ana"))
    assert told == [("acc-1", freeze.action_id, T0), ("acc-1", None, T0 + 5 * MINUTE)]
    restarted = Desk(kit.store, kit.audit, kit.notifier, on_freeze=lambda *told_: pytest.fail("at start"))
    assert restarted.freeze_states() == [("acc-1", None, T0 + 5 * MINUTE)]
    kit.flag(2, account="acc-2")
    assert kit.desk.freeze_states() == [("acc-1", None, T0 + 5 * MINUTE)]  # acc-2 was never frozen
