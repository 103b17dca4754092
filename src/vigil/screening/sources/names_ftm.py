"""One FollowTheMoney entity (OpenSanctions' native JSON) -> a ``Draft`` of a ``NameEntry``.

An entity is ``{"id", "schema", "properties": {prop: [values]}}``. Only parties become entries:
people, organisations (Company, LegalEntity, PublicBody...), vessels and aircraft. Other schemas
(Position, Address, Sanction, Ownership...) describe facts about parties and are skipped without an
error. ``weakAlias`` is left out, like OFAC's weak aliases and the UN's low-quality ones; ``topics``
("sanction", "role.pep") go to ``programs``: they say why the party is listed.
"""

from __future__ import annotations

from typing import Any

from vigil.screening.entries import Identifier, SubjectKind
from vigil.screening.sources.countries import CountryResolver
from vigil.screening.sources.names_build import BadRecord, Draft, IdKind, NotAParty
from vigil.screening.sources.names_dates import iso_birth_date, text_birth_dates

SCHEMAS = {
    "Person": SubjectKind.PERSON,
    "Organization": SubjectKind.ORGANISATION,
    "Company": SubjectKind.ORGANISATION,
    "LegalEntity": SubjectKind.ORGANISATION,
    "PublicBody": SubjectKind.ORGANISATION,
    "Vessel": SubjectKind.VESSEL,
    "Airplane": SubjectKind.AIRCRAFT,
}
# FtM identifier properties; Senzing exports name them too (NATIONAL_ID_TYPE, OTHER_ID_TYPE).
ID_KINDS = {
    "passportNumber": IdKind.PASSPORT,
    "idNumber": IdKind.NATIONAL_ID,
    "taxNumber": IdKind.TAX_ID,
    "innCode": IdKind.TAX_ID,
    "vatCode": IdKind.TAX_ID,
    "registrationNumber": IdKind.REGISTRATION,
    "ogrnCode": IdKind.REGISTRATION,
    "socialSecurityNumber": IdKind.SSN,
    "leiCode": IdKind.LEI,
    "dunsCode": IdKind.DUNS,
    "swiftBic": IdKind.SWIFT_BIC,
    "imoNumber": IdKind.IMO,
    "mmsi": IdKind.MMSI,
    "callSign": IdKind.CALL_SIGN,
}
_NAMES = ("name", "alias", "previousName")
_COUNTRIES = ("nationality", "citizenship", "country", "jurisdiction", "flag")


def ftm_draft(source: str, record: dict[str, Any], countries: CountryResolver) -> Draft:
    """The entity's draft; raises ``BadRecord`` (naming the field) or ``NotAParty``."""
    uid, schema, props = record.get("id"), record.get("schema"), record.get("properties")
    if not isinstance(uid, str) or not uid.strip():
        raise BadRecord("missing or empty id", "id")
    if not isinstance(schema, str) or not schema:
        raise BadRecord("missing schema", "schema")
    if not isinstance(props, dict):
        raise BadRecord("properties is not an object", "properties")
    kind = SCHEMAS.get(schema)
    if kind is None:
        raise NotAParty(schema)
    names = [n for prop in _NAMES for n in _strings(props, prop)]
    if not names:
        names = [" ".join(_strings(props, "firstName") + _strings(props, "lastName"))]
    if not names[0].strip():
        raise BadRecord("no name", "properties.name")
    draft = Draft(source, uid.strip(), kind, names[0], aliases=names[1:])
    for value in _strings(props, "birthDate"):
        draft.birth_dates.extend([d] if (d := iso_birth_date(value)) else text_birth_dates(value))
    for prop in _COUNTRIES:
        draft.countries.extend(c for v in _strings(props, prop) if (c := countries.code(v)))
    for prop, id_kind in ID_KINDS.items():
        draft.identifiers.extend(Identifier(id_kind.value, v.strip()) for v in _strings(props, prop))
    draft.programs.extend(_strings(props, "topics") + _strings(props, "programId"))
    draft.remarks.extend(_strings(props, "notes"))
    return draft


def _strings(props: dict[str, Any], prop: str) -> list[str]:
    """A property's values (always a list in the format; a lone string is tolerated)."""
    values = props.get(prop, [])
    if isinstance(values, str):
        values = [values]
    return [v for v in values if isinstance(v, str) and v.strip()] if isinstance(values, list) else []
