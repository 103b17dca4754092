"""Reading JSON lines in blocks: fast decoding, and the exact line when something is wrong.

The file is memory-mapped (read whole when it cannot be, e.g. a pipe) and cut into blocks of a
few MiB at newlines; each block is decoded in one call to msgspec's ``decode_lines``, about twice
as fast as line by line. Line numbers cost nothing until an error needs one: a failing block is
decoded again line by line to name its first bad line, and a record's line (blank lines are not
records, as ``decode_lines`` skips them) is found by reading the file again.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import BufferedReader
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import msgspec

from vigil.errors import ConfigError, InvalidRecord
from vigil.evaluation.records import OUTCOME_CODES

T = TypeVar("T")

BLOCK_BYTES = 512 << 10  # small enough for a block's objects to stay in the CPU cache: 2x faster than 4 MiB
_COUNT_BYTES = 64 << 20
_AT = re.compile(r"^(?P<msg>.*?) - at `\$\.?(?P<path>[^`]*)`$", re.S)
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`$")


class Lines(Protocol):
    """Where records sit in their source, asked only when an error must name a line."""

    def line_of(self, record: int) -> int:
        """The 1-based line of the ``record``-th record (0-based) of the source."""
        ...


@dataclass(frozen=True, slots=True)
class FileLines:
    """Records of a JSON-lines file: one per non-blank line; the file is read again to count."""

    path: str

    def line_of(self, record: int) -> int:
        seen = -1
        with Path(self.path).open("rb") as fh:
            for number, text in enumerate(fh, 1):
                if text.strip():
                    seen += 1
                    if seen == record:
                        return number
        raise IndexError(f"{self.path} has no record {record}")


@dataclass(frozen=True, slots=True)
class Numbered:
    """Records held in memory, one per line: record ``i`` is line ``i + 1``."""

    def line_of(self, record: int) -> int:
        return record + 1


@dataclass(frozen=True, slots=True)
class Block(Generic[T]):
    """Records decoded from ``file``; ``first`` is the index of ``records[0]`` among the file's records."""

    file: str
    records: list[T]
    first: int
    lines: Lines

    def error(self, index: int, message: str, *, field: str | None = None) -> InvalidRecord:
        """An error naming the file and the line of ``records[index]``."""
        return InvalidRecord(
            message, file=self.file, line=self.lines.line_of(self.first + index), field=field
        )


def read_blocks(
    path: str | Path, decoder: msgspec.json.Decoder[T], *, block_bytes: int = BLOCK_BYTES
) -> Iterator[Block[T]]:
    """Decode ``path`` block by block; raises ``InvalidRecord`` naming the first bad line.

    A file that cannot be opened is a ``ConfigError``, like every unreadable file of the CLI.
    """
    name = str(path)
    try:
        fh = Path(path).open("rb")  # noqa: SIM115 - closed by the with below; open errors need their own message
    except OSError as exc:
        raise ConfigError(f"cannot read {name}: {exc.strerror}") from None
    lines = FileLines(name)
    with fh:
        buf = _map(fh)
        try:
            size, start, first = len(buf), 0, 0
            while start < size:
                end = start + block_bytes
                cut = size if end >= size else buf.rfind(b"\n", start, end) + 1
                if cut <= start:  # one line longer than a block: take it whole
                    newline = buf.find(b"\n", end)
                    cut = size if newline < 0 else newline + 1
                records = _decode(name, decoder, buf, start, cut)
                _release(buf, start, cut)
                yield Block(name, records, first, lines)
                first += len(records)
                start = cut
        finally:
            if isinstance(buf, mmap.mmap):
                buf.close()


def _map(fh: BufferedReader) -> mmap.mmap | bytes:
    """The whole file, memory-mapped if possible (empty files and pipes cannot be)."""
    try:
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (ValueError, OSError):
        return fh.read()


def _release(buf: mmap.mmap | bytes, start: int, end: int) -> None:
    """Unmap the whole pages of ``[start, end)`` once decoded, so that the process's memory stays the
    size of a block rather than growing to the size of the file (clean page cache either way)."""
    if isinstance(buf, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        first, last = start - start % mmap.PAGESIZE, end - end % mmap.PAGESIZE
        if last > first:
            buf.madvise(mmap.MADV_DONTNEED, first, last - first)


def _decode(
    name: str, decoder: msgspec.json.Decoder[T], buf: mmap.mmap | bytes, start: int, cut: int
) -> list[T]:
    data = buf[start:cut]
    try:
        return decoder.decode_lines(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        block_error = exc
    first_line = 1 + sum(
        buf[i : min(i + _COUNT_BYTES, start)].count(b"\n") for i in range(0, start, _COUNT_BYTES)
    )
    for offset, text in enumerate(data.split(b"\n")):
        if not text.strip():
            continue
        try:
            decoder.decode(text)
        except msgspec.ValidationError as exc:
            message, field = _explain(str(exc))
            raise InvalidRecord(message, file=name, line=first_line + offset, field=field) from None
        except msgspec.DecodeError as exc:
            raise InvalidRecord(f"malformed JSON: {exc}", file=name, line=first_line + offset) from None
    # The block failed as a whole but no single line does (it should not happen): say what we know.
    raise InvalidRecord(f"cannot decode lines {first_line}+: {block_error}", file=name)


def _explain(text: str) -> tuple[str, str | None]:
    """msgspec's validation message as (message, field): ``Expected `float`, got `str` - at `$.score```."""
    at = _AT.match(text)
    message, field = (at.group("msg"), at.group("path") or None) if at else (text, None)
    missing = _MISSING.match(message)
    if missing is not None:
        name = missing.group("field")
        return "missing required field", name if field is None else f"{field}.{name}"
    if field == "outcome" and message.startswith("Invalid enum value"):
        allowed = ", ".join(OUTCOME_CODES)
        return (
            f"unknown outcome{message.removeprefix('Invalid enum value')} (expected one of: {allowed})",
            field,
        )
    if message == "Invalid decimal string":
        return "not a decimal number", field
    if message == "Invalid RFC3339 encoded datetime":
        return "not an RFC 3339 timestamp (e.g. 2026-01-05T10:00:00Z)", field
    if message.startswith("Expected `datetime` with a timezone"):
        return "a timestamp without timezone (e.g. 2026-01-05T10:00:00Z, with its Z)", field
    return message, field
