"""The machine-readable zone of travel documents (ICAO Doc 9303, parts 3 to 7), read from OCR text.

Five formats, told apart by the number and length of their lines and, for visas, the first letter:

========  =========  ============================================================
format    lines      document
========  =========  ============================================================
TD1       3 x 30     identity cards (part 5)
TD2       2 x 36     identity cards and official travel documents (part 6)
TD3       2 x 44     passports (part 4)
MRV-A     2 x 44     visas, full size (part 7); the first character is ``V``
MRV-B     2 x 36     visas, smaller (part 7); the first character is ``V``
========  =========  ============================================================

Every check digit is computed (part 3, 4.9: weights 7, 3, 1 repeated; digits are their value, ``A``-``Z``
10-35, the filler ``<`` 0; the sum modulo 10): the document number (with the long-number rule of TD1 and
TD2, where a number longer than nine characters goes on in the optional data after a ``<`` in the check
digit's place), the dates of birth and expiry, the TD3 personal number, and the composite check digit
(TD1, TD2, TD3; visas have none).

What is read, decided here and documented in docs/identity.md:

* Each line is stripped of surrounding whitespace (OCR adds it); ASCII lower case is taken as upper case
  (an OCR engine may return it; the zone's font has no lower case). Anything else outside ``A``-``Z``,
  ``0``-``9`` and ``<`` is refused with ``InvalidInput`` naming the line and the position, so a look-alike
  (a Cyrillic A, U+0410; a full-width A, U+FF21; ``«`` for ``<``) never passes for the letter it
  imitates. No OCR correction is tried (``0`` for ``O``): a misread character shows as a failed check digit.
* A line of the wrong length, an empty line, or a number of lines that is no format is refused the same
  way; the message describes the input (its length, the code point at fault) and never echoes it whole.
* What the lines hold is not refused: a date that is no date, a check digit that fails, a sex that is
  not ``M``, ``F``, ``X`` or ``<`` are read as they are and reported by ``Mrz.failed`` and the checks in
  ``identity.checks``, so a KYC event is decided on what is valid.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from vigil.errors import InvalidInput

FILLER = "<"
_WEIGHTS = (7, 3, 1)
# Character values for the check digit: 0-9, A-Z = 10-35, '<' = 0 (part 3, 4.9).
_VALUE = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")} | {FILLER: 0}
_ALPHABET = frozenset(_VALUE)
LINE_LIMIT = 44  # the longest line of any format
TEXT_LIMIT = 4096  # OCR text given to ``parse_text``: far above three lines with their noise


class Format(StrEnum):
    TD1 = "TD1"
    TD2 = "TD2"
    TD3 = "TD3"
    MRV_A = "MRV-A"
    MRV_B = "MRV-B"


class Field(StrEnum):
    """A field protected by a check digit (``composite`` protects several)."""

    DOCUMENT_NUMBER = "document_number"
    BIRTH_DATE = "birth_date"
    EXPIRY_DATE = "expiry_date"
    PERSONAL_NUMBER = "personal_number"
    COMPOSITE = "composite"


def check_digit(value: str) -> int:
    """The ICAO 9303 check digit of ``value`` (characters of the MRZ alphabet only)."""
    total = 0
    for i, c in enumerate(value):
        total += _VALUE[c] * _WEIGHTS[i % 3]
    return total % 10


def _verify(value: str, digit: str) -> bool:
    return digit.isdigit() and check_digit(value) == int(digit)


@dataclass(frozen=True, slots=True)
class Check:
    """One check digit: the field it protects and whether it holds."""

    field: Field
    ok: bool


@dataclass(frozen=True, slots=True)
class Mrz:
    """What a machine-readable zone says, fillers removed (``<`` inside names becomes a space).

    Dates are as printed (``YYMMDD``); ``birth_date_on`` and ``expiry`` resolve the century.
    ``sex`` is ``M``, ``F``, ``X`` (or ``<``: unspecified) as printed. ``checks`` holds every check digit of
    the format; ``failed`` the fields whose check digit does not hold.
    """

    format: Format
    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: str
    sex: str
    expiry_date: str
    optional_data: str
    optional_data_2: str
    checks: tuple[Check, ...]
    lines: tuple[str, ...]
    name_truncated: bool = False

    @property
    def valid(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> tuple[Field, ...]:
        return tuple(c.field for c in self.checks if not c.ok)

    def check(self, field: Field) -> bool | None:
        """Whether ``field``'s check digit holds; None when the format has none for it."""
        for c in self.checks:
            if c.field is field:
                return c.ok
        return None

    @property
    def name(self) -> str:
        """Given names then surname, as the zone spells them."""
        return f"{self.given_names} {self.surname}".strip()

    def birth_date_on(self, today: date) -> date | None:
        """The date of birth, in the century that puts it in the past of ``today`` (None: no date)."""
        return _birth(self.birth_date, today)

    def expiry(self, today: date) -> date | None:
        """The expiry date, in the century that puts it closest to ``today`` (None: no date)."""
        return _expiry(self.expiry_date, today)


def _date(yymmdd: str, century: int) -> date | None:
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    try:
        return date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        return None


def _birth(yymmdd: str, today: date) -> date | None:
    """Two digits of year: the latest century that does not put the birth after ``today``."""
    century = today.year // 100 * 100
    born = _date(yymmdd, century)
    if born is None and _date(yymmdd, century - 100) is None:
        return None
    if born is None or born > today:
        return _date(yymmdd, century - 100)
    return born


def _expiry(yymmdd: str, today: date) -> date | None:
    """Two digits of year: the century within 50 years of ``today`` (a document lasts far less)."""
    century = today.year // 100 * 100
    candidates = [d for c in (century - 100, century, century + 100) if (d := _date(yymmdd, c)) is not None]
    if not candidates:
        return None
    return min(candidates, key=lambda d: abs((d - today).days))


def _describe(c: str) -> str:
    return f"U+{ord(c):04X} {unicodedata.name(c, unicodedata.category(c))}"


def _clean(line: str, number: int) -> str:
    """One line stripped, ASCII lower case raised, checked against the MRZ alphabet."""
    if len(line) > TEXT_LIMIT:
        raise InvalidInput(
            f"{len(line):,} characters is far longer than any MRZ line", field="mrz", line=number
        )
    line = line.strip()
    if not line:
        raise InvalidInput("is empty", field="mrz", line=number)
    if line.isascii():
        line = line.upper()
    for i, c in enumerate(line):
        if c not in _ALPHABET:
            raise InvalidInput(
                f"position {i + 1} is {_describe(c)}: an MRZ holds only A-Z, 0-9 and '<'",
                field="mrz",
                line=number,
            )
    return line


def _layout(lines: Sequence[str]) -> Format:
    count = len(lines)
    first = len(lines[0])
    if count == 3:
        expected, fmt = 30, Format.TD1
    elif count == 2 and first in (36, 44):
        expected = first
        visa = lines[0][0] == "V"
        fmt = (
            (Format.MRV_B if visa else Format.TD2) if first == 36 else (Format.MRV_A if visa else Format.TD3)
        )
    elif count == 2:
        raise InvalidInput(
            f"has {first:,} characters: a two-line MRZ has 36 (TD2, MRV-B) or 44 (TD3, MRV-A)",
            field="mrz",
            line=1,
        )
    else:
        raise InvalidInput(f"{count} lines: an MRZ has 2 (TD2, TD3, visas) or 3 (TD1)", field="mrz")
    for number, line in enumerate(lines, 1):
        if len(line) != expected:
            raise InvalidInput(
                f"has {len(line):,} characters: a {fmt} line has {expected}", field="mrz", line=number
            )
    return fmt


def parse_lines(lines: Sequence[str]) -> Mrz:
    """Read the MRZ from its lines (see the module docstring for what is tolerated and refused)."""
    if isinstance(lines, str):
        raise TypeError("parse_lines takes the lines; use parse_text for one string")
    if not 2 <= len(lines) <= 3:
        raise InvalidInput(f"{len(lines)} lines: an MRZ has 2 (TD2, TD3, visas) or 3 (TD1)", field="mrz")
    cleaned = tuple(_clean(line, n) for n, line in enumerate(lines, 1))
    fmt = _layout(cleaned)
    if fmt is Format.TD1:
        return _td1(cleaned)
    return _two_line(cleaned, fmt)


def parse_text(text: str) -> Mrz:
    """Read the MRZ from OCR text: lines that are blank after stripping are dropped, the rest parsed."""
    if len(text) > TEXT_LIMIT:
        raise InvalidInput(f"{len(text):,} characters is far longer than an MRZ", field="mrz")
    return parse_lines([line for line in text.splitlines() if line.strip()])


def _strip(value: str) -> str:
    return value.replace(FILLER, " ").strip()


def _name(field: str) -> tuple[str, str, bool]:
    """Surname and given names from a name field (``SURNAME<<GIVEN<NAMES``); truncated when it is full."""
    surname, _, given = field.partition(FILLER * 2)
    return " ".join(_strip(surname).split()), " ".join(_strip(given).split()), field[-1] != FILLER


def _long_number(head: str, digit: str, optional: str) -> tuple[str, str, str]:
    """The long-number rule (part 5, 4.2.2; part 6): a ``<`` in the check digit's place means the number
    goes on in the optional data, up to its check digit, followed by a filler. Returns the number, its
    check digit and what is left of the optional data."""
    if digit != FILLER:
        return head, digit, optional
    end = optional.find(FILLER)
    if end < 1:  # no continuation: the check digit is missing
        return head, digit, optional
    return head + optional[: end - 1], optional[end - 1], optional[end + 1 :]


def _td1(lines: tuple[str, ...]) -> Mrz:
    one, two, three = lines
    number, digit, optional = _long_number(one[5:14], one[14], one[15:30])
    surname, given, truncated = _name(three)
    checks = (
        Check(Field.DOCUMENT_NUMBER, _verify(number, digit)),
        Check(Field.BIRTH_DATE, _verify(two[0:6], two[6])),
        Check(Field.EXPIRY_DATE, _verify(two[8:14], two[14])),
        Check(Field.COMPOSITE, _verify(one[5:30] + two[0:7] + two[8:15] + two[18:29], two[29])),
    )
    return Mrz(
        format=Format.TD1,
        document_code=_strip(one[0:2]),
        issuing_state=_strip(one[2:5]),
        surname=surname,
        given_names=given,
        document_number=_strip(number),
        nationality=_strip(two[15:18]),
        birth_date=two[0:6],
        sex=two[7],
        expiry_date=two[8:14],
        optional_data=_strip(optional),
        optional_data_2=_strip(two[18:29]),
        checks=checks,
        lines=lines,
        name_truncated=truncated,
    )


def _two_line(lines: tuple[str, ...], fmt: Format) -> Mrz:
    one, two = lines
    width = len(two)
    visa = fmt in (Format.MRV_A, Format.MRV_B)
    if fmt is Format.TD2:
        number, digit, optional = _long_number(two[0:9], two[9], two[28:35])
    elif fmt is Format.TD3:
        number, digit, optional = two[0:9], two[9], two[28:42]
    else:
        number, digit, optional = two[0:9], two[9], two[28:width]
    surname, given, truncated = _name(one[5:])
    checks = [
        Check(Field.DOCUMENT_NUMBER, _verify(number, digit)),
        Check(Field.BIRTH_DATE, _verify(two[13:19], two[19])),
        Check(Field.EXPIRY_DATE, _verify(two[21:27], two[27])),
    ]
    if fmt is Format.TD3:
        # An unused personal number may carry '<' as its check digit (part 4, 4.2.2.2).
        unused = two[28:42] == FILLER * 14 and two[42] == FILLER
        checks.append(Check(Field.PERSONAL_NUMBER, unused or _verify(two[28:42], two[42])))
    if not visa:
        checks.append(Check(Field.COMPOSITE, _verify(two[0:10] + two[13:20] + two[21 : width - 1], two[-1])))
    return Mrz(
        format=fmt,
        document_code=_strip(one[0:2]),
        issuing_state=_strip(one[2:5]),
        surname=surname,
        given_names=given,
        document_number=_strip(number),
        nationality=_strip(two[10:13]),
        birth_date=two[13:19],
        sex=two[20],
        expiry_date=two[21:27],
        optional_data=_strip(optional),
        optional_data_2="",
        checks=tuple(checks),
        lines=lines,
        name_truncated=truncated,
    )
