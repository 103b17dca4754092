"""How alike two tokens are: one pair at a time, or one token against many at once.

``similarity`` is the definition; ``similarities`` computes the same values for one token against
a list (rapidfuzz's ``cdist`` in C, numpy for the rules), which is how retrieval scores the dozens
to hundreds of candidates its keys propose. A test holds the two equal.

The similarity of two tokens is the best of: their spellings (optimal string alignment, so an
adjacent swap is one edit), their folds (spelling variants, x FOLD_FACTOR, only when both start
alike), and, when one of them came from Arabic script, their consonant skeletons (x SKEL_FACTOR).
Under FLOOR it is 0. Initials, numbers and legal forms follow rules of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from vigil.screening.names.normalise import LEGAL_SYNONYMS, TokenClass
from vigil.screening.names.tokens import Tok

FLOOR = 0.7  # similarities under this count as no match at all
FOLD_FACTOR = 0.95  # an equal fold is a spelling variant: nearly, not quite, the same name
SKEL_FACTOR = 0.9  # consonants only: the vowels were never written, so less certainty...
SHORT_SKEL = 0.95  # ...still less with two consonants or fewer ("mr", "bd")...
LONG_SKEL = 1.05  # ...and more with four or more ("mhmd", "brhm"), which few names share
VARIANT = 0.96  # a skeleton's variant (article off, ending off) is a guess: the written form first
INITIAL_SIM = 0.85  # "J" for "John": compatible, but so would "James" be
_VOWELS = frozenset("aiu")  # first letters of folds that are vowels


def _short(x: str, y: str) -> float:
    shortest = min(len(x), len(y))
    return SHORT_SKEL if shortest <= 2 else LONG_SKEL if shortest >= 4 else 1.0


def _same_start(a: str, b: str) -> bool:
    """Spelling variants keep the first sound ("Omar"/"Umar" start with vowels); "Kumar" is not one."""
    return a[:1] == b[:1] or (a[:1] in _VOWELS and b[:1] in _VOWELS)


def by_rule(a: Tok, b: Tok) -> bool:
    """Pairs compared by rule rather than found through keys: initials, and legal forms with synonyms."""
    return a.initial or b.initial or (a.cls is TokenClass.LEGAL and b.cls is TokenClass.LEGAL)


def similarity(a: Tok, b: Tok) -> float:
    """How alike two tokens are, 0 or FLOOR..1; symmetric."""
    if a.text == b.text:
        return 1.0
    if a.cls is TokenClass.LEGAL and b.cls is TokenClass.LEGAL:
        return 1.0 if LEGAL_SYNONYMS.get(a.text, a.text) == LEGAL_SYNONYMS.get(b.text, b.text) else 0.0
    if a.initial or b.initial:
        return INITIAL_SIM if a.initial != b.initial and a.text[0] == b.text[0] else 0.0
    if a.digits or b.digits:
        return 0.0  # registration numbers and vessel numbers match exactly or not at all
    best = OSA.normalized_similarity(a.text, b.text)
    if best < FOLD_FACTOR and _same_start(a.fold, b.fold):
        f = 1.0 if a.fold == b.fold else OSA.normalized_similarity(a.fold, b.fold)
        best = max(best, FOLD_FACTOR * f)
    if (a.abjad or b.abjad) and best < SKEL_FACTOR * LONG_SKEL and a.skels and b.skels:
        s = max(
            OSA.normalized_similarity(x, y) * _short(x, y) * (1.0 if m == n == 0 else VARIANT)
            for m, x in enumerate(a.skels)
            for n, y in enumerate(b.skels)
        )
        best = max(best, SKEL_FACTOR * s)
    return best if best >= FLOOR else 0.0


def _osa(a: str, others: list[str]) -> npt.NDArray[np.float64]:
    result: npt.NDArray[np.float64] = cdist([a], others, scorer=OSA.normalized_similarity, dtype=np.float64)[
        0
    ]
    return result


@dataclass(frozen=True, slots=True)
class Columns:
    """The many side of ``similarities``, column by column (a vocabulary keeps them ready)."""

    toks: list[Tok]
    texts: list[str]
    folds: list[str]
    starts: npt.NDArray[np.int32]  # first letter of the fold; vowels are all 0 (see _same_start)
    abjad: npt.NDArray[np.bool_]
    ruled: npt.NDArray[np.bool_]  # initials, numbers, legal forms: compared by rule

    @classmethod
    def of(cls, toks: Sequence[Tok]) -> Columns:
        return cls(
            list(toks),
            [t.text for t in toks],
            [t.fold for t in toks],
            np.fromiter((start(t) for t in toks), dtype=np.int32, count=len(toks)),
            np.fromiter((t.abjad for t in toks), dtype=bool, count=len(toks)),
            np.fromiter((ruled(t) for t in toks), dtype=bool, count=len(toks)),
        )


def start(t: Tok) -> int:
    first = t.fold[:1]
    return 0 if not first or first in _VOWELS else ord(first)


def ruled(t: Tok) -> bool:
    return t.initial or t.digits or t.cls is TokenClass.LEGAL


def similarities(a: Tok, others: Columns) -> npt.NDArray[np.float64]:
    """``[similarity(a, b) for b in others.toks]``, computed in bulk (a test holds them equal)."""
    if not others.toks:
        return np.empty(0)
    best = _osa(a.text, others.texts)
    same = others.starts == start(a)
    best = np.maximum(best, np.where(same, FOLD_FACTOR * _osa(a.fold, others.folds), 0.0))
    if a.skels:
        abjad = np.flatnonzero(others.abjad | a.abjad)
        abjad = abjad[[bool(others.toks[k].skels) for k in abjad.tolist()]] if len(abjad) else abjad
        if len(abjad):
            chosen = [others.toks[k].skels for k in abjad.tolist()]
            flat = [y for skels in chosen for y in skels]
            groups = np.cumsum([0] + [len(skels) for skels in chosen])[:-1]
            table = cdist(a.skels, flat, scorer=OSA.normalized_similarity, dtype=np.float64)
            shortest = np.minimum.outer(np.array([len(x) for x in a.skels]), np.array([len(y) for y in flat]))
            table *= np.where(shortest <= 2, SHORT_SKEL, np.where(shortest >= 4, LONG_SKEL, 1.0))
            primary = np.zeros(len(flat), dtype=bool)
            primary[groups] = True  # the first skeleton of each token is its written form
            table *= np.where(np.outer(np.arange(len(a.skels)) == 0, primary), 1.0, VARIANT)
            per_token = np.maximum.reduceat(table.max(axis=0), groups)
            best[abjad] = np.maximum(best[abjad], SKEL_FACTOR * per_token)
    best[best < FLOOR] = 0.0
    special = range(len(others.toks)) if ruled(a) else np.flatnonzero(others.ruled).tolist()
    for k in special:
        best[k] = similarity(a, others.toks[k])  # the rules: few tokens, done one by one
    return best
