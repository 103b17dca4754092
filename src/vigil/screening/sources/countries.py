"""Country texts as lists write them -> ISO 3166-1 alpha-2 codes.

Lists name countries in their own house style: OFAC writes "Korea, North", "Burma", "Palestinian"
(a demonym, in ``nationality``) and "Region: Crimea"; the UN writes "Iran (Islamic Republic of)" and
"United Kingdom of Great Britain and Northern Ireland"; OpenSanctions writes lower-case codes. The
``iso3166`` package knows the ISO names; the table below adds only the spellings the lists in
``../shared`` actually use that it does not know, so a screener can compare a customer's country
with the list's whatever the source. Add a spelling when an import reports it unmapped.

A text that maps to nothing is not an error: the fact is dropped and the text is counted in
``CountryResolver.unmapped`` so an import can report which spellings to add. Explicit "unknown"
markers ("undetermined", "None Identified", "na") are not counted: the list said nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

import iso3166

# Keys are ``_key()`` forms. Regions are mapped to the country a screener would compare with
# (Crimea -> UA, Gaza and the West Bank -> PS, Northern Mali -> ML), as OFAC's programmes do.
_ALIASES = {
    "bahamas the": "BS",
    "bolivia": "BO",
    "british virgin islands": "VG",
    "brunei": "BN",
    "burma": "MM",
    "cabo verde previously cape verde": "CV",
    "china hong kong special administrative region": "HK",
    "congo republic of the": "CG",
    "czech republic": "CZ",
    "democratic people s republic of korea": "KP",
    "democratic republic of the congo": "CD",
    "eritrean": "ER",
    "iran": "IR",
    "korea north": "KP",
    "korea south": "KR",
    "laos": "LA",
    "macau": "MO",
    "macedonia the former yugoslav republic of": "MK",
    "man isle of": "IM",
    "moldova": "MD",
    "palestinian": "PS",
    "possibly palestinian": "PS",
    "region crimea": "UA",
    "region gaza": "PS",
    "region northern mali": "ML",
    "russia": "RU",
    "st kitts nevis": "KN",
    "st vincent and the grenadines": "VC",
    "state of palestine": "PS",
    "syria": "SY",
    "tanzania": "TZ",
    "the gambia": "GM",
    "turkey": "TR",
    "united kingdom": "GB",
    "united republic of tanzania": "TZ",
    "united states": "US",
    "venezuela": "VE",
    "vietnam": "VN",
    "west bank": "PS",
}

# What lists write when they do not know; dropped without being counted as unmapped.
_UNKNOWN = frozenset({"", "0", "na", "n a", "none", "none identified", "unknown", "undetermined"})


def _key(text: str) -> str:
    """Accents, case and punctuation removed: "Côte d'Ivoire" and "Cote d Ivoire" meet."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split())


def _by_name() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in iso3166.countries:
        table[_key(country.name)] = country.alpha2
        table[_key(country.apolitical_name)] = country.alpha2
    table.update(_ALIASES)
    return table


_BY_NAME = _by_name()
_ALPHA2 = frozenset(c.alpha2 for c in iso3166.countries)
_ALPHA3 = {c.alpha3: c.alpha2 for c in iso3166.countries}


@lru_cache(maxsize=4096)
def from_name(text: str) -> str | None:
    """The alpha-2 code of a country name, or None. Never reads a code: UN "na" is not Namibia."""
    return _BY_NAME.get(_key(text))


@lru_cache(maxsize=4096)
def from_code_or_name(text: str) -> str | None:
    """The alpha-2 code of an ISO alpha-2/alpha-3 code (any case) or of a country name, or None."""
    stripped = text.strip()
    upper = stripped.upper()
    if len(upper) == 2 and upper in _ALPHA2:
        return upper
    if len(upper) == 3 and upper in _ALPHA3:
        return _ALPHA3[upper]
    return from_name(stripped)


class CountryResolver:
    """Maps country texts and remembers the ones it could not map (``unmapped``: text -> times)."""

    def __init__(self) -> None:
        self.unmapped: Counter[str] = Counter()

    def name(self, text: str) -> str | None:
        """A country written as a name (OFAC, UN)."""
        return self._remember(text, from_name(text))

    def code(self, text: str) -> str | None:
        """A country written as a code or a name (OpenSanctions, Senzing)."""
        return self._remember(text, from_code_or_name(text))

    def _remember(self, text: str, code: str | None) -> str | None:
        if code is None and _key(text) not in _UNKNOWN:
            self.unmapped[" ".join(text.split())] += 1
        return code
