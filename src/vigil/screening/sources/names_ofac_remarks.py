"""Facts inside OFAC's free-text remarks: birth dates, nationalities, identifiers.

OFAC's legacy CSV has no columns for these; it writes them into ``Remarks`` as ``;``-separated
statements: ``DOB 01 Jan 1960; alt. DOB 1961; nationality Cuba; Passport A123456 (Cuba) issued
2001; Tax ID No. 7707083893 (Russia); Digital Currency Address - XBT 1A1z...``. Each statement
is read on its own; one that matches no known shape is left alone (the full remarks are kept on the
entry). Weak aliases (``a.k.a. 'EL SENOR'``) are deliberately not turned into names: OFAC itself
says they are too broad to screen against, and they stay readable in the remarks.

Identifier labels are many and country-specific; ``_LABELS`` maps each label seen in the lists to
one ``IdKind``. A value is only taken when it looks like a number (a digit, or an all-capitals
code), so prose such as "Passport OR801168 and Kuwaiti National ID..." yields nothing rather than
a wrong identifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vigil.screening.entries import Identifier
from vigil.screening.sources.countries import CountryResolver
from vigil.screening.sources.names_build import IdKind
from vigil.screening.sources.names_dates import text_birth_dates

_LABELS: dict[IdKind, tuple[str, ...]] = {
    IdKind.PASSPORT: (
        "Passport",
        "Diplomatic Passport",
        "Passport Booklet",
        "British National Overseas Passport",
        "Stateless Person Passport",
        "Travel Document Number",
    ),
    IdKind.NATIONAL_ID: (
        "National ID No.",
        "Cedula No.",
        "D.N.I.",
        "C.U.R.P.",
        "C.U.I.P.",
        "C.U.I.",
        "Identification Number",
        "Personal ID Card",
        "Citizen's Card Number",
        "National Foreign ID Number",
        "Numero de Identidad",
        "Credencial electoral",
        "I.F.E.",
        "Electoral Registry No.",
        "Kenyan ID No.",
        "Turkish Identification Number",
        "Turkish Identificiation Number",  # sic, as OFAC spells it in some entries
        "Tazkira National ID Card",
        "Moroccan Personal ID No.",
        "Bosnian Personal ID No.",
        "CNP (Personal Numerical Code)",
        "LE Number",
        "Residency Number",
        "Birth Certificate Number",
        "UAE Identification",
        "Refugee ID Card",
        "Stateless Person ID Card",
        "N.I.E.",
        "Public Security and Immigration No.",
        "Immigration No.",
        "Cartilla de Servicio Militar Nacional",
        "Romanian Permanent Resident CAN",
    ),
    IdKind.TAX_ID: (
        "Tax ID No.",
        "NIT #",
        "R.F.C.",
        "RFC",
        "RUC #",
        "RIF #",
        "C.U.I.T.",
        "RTN",
        "US FEIN",
        "V.A.T. Number",
        "Italian Fiscal Code",
        "Fiscal Code",
        "C.I.F.",
        "Numero Unico de Identificacao Tributaria (NUIT)",
        "Romanian Tax Registration",
        "Paraguayan tax identification number",
    ),
    IdKind.REGISTRATION: (
        "Registration ID",
        "Registration Number",
        "Public Registration Number",
        "Business Registration Document #",
        "Business Registration Number",
        "Folio Mercantil No.",
        "Matricula Mercantil No",
        "Commercial Registry Number",
        "Government Gazette Number",
        "Company Number",
        "UK Company Number",
        "Trade License No.",
        "C.R. No.",
        "Romanian C.R.",
        "Chamber of Commerce Number",
        "Dubai Chamber of Commerce Membership No.",
        "Istanbul Chamber of Comm. No.",
        "Certificate of Incorporation Number",
        "Unified Social Credit Code (USCC)",
        "United Social Credit Code Certificate (USCCC)",
        "Branch Unit Number",
        "Enterprise Number",
        "Business Number",
        "Registered Charity No.",
    ),
    IdKind.SSN: ("SSN",),
    IdKind.DRIVING_LICENSE: ("Driver's License No.",),
    IdKind.IMO: (
        "Vessel Registration Identification IMO",
        "Identification Number IMO",
        "Company Number IMO",
    ),
    IdKind.MMSI: ("MMSI",),
    IdKind.CALL_SIGN: ("Other Vessel Call Sign",),
    IdKind.SWIFT_BIC: ("SWIFT/BIC",),
    IdKind.LEI: ("Legal Entity Number",),
    IdKind.DUNS: ("D-U-N-S Number",),
    IdKind.AIRCRAFT_SERIAL: (
        "Aircraft Manufacturer's Serial Number (MSN)",
        "Aircraft Construction Number (also called L/N or S/N or F/N)",
        "Aircraft Serial Identification",
    ),
    IdKind.AIRCRAFT_TAIL: ("Aircraft Tail Number", "Previous Aircraft Tail Number"),
}
_KIND_OF_LABEL = {label.casefold(): kind for kind, labels in _LABELS.items() for label in labels}
# Longest first, so "Identification Number IMO" wins over "Identification Number".
_LABEL = "|".join(re.escape(label) for label in sorted(_KIND_OF_LABEL, key=len, reverse=True))
# A value token has a digit ("D489833(9)", "1084010") or is a capitals code ("HRB", "DOBAATWW").
_TOKEN = r"(?:[\w./:#()*-]*\d[\w./:#()*-]*|[A-Z][A-Z./:#-]*)"
# Labels ignore case ("Credencial Electoral"); values do not, so that prose ("and") is no token.
# The last parenthesis is the country; one before it is a place ("No. 22839 (Jalisco) (Mexico)").
_IDENTIFIER = re.compile(
    rf"^(?P<label>(?i:{_LABEL}))(?:\s*[#:])?\s+(?P<value>{_TOKEN}(?:\s{_TOKEN})*?)"
    r"(?:\s*\((?P<place>[^()]+)\))?(?:\s*\((?P<country>[^()]+)\))?"
    r"(?:[\s,]+(?i:issued|expires|expired)\b.*)?$"
)
_CRYPTO = re.compile(r"^Digital Currency Address - (?P<asset>\w+)\s+(?P<value>\S+)$")
_COUNTRY = re.compile(
    r"^(?:Nationality of Registration|nationality|citizen|Other Vessel Flag):?\s+(?P<country>.+)$",
    re.IGNORECASE,
)
_DOB = re.compile(r"^DOB:?\s+(?P<date>.+)$")
_ALT = re.compile(r"^alt\.\s+", re.IGNORECASE)


@dataclass(slots=True)
class Facts:
    """What the remarks of one entry say, in the order they say it."""

    birth_dates: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)


def read_remarks(remarks: str, countries: CountryResolver) -> Facts:
    """Reads every statement of ``remarks``; never raises (an unknown statement is skipped)."""
    facts = Facts()
    for statement in remarks.split(";"):
        text = _ALT.sub("", " ".join(statement.split()).rstrip("."))
        if match := _DOB.match(text):
            facts.birth_dates.extend(text_birth_dates(match["date"]))
        elif match := _COUNTRY.match(text):
            code = countries.name(match["country"])
            if code is not None:
                facts.countries.append(code)
        elif match := _CRYPTO.match(text):
            facts.identifiers.append(Identifier(IdKind.CRYPTO_ADDRESS.value, match["value"]))
        elif match := _IDENTIFIER.match(text):
            country = match["country"] or match["place"]
            facts.identifiers.append(
                Identifier(
                    _KIND_OF_LABEL[match["label"].casefold()].value,
                    match["value"],
                    countries.name(country) if country else None,
                )
            )
    return facts
