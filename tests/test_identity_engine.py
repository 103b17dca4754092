"""Identity documents in decisions: the optional ``mrz`` on the wire, the document policy in the engine,
the document-reuse pack, a malformed MRZ that never fails the event, and the wiring from settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import builtin_rules
from tests.strategies import MRZS
from vigil import bootstrap
from vigil.adapters.memory import MemoryJournal
from vigil.codec import decode_event, encode_event
from vigil.engine import Engine
from vigil.errors import ConfigError, InvalidEvent
from vigil.features import default_catalog
from vigil.identity import default_policy
from vigil.model import Decision, Deposit, Event, KycSubmitted, Outcome, Rail, Withdrawal
from vigil.model.reasons import ReasonCode as R
from vigil.settings import Settings

T0 = datetime(2026, 12, 8, 9, tzinfo=UTC)
ANNA = MRZS[0]  # SWE passport L898902C3 of ERIKSSON ANNA MARIA, born 1974-08-12, valid to 2030
IVAN = MRZS[1]  # the same number under PETROV IVAN
OTHER = MRZS[2]  # another document (FRA issuer in the number's line; SWE on the name line)


def engine(**kw: Any) -> Engine:
    return Engine(default_catalog(), builtin_rules(), MemoryJournal(), documents=default_policy(**kw))


def kyc(n: int, account: str, mrz: tuple[str, ...] | None, **fields: Any) -> KycSubmitted:
    base: dict[str, Any] = {"event_id": f"k{n}", "account_id": account, "ts": T0 + timedelta(minutes=n)}
    return KycSubmitted(**(base | {"region": "EU", "mrz": mrz} | fields))


def codes(decision: Decision) -> set[str]:
    return {r.code.value for r in decision.reasons}


def test_a_submission_that_agrees_with_its_document_has_no_identity_reason() -> None:
    decision = engine().decide(
        kyc(
            1,
            "a",
            ANNA,
            full_name="Anna Maria Eriksson",
            birth_date=date(1974, 8, 12),
            sex="F",
            nationality="SE",
        )
    )
    assert not {c for c in codes(decision) if c.startswith("identity.")}
    assert decision.outcome is Outcome.ALLOW


@pytest.mark.parametrize(
    "mrz",
    [
        ("P<UTO",),
        (ANNA[0], ""),
        (ANNA[0], ANNA[1][:-1]),
        (ANNA[0].replace("A", "\u0410"), ANNA[1]),
        ("\x00" * 200,) * 10,
    ],
)
def test_a_malformed_mrz_never_fails_the_event_it_is_decided_with_a_reason(mrz: tuple[str, ...]) -> None:
    e = engine()
    decision = e.decide(kyc(1, "a", mrz, full_name="Anna Maria Eriksson"))
    assert codes(decision) >= {R.IDENTITY_MRZ_UNREADABLE.value}
    assert decision.outcome is Outcome.REVIEW
    reason = next(r for r in decision.reasons if r.code is R.IDENTITY_MRZ_UNREADABLE)
    assert reason.detail.startswith("the MRZ could not be read") and len(reason.detail) < 300
    # It went through the wire and the journal like any event.
    event = decode_event(encode_event(kyc(1, "a", mrz)))
    assert event.mrz == mrz  # type: ignore[attr-defined]


def test_document_checks_force_their_outcomes_and_add_their_scores() -> None:
    e = engine(minimum_age=60)
    decision = e.decide(kyc(1, "a", ANNA, full_name="Ivan Petrov", sex="M"))
    assert codes(decision) >= {
        R.IDENTITY_UNDERAGE.value,
        R.IDENTITY_NAME_MISMATCH.value,
        R.IDENTITY_SEX_MISMATCH.value,
    }
    assert decision.outcome is Outcome.HOLD
    assert decision.score >= 60 + 40 + 20
    assert decision.reasons[0].code is R.IDENTITY_UNDERAGE  # the most severe first


def test_one_document_on_several_accounts_and_under_several_names() -> None:
    e = engine()
    first = e.decide(kyc(1, "a", ANNA, full_name="Anna Maria Eriksson"))
    assert R.IDENTITY_DOCUMENT_REUSED.value not in codes(first)
    again = e.decide(kyc(2, "a", ANNA, full_name="Anna Maria Eriksson"))  # the same account again: fine
    assert R.IDENTITY_DOCUMENT_REUSED.value not in codes(again)
    reused = e.decide(kyc(3, "b", ANNA, full_name="Anna Maria Eriksson"))
    assert R.IDENTITY_DOCUMENT_REUSED.value in codes(reused)
    assert reused.outcome >= Outcome.REVIEW
    renamed = e.decide(kyc(4, "c", IVAN, full_name="Ivan Petrov"))
    assert {R.IDENTITY_DOCUMENT_REUSED.value, R.IDENTITY_DOCUMENT_OTHER_NAME.value} <= codes(renamed)
    assert renamed.outcome is Outcome.HOLD
    other = e.decide(kyc(5, "d", OTHER, full_name="Anna Maria Eriksson"))
    assert not codes(other) & {R.IDENTITY_DOCUMENT_REUSED.value, R.IDENTITY_DOCUMENT_OTHER_NAME.value}


def test_a_large_withdrawal_after_a_name_that_did_not_match() -> None:
    e = engine()
    e.decide(kyc(1, "a", ANNA, full_name="Someone Else"))

    def withdraw(n: int, value: str) -> Withdrawal:
        return Withdrawal(
            event_id=f"w{n}",
            account_id="a",
            ts=T0 + timedelta(hours=n),
            region="EU",
            rail=Rail.FIAT,
            asset="EUR",
            amount=100,
            fiat_value=Decimal(value),
        )

    assert R.IDENTITY_UNMATCHED_NAME_WITHDRAWAL.value not in codes(e.decide(withdraw(1, "500")))
    assert R.IDENTITY_UNMATCHED_NAME_WITHDRAWAL.value in codes(e.decide(withdraw(2, "5000")))


def test_without_a_document_policy_nothing_is_checked_but_reuse_is_still_counted() -> None:
    e = Engine(default_catalog(), builtin_rules(), MemoryJournal())
    assert not codes(e.decide(kyc(1, "a", ("P<UTO",))))
    e.decide(kyc(2, "a", ANNA))
    assert R.IDENTITY_DOCUMENT_REUSED.value in codes(e.decide(kyc(3, "b", ANNA)))


OLD_LINE = (
    b'{"type":"kyc_submitted","event_id":"old","account_id":"a","ts":"2025-01-01T00:00:00Z","region":"EU",'
    b'"level":2,"full_name":"Anna","birth_year":1974,"document_hash":"d1"}'
)


def test_streams_written_before_the_field_still_decode_and_decide_alike() -> None:
    event = decode_event(OLD_LINE)
    assert isinstance(event, KycSubmitted) and event.mrz is None and event.sex is None
    assert decode_event(encode_event(event)) == event
    with_mrz = decode_event(
        OLD_LINE[:-1] + b',"mrz":["' + ANNA[0].encode() + b'","' + ANNA[1].encode() + b'"]}'
    )
    assert with_mrz.mrz == ANNA  # type: ignore[attr-defined]
    assert decode_event(encode_event(with_mrz)) == with_mrz
    # The canonical form (whose digest a decision keeps) of an event without the new fields is unchanged.
    assert encode_event(event) == (
        b'{"type":"kyc_submitted","event_id":"old","account_id":"a","ts":"2025-01-01T00:00:00Z","region":"EU",'
        b'"country":null,"device_id":null,"ip":null,"geo":null,"network":null,"level":2,"full_name":"Anna",'
        b'"birth_date":null,"document_type":null,"document_country":null,"document_hash":"d1","face_hash":null,'
        b'"birth_year":1974,"nationality":null,"occupation":null,"declared_annual_income_fiat":null,'
        b'"expected_monthly_volume_fiat":null}'
    )
    assert b'"sex":"F","mrz":null' in encode_event(replace(event, sex="F"))
    plain = Engine(default_catalog(), builtin_rules(), MemoryJournal()).decide(event)
    checked = engine().decide(event)
    assert (plain.outcome, plain.score, plain.reasons) == (checked.outcome, checked.score, checked.reasons)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b',"mrz":"P<UTO"', "mrz"),
        (b',"mrz":[1,2]', "mrz[0]"),
        (b',"mrz":["P","' + b"P" * 201 + b'"]', "mrz"),
        (b',"sex":"male"', "sex"),
    ],
)
def test_what_the_edge_refuses_is_beyond_the_bounds_or_of_the_wrong_type(body: bytes, field: str) -> None:
    with pytest.raises(InvalidEvent) as caught:
        decode_event(OLD_LINE[:-1] + body + b"}")
    assert caught.value.field == field


def test_replaying_a_journal_gives_the_same_document_decisions() -> None:
    events: list[Event] = [
        kyc(1, "a", ANNA, full_name="Anna Maria Eriksson"),
        kyc(2, "b", ANNA, full_name="Anna Maria Eriksson"),
        kyc(3, "c", IVAN, full_name="Anna Maria Eriksson"),
        kyc(4, "d", ("P<",), full_name="Anna"),
        Deposit(
            event_id="d5",
            account_id="c",
            ts=T0 + timedelta(hours=1),
            region="EU",
            rail=Rail.FIAT,
            asset="EUR",
            amount=1,
            fiat_value=Decimal("10"),
        ),
    ]
    live = engine()
    first = [live.decide(ev) for ev in events]
    fresh = engine()
    second = [fresh.decide(ev) for ev in events]
    assert [(d.outcome, d.score, d.reasons) for d in first] == [
        (d.outcome, d.score, d.reasons) for d in second
    ]
    assert live.catalog.state_digest() == fresh.catalog.state_digest()


def test_settings_wire_the_minimum_age_and_the_policy_file(tmp_path: Path) -> None:
    assert bootstrap.document_policy(Settings(kyc_minimum_age=21)).minimum_age == 21
    assert bootstrap.document_policy(Settings()).minimum_age == 18
    mine = tmp_path / "policy.yaml"
    mine.write_text(
        "checks:\n"
        + "".join(
            f"  {c}: {{outcome: allow}}\n"
            for c in sorted(
                r.value for r in R if r.value.startswith("identity.") and "document_" not in r.value
            )
            if c != "identity.unmatched_name_withdrawal"
        )
        + "  identity.document_expired: {outcome: block}\n"
    )
    policy = bootstrap.document_policy(Settings(kyc_policy=mine))
    assert policy.effect(R.IDENTITY_DOCUMENT_EXPIRED).outcome is Outcome.BLOCK
    with pytest.raises(ConfigError):
        bootstrap.document_policy(Settings(kyc_policy=tmp_path / "missing.yaml"))
