"""What the address importers share: opening JSON and CSV text, and the collector of entries.

Every importer has the same row contract: a list file that cannot be read as a whole raises
:class:`vigil.errors.InvalidListFile` (the snapshot is refused); a row that cannot be used (an
address that does not parse, a currency Vigil has no chain for, a missing field) becomes a
:class:`RowError` and the rest is imported. Addresses are parsed only by
``vigil.screening.chains``; the :class:`Collector` is the one place that calls it, so an invalid
address is always reported with the message of its ``InvalidAddress``, never dropped silently.

Positions in ``RowError.line``: CSV and text files give the physical line. YAML gives the line
of the mapping (or list) the row is, from libyaml's marks (``addresses_yaml``). JSON parsers
keep no positions, so a JSON row's line is the 1-based index of its item in the array (or of
its key in the object).

Merging: the same address twice under one ``entry_id`` scope (one file, pack or SDN entry) is
one entry. The most severe category wins (the first one on a tie of severity) and brings its
actor and reference; confidence is the highest given for the winning category; labels are
kept distinct, the winner's first, and more than three end in ``and N more``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from vigil.errors import InvalidAddress, InvalidListFile
from vigil.model import Chain
from vigil.screening.chains import Address, chain_for_currency, parse_address
from vigil.screening.entries import AddressEntry, Category, Parsed, RowError

_BOM = "\ufeff"
_MAX_LABELS = 3


def load_json(text: str, file: str) -> object:
    """Parsed JSON, or ``InvalidListFile`` naming the line and column where it stops being JSON."""
    try:
        return json.loads(text.removeprefix(_BOM))
    except json.JSONDecodeError as error:
        raise InvalidListFile(f"not valid JSON: {error}", file=file) from None


def csv_rows(text: str, file: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each record of a CSV file with a header; ``line`` is where it ends.

    A missing required column, or text the csv module cannot split, is ``InvalidListFile``:
    without the column no row of the file could be read. Cells are stripped; a short row's
    missing cells are empty strings.
    """
    reader = csv.DictReader(io.StringIO(text.removeprefix(_BOM), newline=""), restval="")
    try:
        header = reader.fieldnames or []
        missing = [column for column in required if column not in header]
        if missing:
            raise InvalidListFile(f"missing column(s) {', '.join(map(repr, missing))}", file=file)
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
    except csv.Error as error:
        raise InvalidListFile(f"line {reader.line_num}: not valid CSV: {error}", file=file) from None


@dataclass(frozen=True, slots=True)
class Statement:
    """What a row says about its address, before the address is parsed."""

    category: Category
    label: str
    actor: str | None = None
    confidence: int = 100
    reference: str | None = None


@dataclass(slots=True)
class _Draft:
    """An entry being collected: what the merge rules (module docstring) have kept so far."""

    chain: Chain
    key: str
    category: Category
    confidence: int
    labels: list[str]
    actor: str | None
    reference: str | None

    @classmethod
    def start(cls, address: Address, said: Statement) -> _Draft:
        return cls(
            address.chain,
            address.key,
            said.category,
            said.confidence,
            [said.label],
            said.actor,
            said.reference,
        )

    def merge(self, said: Statement) -> None:
        if said.category.severity > self.category.severity:
            if said.label in self.labels:
                self.labels.remove(said.label)
            self.labels.insert(0, said.label)
            self.category, self.confidence = said.category, said.confidence
            self.actor, self.reference = said.actor, said.reference
            return
        if said.label not in self.labels:
            self.labels.append(said.label)
        if said.category is self.category:
            self.confidence = max(self.confidence, said.confidence)
            self.actor = self.actor or said.actor
            self.reference = self.reference or said.reference

    def entry(self, source: str, entry_id: str) -> AddressEntry:
        label = "; ".join(self.labels[:_MAX_LABELS])
        if len(self.labels) > _MAX_LABELS:
            label += f" and {len(self.labels) - _MAX_LABELS} more"
        return AddressEntry(
            source,
            entry_id,
            self.key,
            self.chain,
            self.category,
            label,
            self.actor,
            self.confidence,
            self.reference,
        )


class Collector:
    """Parses each listed address, merges repeats per ``entry_id`` and records row errors."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._drafts: dict[str, _Draft] = {}
        self._errors: list[RowError] = []

    def error(self, file: str, line: int, message: str, field: str | None = None) -> None:
        self._errors.append(RowError(file, line, message, field))

    def add(
        self,
        file: str,
        line: int,
        scope: str,
        chain: Chain,
        text: str,
        said: Statement,
        field: str = "address",
    ) -> None:
        """Record ``said`` about ``text`` on ``chain`` as entry ``scope:key``, or its row error."""
        try:
            address = parse_address(chain, text)
        except InvalidAddress as error:
            self.error(file, line, str(error), field)
            return
        entry_id = f"{scope}:{address.key}"
        draft = self._drafts.get(entry_id)
        if draft is None:
            self._drafts[entry_id] = _Draft.start(address, said)
        else:
            draft.merge(said)

    def add_listed(
        self,
        file: str,
        line: int,
        scope: str,
        currency: str,
        text: str,
        said: Statement,
        *,
        currency_field: str = "currency",
        address_field: str = "address",
    ) -> None:
        """Like :meth:`add`, for an address a list files under a currency code rather than a chain."""
        try:
            chain = chain_for_currency(currency, text)
        except InvalidAddress as error:
            self.error(file, line, str(error), currency_field)
            return
        self.add(file, line, scope, chain, text, said, address_field)

    def result(self) -> Parsed[AddressEntry]:
        entries = tuple(draft.entry(self.source, entry_id) for entry_id, draft in self._drafts.items())
        return Parsed(entries, tuple(self._errors))


class RowProblem(Exception):
    """A row that cannot be used; the importer records it as a ``RowError`` at the row's position."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def text_field(row: dict[str, object], name: str) -> str | None:
    """``row[name]`` as stripped text, ``None`` when absent or blank; any other type is a row problem."""
    value = row.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        kind = "list" if isinstance(value, list) else "mapping" if isinstance(value, dict) else "value"
        raise RowProblem(f"must be text, found a {kind}", name)
    return value.strip() or None
