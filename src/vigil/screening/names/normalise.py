"""Names to comparable tokens: Unicode forms, scripts, punctuation, titles and legal forms, roles.

A list writes ``HANIYA, Ismail Abdul Salah``; a customer types ``Ismaïl Haniyeh``, or ``إسماعيل هنية``.
Before any comparison both become lower-case ASCII tokens:

* NFKC folds compatibility forms (full-width letters, ligatures such as ``ﬁ``), then ``anyascii``
  (ISC licence) transliterates every script to Latin: accents go, Cyrillic, Greek, Arabic and CJK
  become their usual romanisation. Arabic script writes no short vowels, so its tokens are marked
  ``abjad`` and compared by consonants later.
* Chinese and Korean names are written without spaces; a run of Han or Hangul syllables becomes
  the family name (the first syllable) and the given name (the rest joined), as lists write them.
* Apostrophes join (``O'Brien`` -> ``obrien``; Arabic ``'ayn`` marks vanish), every other
  non-alphanumeric character separates (hyphens included: ``AL-SHANTI`` -> ``al shanti``).
* Titles (``mr``, ``sheikh``), particles (``al``, ``bin``, ``van``) and legal forms (``ltd``,
  ``ooo``) are kept but classed, so they weigh little instead of being dropped blindly.

Roles (given, middle, surname) come from the list's own conventions: ``LAST, First`` with a
comma, or the surname in capitals in natural order (``Juan M. de la CRUZ``), else the first and
last tokens. Only the listed side uses roles; query tokens are an unordered bag.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from anyascii import anyascii

from vigil.errors import InvalidInput


class TokenClass(StrEnum):
    """What a token is, which decides how much it weighs."""

    NAME = "name"
    PARTICLE = "particle"  # al, bin, abu, van, de: part of a name, common, little information
    TITLE = "title"  # mr, dr, sheikh, haji, general, jr
    LEGAL = "legal"  # ltd, llc, jsc, ooo, gmbh


class Role(StrEnum):
    """The place of a token in a listed name; a missing surname costs more than a missing middle name."""

    GIVEN = "given name"
    MIDDLE = "middle name"
    SURNAME = "surname"
    NAME = "name"  # organisations, vessels, one-word names: no structure to rely on


def _words(*lines: str) -> frozenset[str]:
    return frozenset(word for line in lines for word in line.split())


# The last four titles are haji, sheikh and mawlawi as transliterated Arabic script writes them.
TITLES = _words(
    "mr mrs ms miss mx dr prof sir dame lord lady sheikh shaikh shaykh sheik cheikh haji hajji hadji",
    "alhaji mullah mulla mawlawi maulvi mawlavi maulana qari imam hafiz general gen col colonel maj",
    "major capt captain lt brig admiral adm sgt rev fr jr sr ii iii iv hjy hja shykh mwlwy",
)
PARTICLES = _words(
    "al el ul ibn bin ben bint binti abu abou ould ag de da di do du del della der den des dos das",
    "van von la le lo y ter ten zu",
)
LEGAL_FORMS = _words(
    "ltd limited llc inc incorporated co corp corporation company plc gmbh mbh ag kg sa sarl srl spa",
    "sas sl bv nv jsc ojsc cjsc pjsc ooo oao zao pao ao tov llp lp fze fzco fzc fzllc pte pty pvt sdn",
    "bhd kft zrt doo sro oy ab as asa",
)

# Spelled-out legal forms and their abbreviations compare equal ("Limited" and "Ltd.").
LEGAL_SYNONYMS = {"limited": "ltd", "incorporated": "inc", "corporation": "corp", "company": "co"}

_SEPARATORS = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = str.maketrans("", "", "'`")
_ABJAD_RANGES = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))  # Hebrew, Arabic, Syriac, Thaana
_CJK_RANGES = ((0x3400, 0x9FFF), (0xF900, 0xFAFF), (0xAC00, 0xD7AF), (0x20000, 0x2FA1F))  # Han, Hangul


def _in(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in ranges)


@dataclass(frozen=True, slots=True)
class Word:
    """One normalised token: ASCII text, whether it came from an abjad script, its class."""

    text: str
    abjad: bool
    cls: TokenClass


def classify(text: str) -> TokenClass:
    if text in PARTICLES:
        return TokenClass.PARTICLE
    if text in TITLES:
        return TokenClass.TITLE
    if text in LEGAL_FORMS:
        return TokenClass.LEGAL
    return TokenClass.NAME


_DOTTED = re.compile(r"(?<![a-z])((?:[a-z]\.){2,}[a-z]?)")


def _dotted_legal_form(found: re.Match[str]) -> str:
    """ "S.A." and "L.L.C." are one legal form, not two initials; "J.R." stays initials."""
    letters = found.group(1).replace(".", "")
    return f" {letters} " if letters in LEGAL_FORMS else found.group(1)


def _ascii_tokens(chunk: str) -> list[str]:
    text = anyascii(chunk).casefold().translate(_APOSTROPHES)
    return _SEPARATORS.split(_DOTTED.sub(_dotted_legal_form, text))


@lru_cache(maxsize=1 << 17)
def _chunk_words(chunk: str) -> tuple[Word, ...]:
    """Words of one whitespace-free piece of text (cached: names repeat pieces all the time)."""
    texts: list[str] = []
    run: list[str] = []  # pending CJK syllables
    plain: list[str] = []

    def flush_cjk() -> None:
        syllables = [s for c in run for s in _ascii_tokens(c) if s]
        if syllables:
            texts.append(syllables[0])
            if len(syllables) > 1:
                texts.append("".join(syllables[1:]))
        run.clear()

    for char in chunk:
        if _in(char, _CJK_RANGES):
            if plain:
                texts.extend(_ascii_tokens("".join(plain)))
                plain.clear()
            run.append(char)
        else:
            if run:
                flush_cjk()
            # Symbols (emoji, currency signs) would transliterate to words such as "grinning".
            plain.append(" " if unicodedata.category(char)[0] == "S" else char)
    if run:
        flush_cjk()
    if plain:
        texts.extend(_ascii_tokens("".join(plain)))
    abjad = any(_in(c, _ABJAD_RANGES) for c in chunk)
    return tuple(Word(t, abjad, classify(t)) for t in texts if t)


def words(text: str) -> tuple[Word, ...]:
    """The normalised tokens of ``text``, in the order written."""
    out: list[Word] = []
    for chunk in unicodedata.normalize("NFKC", text).split():
        out.extend(_chunk_words(chunk))
    return tuple(out)


def normalise(text: str) -> str:
    """The comparable form of a name: lower-case ASCII tokens joined by single spaces (idempotent)."""
    return " ".join(w.text for w in words(text))


def require_letters(found: tuple[Word, ...], text: str, field: str = "name") -> None:
    """Refuse a name that normalises to nothing alphabetic: it cannot be screened, only mis-screened."""
    if not any(any(c.isalpha() for c in w.text) for w in found):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InvalidInput(f"name {shown!r} has no letters to compare", field=field)


def in_context(found: tuple[Word, ...], person: bool | None) -> tuple[Word, ...]:
    """Classes that depend on what is named: "PAO" is a surname in a person's name, a legal form
    in a company's; "Imam" a title before a person's name, a word in a company's."""
    if person is None:
        return found
    wrong = TokenClass.LEGAL if person else TokenClass.TITLE
    return tuple(Word(w.text, w.abjad, TokenClass.NAME) if w.cls is wrong else w for w in found)


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A listed name as tokens in natural order (given names first) with the role of each."""

    words: tuple[Word, ...]
    roles: tuple[Role, ...]


def parse_listed(text: str, person: bool) -> ParsedName:
    """Tokens and roles of a listed name; ``person`` enables the surname conventions."""
    if not person:
        found = in_context(words(text), False)
        require_letters(found, text)
        return ParsedName(found, (Role.NAME,) * len(found))
    last, comma, rest = text.partition(",")
    if comma:
        given_part, *suffixes = rest.split(",")
        surname, given = in_context(words(last), True), in_context(words(given_part), True)
        if surname and given and all(w.cls is TokenClass.NAME for w in given[:1]):
            tail = tuple(w for s in suffixes for w in words(s))
            found = given + surname + tail
            require_letters(found, text)
            roles = (
                (Role.GIVEN,)
                + (Role.MIDDLE,) * (len(given) - 1)
                + (Role.SURNAME,) * len(surname)
                + (Role.NAME,) * len(tail)
            )
            return ParsedName(found, roles)
    found = in_context(words(text), True)
    require_letters(found, text)
    return ParsedName(found, _natural_roles(text, found))


def _natural_roles(text: str, found: tuple[Word, ...]) -> tuple[Role, ...]:
    """Roles for a person's name written given-names-first."""
    if len(found) < 2:
        return (Role.NAME,) * len(found)
    capitals = _capitalised_surname(text)
    if capitals:
        roles = [Role.SURNAME if w.text in capitals else Role.MIDDLE for w in found]
        first = next((i for i, r in enumerate(roles) if r is Role.MIDDLE), None)
        if first is not None and Role.SURNAME in roles:
            roles[first] = Role.GIVEN
            return tuple(roles)
    names = [i for i, w in enumerate(found) if w.cls is TokenClass.NAME] or list(range(len(found)))
    roles = [Role.MIDDLE] * len(found)
    roles[names[0]] = Role.GIVEN
    if len(names) > 1:
        roles[names[-1]] = Role.SURNAME
    return tuple(roles)


def _capitalised_surname(text: str) -> frozenset[str]:
    """Tokens written in capitals when others are not (``Juan M. de la CRUZ``): the family name."""
    pieces = [p for p in re.split(r"[\s,.\-]+", text) if p]
    upper = [p for p in pieces if len(p) > 1 and p.isupper()]
    if not upper or len(upper) == len([p for p in pieces if len(p) > 1]):
        return frozenset()
    return frozenset(w.text for p in upper for w in words(p))
