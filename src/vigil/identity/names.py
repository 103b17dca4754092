"""Names as an MRZ spells them (ICAO Doc 9303 part 3, section 6), and a declared name against the zone's.

A document prints a name in its national characters in the visual zone and transliterated into ``A``-``Z``
in the MRZ. A customer declares the name as they write it (``Jürgen Øster-Bäck``, or in Cyrillic).
To compare, the declared name is transliterated the way part 3 recommends:

* multinational Latin characters by its table: ``Ä`` -> ``AE`` or ``A``, ``Ö`` -> ``OE`` or ``O``,
  ``Ü`` -> ``UE`` or ``U``, ``Å`` -> ``AA`` or ``A``, ``Æ`` -> ``AE``, ``Ø`` -> ``OE``, ``ß`` -> ``SS``,
  ``Þ`` -> ``TH``, ``Œ`` -> ``OE``, ``Ĳ`` -> ``IJ``; every other accented letter loses its accent
  (``É`` -> ``E``, ``Ñ`` -> ``N``, ``Ł`` -> ``L``, ``Đ`` -> ``D``);
* Cyrillic by its table (zhe -> ``ZH``, ha -> ``KH``, tse -> ``TS``, shcha -> ``SHCH``, yu -> ``IU``,
  ya -> ``IA``, the hard sign -> ``IE``, the soft sign dropped);
* any other script through ``anyascii`` (a stand-in: part 3 leaves Arabic and the rest to the issuing
  state, so a mismatch there is a prompt to look, not a verdict);
* apostrophes are dropped, hyphens and other punctuation separate names (``<`` in the zone).

Both spellings of the "or" letters are tried. The comparison ignores the order of the names (the
declared ``Anna Maria Eriksson`` is the zone's ``ERIKSSON<<ANNA<MARIA``) and accepts a zone name cut short
where the field is full (part 3: long names are truncated): the names before the cut must all be there,
the last one may be the beginning of a declared name.
"""

from __future__ import annotations

import hashlib
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# Part 3's transliteration of multinational Latin characters that is not "drop the accent": the
# recommended spelling, then the alternative (the same when there is none).
_LATIN: dict[str, tuple[str, str]] = {
    "Ä": ("AE", "A"),
    "Ö": ("OE", "O"),
    "Ü": ("UE", "U"),
    "Å": ("AA", "A"),
    "Æ": ("AE", "AE"),
    "Ø": ("OE", "OE"),
    "Œ": ("OE", "OE"),
    "Þ": ("TH", "TH"),
    "Ĳ": ("IJ", "IJ"),
    "Ð": ("D", "D"),
    "Đ": ("D", "D"),
    "Ħ": ("H", "H"),
    "Ł": ("L", "L"),
    "Ŀ": ("L", "L"),
    "Ŋ": ("N", "N"),
    "Ŧ": ("T", "T"),
    "ẞ": ("SS", "SS"),
    "ß": ("SS", "SS"),
    "\u0131": ("I", "I"),  # dotless i
    "ĸ": ("K", "K"),
}
# Part 3's transliteration of Cyrillic (Russian, Ukrainian, Belarusian, Serbian, Macedonian letters), by
# the letters' Unicode names (CYRILLIC CAPITAL LETTER ...).
_CYRILLIC_NAMES = {
    "A": "A", "BE": "B", "VE": "V", "GHE": "G", "GHE WITH UPTURN": "G", "DE": "D", "DJE": "D", "GJE": "G",
    "IE": "E", "IO": "E", "UKRAINIAN IE": "IE", "ZHE": "ZH", "ZE": "Z", "DZE": "DZ", "I": "I",
    "BYELORUSSIAN-UKRAINIAN I": "I", "YI": "I", "SHORT I": "I", "JE": "J", "KA": "K", "EL": "L", "LJE": "LJ",
    "EM": "M", "EN": "N", "NJE": "NJ", "O": "O", "PE": "P", "ER": "R", "ES": "S", "TE": "T", "TSHE": "C",
    "KJE": "K", "U": "U", "SHORT U": "U", "EF": "F", "HA": "KH", "TSE": "TS", "CHE": "CH", "DZHE": "DZ",
    "SHA": "SH", "SHCHA": "SHCH", "HARD SIGN": "IE", "YERU": "Y", "SOFT SIGN": "", "E": "E", "YU": "IU",
    "YA": "IA",
}  # fmt: skip
_CYRILLIC = {unicodedata.lookup(f"CYRILLIC CAPITAL LETTER {n}"): v for n, v in _CYRILLIC_NAMES.items()}
# Apostrophes (straight, typographic, the modifier letter, grave and acute accents) and full stops.
_DROPPED = frozenset("'\u2019\u02bc`\u00b4.")
_SIMPLE = 1  # index of the alternative spelling in ``_LATIN``


def _letter(c: str, variant: int) -> str:
    """One character of a declared name in ``A``-``Z``: a spelling, or a space where names divide."""
    if "A" <= c <= "Z":
        return c
    if c in _DROPPED:
        return ""
    if c in _LATIN:
        return _LATIN[c][variant]
    if c in _CYRILLIC:
        return _CYRILLIC[c]
    base = "".join(b for b in unicodedata.normalize("NFKD", c) if not unicodedata.combining(b))
    if base and all("A" <= b <= "Z" for b in base):
        return base
    if not c.isalpha():
        return " "
    spelled = anyascii(c).upper()
    return "".join(b for b in spelled if "A" <= b <= "Z") or " "


@lru_cache(maxsize=4096)
def spell(name: str, variant: int = 0) -> tuple[str, ...]:
    """A declared name as an MRZ spells it, as a tuple of names (``variant`` 1: the alternative spelling
    of ``Ä``, ``Ö``, ``Ü``, ``Å``)."""
    out = []
    for c in name:
        if c in _LATIN or c in _DROPPED:
            out.append(_letter(c, variant))
        else:
            out.extend(_letter(u, variant) for u in c.upper())
    return tuple("".join(out).split())


def zone_names(surname: str, given_names: str) -> tuple[str, ...]:
    """The zone's names (surname and given names, as ``Mrz`` holds them)."""
    return tuple(f"{surname} {given_names}".split())


def _take(rest: list[frozenset[str]], name: str, prefix: bool = False) -> bool:
    """Remove from ``rest`` a declared name one of whose spellings is ``name`` (or starts with it)."""
    for i, spellings in enumerate(rest):
        if any(s.startswith(name) if prefix else s == name for s in spellings):
            del rest[i]
            return True
    return False


def _same(zone: tuple[str, ...], declared: list[frozenset[str]], truncated: bool) -> bool:
    rest = list(declared)
    if len(zone) == len(declared) and all(_take(rest, name) for name in zone):
        return True
    if not truncated or not zone:
        return False
    rest = list(declared)
    return all(_take(rest, name) for name in zone[:-1]) and _take(rest, zone[-1], prefix=True)


def names_match(declared: str, surname: str, given_names: str, *, truncated: bool = False) -> bool:
    """Whether a declared name is the zone's, transliterated as ICAO 9303 part 3 does (module docstring).
    Each declared name may take either spelling of its "or" letters."""
    zone = zone_names(surname, given_names)
    spellings = (spell(declared, 0), spell(declared, _SIMPLE))
    names = [frozenset(pair) for pair in zip(*spellings, strict=True)]
    if not names:
        return False
    if _same(zone, names, truncated):
        return True
    # Names joined or split differently (MC DONALD, MCDONALD): the letters in either order of the parts.
    orders = {"".join(surname.split() + given_names.split()), "".join(given_names.split() + surname.split())}
    return any("".join(s) in orders for s in spellings)


def holder_key(surname: str, given_names: str) -> str:
    """A digest of the zone's name, order-insensitive (what the catalog counts per document, not the name)."""
    canonical = " ".join(sorted(zone_names(surname, given_names)))
    return hashlib.blake2b(canonical.encode(), digest_size=8, person=b"vigil-holder").hexdigest()
