"""Facts besides the name that confirm or rule out a match: birth date, country, identifiers, kind.

Names alone confuse namesakes; the list usually says more. Each fact the query and the entry both
carry becomes an ``Evidence`` item with the points it adds to (or takes from) the 0-100 name score:

=================================  =======  ==============================================
birth date equal (full dates)         +8    the strongest fact short of a document
birth date compatible (same year,     +5    lists often know only the year
  one side less precise)
birth year one off                    -2    lists give approximate years; nearly neutral
same year, other month or day         -5    probably a typo on one side, maybe someone else
birth year further off               -15    a namesake, most likely
a shared country                      +3    nationality, citizenship or address
no shared country                     -4    people move and hold two passports: slight
an equal identifier                  100    decisive: the score becomes 100
same kind of identifier, other value  -5    documents are renewed: slight
different kind of party              -25    a person is not a vessel nor a company
a one-word listed person name        -12    a single word identifies nobody ("HUA" is in
  against a fuller query                    every "Hoa ..." name)
=================================  =======  ==============================================

Absent facts are no evidence either way and produce no item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from iso3166 import countries_by_alpha2

from vigil.errors import InvalidInput
from vigil.screening.entries import Identifier, SubjectKind

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_EXTRA_COUNTRIES = frozenset({"XK"})  # Kosovo: used by lists, not (yet) in ISO 3166-1
MIN_IDENTIFIER = 4  # shorter values ("1", "A") are list noise, not documents
MOST_POINTS = 11.0  # the most birth date and country can add together (8 + 3)


class Fact(StrEnum):
    BIRTH_DATE = "birth_date"
    COUNTRY = "country"
    IDENTIFIER = "identifier"
    KIND = "kind"
    NAME_FORM = "name_form"


class Verdict(StrEnum):
    AGREES = "agrees"
    COMPATIBLE = "compatible"
    CLOSE = "close"
    DIFFERS = "differs"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One fact compared: what it says and how many points it moves the score."""

    fact: Fact
    verdict: Verdict
    points: float
    detail: str
    decisive: bool = False


ONE_WORD_POINTS = -12.0


def one_word_name(listed: str) -> Evidence:
    """A listed person known by one word, matched by a query of several: weak, whatever its score."""
    return Evidence(
        Fact.NAME_FORM,
        Verdict.DIFFERS,
        ONE_WORD_POINTS,
        f"listed name {listed!r} is a single word, the query has more: a weak identifier",
    )


def check_birth_date(
    value: str | None, field: str = "birth_date"
) -> tuple[int, int | None, int | None] | None:
    """Parse an ISO 8601 prefix (``1965``, ``1965-03``, ``1965-03-15``); refuse anything else."""
    if value is None:
        return None
    found = _DATE.match(value)
    if found is None:
        raise InvalidInput(f"birth date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD", field=field)
    month, day = (int(g) if g else None for g in found.groups()[1:])
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        raise InvalidInput(f"birth date {value!r} has no such month or day", field=field)
    return int(found.group(1)), month, day


def check_country(value: str, field: str = "countries") -> str:
    code = value.strip().upper()
    if code not in countries_by_alpha2 and code not in _EXTRA_COUNTRIES:
        raise InvalidInput(f"{value!r} is not an ISO 3166-1 alpha-2 country code", field=field)
    return code


def identifier_value(value: str) -> str:
    """The comparable form of a document number: letters and digits only, upper case."""
    return _NOT_ALNUM.sub("", value.upper())


def birth_date(query: str | None, listed: Sequence[str]) -> Evidence | None:
    """The best agreement between the query's birth date and any the list gives."""
    q = check_birth_date(query)
    if query is None or q is None or not listed:
        return None
    best: Evidence | None = None
    for text in listed:
        try:
            entry = check_birth_date(text)
        except InvalidInput:
            continue  # a malformed date on the list is no evidence; the importer reports it
        if entry is None:
            continue
        item = _compare_dates(query, q, text, entry)
        if best is None or item.points > best.points:
            best = item
    return best


def _compare_dates(
    query: str, q: tuple[int, int | None, int | None], text: str, e: tuple[int, int | None, int | None]
) -> Evidence:
    fact = Fact.BIRTH_DATE
    if q[0] != e[0]:
        if abs(q[0] - e[0]) == 1:
            return Evidence(fact, Verdict.CLOSE, -2.0, f"birth year {q[0]} is one year from listed {e[0]}")
        return Evidence(fact, Verdict.DIFFERS, -15.0, f"birth year {q[0]} differs from listed {e[0]}")
    if (q[1] and e[1] and q[1] != e[1]) or (q[1] == e[1] and q[2] and e[2] and q[2] != e[2]):
        return Evidence(fact, Verdict.DIFFERS, -5.0, f"birth date {query} differs from listed {text}")
    if query == text:
        what = f"birth date {query}" if q[1] else f"birth year {query}"
        return Evidence(fact, Verdict.AGREES, 8.0 if q[2] else 5.0, f"{what} agrees")
    return Evidence(fact, Verdict.COMPATIBLE, 5.0, f"birth date {query} is compatible with listed {text}")


def country(query: Sequence[str], listed: Sequence[str]) -> Evidence | None:
    if not query or not listed:
        return None
    shared = [c for c in query if c in listed]
    if shared:
        return Evidence(Fact.COUNTRY, Verdict.AGREES, 3.0, f"country {'/'.join(shared)} agrees")
    return Evidence(
        Fact.COUNTRY,
        Verdict.DIFFERS,
        -4.0,
        f"country {'/'.join(query)} differs from listed {'/'.join(listed)}",
    )


def identifiers(query: Sequence[Identifier], listed: Sequence[Identifier]) -> Evidence | None:
    """An equal document number is decisive; a different number of the same kind counts slightly against."""
    if not query or not listed:
        return None
    listed_values = {identifier_value(i.value): i for i in listed}
    for ident in query:
        value = identifier_value(ident.value)
        if len(value) >= MIN_IDENTIFIER and value in listed_values:
            return Evidence(
                Fact.IDENTIFIER, Verdict.AGREES, 100.0, f"{ident.kind} {ident.value} agrees", decisive=True
            )
    for ident in query:
        for other in listed:
            if ident.kind == other.kind and (ident.country is None or other.country in (None, ident.country)):
                detail = f"{ident.kind} {ident.value} differs from listed {other.value}"
                return Evidence(Fact.IDENTIFIER, Verdict.DIFFERS, -5.0, detail)
    return None


def kind(query: SubjectKind | None, listed: SubjectKind) -> Evidence | None:
    if query in (None, SubjectKind.UNKNOWN) or listed is SubjectKind.UNKNOWN or query == listed:
        return None
    return Evidence(Fact.KIND, Verdict.DIFFERS, -25.0, f"query is a {query}, the entry a {listed}")


def collect(
    birth: str | None,
    countries: Sequence[str],
    idents: Sequence[Identifier],
    query_kind: SubjectKind | None,
    listed_births: Sequence[str],
    listed_countries: Sequence[str],
    listed_idents: Sequence[Identifier],
    listed_kind: SubjectKind,
) -> tuple[Evidence, ...]:
    found = (
        identifiers(idents, listed_idents),
        birth_date(birth, listed_births),
        country(countries, listed_countries),
        kind(query_kind, listed_kind),
    )
    return tuple(e for e in found if e is not None)
