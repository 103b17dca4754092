"""Identity documents (docs/identity.md): the machine-readable zone of passports, identity cards and
visas (ICAO 9303) and the checks of a KYC submission against it. Pure: no I/O."""

from vigil.identity.mrz import Check, Field, Format, Mrz, check_digit, parse_lines, parse_text

__all__ = ["Check", "Field", "Format", "Mrz", "check_digit", "parse_lines", "parse_text"]
