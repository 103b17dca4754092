"""Checks of a KYC submission against its MRZ: names as ICAO 9303 part 3 transliterates them, every check
with its reason code, the policy file, and a malformed MRZ that never makes the event fail."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from vigil.errors import InvalidInput
from vigil.identity import (
    DocumentPolicy,
    check_digit,
    check_document,
    country_of,
    default_policy,
    holder_key,
    judge,
    load_policy,
    names_match,
    read_document,
    spell,
)
from vigil.model import KycSubmitted, Outcome
from vigil.model.reasons import ReasonCode as R

TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
NOW = datetime(2026, 12, 8, 12, tzinfo=UTC)


def td3(
    *,
    state: str = "SWE",
    name: str = "ERIKSSON<<ANNA<MARIA",
    number: str = "L898902C3",
    nationality: str = "SWE",
    born: str = "740812",
    sex: str = "F",
    expires: str = "301231",
) -> tuple[str, str]:
    """A valid TD3 MRZ with these fields (every check digit computed)."""
    one = f"P<{state:<<3}{name}".ljust(44, "<")[:44]
    personal = "<" * 14
    two = f"{number}{check_digit(number)}{nationality}{born}{check_digit(born)}{sex}"
    two += f"{expires}{check_digit(expires)}{personal}<"
    two += str(check_digit(two[0:10] + two[13:20] + two[21:43]))
    return one, two


def kyc(**fields: Any) -> KycSubmitted:
    base: dict[str, Any] = {"event_id": "e1", "account_id": "a1", "ts": NOW, "region": "EU"}
    return KycSubmitted(**(base | fields))


def codes(event: KycSubmitted, policy: DocumentPolicy | None = None) -> list[R]:
    return [f.code for f in check_document(event, policy or default_policy())]


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "spelled"),
    [
        ("Jürgen Øster-Bäck", ("JUERGEN", "OESTER", "BAECK")),
        ("Straße", ("STRASSE",)),
        ("Þórunn Ægisdóttir", ("THORUNN", "AEGISDOTTIR")),
        ("O'Brien", ("OBRIEN",)),
        ("José María Pérez", ("JOSE", "MARIA", "PEREZ")),
        ("Łukasz Wałęsa", ("LUKASZ", "WALESA")),
        ("\u0410\u043d\u043d\u0430 \u0418\u0432\u0430\u043d\u043e\u0432\u0430", ("ANNA", "IVANOVA")),
        ("\u0429\u0443\u043a\u0438\u043d \u042e\u0440\u0438\u0439", ("SHCHUKIN", "IURII")),
        (
            "\u0416\u0430\u043d\u043d\u0430 \u0425\u0430\u0440\u044c\u043a\u043e\u0432\u0430",
            ("ZHANNA", "KHARKOVA"),
        ),
    ],
)
def test_declared_names_are_spelled_as_icao_9303_part_3_transliterates(
    declared: str, spelled: tuple[str, ...]
) -> None:
    assert spell(declared) == spelled


def test_the_alternative_spellings_and_the_order_of_names() -> None:
    assert spell("Müller Åsa", 1) == ("MULLER", "ASA")
    for surname, given in [("MUELLER", "JUERGEN"), ("MULLER", "JURGEN"), ("MUELLER", "JURGEN")]:
        assert names_match("Jürgen Müller", surname, given)
    assert names_match("Anna Maria Eriksson", "ERIKSSON", "ANNA MARIA")
    assert names_match("ERIKSSON Anna-Maria", "ERIKSSON", "ANNA MARIA")
    assert names_match("Ronald Mc Donald", "MCDONALD", "RONALD")
    assert not names_match("Anna Eriksson", "ERIKSSON", "ANNA MARIA")
    assert not names_match("Ivan Petrov", "ERIKSSON", "ANNA")
    assert not names_match("", "ERIKSSON", "ANNA")


def test_a_truncated_zone_name_matches_the_beginning_of_the_declared_one() -> None:
    assert names_match("Anna Maria Eriksson-Longname", "ERIKSSON LONGNAME", "ANNA MA", truncated=True)
    assert not names_match("Anna Maria Eriksson-Longname", "ERIKSSON LONGNAME", "ANNA MA")
    assert not names_match("Anna Petra Eriksson-Longname", "ERIKSSON LONGNAME", "ANNA MA", truncated=True)


def test_holder_keys_ignore_order_and_hide_the_name() -> None:
    assert holder_key("ERIKSSON", "ANNA MARIA") == holder_key("ANNA", "MARIA ERIKSSON")
    assert holder_key("ERIKSSON", "ANNA") != holder_key("ERIKSSON", "ANNA MARIA")
    assert "ERIKSSON" not in holder_key("ERIKSSON", "ANNA")


def test_icao_codes_to_countries() -> None:
    assert [country_of(c) for c in ("SWE", "D", "GBD", "RKS", "UTO", "XXA", "UNO")] == [
        "SE",
        "DE",
        "GB",
        "XK",
        None,
        None,
        None,
    ]


# -- checks -----------------------------------------------------------------------------------


def test_a_submission_that_agrees_with_its_document_passes() -> None:
    event = kyc(
        mrz=td3(),
        full_name="Anna Maria Eriksson",
        birth_date=date(1974, 8, 12),
        birth_year=1974,
        sex="F",
        nationality="SE",
    )
    assert codes(event) == []
    assert judge([], default_policy()).outcome is Outcome.ALLOW


def test_without_an_mrz_nothing_is_checked() -> None:
    assert read_document(kyc(full_name="Anna")) is None
    assert codes(kyc(full_name="Anna", birth_date=date(2020, 1, 1))) == []


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"mrz": td3(expires="261207")}, R.IDENTITY_DOCUMENT_EXPIRED),
        ({"mrz": td3(born="081209")}, R.IDENTITY_UNDERAGE),
        ({"mrz": td3(), "full_name": "Anna Petrova"}, R.IDENTITY_NAME_MISMATCH),
        ({"mrz": td3(), "birth_date": date(1974, 8, 13)}, R.IDENTITY_BIRTH_DATE_MISMATCH),
        ({"mrz": td3(), "birth_year": 1975}, R.IDENTITY_BIRTH_DATE_MISMATCH),
        ({"mrz": td3(), "sex": "M"}, R.IDENTITY_SEX_MISMATCH),
        ({"mrz": td3(sex="<"), "sex": "F"}, R.IDENTITY_SEX_MISMATCH),
        ({"mrz": td3(), "nationality": "NO"}, R.IDENTITY_NATIONALITY_MISMATCH),
        ({"mrz": td3(state="IDN")}, R.IDENTITY_ISSUER_OUTSIDE_REGION),
        ({"mrz": (TD3[0], TD3[1].replace("L898902C36", "L898902C35"))}, R.IDENTITY_MRZ_INVALID),
        ({"mrz": td3(born="741399")}, R.IDENTITY_MRZ_INVALID),
        ({"mrz": TD3[:1]}, R.IDENTITY_MRZ_UNREADABLE),
        ({"mrz": (TD3[0], "")}, R.IDENTITY_MRZ_UNREADABLE),
        ({"mrz": (TD3[0].replace("A", "\u0410"), TD3[1])}, R.IDENTITY_MRZ_UNREADABLE),
        ({"mrz": ("x" * 200,) * 10}, R.IDENTITY_MRZ_UNREADABLE),
    ],
)
def test_each_check_raises_its_code(fields: dict[str, Any], code: R) -> None:
    found = codes(kyc(**fields))
    assert code in found
    assert all(c in (code, R.IDENTITY_ISSUER_OUTSIDE_REGION, R.IDENTITY_DOCUMENT_EXPIRED) for c in found), (
        found
    )


def test_the_boundaries_expiry_on_the_day_and_the_eighteenth_birthday() -> None:
    assert codes(kyc(mrz=td3(expires="261208"))) == []  # valid through its expiry date
    assert codes(kyc(mrz=td3(born="081208"))) == []  # 18 today
    assert codes(kyc(mrz=td3(born="081208")), DocumentPolicy(minimum_age=21, effects={}, regions={})) == [
        R.IDENTITY_UNDERAGE
    ]


def test_checks_whose_inputs_are_missing_say_nothing() -> None:
    # A stateless person's document (XXA) has no country to compare with a declared nationality.
    assert codes(kyc(mrz=td3(nationality="XXA"), nationality="SE")) == []
    assert codes(kyc(mrz=td3(), region="MARS")) == []  # a region the policy does not list


def test_an_unreadable_mrz_is_one_reason_that_names_the_line_and_the_event_still_decides() -> None:
    event = kyc(mrz=(TD3[0], TD3[1][:-3]), full_name="Anna Maria Eriksson")
    verdict = judge(check_document(event, default_policy()), default_policy())
    assert [r.code for r in verdict.reasons] == [R.IDENTITY_MRZ_UNREADABLE]
    assert "line 2" in verdict.reasons[0].detail and "41 characters" in verdict.reasons[0].detail
    assert verdict.outcome is Outcome.REVIEW


def test_the_policy_gives_each_finding_its_outcome_and_score() -> None:
    policy = default_policy()
    found = check_document(kyc(mrz=td3(born="081209", state="IDN")), policy)
    verdict = judge(found, policy)
    assert verdict.outcome is Outcome.HOLD
    assert verdict.score == 70.0
    issuer = next(r for r in verdict.reasons if r.code is R.IDENTITY_ISSUER_OUTSIDE_REGION)
    assert issuer.outcome is None  # allow: shown, nothing forced


POLICY = """
checks:
  identity.mrz_unreadable: {outcome: review}
  identity.mrz_invalid: {outcome: review}
  identity.document_expired: {outcome: review}
  identity.underage: {outcome: block}
  identity.name_mismatch: {outcome: review}
  identity.birth_date_mismatch: {outcome: review}
  identity.sex_mismatch: {outcome: allow}
  identity.nationality_mismatch: {outcome: allow}
  identity.issuer_outside_region: {outcome: allow}
regions: {EU: [D, FRA]}
"""


def test_a_policy_file_loads_and_its_errors_name_the_field() -> None:
    policy = load_policy(POLICY, file="mine.yaml", minimum_age=21)
    assert policy.minimum_age == 21 and policy.regions == {"EU": frozenset({"D", "FRA"})}
    with pytest.raises(InvalidInput, match=r"checks\.identity\.underage\.outcome"):
        load_policy(POLICY.replace("block", "jail"), file="mine.yaml")
    with pytest.raises(InvalidInput, match=r"no effect for identity\.sex_mismatch"):
        load_policy(POLICY.replace("  identity.sex_mismatch: {outcome: allow}\n", ""), file="mine.yaml")
    with pytest.raises(InvalidInput, match="not a document check"):
        load_policy(
            POLICY.replace("regions:", "  screening.name_match: {outcome: allow}\nregions:"), file="x"
        )
    with pytest.raises(InvalidInput, match=r"regions\.EU"):
        load_policy(POLICY.replace("[D, FRA]", "[germany]"), file="x")
    with pytest.raises(InvalidInput, match="not an age"):
        load_policy(POLICY, file="x", minimum_age=-1)


def test_the_event_refuses_only_what_is_beyond_its_size_bounds() -> None:
    kyc(mrz=("", "\x00", "\u0410" * 200))  # read as unreadable later, not refused
    with pytest.raises(ValueError, match="mrz: 11 lines"):
        kyc(mrz=("P",) * 11)
    with pytest.raises(ValueError, match="mrz: line 2 has 201 characters"):
        kyc(mrz=("P", "x" * 201))
