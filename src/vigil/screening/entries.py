"""What the lists say: address entries, name entries, their categories, and the rows that failed.

Every importer (``screening/sources``) turns a real list format into these values; the index, the
policy, snapshots and the engine read only these. They are frozen and slotted, so a snapshot of
half a million entries stays compact and can be compared entry by entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from vigil.model import Chain


class Category(StrEnum):
    """What a list says an address or a party is. The policy file maps each to an effect."""

    SANCTIONED = "sanctioned"
    TERRORISM = "terrorism"
    STOLEN = "stolen"  # hack, exploit, theft proceeds
    RANSOMWARE = "ransomware"
    DARKNET = "darknet"
    CSAM = "csam"
    MIXER = "mixer"
    SCAM = "scam"  # investment fraud, ponzi, fake giveaway, pig butchering
    PHISHING = "phishing"
    EXTORTION = "extortion"
    EXTREMISM = "extremism"
    GAMBLING = "gambling"
    EXCHANGE = "exchange"
    DEFI = "defi"
    SERVICE = "service"
    OTHER = "other"

    @property
    def severity(self) -> int:
        """0 (information) to 5 (must never be served); orders several hits on one address."""
        return _SEVERITY[self]


_SEVERITY = {
    Category.SANCTIONED: 5,
    Category.TERRORISM: 5,
    Category.CSAM: 5,
    Category.STOLEN: 4,
    Category.RANSOMWARE: 4,
    Category.DARKNET: 4,
    Category.EXTORTION: 3,
    Category.SCAM: 3,
    Category.PHISHING: 3,
    Category.MIXER: 3,
    Category.EXTREMISM: 2,
    Category.GAMBLING: 1,
    Category.OTHER: 1,
    Category.EXCHANGE: 0,
    Category.DEFI: 0,
    Category.SERVICE: 0,
}


@dataclass(frozen=True, slots=True)
class AddressEntry:
    """One list's statement about one address.

    ``key`` is the canonical address key from ``screening.chains`` (``FAMILY:canonical``: all EVM
    chains share the ``EVM`` family, so an address listed on Ethereum matches on BSC too).
    ``entry_id`` is stable within the source (the OFAC SDN uid, the pack file and line, ...), so two
    snapshots can be compared. ``confidence`` is 0-100.
    """

    source: str
    entry_id: str
    key: str
    chain: Chain
    category: Category
    label: str
    actor: str | None = None
    confidence: int = 100
    reference: str | None = None

    def digest(self) -> str:
        """A content hash: equal digests mean the list said exactly the same thing."""
        return _digest(
            self.source, self.entry_id, self.key, self.category, self.label, self.actor, self.reference
        )


class SubjectKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Identifier:
    """A document or registration number a list gives for a party (passport, national id, IMO...)."""

    kind: str
    value: str
    country: str | None = None


@dataclass(frozen=True, slots=True)
class NameEntry:
    """A listed party: its names, and the facts that confirm or rule out a match.

    ``birth_dates`` are ISO 8601 prefixes: ``1965``, ``1965-03`` or ``1965-03-15`` (lists often give
    only a year, or several candidate dates). ``countries`` are ISO 3166-1 alpha-2 codes from
    nationality, citizenship and address. ``entry_id`` is ``source:uid``.
    """

    source: str
    entry_id: str
    kind: SubjectKind
    name: str
    aliases: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    programs: tuple[str, ...] = ()
    remarks: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def digest(self) -> str:
        """A content hash: a clearance stays valid while the entry's digest stays the same."""
        ids = tuple(f"{i.kind}={i.value}@{i.country}" for i in self.identifiers)
        return _digest(
            self.source,
            self.entry_id,
            self.kind,
            self.name,
            *sorted(self.aliases),
            "|",
            *sorted(self.birth_dates),
            "|",
            *sorted(self.countries),
            "|",
            *sorted(ids),
        )


@dataclass(frozen=True, slots=True)
class RowError:
    """A row of a list file that was reported and skipped (the rest of the file is imported)."""

    file: str
    line: int
    message: str
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}"
        if self.field is not None:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


E = TypeVar("E", AddressEntry, NameEntry)


@dataclass(frozen=True, slots=True)
class Parsed(Generic[E]):
    """What an importer read from a list: the good entries, and the rows it skipped with why."""

    entries: tuple[E, ...]
    errors: tuple[RowError, ...] = field(default=())


def _digest(*parts: object) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
