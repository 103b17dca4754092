"""OFAC sanctioned crypto addresses, from two publications of the same SDN list.

``ofac_addresses`` reads the per-asset lists 0xB10C's generator extracts from ``sdn_advanced.xml``
(``sanctioned_addresses_<ASSET>.txt`` and ``.json``, the same addresses in two formats). One file
per asset is read, the ``.txt`` when both exist: it gives real line numbers for row errors. The
``entry_id`` is ``<ASSET>:<key>``, independent of the format read, so a switch of format does not
look like a change of the list. These lists carry no party: the label is ``OFAC SDN``.

``ofac_sdn_addresses`` reads the ``Digital Currency Address - <CODE> <address>`` remarks of the
SDN CSV itself (``sdn.csv``; remarks longer than 1000 characters continue, mid-word, in
``sdn_comments.csv`` under the same ``ent_num``), so each address carries the sanctioned party:
label and actor are the SDN name, ``entry_id`` is ``<ent_num>:<key>`` and the reference is the
entry's page on OFAC's sanctions search. A continuation whose ``ent_num`` has no row in
``sdn.csv`` (files from two different publications) still lists sanctioned addresses: they are
imported with the label ``OFAC SDN entry <ent_num>`` rather than lost.

Both are SANCTIONED with confidence 100: the designation is the statement, made by the authority.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from vigil.errors import InvalidListFile
from vigil.screening.entries import AddressEntry, Category, Parsed
from vigil.screening.sources.addresses_common import Collector, Statement, load_json

SOURCE: Final = "ofac_addresses"
FILES: Final = ("sanctioned_addresses_*.txt", "sanctioned_addresses_*.json")
SDN_SOURCE: Final = "ofac_sdn_addresses"
SDN_FILES: Final = ("sdn.csv", "sdn_comments.csv")

_LIST_NAME: Final = re.compile(r"(?:^|/)sanctioned_addresses_([A-Za-z0-9]+)\.(txt|json)$")
_LISTED: Final = Statement(Category.SANCTIONED, "OFAC SDN", confidence=100)

_SDN: Final = "sdn.csv"
_COMMENTS: Final = "sdn_comments.csv"
_SDN_COLUMNS: Final = 12  # ent_num, SDN_Name, SDN_Type, Program, Title, ..., Vess_owner, Remarks
_EMPTY: Final = "-0-"
_DOS_EOF: Final = "\x1a"
# Addresses hold no '.', ';' or space: the remark ends at the first of them (the last ends in '.').
_DIGITAL_CURRENCY: Final = re.compile(r"Digital Currency Address - ([A-Za-z0-9]+) +([^\s;.]+)")
_DETAILS: Final = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={}"


def parse(files: Mapping[str, str]) -> Parsed[AddressEntry]:
    """Every address of the per-asset lists, one entry per asset and address."""
    chosen: dict[str, str] = {}
    for path in sorted(files):
        match = _LIST_NAME.search(path)
        if match is None:
            raise InvalidListFile("is not a sanctioned_addresses_<ASSET>.txt or .json list", file=path)
        asset, suffix = match.group(1).upper(), match.group(2)
        if suffix == "txt" or asset not in chosen:
            chosen[asset] = path
    out = Collector(SOURCE)
    for asset, path in sorted(chosen.items()):
        if path.endswith(".txt"):
            for number, line in enumerate(files[path].splitlines(), start=1):
                if line.strip():
                    out.add_listed(path, number, asset, asset, line, _LISTED, currency_field="asset")
            continue
        items = load_json(files[path], path)
        if not isinstance(items, list):
            raise InvalidListFile(
                f"must be a JSON array of addresses, found {type(items).__name__}", file=path
            )
        for index, item in enumerate(items, start=1):
            if isinstance(item, str):
                out.add_listed(path, index, asset, asset, item, _LISTED, currency_field="asset")
            else:
                out.error(path, index, f"item {index} is a {type(item).__name__}, not an address", "address")
    return out.result()


@dataclass(slots=True)
class _Remarks:
    """One SDN entry's remarks, from its row and its continuations, and where each part came from."""

    name: str | None
    text: str = ""
    parts: list[tuple[int, str, int]] = field(default_factory=list)  # (offset in text, file, line)

    def extend(self, text: str, file: str, line: int) -> None:
        self.parts.append((len(self.text), file, line))
        self.text += text

    def origin(self, offset: int) -> tuple[str, int]:
        """The file and line of the part holding ``offset`` (a match across two parts: the first)."""
        return next((file, line) for start, file, line in reversed(self.parts) if start <= offset)


def parse_sdn(files: Mapping[str, str]) -> Parsed[AddressEntry]:
    """Every ``Digital Currency Address`` remark of the SDN CSV, with its party."""
    if _SDN not in files:
        raise InvalidListFile("is missing: the SDN list's main file is required", file=_SDN)
    out = Collector(SDN_SOURCE)
    entries: dict[str, _Remarks] = {}
    for line, row in _csv_records(files[_SDN], _SDN):
        if len(row) != _SDN_COLUMNS:
            out.error(_SDN, line, f"has {len(row)} columns, the SDN CSV has {_SDN_COLUMNS}")
            continue
        ent_num, name = _cell(row[0]), _cell(row[1])
        # Not stripped: the continuation carries on mid-text, and a trailing space may separate words.
        remarks = "" if _cell(row[-1]) == "" else row[-1]
        if not ent_num.isdigit():
            out.error(_SDN, line, f"ent_num {row[0]!r} is not a number", "ent_num")
            continue
        entry = entries.setdefault(ent_num, _Remarks(name or None))
        entry.extend(remarks, _SDN, line)
    for line, row in _csv_records(files.get(_COMMENTS, ""), _COMMENTS):
        if len(row) < 2:
            out.error(_COMMENTS, line, "needs ent_num and the remarks' continuation")
            continue
        ent_num = _cell(row[0])
        entries.setdefault(ent_num, _Remarks(None)).extend(row[1], _COMMENTS, line)
    for ent_num, entry in entries.items():
        name = entry.name or f"OFAC SDN entry {ent_num}"
        said = Statement(Category.SANCTIONED, name, name, 100, _DETAILS.format(ent_num))
        for match in _DIGITAL_CURRENCY.finditer(entry.text):
            file, line = entry.origin(match.start())
            out.add_listed(
                file,
                line,
                ent_num,
                match.group(1),
                match.group(2),
                said,
                currency_field="Remarks",
                address_field="Remarks",
            )
    return out.result()


def _csv_records(text: str, file: str) -> list[tuple[int, list[str]]]:
    """``(line, cells)`` of each record, skipping blank ones and the DOS end-of-file mark OFAC appends."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    records = []
    try:
        for row in reader:
            if any(cell.strip(f" {_DOS_EOF}") for cell in row):
                records.append((reader.line_num, row))
    except csv.Error as error:
        raise InvalidListFile(f"line {reader.line_num}: not valid CSV: {error}", file=file) from None
    return records


def _cell(value: str) -> str:
    value = value.strip()
    return "" if value == _EMPTY else value
