"""A KYC submission against its document's machine-readable zone, into reasons with stable codes.

``read_document(event)`` reads the zone once (``Reading``: the ``Mrz``, or why it could not be read),
with the hashed keys the feature catalog counts (the document: issuing state and number; the holder: the
zone's name) and whether the declared name is the zone's. ``check_document`` compares the rest of what
the customer declared with it on the event's own date:

=================================  ==================================================================
code                               when
=================================  ==================================================================
``identity.mrz_unreadable``        the lines are no MRZ (a wrong length or alphabet, an empty line)
``identity.mrz_invalid``           a check digit fails, or a date is no date
``identity.document_expired``      the expiry date is before the event's date
``identity.underage``              the zone's date of birth makes the customer younger than the minimum
``identity.name_mismatch``         the declared name is not the zone's (transliterated, ``names``)
``identity.birth_date_mismatch``   the declared date (or year) of birth is not the zone's
``identity.sex_mismatch``          the declared sex is not the zone's (``<`` and ``X``: unspecified)
``identity.nationality_mismatch``  the declared nationality is not the zone's (ICAO codes to ISO 3166)
``identity.issuer_outside_region`` the issuing state is not one the region's policy lists
=================================  ==================================================================

A check whose inputs are missing (no declared name, an issuing state that maps to no country) says
nothing. An event without ``mrz`` is not checked at all. Pure: the date is the event's, never the clock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from iso3166 import countries_by_alpha3

from vigil.errors import InvalidInput
from vigil.identity.mrz import Field, Mrz, parse_lines
from vigil.identity.names import holder_key, names_match
from vigil.identity.policy import DocumentPolicy
from vigil.model import KycSubmitted, Outcome, Reason
from vigil.model.reasons import ReasonCode as R

# ICAO 9303 part 3 codes that are not ISO 3166-1 alpha-3 but name a country.
_ICAO_ONLY = {"D": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB", "RKS": "XK"}


def country_of(code: str) -> str | None:
    """The ISO 3166-1 alpha-2 country of an ICAO nationality or issuing-state code (None: not a country,
    as ``UTO``, ``XXA`` stateless or ``UNO`` the United Nations)."""
    if code in _ICAO_ONLY:
        return _ICAO_ONLY[code]
    country = countries_by_alpha3.get(code)
    return None if country is None else str(country.alpha2)


def document_key(issuing_state: str, number: str) -> str:
    """A digest of a document's identity (issuer and number): what the catalog keeps, not the number."""
    return hashlib.blake2b(
        f"{issuing_state}|{number}".encode(), digest_size=8, person=b"vigil-document"
    ).hexdigest()


@dataclass(frozen=True, slots=True)
class Reading:
    """A submission's zone read once: the ``Mrz`` or the error that kept it from being read."""

    mrz: Mrz | None
    error: str | None
    document: str | None  # ``document_key``
    holder: str | None  # ``names.holder_key`` of the zone's name
    name_mismatch: bool | None  # None: no declared name, or no zone


@dataclass(frozen=True, slots=True)
class Finding:
    code: R
    detail: str


def read_document(event: KycSubmitted) -> Reading | None:
    """The event's zone read (None without ``mrz``); never raises for what the lines hold."""
    if event.mrz is None:
        return None
    try:
        mrz = parse_lines(event.mrz)
    except InvalidInput as exc:
        return Reading(None, str(exc), None, None, None)
    document = document_key(mrz.issuing_state, mrz.document_number) if mrz.document_number else None
    holder = holder_key(mrz.surname, mrz.given_names) if mrz.surname or mrz.given_names else None
    mismatch = None
    if event.full_name is not None and holder is not None:
        mismatch = not names_match(
            event.full_name, mrz.surname, mrz.given_names, truncated=mrz.name_truncated
        )
    return Reading(mrz, None, document, holder, mismatch)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_document(
    event: KycSubmitted, policy: DocumentPolicy, reading: Reading | None = None
) -> list[Finding]:
    """What fails when the submission is compared with its zone (module docstring); [] without ``mrz``."""
    if reading is None:
        reading = read_document(event)
    if reading is None:
        return []
    mrz = reading.mrz
    if mrz is None:
        return [Finding(R.IDENTITY_MRZ_UNREADABLE, f"the MRZ could not be read ({reading.error})")]
    found: list[Finding] = []
    today = event.ts.date()
    born = mrz.birth_date_on(today)
    expires = mrz.expiry(today)
    invalid = [str(f) for f in mrz.failed]
    if born is None and Field.BIRTH_DATE not in mrz.failed:
        invalid.append(f"birth date {mrz.birth_date} is no date")
    if expires is None and Field.EXPIRY_DATE not in mrz.failed:
        invalid.append(f"expiry date {mrz.expiry_date} is no date")
    if invalid:
        found.append(
            Finding(R.IDENTITY_MRZ_INVALID, f"{mrz.format} MRZ: check digit failed: {', '.join(invalid)}")
        )
    if expires is not None and expires < today:
        found.append(Finding(R.IDENTITY_DOCUMENT_EXPIRED, f"the document expired on {expires.isoformat()}"))
    if born is not None and (age := _age(born, today)) < policy.minimum_age:
        found.append(
            Finding(
                R.IDENTITY_UNDERAGE, f"born {born.isoformat()}: {age} years old, below {policy.minimum_age}"
            )
        )
    if reading.name_mismatch:
        found.append(
            Finding(
                R.IDENTITY_NAME_MISMATCH,
                f"the declared name is not the MRZ's ({mrz.surname}, {mrz.given_names})",
            )
        )
    declared_born = event.birth_date
    if born is not None and declared_born is not None and declared_born != born:
        found.append(
            Finding(
                R.IDENTITY_BIRTH_DATE_MISMATCH,
                f"declared born {declared_born.isoformat()}, the MRZ says {born.isoformat()}",
            )
        )
    elif (
        born is not None
        and declared_born is None
        and event.birth_year is not None
        and event.birth_year != born.year
    ):
        found.append(
            Finding(
                R.IDENTITY_BIRTH_DATE_MISMATCH,
                f"declared born in {event.birth_year}, the MRZ says {born.isoformat()}",
            )
        )
    if event.sex is not None and mrz.sex in ("M", "F", "X", "<"):
        printed = "X" if mrz.sex == "<" else mrz.sex
        if printed != event.sex:
            found.append(
                Finding(R.IDENTITY_SEX_MISMATCH, f"declared sex {event.sex}, the MRZ says {printed}")
            )
    if event.nationality is not None:
        country = country_of(mrz.nationality)
        if country is not None and country != event.nationality:
            found.append(
                Finding(
                    R.IDENTITY_NATIONALITY_MISMATCH,
                    f"declared nationality {event.nationality}, the MRZ says {mrz.nationality} ({country})",
                )
            )
    expected = policy.regions.get(event.region)
    if expected is not None and mrz.issuing_state not in expected:
        found.append(
            Finding(
                R.IDENTITY_ISSUER_OUTSIDE_REGION,
                f"a document issued by {mrz.issuing_state or '(none)'} for a customer of {event.region}",
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    """The checks' verdict on one event: the most severe outcome forced, the score, the reasons."""

    outcome: Outcome
    score: float
    reasons: tuple[Reason, ...]


PASSED = DocumentCheck(Outcome.ALLOW, 0.0, ())
RULE_ID = "identity.document_policy"  # what a reason of the document policy names as its rule


def judge(findings: list[Finding], policy: DocumentPolicy) -> DocumentCheck:
    """Findings into reasons, each with its policy's outcome (``allow``: none forced) and score."""
    if not findings:
        return PASSED
    outcome = Outcome.ALLOW
    score = 0.0
    reasons = []
    for finding in findings:
        effect = policy.effect(finding.code)
        forced = effect.outcome if effect.outcome > Outcome.ALLOW else None
        outcome = max(outcome, effect.outcome)
        score += effect.score
        reasons.append(Reason(finding.code, RULE_ID, effect.score, finding.detail, forced))
    return DocumentCheck(outcome, score, tuple(reasons))
