"""OFAC's legacy CSV files -> ``NameEntry``: the SDN list and the consolidated non-SDN list.

Both lists use one layout, four header-less files joined on ``ent_num``:

* primary (``sdn.csv`` / ``cons_prim.csv``): ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
  Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks;
* aliases (``alt.csv``): ent_num, alt_num, alt_type, alt_name, alt_remarks;
* addresses (``add.csv``): ent_num, add_num, address, city/state/postal, country, add_remarks;
* comments (``sdn_comments.csv``, optional): ent_num, the rest of a Remarks cell too long for its
  column, appended as is (OFAC cuts mid-word).

``-0-`` means empty; files may end with a DOS end-of-file byte (0x1A). People are written
"LAST, First": the entry's ``name`` is the natural order ("First LAST", what a customer types and
what the UN and OpenSanctions give), and the list's own form stays as an alias so OFAC's spelling
finds the entry verbatim. Aliases of people are put in natural order too.

``countries`` merges nationality, citizenship, vessel flag and address countries: a screener compares
them with a customer's nationality *and* residence, and a narrower set would rule out true matches.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from vigil.errors import InvalidListFile
from vigil.screening.entries import Identifier, NameEntry, Parsed, RowError, SubjectKind
from vigil.screening.sources.countries import CountryResolver
from vigil.screening.sources.names_build import Draft, IdKind, by_basename, natural_order, refuse_empty
from vigil.screening.sources.names_ofac_remarks import read_remarks

PRIMARY_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
ALIAS_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADDRESS_COLUMNS = ("ent_num", "add_num", "address", "city/state/postal", "country", "add_remarks")
COMMENT_COLUMNS = ("ent_num", "Remarks")

# What to do with one row of a joined file: (draft, cells as written, file, line).
_Take = Callable[[Draft, list[str], str, int], None]

_KINDS = {
    "individual": SubjectKind.PERSON,
    "vessel": SubjectKind.VESSEL,
    "aircraft": SubjectKind.AIRCRAFT,
    "": SubjectKind.ORGANISATION,
}


@dataclass(frozen=True, slots=True)
class OfacNameList:
    """One OFAC list: its source name and the four file names it is read from."""

    SOURCE: str
    primary: str
    aliases: str
    addresses: str
    comments: str

    @property
    def FILES(self) -> tuple[str, ...]:
        return (self.primary, self.aliases, self.addresses, self.comments)

    def parse(self, files: Mapping[str, str], countries: CountryResolver | None = None) -> Parsed[NameEntry]:
        """Reads the list from ``files`` (relative name -> text); the comments file may be absent."""
        resolver = countries if countries is not None else CountryResolver()
        found = by_basename(files)
        missing = [name for name in self.FILES[:3] if name not in found]
        if missing:
            raise InvalidListFile(f"required file missing (have: {sorted(files)})", file=missing[0])
        reader = _Reader(self.SOURCE, resolver)
        reader.primary(*found[self.primary])
        reader.joined(*found[self.aliases], ALIAS_COLUMNS, reader.alias)
        reader.joined(*found[self.addresses], ADDRESS_COLUMNS, reader.address)
        if self.comments in found:
            reader.joined(*found[self.comments], COMMENT_COLUMNS, reader.comment)
        entries = [reader.entry(uid) for uid in reader.drafts]
        refuse_empty(len(entries), found[self.primary][0])
        return Parsed(tuple(entries), tuple(reader.errors))


SDN = OfacNameList("ofac_sdn", "sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
CONSOLIDATED = OfacNameList(
    "ofac_consolidated", "cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"
)


class _Reader:
    """Accumulates drafts and row errors over the four files of one list."""

    def __init__(self, source: str, countries: CountryResolver) -> None:
        self.source = source
        self.countries = countries
        self.drafts: dict[str, Draft] = {}
        self.remarks: dict[str, str] = {}
        self.errors: list[RowError] = []

    def primary(self, file: str, text: str) -> None:
        for line, raw in _rows(file, text, PRIMARY_COLUMNS, self.errors):
            row = [_cell(cell) for cell in raw]
            uid = self._uid(file, line, row[0])
            if uid is None:
                continue
            if uid in self.drafts:
                self.errors.append(RowError(file, line, f"duplicate ent_num {uid}", "ent_num"))
                continue
            listed, kind_text = row[1], row[2].lower()
            if not listed:
                self.errors.append(RowError(file, line, "empty name", "SDN_Name"))
                continue
            kind = _KINDS.get(kind_text, SubjectKind.UNKNOWN)
            draft = Draft(self.source, uid, kind, listed)
            if kind is SubjectKind.PERSON:
                draft.name = natural_order(listed)
                draft.aliases.append(listed)
            draft.programs.extend(row[3].split("] ["))
            if row[5]:
                draft.identifiers.append(Identifier(IdKind.CALL_SIGN.value, row[5]))
            if row[9] and (flag := self.countries.name(row[9])) is not None:
                draft.countries.append(flag)
            self.drafts[uid] = draft
            self.remarks[uid] = _remarks(raw[11])

    def joined(self, file: str, text: str, columns: tuple[str, ...], take: _Take) -> None:
        """Rows of a file that refer to primary rows by ``ent_num``."""
        for line, row in _rows(file, text, columns, self.errors):
            uid = self._uid(file, line, _cell(row[0]))
            if uid is None:
                continue
            if uid not in self.drafts:
                self.errors.append(RowError(file, line, f"ent_num {uid} is not in the list", "ent_num"))
                continue
            take(self.drafts[uid], row, file, line)

    def alias(self, draft: Draft, row: list[str], file: str, line: int) -> None:
        if not (name := _cell(row[3])):
            self.errors.append(RowError(file, line, "empty alias", "alt_name"))
        else:
            draft.aliases.append(natural_order(name) if draft.kind is SubjectKind.PERSON else name)

    def address(self, draft: Draft, row: list[str], file: str, line: int) -> None:
        if (country := _cell(row[4])) and (code := self.countries.name(country)) is not None:
            draft.countries.append(code)

    def comment(self, draft: Draft, row: list[str], file: str, line: int) -> None:
        self.remarks[draft.uid] += _remarks(row[1])

    def entry(self, uid: str) -> NameEntry:
        draft, remarks = self.drafts[uid], self.remarks[uid]
        if remarks:
            facts = read_remarks(remarks, self.countries)
            draft.birth_dates.extend(facts.birth_dates)
            draft.countries[:0] = facts.countries  # nationality first, then flag and addresses
            draft.identifiers.extend(facts.identifiers)
            draft.remarks.append(remarks)
        return draft.build()

    def _uid(self, file: str, line: int, text: str) -> str | None:
        if not text.isascii() or not text.isdigit():
            self.errors.append(RowError(file, line, f"ent_num {text!r} is not a number", "ent_num"))
            return None
        return str(int(text))


def _rows(
    file: str, text: str, columns: tuple[str, ...], errors: list[RowError]
) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells as written) of each row with the right number of columns; others -> errors."""
    # strict: a quote left open (a file cut mid-download) or a stray one is a broken file, since the
    # rows after it cannot be trusted; the lenient default would silently merge or truncate rows.
    reader = csv.reader(io.StringIO(text.rstrip("\x1a\r\n ")), strict=True)
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not row:
                continue
            if len(row) != len(columns):
                message = f"{len(row)} columns, expected {len(columns)} ({', '.join(columns)})"
                errors.append(RowError(file, start, message))
                continue
            yield start, row
    except csv.Error as exc:
        raise InvalidListFile(f"not readable as CSV at line {reader.line_num}: {exc}", file=file) from exc


def _cell(text: str) -> str:
    value = " ".join(text.split())
    return "" if value == "-0-" else value


def _remarks(text: str) -> str:
    """Remarks keep their edge spaces: a comment row may continue them after a cut at a space."""
    return "" if text.strip() == "-0-" else text
