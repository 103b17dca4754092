"""Birth dates as lists write them -> ISO 8601 prefixes (``1960``, ``1960-01``, ``1960-01-31``).

A birth date confirms or rules out a name match, so the prefixes keep exactly the precision the list
gives. Two choices, the same for every source:

* ``circa 1960`` gives ``1960``: the list's own figure. Tolerance belongs to the matcher, which must
  treat every birth year as approximate anyway; widening here would make "circa" indistinguishable
  from a range.
* A range (``1958 to 1962``, UN ``FROM_YEAR``/``TO_YEAR``) gives every year in it, so a matcher that
  compares years never rules out a birth year inside the range. A range wider than
  ``MAX_RANGE_YEARS`` gives nothing: it would rule nothing out, and bounds alone would wrongly rule
  out the years between them. Day or month bounds of a range are coarsened to years.
"""

from __future__ import annotations

import re
from datetime import date

MAX_RANGE_YEARS = 20

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ONE = r"(?:(?P<{p}d>\d{{1,2}})\s+)?(?:(?P<{p}m>[A-Za-z]{{3,9}})\.?\s+)?(?P<{p}y>\d{{4}})"
_TEXT_DATE = re.compile(
    r"^(?:circa\s+|approximately\s+)?"
    + _ONE.format(p="a")
    + r"(?:\s*(?:to|-)\s*"
    + _ONE.format(p="b")
    + r")?$",
    re.IGNORECASE,
)
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def text_birth_dates(text: str) -> tuple[str, ...]:
    """``01 Jan 1960``, ``Jan 1960``, ``1960``, ``circa 1960``, ``1958 to 1962``, ``Nov. 1973``.

    Returns () when the text is not one of these shapes (the fact stays readable in the remarks).
    """
    match = _TEXT_DATE.match(" ".join(text.split()).rstrip("."))
    if match is None:
        return ()
    first = _prefix(match["ay"], match["am"], match["ad"])
    if first is None:
        return ()
    if match["by"] is None:
        return (first,)
    if _prefix(match["by"], match["bm"], match["bd"]) is None:
        return ()
    return year_range(int(match["ay"]), int(match["by"]))


def year_range(start: int, end: int) -> tuple[str, ...]:
    """Every year from ``start`` to ``end`` inclusive; () if reversed or wider than the cap."""
    if end < start or end - start > MAX_RANGE_YEARS:
        return ()
    return tuple(str(year) for year in range(start, end + 1))


def iso_birth_date(text: str) -> str | None:
    """An ISO date or prefix (``1960``, ``1960-01``, ``1960-01-31``, or a timestamp), checked."""
    match = _ISO.match(text.strip()[:10])
    if match is None:
        return None
    year, month, day = match.groups()
    if month is None:
        return year
    if not 1 <= int(month) <= 12:
        return None
    if day is None:
        return f"{year}-{month}"
    return _checked(int(year), int(month), int(day))


def _prefix(year: str, month: str | None, day: str | None) -> str | None:
    if month is None:
        return None if day is not None else year
    number = _MONTHS.get(month.lower())
    if number is None:
        return None
    if day is None:
        return f"{year}-{number:02d}"
    return _checked(int(year), number, int(day))


def _checked(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
