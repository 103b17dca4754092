"""OpenSanctions exports -> ``NameEntry``: Senzing JSON and FollowTheMoney (FtM) JSON lines.

The container is detected from the content: a JSON array of records, or one record per line (both
occur: OpenSanctions' ``senzing.json`` is JSON lines despite its name). Each record is then read by
its own dialect: ``schema`` is an FtM entity (``names_ftm``), ``RECORD_ID`` a Senzing record
(``names_senzing``). Records that describe no party (positions, addresses, sanctions) are skipped
without an error.

OpenSanctions ids are global: the same id in two files (or twice in one) is the same entity seen by
two datasets, so its facts are united instead of being reported as a duplicate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from vigil.errors import InvalidListFile
from vigil.screening.entries import NameEntry, Parsed, RowError
from vigil.screening.sources.countries import CountryResolver
from vigil.screening.sources.names_build import BadRecord, Draft, NotAParty, refuse_empty
from vigil.screening.sources.names_ftm import ftm_draft
from vigil.screening.sources.names_senzing import senzing_draft

SOURCE = "opensanctions"
# An export directory itself, or a lists directory holding it as opensanctions/ (as ../shared does).
FILES = ("*.json", "*.jsonl", "opensanctions/*.json", "opensanctions/*.jsonl")


def parse(files: Mapping[str, str], countries: CountryResolver | None = None) -> Parsed[NameEntry]:
    """Reads every file given; each is a JSON array or JSON lines, of FtM or Senzing records."""
    if not files:
        raise InvalidListFile("no file given", file=FILES[0])
    resolver = countries if countries is not None else CountryResolver()
    drafts: dict[str, Draft] = {}
    errors: list[RowError] = []
    for file, text in files.items():
        parties = 0
        for line, record in _records(file, text, errors):
            if not isinstance(record, dict):
                errors.append(RowError(file, line, f"a JSON {type(record).__name__}, expected an object"))
                continue
            try:
                draft = _draft(record, resolver)
            except BadRecord as bad:
                errors.append(RowError(file, line, bad.message, bad.field))
                continue
            except NotAParty:
                continue
            parties += 1
            known = drafts.get(draft.uid)
            if known is None:
                drafts[draft.uid] = draft
            else:
                _unite(known, draft)
        refuse_empty(parties, file)
    return Parsed(tuple(d.build() for d in drafts.values()), tuple(errors))


def _draft(record: dict[str, Any], countries: CountryResolver) -> Draft:
    if "schema" in record or "properties" in record:
        return ftm_draft(SOURCE, record, countries)
    if "RECORD_ID" in record or "DATA_SOURCE" in record:
        return senzing_draft(SOURCE, record, countries)
    raise BadRecord("neither an FtM entity (schema) nor a Senzing record (RECORD_ID)", "schema")


def _unite(known: Draft, other: Draft) -> None:
    known.aliases.extend([other.name, *other.aliases])
    known.birth_dates.extend(other.birth_dates)
    known.countries.extend(other.countries)
    known.identifiers.extend(other.identifiers)
    known.programs.extend(other.programs)
    known.remarks.extend(other.remarks)


def _records(file: str, text: str, errors: list[RowError]) -> Iterator[tuple[int, object]]:
    """(line, decoded value) per record; a broken array or a non-record document is refused."""
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("["):
        yield from _array(file, text)
    elif body.startswith("{"):
        _refuse_single_document(file, body)
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    errors.append(RowError(file, number, f"not valid JSON: {exc.msg}"))
    elif body:
        raise InvalidListFile("not JSON: expected an array of records or JSON lines", file=file)


def _array(file: str, text: str) -> Iterator[tuple[int, object]]:
    """Elements of a top-level JSON array with the line each starts on; raw_decode keeps offsets."""
    decoder = json.JSONDecoder()
    position, line, counted = text.index("[") + 1, 1, 0
    while True:
        position = _skip_space(text, position)
        if text.startswith("]", position):
            return
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise InvalidListFile(f"not valid JSON at line {exc.lineno}: {exc.msg}", file=file) from exc
        line += text.count("\n", counted, position)
        counted = position
        yield line, value
        position = _skip_space(text, end)
        if text.startswith(",", position):
            position += 1
        elif not text.startswith("]", position):
            number = line + text.count("\n", counted, position)
            raise InvalidListFile(f"not valid JSON at line {number}: expected ',' or ']'", file=file)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _refuse_single_document(file: str, body: str) -> None:
    """A whole-file JSON object that is not a record (``{"results": [...]}``) is not a list."""
    try:
        document = json.loads(body)
    except json.JSONDecodeError:
        return  # several lines of records, as expected
    if isinstance(document, dict) and not {"schema", "RECORD_ID", "DATA_SOURCE"} & document.keys():
        raise InvalidListFile("a single JSON object, expected an array of records or JSON lines", file=file)
