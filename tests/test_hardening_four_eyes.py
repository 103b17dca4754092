"""Issue 17, four eyes that hold: approvals by people only, values Vigil computes, assignment to people
who can work a case, one open appeal per case (rate-limited)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.desk_kit import Kit
from tests.test_screening_engine import LISTED
from vigil import bootstrap
from vigil.adapters.sqlite_audit import SqliteAuditLog
from vigil.adapters.sqlite_screening import SqliteScreeningStore
from vigil.audit import AuditTrail
from vigil.desk.service import Change, Desk
from vigil.errors import Conflict, Forbidden, InvalidInput, NotFound, StorageError, TooManyAttempts
from vigil.model.access import Role, User
from vigil.model.cases import ActionKind, ActionStatus
from vigil.settings import Settings
from vigil.watchlists.clearances import Clearances


@pytest.fixture
def kit() -> Kit:
    return Kit()


def test_an_api_key_cannot_approve_even_a_supervisors_key_on_another_persons_request(kit: Kit) -> None:
    cid = kit.flag(1, value="19946.90")
    case = kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana"))
    action = case.actions[0]
    for decide in (kit.actions.approve, kit.actions.reject):
        with pytest.raises(Forbidden, match="not with an API key"):
            decide(cid, action.action_id, "ok", Change("0123456789ab", by_key=True))
    with pytest.raises(Forbidden, match="another supervisor"):
        kit.actions.approve(cid, action.action_id, "mine", Change("ana"))
    assert kit.actions.approve(cid, action.action_id, "agreed", Change("sam")).actions[0].status is (
        ActionStatus.APPLIED
    )


def test_a_typed_value_cannot_lower_what_vigil_knows(kit: Kit) -> None:
    cid = kit.flag(1, value="19946.90")
    case = kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana"), value="1")
    action = case.actions[0]
    assert action.status is ActionStatus.PENDING and action.value == "19946.90"
    assert not kit.actions.controls("acc-1").frozen


@pytest.mark.parametrize("value", ["1e30", "1E+16", "NaN", "-5", "Infinity", "abc"])
def test_typed_values_are_bounded(kit: Kit, value: str) -> None:
    cid = kit.flag(1)
    with pytest.raises(InvalidInput, match="value"):
        kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana"), value=value)
    assert kit.desk.case(cid).actions == ()


def test_a_freeze_of_an_amount_is_valued_at_the_assets_last_rate(kit: Kit) -> None:
    cid = kit.flag(1, value="5000")  # 500000 cents of EUR for 5000: a rate of 0.01 per base unit
    case = kit.actions.request(
        cid, ActionKind.FREEZE_AMOUNT, "proceeds", Change("ana"), asset="eur", amount=2_000_000, value="1"
    )
    action = case.actions[-1]
    assert action.value == "20000.00" and action.status is ActionStatus.PENDING
    small = kit.actions.request(
        cid, ActionKind.FREEZE_AMOUNT, "fee", Change("ana"), asset="EUR", amount=100, value="1"
    )
    assert small.actions[-1].value == "1" and small.actions[-1].status is ActionStatus.APPLIED


def test_a_freeze_of_an_asset_vigil_has_no_price_for_waits_for_a_second_person(kit: Kit) -> None:
    cid = kit.flag(1)
    case = kit.actions.request(
        cid, ActionKind.FREEZE_AMOUNT, "proceeds", Change("ana"), asset="XMR", amount=10**12, value="1"
    )
    assert case.actions[-1].status is ActionStatus.PENDING


def _people(kit: Kit) -> None:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    people = {
        "ana": User("ana", frozenset({Role.ANALYST}), "h", at),
        "aud": User("aud", frozenset({Role.AUDITOR}), "h", at),
        "old": User("old", frozenset({Role.ANALYST}), "h", at, disabled_at=at),
    }
    kit.desk = Desk(kit.store, kit.audit, kit.notifier, policy=kit.policy, clock=kit.clock, people=people.get)


@pytest.mark.parametrize(
    ("assignee", "problem"),
    [("ghost", "not an active person"), ("old", "not an active person"), ("aud", "cannot work cases")],
)
def test_cases_are_assigned_only_to_active_people_with_a_desk_role(
    kit: Kit, assignee: str, problem: str
) -> None:
    cid = kit.flag(1)
    _people(kit)
    with pytest.raises(InvalidInput, match=problem):
        kit.desk.assign(cid, assignee, Change("sam"))
    assert kit.desk.assign(cid, "ana", Change("sam")).assignee == "ana"


def _frozen(kit: Kit) -> str:
    cid = kit.flag(1, value="500")
    kit.actions.request(cid, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana"))
    assert kit.actions.controls("acc-1").frozen
    return cid


def test_one_open_appeal_per_case_and_new_ones_are_rate_limited(kit: Kit) -> None:
    cid = _frozen(kit)
    _, appeal = kit.appeals.file("acc-1", "I am not a mule", True, Change("svc"))
    with pytest.raises(Conflict, match="one open appeal per case"):
        kit.appeals.file("acc-1", "again", True, Change("svc"))
    kit.appeals.decide(cid, appeal.appeal_id, False, "funds traced", Change("ana"))
    with pytest.raises(TooManyAttempts, match="filed recently") as refused:
        kit.appeals.file("acc-1", "please", True, Change("svc"))
    assert refused.value.retry_after == 24 * 3600
    kit.clock.advance(24 * 60 + 1)
    case, second = kit.appeals.file("acc-1", "new documents", True, Change("svc"))
    assert second.appeal_id.endswith("appeal-2") and len(case.appeals) == 2


# -- clearing a sanctions name match ------------------------------------------------------------------
def _clearances(tmp_path: Path) -> tuple[Clearances, SqliteScreeningStore, AuditTrail]:
    settings = Settings(db=str(tmp_path / "vigil.db"))
    atomic, shared = bootstrap.together(settings)
    assert shared is not None
    store, audit = SqliteScreeningStore(shared), AuditTrail(SqliteAuditLog(shared))
    return Clearances(store, audit, atomic=atomic), store, audit


def test_clearing_a_sanctions_match_needs_a_second_person(tmp_path: Path) -> None:
    clearances, store, audit = _clearances(tmp_path)
    key = ("viktor", LISTED.entry_id, LISTED.digest())
    with pytest.raises(Forbidden, match="not an API key"):
        clearances.request("viktor", LISTED, "DOB differs", "0123456789ab", by_key=True)
    asked = clearances.request("viktor", LISTED, "DOB differs", "ana", by_key=False)
    assert not store.is_cleared(*key) and clearances.pending() == [asked]  # one person: nothing cleared
    with pytest.raises(Conflict, match="waits for a second person"):
        clearances.request("viktor", LISTED, "again", "bob", by_key=False)
    with pytest.raises(Forbidden, match="another person must approve"):
        clearances.approve("viktor", LISTED, "ana", by_key=False)
    with pytest.raises(Forbidden, match="not an API key"):
        clearances.approve("viktor", LISTED, "0123456789ab", by_key=True)
    assert not store.is_cleared(*key)
    approved = clearances.approve("viktor", LISTED, "sam", by_key=False)
    assert approved.approved_by == "sam" and store.is_cleared(*key) and clearances.pending() == []
    acts = [(r.actor, r.action, r.subject) for r in audit.records()]
    assert acts == [
        ("ana", "screening.clearance_requested", "customer:viktor"),
        ("sam", "screening.clearance_approved", "customer:viktor"),
    ]
    with pytest.raises(NotFound):
        clearances.approve("other", LISTED, "sam", by_key=False)


def test_a_clearance_whose_audit_fails_is_not_kept(tmp_path: Path) -> None:
    clearances, store, audit = _clearances(tmp_path)
    clearances.request("viktor", LISTED, "DOB differs", "ana", by_key=False)

    def append(record: object) -> None:
        raise StorageError("disk full (injected)")

    audit._log.append = append  # type: ignore[method-assign]
    with pytest.raises(StorageError, match="injected"):
        clearances.approve("viktor", LISTED, "sam", by_key=False)
    assert not store.is_cleared("viktor", LISTED.entry_id, LISTED.digest())
