"""What the name importers share: identifier kinds, name clean-up, and assembling a ``NameEntry``.

Every source says the same things differently; assembling the entry in one place makes the
invariants hold for all of them: whitespace collapsed, aliases deduplicated (ignoring case) and
never equal to the primary name, facts deduplicated in the order the list gives them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from vigil.errors import InvalidListFile
from vigil.screening.entries import Identifier, NameEntry, SubjectKind


class IdKind(StrEnum):
    """One vocabulary for ``Identifier.kind`` across sources, so a passport compares with a passport.

    Each list has dozens of country-specific labels (OFAC's "Cedula No.", "C.U.R.P.", "D.N.I." are
    national ids; "R.F.C.", "NIT #", "RUC #" are tax ids); a screener compares a customer's document
    with the list's, and needs the family, not the label.
    """

    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    TAX_ID = "tax_id"
    REGISTRATION = "registration"
    SSN = "ssn"
    DRIVING_LICENSE = "driving_license"
    IMO = "imo"
    MMSI = "mmsi"
    CALL_SIGN = "call_sign"
    SWIFT_BIC = "swift_bic"
    LEI = "lei"
    DUNS = "duns"
    AIRCRAFT_SERIAL = "aircraft_serial"
    AIRCRAFT_TAIL = "aircraft_tail"
    CRYPTO_ADDRESS = "crypto_address"
    UN_REFERENCE = "un_reference"
    OTHER = "other"


def clean(text: str | None) -> str:
    """Whitespace collapsed (lists wrap long names over lines and pad with spaces)."""
    return " ".join(text.split()) if text else ""


def natural_order(listed: str) -> str:
    """``"CRUZ, Juan M. de la"`` -> ``"Juan M. de la CRUZ"``; ``"REYES, Ana, Jr."`` -> ``"Ana REYES Jr."``.

    Only for people: entity names carry commas of their own ("CIMEX, S.A.").
    """
    last, comma, rest = listed.partition(",")
    if not comma:
        return listed
    given, *suffixes = (part.strip() for part in rest.split(","))
    if not given or not last.strip():
        return listed
    return " ".join(part for part in (given, last.strip(), *suffixes) if part)


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Non-empty values, first occurrence kept, in order."""
    return tuple(dict.fromkeys(v for v in values if v))


@dataclass(slots=True)
class Draft:
    """A party being assembled from several rows or files; ``build`` makes the frozen entry."""

    source: str
    uid: str
    kind: SubjectKind
    name: str
    aliases: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    def build(self) -> NameEntry:
        name = clean(self.name)
        seen = {name.casefold()}
        aliases = []
        for alias in map(clean, self.aliases):
            if alias and alias.casefold() not in seen:
                seen.add(alias.casefold())
                aliases.append(alias)
        remarks = "; ".join(unique(clean(r) for r in self.remarks))
        return NameEntry(
            source=self.source,
            entry_id=f"{self.source}:{self.uid}",
            kind=self.kind,
            name=name,
            aliases=tuple(aliases),
            birth_dates=unique(self.birth_dates),
            countries=unique(self.countries),
            identifiers=tuple(dict.fromkeys(i for i in self.identifiers if i.value)),
            programs=unique(clean(p) for p in self.programs),
            remarks=remarks or None,
        )


def by_basename(files: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Lower-case base name -> (name as given, text): "bench/SDN.CSV" is found as "sdn.csv".

    OFAC has published the same files in upper and lower case; a directory may be nested.
    """
    found: dict[str, tuple[str, str]] = {}
    for path, text in files.items():
        base = posixpath.basename(path.replace("\\", "/")).lower()
        if base in found:
            raise InvalidListFile(f"two files named {base}: {found[base][0]} and {path}", file=path)
        found[base] = (path, text)
    return found


def refuse_empty(found: int, file: str) -> None:
    """An import with no entry at all is a broken file, never a list that was emptied.

    Accepting it would replace the previous snapshot with nothing and silently stop screening.
    """
    if not found:
        raise InvalidListFile("no valid entry in the file; refusing an empty list", file=file)


class BadRecord(Exception):
    """A record that is wrong (reported as a ``RowError`` naming ``field``, then skipped)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAParty(Exception):
    """A well-formed record that describes no one to screen (a position, an address): skipped."""
