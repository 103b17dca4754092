"""Identity documents (docs/identity.md): the machine-readable zone of passports, identity cards and
visas (ICAO 9303), names as the zone spells them, and the checks of a KYC submission against its zone.
Pure: no I/O but the built-in policy file read from the package."""

from vigil.identity.checks import (
    PASSED,
    DocumentCheck,
    Finding,
    Reading,
    check_document,
    country_of,
    document_key,
    judge,
    read_document,
)
from vigil.identity.mrz import Check, Field, Format, Mrz, check_digit, parse_lines, parse_text
from vigil.identity.names import holder_key, names_match, spell
from vigil.identity.policy import DocumentPolicy, Effect, default_policy, load_policy

__all__ = [
    "PASSED",
    "Check",
    "DocumentCheck",
    "DocumentPolicy",
    "Effect",
    "Field",
    "Finding",
    "Format",
    "Mrz",
    "Reading",
    "check_digit",
    "check_document",
    "country_of",
    "default_policy",
    "document_key",
    "holder_key",
    "judge",
    "load_policy",
    "names_match",
    "parse_lines",
    "parse_text",
    "read_document",
    "spell",
]
