"""One Senzing record (OpenSanctions' ``senzing.json`` export) -> a ``Draft`` of a ``NameEntry``.

Senzing's generic entity format puts attributes either flat on the record (``NAME_FIRST``,
``DATE_OF_BIRTH``, ``NATIONALITY``) or in lists of small objects under any key (``NAMES``,
``DATES``, ``COUNTRIES``, ``IDENTIFIERS``, ``RISKS``, or one ``FEATURES`` list): OpenSanctions has
used all three over time. The record is read as the set of those objects, so all shapes give the
same entry.

``RECORD_TYPE`` gives the kind. OpenSanctions writes ``null`` for what is no party (a position such
as "United States senator", linked from the people who held it): such records are skipped. A
record without the key at all comes from another producer and is kept with an unknown kind.
Wikidata and OpenSanctions ids (``TRUSTED_ID``, ``OTHER_ID_TYPE: OPEN_SANCTIONS``) are not
identifiers of the party's documents and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vigil.screening.entries import Identifier, SubjectKind
from vigil.screening.sources.countries import CountryResolver
from vigil.screening.sources.names_build import BadRecord, Draft, IdKind, NotAParty, clean
from vigil.screening.sources.names_dates import iso_birth_date, text_birth_dates
from vigil.screening.sources.names_ftm import ID_KINDS

_KINDS = {
    "PERSON": SubjectKind.PERSON,
    "ORGANIZATION": SubjectKind.ORGANISATION,
    "VESSEL": SubjectKind.VESSEL,
    "AIRCRAFT": SubjectKind.AIRCRAFT,
}
_COUNTRIES = ("NATIONALITY", "CITIZENSHIP", "ADDR_COUNTRY", "REGISTRATION_COUNTRY", "COUNTRY_OF_ASSOCIATION")
# number attribute -> (kind, country attribute, type attribute naming the FtM property)
_IDENTIFIERS: dict[str, tuple[IdKind, str | None, str | None]] = {
    "PASSPORT_NUMBER": (IdKind.PASSPORT, "PASSPORT_COUNTRY", None),
    "NATIONAL_ID_NUMBER": (IdKind.NATIONAL_ID, "NATIONAL_ID_COUNTRY", "NATIONAL_ID_TYPE"),
    "TAX_ID_NUMBER": (IdKind.TAX_ID, "TAX_ID_COUNTRY", "TAX_ID_TYPE"),
    "SSN_NUMBER": (IdKind.SSN, None, None),
    "DRIVERS_LICENSE_NUMBER": (IdKind.DRIVING_LICENSE, None, None),
    "LEI_NUMBER": (IdKind.LEI, None, None),
    "DUNS_NUMBER": (IdKind.DUNS, None, None),
    "IMO_NUMBER": (IdKind.IMO, None, None),
    "MMSI_NUMBER": (IdKind.MMSI, None, None),
    "CALL_SIGN": (IdKind.CALL_SIGN, None, None),
    "OTHER_ID_NUMBER": (IdKind.OTHER, "OTHER_ID_COUNTRY", "OTHER_ID_TYPE"),
}
_NOT_DOCUMENTS = {"OPEN_SANCTIONS", "WIKIDATA"}


def senzing_draft(source: str, record: dict[str, Any], countries: CountryResolver) -> Draft:
    """The record's draft; raises ``BadRecord`` (naming the field) or ``NotAParty``."""
    uid = record.get("RECORD_ID")
    if not isinstance(uid, str | int) or isinstance(uid, bool) or not str(uid).strip():
        raise BadRecord("missing or empty RECORD_ID", "RECORD_ID")
    if "RECORD_TYPE" in record and record["RECORD_TYPE"] is None:
        raise NotAParty(uid)
    kind = _KINDS.get(str(record.get("RECORD_TYPE", "")).upper(), SubjectKind.UNKNOWN)
    features = list(_features(record))
    named = [(_text(f, "NAME_TYPE").upper(), name) for f in features if (name := _name(f))]
    if not named:
        raise BadRecord("no name", "NAME_FULL")
    primary = next((name for kind_of_name, name in named if kind_of_name == "PRIMARY"), named[0][1])
    draft = Draft(source, str(uid).strip(), kind, primary, aliases=[name for _, name in named])
    for feature in features:
        if value := _text(feature, "DATE_OF_BIRTH"):
            draft.birth_dates.extend([d] if (d := iso_birth_date(value)) else text_birth_dates(value))
        for attribute in _COUNTRIES:
            if (value := _text(feature, attribute)) and (code := countries.code(value)):
                draft.countries.append(code)
        draft.identifiers.extend(_identifiers(feature, countries))
        if topic := _text(feature, "TOPIC"):
            draft.programs.append(topic)
    return draft


def _features(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The record itself (flat attributes), then every object inside its lists."""
    yield record
    for value in record.values():
        if isinstance(value, list):
            yield from (item for item in value if isinstance(item, dict))


def _name(feature: dict[str, Any]) -> str:
    if full := _text(feature, "NAME_FULL") or _text(feature, "NAME_ORG"):
        return full
    parts = (_text(feature, f"NAME_{part}") for part in ("FIRST", "MIDDLE", "LAST", "SUFFIX"))
    return " ".join(part for part in parts if part)


def _identifiers(feature: dict[str, Any], countries: CountryResolver) -> Iterator[Identifier]:
    for attribute, (kind, country_attribute, type_attribute) in _IDENTIFIERS.items():
        number = _text(feature, attribute)
        if not number:
            continue
        typed = _text(feature, type_attribute) if type_attribute else ""
        if typed.upper() in _NOT_DOCUMENTS:
            continue
        country = _text(feature, country_attribute) if country_attribute else ""
        yield Identifier(
            ID_KINDS.get(typed, kind).value, number, countries.code(country) if country else None
        )


def _text(feature: dict[str, Any], attribute: str) -> str:
    value = feature.get(attribute)
    return clean(value) if isinstance(value, str) else ""
