"""Screening inside decisions: counterparties and KYC names, with reasons, notices and what is remembered."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from tests.conftest import T0, Events, builtin_rules
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.memory_screening import MemoryScreeningStore
from vigil.engine import Engine
from vigil.features import default_catalog
from vigil.model import AddressBookAction, AddressBookChanged, Chain, KycSubmitted, Outcome, ReasonCode
from vigil.screening.chains import parse_address
from vigil.screening.entries import AddressEntry, Category, NameEntry, SubjectKind
from vigil.screening.index import AddressIndex
from vigil.screening.names import NameQuery
from vigil.screening.policy import default_policy
from vigil.screening.records import Clearance
from vigil.screening.screener import SCAM_NOTICE, Screener

SANCTIONED_ETH = "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"
SCAM_ETH = "0x43412801d29861ecc4c4d86e5becfd16af86a67b"
CLEAN_ETH = "0x00000000219ab540356cbb839cbe05303d7705fa"
SANCTIONED_TRON = "TNUC9Qb1rRpS5CbWLmNMxXBjyFoydXjWFR"
LISTED = NameEntry(
    source="ofac_sdn",
    entry_id="ofac_sdn:4711",
    kind=SubjectKind.PERSON,
    name="Viktor Anatolyevich Bout",
    aliases=("Виктор Анатольевич Бут",),
    birth_dates=("1967-01-13",),
    countries=("RU",),
)


def address(chain: Chain, text: str, category: Category, source: str) -> AddressEntry:
    key = parse_address(chain, text).key
    return AddressEntry(source, f"{source}:{key}", key, chain, category, f"{source} label", None, 100)


def screened_engine() -> tuple[Engine, MemoryScreeningStore]:
    index = AddressIndex(
        [
            address(Chain.ETH, SANCTIONED_ETH, Category.SANCTIONED, "ofac_addresses"),
            address(Chain.ETH, SCAM_ETH, Category.SCAM, "scamsniffer"),
            address(Chain.TRON, SANCTIONED_TRON, Category.SANCTIONED, "ofac_addresses"),
        ]
    )
    store = MemoryScreeningStore()
    screener = Screener(
        index, default_policy(), names=[LISTED], lists_version="ofac_addresses@1,scamsniffer@1"
    )
    engine = Engine(
        default_catalog(), builtin_rules(), MemoryJournal(), screener=screener, screening_store=store
    )
    return engine, store


def test_a_withdrawal_to_a_sanctioned_address_is_blocked_and_explained(events: Events) -> None:
    engine, store = screened_engine()
    decision = engine.decide(events.withdrawal(destination_address=SANCTIONED_ETH.lower(), chain=Chain.ARB))
    assert decision.outcome is Outcome.BLOCK
    top = decision.reasons[0]
    assert top.code is ReasonCode.SCREEN_ADDRESS_SANCTIONED and top.outcome is Outcome.BLOCK
    assert "ofac_addresses" in top.detail and "category sanctioned" in top.detail
    assert decision.versions.lists == "ofac_addresses@1,scamsniffer@1"
    assert store.accounts_for_address("EVM:" + SANCTIONED_ETH.lower()) == ["alice"]


def test_a_deposit_from_a_sanctioned_address_is_held(events: Events) -> None:
    engine, _ = screened_engine()
    decision = engine.decide(events.deposit(source_address=SANCTIONED_TRON))
    assert decision.outcome is Outcome.HOLD
    assert decision.reasons[0].code is ReasonCode.SCREEN_ADDRESS_SANCTIONED


def test_paying_a_scam_address_holds_and_warns_the_customer(events: Events) -> None:
    engine, _ = screened_engine()
    decision = engine.decide(events.withdrawal(destination_address=SCAM_ETH))
    assert decision.outcome is Outcome.HOLD
    assert decision.notices == (SCAM_NOTICE,)
    assert any(r.code is ReasonCode.SCREEN_ADDRESS_SCAM for r in decision.reasons)


def test_a_clean_address_adds_nothing(events: Events) -> None:
    engine, _ = screened_engine()
    plain = Engine(default_catalog(), builtin_rules(), MemoryJournal())
    event = events.withdrawal(destination_address=CLEAN_ETH)
    screened, unscreened = engine.decide(event), plain.decide(event)
    assert (screened.outcome, screened.reasons) == (unscreened.outcome, unscreened.reasons)
    assert screened.notices == ()


def test_an_address_that_cannot_be_parsed_fails_closed(events: Events) -> None:
    engine, store = screened_engine()
    bad = "0x01e2919679362dFBC9ee1644Ba9C6da6D6245bb1"  # one letter's case changed: EIP-55 fails
    decision = engine.decide(events.withdrawal(destination_address=bad))
    assert decision.outcome >= Outcome.HOLD
    reason = next(r for r in decision.reasons if r.code is ReasonCode.SCREEN_ADDRESS_UNVERIFIABLE)
    assert "EIP-55" in reason.detail or "checksum" in reason.detail
    assert store.accounts_for_address("EVM:" + bad.lower()) == []


def test_address_book_additions_are_screened(events: Events) -> None:
    engine, _ = screened_engine()
    event = AddressBookChanged(
        **events._base(0), action=AddressBookAction.ADD, chain=Chain.ETH, address=SANCTIONED_ETH
    )
    assert engine.decide(event).outcome is Outcome.BLOCK


def kyc(events: Events, name: str, **kw: object) -> KycSubmitted:
    return KycSubmitted(**events._base(0, account_id="viktor"), full_name=name, **kw)  # type: ignore[arg-type]


def test_a_kyc_name_on_a_list_is_held_with_its_explanation(events: Events) -> None:
    engine, store = screened_engine()
    decision = engine.decide(kyc(events, "Viktor Bout", birth_date=date(1967, 1, 13), nationality="RU"))
    assert decision.outcome >= Outcome.REVIEW
    reason = next(r for r in decision.reasons if r.code is ReasonCode.SCREEN_NAME_MATCH)
    assert "ofac_sdn:4711" in reason.detail
    assert [c.customer_id for c in store.customers()] == ["viktor"]


def test_a_cleared_false_positive_stays_cleared_until_the_entry_changes(events: Events) -> None:
    engine, store = screened_engine()
    store.clear(Clearance("viktor", LISTED.entry_id, LISTED.digest(), "ana", "other person: DOB differs", T0))
    assert not store.is_cleared("viktor", LISTED.entry_id, LISTED.digest())  # asked, not approved
    approved = Clearance("viktor", LISTED.entry_id, LISTED.digest(), "ana", "DOB differs", T0, "sam", T0)
    store.clear(approved)
    decision = engine.decide(kyc(events, "Viktor Bout", birth_date=date(1980, 5, 5)))
    assert all(r.code is not ReasonCode.SCREEN_NAME_MATCH for r in decision.reasons)
    # The same clearance no longer applies once the list changes the entry.
    store2 = MemoryScreeningStore()
    changed = replace(LISTED, aliases=("Victor But",))
    store2.clear(approved)
    screener = Screener(AddressIndex(), default_policy(), names=[changed])
    result = screener.screen_name(
        NameQuery("Viktor Bout"),
        customer_id="viktor",
        cleared=store2.is_cleared,
    )
    assert [m.entry_id for m in result.matches] == [LISTED.entry_id] and not result.cleared


def test_kyc_without_a_name_is_not_name_screened(events: Events) -> None:
    engine, store = screened_engine()
    event = KycSubmitted(**events._base(0, ts=T0 + timedelta(days=1)))
    assert all(r.code is not ReasonCode.SCREEN_NAME_MATCH for r in engine.decide(event).reasons)
    assert list(store.customers()) == []
