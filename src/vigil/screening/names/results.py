"""What a screening is asked and what it answers: queries, matches, and their explanations.

A match carries its score and the reasons for it twice: as readable sentences (``explanation``)
for an analyst, and as structure (``pairs``, ``evidence``, ``to_dict``) for the CLI's JSON and for
an audit trail that must say what matched *and what did not*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vigil.screening.entries import Identifier, SubjectKind
from vigil.screening.names.align import QUERY_EXTRA, Alignment, PreparedName
from vigil.screening.names.evidence import Evidence
from vigil.screening.names.normalise import Role, TokenClass
from vigil.screening.names.tokens import Tok


@dataclass(frozen=True, slots=True)
class NameQuery:
    """A party to screen: its name, and what else is known (all optional)."""

    name: str
    birth_date: str | None = None  # ISO 8601 prefix: 1965, 1965-03 or 1965-03-15
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2: nationality, residence
    identifiers: tuple[Identifier, ...] = ()
    kind: SubjectKind | None = None


@dataclass(frozen=True, slots=True)
class TokenPair:
    """How one part of the two names compared.

    A matched pair has both sides; a listed token the query lacks has ``query=None``; a query token
    the listed name lacks has ``listed=None``. ``weight`` is what the pair counts in the name score.
    """

    query: str | None
    listed: str | None
    role: str | None  # "given name", "surname", "particle"... of the listed token(s)
    similarity: float
    weight: float

    def sentence(self) -> str:
        if self.listed is None:
            return f"{self.query!r} in the query is not in the listed name"
        if self.query is None:
            return f"{self.role} {self.listed!r} missing from the query"
        if self.similarity >= 1.0:
            return f"{self.role} {self.query!r} = {self.listed!r}"
        return f"{self.role} {self.query!r} ~ {self.listed!r} ({self.similarity:.2f})"


@dataclass(frozen=True, slots=True)
class NameMatch:
    """One listed party that resembles the query, with the score and why."""

    entry_id: str
    source: str
    kind: SubjectKind
    matched_name: str  # the listed name (primary or alias) that matched best
    alias: bool
    score: float  # 0-100, evidence included
    name_score: float  # 0-100, names only
    pairs: tuple[TokenPair, ...]
    evidence: tuple[Evidence, ...]

    @property
    def explanation(self) -> tuple[str, ...]:
        which = "alias" if self.alias else "name"
        head = f"{which} {self.matched_name!r}: name score {self.name_score:.1f}"
        return (head, *(p.sentence() for p in self.pairs), *(e.detail for e in self.evidence))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (plain dicts, lists, strings and numbers)."""
        return {
            "entry_id": self.entry_id,
            "source": self.source,
            "kind": str(self.kind),
            "matched_name": self.matched_name,
            "alias": self.alias,
            "score": self.score,
            "name_score": self.name_score,
            "explanation": list(self.explanation),
            "pairs": [
                {
                    "query": p.query,
                    "listed": p.listed,
                    "role": p.role,
                    "similarity": round(p.similarity, 3),
                    "weight": round(p.weight, 3),
                }
                for p in self.pairs
            ],
            "evidence": [
                {
                    "fact": str(e.fact),
                    "verdict": str(e.verdict),
                    "points": e.points,
                    "detail": e.detail,
                    "decisive": e.decisive,
                }
                for e in self.evidence
            ],
        }


def _label(name: PreparedName, start: int, end: int) -> str:
    """The role shown for listed tokens: the first real name token's role, else the token's class."""
    for j in range(start, end):
        if name.toks[j].cls is TokenClass.NAME:
            role = name.roles[j]
            return "name" if role is Role.NAME else str(role)
    cls = name.toks[start].cls
    return "legal form" if cls is TokenClass.LEGAL else str(cls)


def describe(
    query: Sequence[Tok], qweights: Sequence[float], name: PreparedName, found: Alignment
) -> tuple[TokenPair, ...]:
    """Every token of both names, in the listed order, then the query's extra tokens."""
    pairs: list[tuple[int, TokenPair]] = []
    for link in found.links:
        pairs.append(
            (
                link.start,
                TokenPair(
                    query=" ".join(query[i].text for i in link.query),
                    listed=" ".join(t.text for t in name.toks[link.start : link.end]),
                    role=_label(name, link.start, link.end),
                    similarity=link.similarity,
                    weight=sum(name.weights[link.start : link.end]),
                ),
            )
        )
    for j in found.missing:
        pairs.append((j, TokenPair(None, name.toks[j].text, _label(name, j, j + 1), 0.0, name.costs[j])))
    pairs.sort(key=lambda p: p[0])
    extras = [
        TokenPair(query[i].text, None, None, 0.0, QUERY_EXTRA * qweights[i])
        for i in sorted(found.extra, key=lambda i: query[i].text)
    ]
    return (*(p for _, p in pairs), *extras)
