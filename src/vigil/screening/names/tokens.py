"""Token forms, joins, retrieval keys and rarity weights (``similarity`` compares the forms).

Each token is compared in three forms, because names vary in three ways:

* ``text``: the normalised spelling; a typo is an edit here (optimal string alignment, so a swap of
  two adjacent letters is one edit, not two).
* ``fold``: a spelling-variant key. Consonant digraphs that transliterate one sound collapse
  (``kh``/``h``, ``dzh``/``j``, ``q``/``k``, ``ph``/``f``, ``w``/``v``), vowels fall into three
  classes (a e; i y; o u) and doubled letters merge, so ``Mohammed``, ``Muhamed`` and ``Mohamed``
  share a fold while ``Mahmoud`` keeps its own.
* ``skels``: the consonant skeleton and its variants, used only when one side came from Arabic
  script, which writes no short vowels: ``محمد`` transliterates to ``mhmd``, the skeleton of
  ``Mohammed``.

Retrieval keys make similar tokens meet in a table: the text, the fold and the skeletons, each
with its deletion variants (a deletion on both sides also meets a substitution or an adjacent
swap; two deletions for longer words, which stay similar after two typos). Two tokens are
retrievable from each other exactly when they share a key, a symmetric relation: a list entry
finds a customer exactly when the customer finds it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from vigil.screening.names.normalise import TokenClass, Word

CLASS_FACTOR = {TokenClass.NAME: 1.0, TokenClass.PARTICLE: 0.15, TokenClass.TITLE: 0.1, TokenClass.LEGAL: 0.1}
INITIAL_WEIGHT = 1.5  # an initial carries one letter of information, whatever its rarity
TWO_EDITS = 7  # 2 edits in 7 letters: similarity 0.71, over the similarity floor (0.7)
TWO_EDITS_MAX = 16  # longer words (company words mostly) would bring C(n, 2) keys each
SKELETON_EDIT = 5  # one edit in 5 consonants: 0.8 x 0.9 = 0.72; in 4 already under the floor

_DIGRAPHS = re.compile(r"dzh|dj|zh|kh|gh|ph|th|dh|sch|tch|ch|ck|tz|x|q|c|w|ee|ou|oo")
_DIGRAPH_MAP = {
    "dzh": "j",
    "dj": "j",
    "zh": "j",
    "kh": "h",
    "gh": "g",
    "ph": "f",
    "th": "t",
    "dh": "d",
    "sch": "sh",
    "tch": "ch",
    "ch": "ch",
    "ck": "k",
    "tz": "ts",
    "x": "ks",
    "q": "k",
    "c": "k",
    "w": "v",
    "ee": "i",
    "ou": "u",
    "oo": "u",
}
# Transliterated Arabic script holds only anyascii's own digraphs; "zh" there is z then h.
_ABJAD_DIGRAPHS = re.compile(r"kh|gh|th|dh|q")
_VOWEL_CLASS = str.maketrans("aeiouy", "aaiuui")
_VOWELS = frozenset("aiu")
# Skeletons keep consonants only, w and y included (in Arabic script they are mostly long vowels),
# and merge the letters one Arabic letter is written with in different traditions: dad/zah/dhal as
# d, dh or z; jim as j, dj or g (Egypt); qaf as q or k; shin as sh or ch (French), French c as s or k.
_SKELETON_LETTERS = re.compile(r"dh|dj|ch|c[eiy]?|q|z|j")
_SKELETON_MAP = {"dh": "d", "dj": "g", "ch": "sh", "c": "k", "q": "k", "z": "d", "j": "g"}
_NOT_CONSONANT = frozenset("aeiouyw")
_DIGRAPH_FIRSTS = frozenset("sckgdtz")  # a final h after these is part of sh, kh, gh..., no ending


def _squeeze(text: str) -> str:
    return "".join(c for i, c in enumerate(text) if i == 0 or c != text[i - 1])


def fold(text: str, abjad: bool = False) -> str:
    """The spelling-variant key of a token (see the module docstring)."""
    if abjad:
        # In Arabic script w and y inside a word are mostly the long vowels u and i.
        text = text[:1] + text[1:].replace("w", "u").replace("y", "i")
        text = _ABJAD_DIGRAPHS.sub(lambda m: _DIGRAPH_MAP[m.group()], text)
    else:
        text = _DIGRAPHS.sub(lambda m: _DIGRAPH_MAP[m.group()], text)
    return _squeeze(text.translate(_VOWEL_CLASS))


def _skeleton_letter(m: re.Match[str]) -> str:
    found = m.group()
    if found[0] == "c" and len(found) == 2 and found != "ch":
        return "s" + found[1]  # French "Belkacem", "Hocine"
    return _SKELETON_MAP[found]


def skeleton(text: str) -> str:
    """Consonants only, with the merges above: what Arabic script writes of a name.

    A first w or y stays (at the start of a word they are the consonants of "Wali", "Yusuf").
    """
    merged = _SKELETON_LETTERS.sub(_skeleton_letter, text.replace("v", "w"))
    return _squeeze(merged[:1].strip("aeiou") + "".join(c for c in merged[1:] if c not in _NOT_CONSONANT))


def skeletons(text: str, abjad: bool) -> tuple[str, ...]:
    """The skeleton, and the forms it takes where Arabic script and Latin spellings part ways.

    For abjad tokens: the article is attached to the next word (``الجليل`` -> ``ljlyl``, Latin
    "Abdul Jalil"), so also without a leading l; the feminine ending is written h where Latin
    writes a, at or nothing (``أسامة`` -> ``smh`` "Usama", ``عصبة`` -> ``sbh`` "Asbat"), so also
    without it or as t; a first alif or ayn is lost in transliteration and leaves the long vowel
    as a consonant (``إياد`` -> ``yd`` "Iyad", ``أول`` -> ``wl`` "Awal"), so also without a first
    w or y; and tha is s in Persian and Urdu, t in Egypt (``ثاقب`` -> ``thqb`` "Saqib").
    Latin ``abdul``/``abdur`` also try plain ``abd``.
    """
    skel = skeleton(text)
    forms = [skel]
    if abjad:
        if "th" in text:
            forms += [skeleton(text.replace("th", "s")), skeleton(text.replace("th", "t"))]
        if text[:1] in ("w", "y") and len(skel) > 1:
            forms += [f[1:] for f in forms]
        if len(skel) > 2 and text.endswith("h") and text[-2:-1] not in _DIGRAPH_FIRSTS:
            forms += [f[:-1] + end for f in forms for end in ("", "t")]
        if len(skel) > 2 and text.startswith("l"):
            forms += [f[1:] for f in forms]
    elif text.startswith("abd") and skel in ("bdl", "bdr"):
        forms.append("bd")
    return tuple(dict.fromkeys(f for f in forms if f))


@dataclass(frozen=True, slots=True)
class Tok:
    """A token with its comparison forms, built once per distinct (text, abjad) and shared."""

    text: str
    abjad: bool
    cls: TokenClass
    fold: str
    skels: tuple[str, ...]  # the consonant skeleton and its variants (see ``skeletons``)
    initial: bool
    digits: bool


@lru_cache(maxsize=1 << 18)
def make_tok(text: str, abjad: bool, cls: TokenClass) -> Tok:
    initial = len(text) == 1 and text.isalpha() and not abjad  # Arabic "ما" is "m": a word, no initial
    return Tok(
        text, abjad, cls, fold(text, abjad), skeletons(text, abjad), initial, any(c.isdigit() for c in text)
    )


def tok(word: Word) -> Tok:
    return make_tok(word.text, word.abjad, word.cls)


_JOINS: dict[tuple[str, str, bool], Tok] = {}


def join(a: Tok, b: Tok) -> Tok | None:
    """The two tokens written as one (``abdul rahman`` / ``abdulrahman``), or None when meaningless.

    The skeletons combine the parts' variants, so ``سعد الدين`` (``sd ldyn``) reads ``saduddin``.
    """
    if a.initial or b.initial or a.digits or b.digits:
        return None
    abjad = a.abjad or b.abjad
    key = (a.text, b.text, abjad)
    found = _JOINS.get(key)
    if found is None:
        text = a.text + b.text
        # The first word's ending may be written as t (construct state: "Jabhat Fath"), the
        # second's article assimilated ("sd ldyn", "Saduddin"): those variants, not every mix.
        firsts = [x for x in a.skels if not x.endswith("h")] or list(a.skels[:1])
        combos = (_squeeze(x + y) for x in firsts[:2] for y in b.skels[:2])
        skels = tuple(dict.fromkeys((*skeletons(text, abjad), *combos)))
        found = Tok(text, abjad, TokenClass.NAME, fold(text, abjad), skels, False, False)
        if len(_JOINS) >= 1 << 18:
            _JOINS.clear()  # bounded: joins of query tokens are unbounded in number
        _JOINS[key] = found
    return found


def _deletions(text: str, minimum: int) -> Iterator[str]:
    yield text
    if len(text) >= minimum:
        for i in range(len(text)):
            yield text[:i] + text[i + 1 :]


def _double_deletions(text: str) -> Iterator[str]:
    for i in range(len(text)):
        for j in range(i + 1, len(text)):
            yield text[:i] + text[i + 1 : j] + text[j + 1 :]


def plain_keys(t: Tok, joined: bool = False) -> frozenset[str]:
    """Keys shared by tokens that may be typos or spelling variants of each other.

    Two edits still leave a token of seven letters or more over the similarity floor, so tokens
    of 7 to 16 letters also get their double deletions; words ``joined`` from two (long, and
    many) do not: a typo in a joined form is found through its parts.
    """
    if t.initial:
        return frozenset()  # an initial would retrieve every name with that letter: scored, not retrieved
    keys = {"t" + k for k in _deletions(t.text, 4)}
    if TWO_EDITS <= len(t.text) <= TWO_EDITS_MAX and not joined:
        keys.update("t" + k for k in _double_deletions(t.text))
    if not t.digits:
        keys.update("f" + k for k in _deletions(t.fold, 4))
    return frozenset(keys)


def skeleton_keys(t: Tok, joined: bool = False) -> frozenset[str]:
    """Keys shared by consonant skeletons; they count only when one of the two tokens is abjad.

    Deletions only from SKELETON_EDIT consonants (in shorter skeletons one edit is no match), and
    none for ``joined`` words, which have many skeletons already.
    """
    if t.initial or t.digits:
        return frozenset()
    if joined:
        return frozenset("s" + skel for skel in t.skels)
    return frozenset("s" + k for skel in t.skels for k in _deletions(skel, SKELETON_EDIT))


class TokenWeights:
    """Rarity of tokens over the listed names (inverse document frequency over folds).

    A common token ("mohammed", "ali", "trading") says little about who someone is, a rare one
    says a lot. Folds rather than spellings are counted so that variants share their rarity, and
    skeletons too, for tokens transliterated from Arabic script (``mhmd`` is as common as
    "Mohammed").
    Weights come from the list only, and both directions of screening use the same object, so a
    customer scores the same against an entry whichever side is searched.
    """

    __slots__ = ("_df", "_names")

    LOW = 1.0
    HIGH = 9.0

    def __init__(self, df: Counter[str], names: int) -> None:
        self._df = df
        self._names = max(names, 1)

    @classmethod
    def count(cls, names: Iterable[Iterable[Tok]]) -> TokenWeights:
        df: Counter[str] = Counter()
        n = 0
        for toks in names:
            n += 1
            df.update({t.fold for t in toks} | {"\x00" + t.skels[0] for t in toks if t.skels})
        return cls(df, n)

    def of_key(self, key: str) -> float:
        idf = math.log((self._names + 1) / (self._df.get(key, 0) + 0.5))
        return min(self.HIGH, max(self.LOW, idf))

    def weight(self, t: Tok) -> float:
        """What a token weighs in a name: rarity times what its class is worth."""
        if t.initial:
            return INITIAL_WEIGHT
        key = "\x00" + t.skels[0] if t.abjad and t.skels else t.fold
        return self.of_key(key) * CLASS_FACTOR[t.cls]

    @property
    def names(self) -> int:
        return self._names
