"""The UN Security Council consolidated list (XML) -> ``NameEntry``.

``CONSOLIDATED_LIST`` holds ``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY``, each with a
``DATAID``, up to four name parts (already in natural order), aliases, birth dates, nationalities,
addresses and documents. Choices:

* ``NAME_ORIGINAL_SCRIPT`` (Arabic, Cyrillic, Hangul...) is an alias: a customer's documents may
  carry that script, and transliterations of it differ from list to list.
* Aliases of ``QUALITY`` "Low" are left out, as OFAC's weak aliases are: the UN marks them as too
  broad to screen against ("Abu Ali"). Good, a.k.a., f.k.a. and unmarked aliases are kept.
* Birth dates follow ``names_dates`` (``BETWEEN`` gives every year of the range); a date that is
  only in ``NOTE`` ("Nov. 1973") is read when it has a plain shape. Dates given for an alias's
  documents count too: they are dates the person is known to use.
* ``countries`` merges nationalities and address countries, as for OFAC.
* ``REFERENCE_NUMBER`` ("QDi.001") becomes an ``un_reference`` identifier: it is how UN notices and
  other lists cite the entry.

The XML is read with ``xml.parsers.expat`` feeding ElementTree's ``TreeBuilder``: the same parser
``ElementTree`` uses (external entities are never fetched), plus the line where each entry starts,
so a row error names its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from vigil.errors import InvalidListFile
from vigil.screening.entries import Identifier, NameEntry, Parsed, RowError, SubjectKind
from vigil.screening.sources.countries import CountryResolver
from vigil.screening.sources.names_build import Draft, IdKind, clean, refuse_empty
from vigil.screening.sources.names_dates import iso_birth_date, text_birth_dates, year_range

SOURCE = "un"
FILES = ("*.xml",)

_ROOT = "CONSOLIDATED_LIST"
_ITEMS = {"INDIVIDUAL": SubjectKind.PERSON, "ENTITY": SubjectKind.ORGANISATION}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_PASSPORT = {"passport", "numéro de passeport", "número de pasaporte"}
_NATIONAL_ID = {"national identification number"}


def parse(files: Mapping[str, str], countries: CountryResolver | None = None) -> Parsed[NameEntry]:
    """Reads every XML file given (normally one); a DATAID seen twice is a row error."""
    if not files:
        raise InvalidListFile("no file given", file=FILES[0])
    resolver = countries if countries is not None else CountryResolver()
    entries: list[NameEntry] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for file, text in files.items():
        root, lines = _parse_xml(file, text)
        before = len(entries)
        for item in (el for group in root for el in group if el.tag in _ITEMS):
            line = lines.get(id(item), 0)
            uid = _text(item, "DATAID")
            if not uid.isascii() or not uid.isdigit():
                errors.append(RowError(file, line, f"DATAID {uid!r} is not a number", "DATAID"))
            elif uid in seen:
                errors.append(RowError(file, line, f"duplicate DATAID {uid}", "DATAID"))
            elif not (name := " ".join(p for p in (_text(item, t) for t in _NAME_PARTS) if p)):
                errors.append(RowError(file, line, "empty name", "FIRST_NAME"))
            else:
                seen.add(uid)
                entries.append(_entry(item, uid, name, resolver))
        refuse_empty(len(entries) - before, file)
    return Parsed(tuple(entries), tuple(errors))


def _parse_xml(file: str, text: str) -> tuple[Element, dict[int, int]]:
    """The tree, and the line where each INDIVIDUAL/ENTITY starts (keyed by ``id(element)``)."""
    builder = TreeBuilder()
    lines: dict[int, int] = {}
    parser = expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = builder.start(tag, attrs)
        if tag in _ITEMS:
            lines[id(element)] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise InvalidListFile(f"not well-formed XML: {exc}", file=file) from exc
    root = builder.close()
    if root.tag != _ROOT:
        raise InvalidListFile(f"root element is {root.tag}, expected {_ROOT}", file=file)
    return root, lines


def _entry(item: Element, uid: str, name: str, countries: CountryResolver) -> NameEntry:
    draft = Draft(SOURCE, uid, _ITEMS[item.tag], name)
    draft.aliases.extend(clean(el.text) for el in item.iter("NAME_ORIGINAL_SCRIPT"))
    aliases = list(item.iter(f"{item.tag}_ALIAS"))
    draft.aliases.extend(_text(a, "ALIAS_NAME") for a in aliases if _text(a, "QUALITY").lower() != "low")
    for dob in item.iter("INDIVIDUAL_DATE_OF_BIRTH"):
        draft.birth_dates.extend(_birth_dates(dob))
    draft.birth_dates.extend(d for a in aliases if (d := iso_birth_date(_text(a, "DATE_OF_BIRTH"))))
    for country in (
        *(v.text for nationality in item.iter("NATIONALITY") for v in nationality.iter("VALUE")),
        *(_text(address, "COUNTRY") for address in item.iter(f"{item.tag}_ADDRESS")),
    ):
        if country and (code := countries.name(country)):
            draft.countries.append(code)
    for document in item.iter("INDIVIDUAL_DOCUMENT"):
        if identifier := _document(document, countries):
            draft.identifiers.append(identifier)
    if reference := _text(item, "REFERENCE_NUMBER"):
        draft.identifiers.append(Identifier(IdKind.UN_REFERENCE.value, reference))
    draft.programs.append(_text(item, "UN_LIST_TYPE"))
    draft.remarks.append(_text(item, "COMMENTS1"))
    return draft.build()


def _birth_dates(dob: Element) -> tuple[str, ...]:
    if date := iso_birth_date(_text(dob, "DATE")):
        return (date,)
    if year := iso_birth_date(_text(dob, "YEAR")):
        return (year,)
    start, end = _text(dob, "FROM_YEAR"), _text(dob, "TO_YEAR")
    if start.isdigit() and end.isdigit():
        return year_range(int(start), int(end))
    return text_birth_dates(_text(dob, "NOTE"))


def _document(document: Element, countries: CountryResolver) -> Identifier | None:
    number = _text(document, "NUMBER")
    if not number:
        return None
    label = _text(document, "TYPE_OF_DOCUMENT").lower()
    kind = (
        IdKind.PASSPORT
        if label in _PASSPORT
        else IdKind.NATIONAL_ID
        if label in _NATIONAL_ID
        else IdKind.OTHER
    )
    issuer = _text(document, "ISSUING_COUNTRY") or _text(document, "COUNTRY_OF_ISSUE")
    return Identifier(kind.value, number, countries.name(issuer) if issuer else None)


def _text(parent: Element, tag: str) -> str:
    """The cleaned text of the first child ``tag``, or ""."""
    return clean(parent.findtext(tag))
