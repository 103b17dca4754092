"""Aligning a query's tokens with a listed name's tokens, and the name score that follows.

Token order carries no weight (lists and customers write names in every order), so the query is
a bag of tokens. Each query token is paired with at most one listed token, greedily by similarity
(ties broken by the tokens' text, never their position, so reordering a query cannot change its
score). Adjacent listed tokens may pair with one query token (``al tikriti`` / ``altikriti``),
and two query tokens that resemble nothing listed, in either order, with one listed token
(``abdul jabbar`` / ``ABDULJABBAR``).

The name score is a weighted Tversky ratio::

    matched weight x similarity / (matched weight + missing listed tokens x role cost
                                   + QUERY_EXTRA x extra query tokens)

Weights are token rarity; the role cost makes a missing middle name cheap (and several missing
middle names hardly dearer than one) and a missing surname dear; extra query tokens (a customer's
second given name that the list never knew) cost part of their weight. ``bound`` is a cheap upper
bound of the score that lets callers skip names that cannot reach a threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import permutations

from vigil.screening.names.normalise import Role, TokenClass
from vigil.screening.names.similarity import similarity
from vigil.screening.names.tokens import Tok, join

ROLE_COST = {Role.GIVEN: 1.0, Role.MIDDLE: 0.2, Role.SURNAME: 1.5, Role.NAME: 1.0}  # when missing
QUERY_EXTRA = 0.6  # share of its weight a query token the listed name lacks costs
MAX_QUERY_JOIN = 4  # lonely query tokens; beyond this, pairs of them are not tried as one word
JOIN_FLOOR = 0.85  # two words read as one must then be nearly equal: "musa ahmad" is no "mohammad"
JOINED_SIZE = 4  # letters (consonants for Arabic script) a listed word needs to be two written apart


@dataclass(frozen=True, slots=True)
class PreparedName:
    """One listed name, ready to compare: tokens, roles, weights, and adjacent joins."""

    text: str
    toks: tuple[Tok, ...]
    roles: tuple[Role, ...]
    weights: tuple[float, ...]
    costs: tuple[float, ...]  # weight x role cost: what each token costs when the query lacks it
    joins: tuple[Join, ...]  # neighbouring tokens written as one word
    by_rule: tuple[int, ...]  # places of initials and legal forms: compared by rule, never retrieved


@dataclass(frozen=True, slots=True)
class Join:
    """Listed tokens ``start:end`` written as one word: two neighbours, or three around a particle."""

    start: int
    end: int
    tok: Tok


def joins_of(toks: Sequence[Tok]) -> tuple[Join, ...]:
    """``al tikriti`` -> ``altikriti``; ``abd al khaliq`` -> ``abdalkhaliq`` (particle in the middle)."""
    found = []
    for j in range(len(toks) - 1):
        pair = join(toks[j], toks[j + 1])
        if pair is not None:
            found.append(Join(j, j + 2, pair))
            if j + 2 < len(toks) and toks[j + 1].cls is TokenClass.PARTICLE:
                triple = join(pair, toks[j + 2])
                if triple is not None:
                    found.append(Join(j, j + 3, triple))
    return tuple(found)


def prepare(
    text: str, toks: tuple[Tok, ...], roles: tuple[Role, ...], weights: Sequence[float]
) -> PreparedName:
    """A listed name with its tokens' costs when missing (particles, titles and legal forms cost
    their small weight whatever their place) and its joins."""
    costs = tuple(
        w * (ROLE_COST[r] if t.cls is TokenClass.NAME else 1.0)
        for t, r, w in zip(toks, roles, weights, strict=True)
    )
    ruled = tuple(j for j, t in enumerate(toks) if t.initial or t.cls is TokenClass.LEGAL)
    return PreparedName(text, toks, roles, tuple(weights), costs, joins_of(toks), ruled)


# (-similarity, tokens spanned, query text, listed start, listed end, query indices): sorts best first
Candidate = tuple[float, int, str, int, int, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Link:
    """One pairing: query token(s) with listed token(s) ``entry[start:end]`` and their similarity."""

    query: tuple[int, ...]
    start: int
    end: int
    similarity: float


@dataclass(frozen=True, slots=True)
class Alignment:
    """The outcome of comparing a query with one listed name."""

    score: float  # 0..1
    links: tuple[Link, ...]
    missing: tuple[int, ...]  # listed tokens no query token matched
    extra: tuple[int, ...]  # query tokens that matched nothing


def listed_similarity(q: Tok, e: Tok, role: Role) -> float:
    """``similarity``, except that initials stand only for given and middle names ("J. Smith"; not
    "John S.", nor the "I." of "I.P.C. Ltd" for "Institute")."""
    if (q.initial or e.initial) and role not in (Role.GIVEN, Role.MIDDLE) and q.text != e.text:
        return 0.0
    return similarity(q, e)


def _size(t: Tok) -> int:
    """Length as the comparison sees it: consonants for Arabic script, letters otherwise."""
    return len(t.skels[0]) if t.abjad and t.skels else len(t.text)


def _plausible(a: Tok, b: Tok, e: Tok) -> bool:
    """Could ``a`` and ``b`` written as one word be ``e``? Lengths must add up (most pairs fail here)."""
    if a.abjad or b.abjad or e.abjad:
        if not (a.skels and b.skels and e.skels):
            return False
        x, y = len(a.skels[0]) + len(b.skels[0]), len(e.skels[0])
    else:
        x, y = len(a.text) + len(b.text), len(e.text)
    return abs(x - y) <= max(2, (x + y) // 6)


def direct_pairs(query: Sequence[Tok], name: PreparedName) -> list[Candidate]:
    """Every pairing with its similarity computed: what an index's retrieval must reproduce."""
    cands: list[Candidate] = []
    for i, q in enumerate(query):
        for j, (e, r) in enumerate(zip(name.toks, name.roles, strict=True)):
            s = listed_similarity(q, e, r)
            if s > 0.0:
                cands.append((-s, 1, q.text, j, j + 1, (i,)))
        if not q.initial:
            for g in name.joins:
                s = similarity(q, g.tok)
                if s >= JOIN_FLOOR:
                    cands.append((-s, g.end - g.start, q.text, g.start, g.end, (i,)))
    return cands


def align(
    query: Sequence[Tok], qweights: Sequence[float], name: PreparedName, cands: list[Candidate]
) -> Alignment:
    """Align ``query`` with ``name`` given the candidate pairings (``Candidate`` tuples).

    The caller lists every query token / listed token (or listed join) pair with a non-zero
    similarity, joins only from JOIN_FLOOR: computed directly (``direct_pairs``) or taken from
    what an index already retrieved. Pairs of query tokens written as one are tried here.
    """
    lonely = _lonely(len(query), cands)
    links = _greedy(cands, set(), set())
    used_q = {i for link in links for i in link.query}
    used_e = {j for link in links for j in range(link.start, link.end)}
    if 2 <= len(lonely) <= MAX_QUERY_JOIN and len(used_e) < len(name.toks):
        links += _query_joins(query, name, lonely, used_e)
        used_q = {i for link in links for i in link.query}
        used_e = {j for link in links for j in range(link.start, link.end)}
    matched = 0.0
    total = 0.0
    for link in links:
        w = sum(name.weights[link.start : link.end])
        matched += w * link.similarity
        total += w
    missing = tuple(j for j in range(len(name.toks)) if j not in used_e)
    extra = tuple(i for i in range(len(query)) if i not in used_q)
    total += _missing_cost(name, missing) + QUERY_EXTRA * sum(qweights[i] for i in extra)
    score = matched / total if total > 0.0 else 0.0
    return Alignment(score, tuple(sorted(links, key=lambda k: k.start)), missing, extra)


def bound(
    query: Sequence[Tok], qweights: Sequence[float], name: PreparedName, cands: list[Candidate]
) -> float:
    """An upper bound of ``align(...).score`` at a fraction of its cost, to skip hopeless names.

    Each listed token is credited with its best similarity to anything; tokens nothing resembles
    cost what they would if missing, query tokens that resemble nothing count as extra, unless
    two of them could make a listed word together (then they are credited as if they did).
    """
    best = [0.0] * len(name.toks)
    for neg, _, _, start, end, _ in cands:
        for j in range(start, end):
            best[j] = max(best[j], -neg)
    lonely = _lonely(len(query), cands)
    matched = sum(w * m for w, m in zip(name.weights, best, strict=True))
    unmatched = [j for j, m in enumerate(best) if m == 0.0]
    joinable = [j for j, t in enumerate(name.toks) if t.cls is TokenClass.NAME and _size(t) >= JOINED_SIZE]
    if len(lonely) >= 2 and joinable:
        gains = sorted((name.weights[j] * (1.0 - best[j]) for j in joinable), reverse=True)
        matched += sum(gains[: len(lonely) // 2])
        unmatched = [j for j in unmatched if j not in joinable]
        extra = 0.0
    else:
        extra = QUERY_EXTRA * sum(qweights[i] for i in lonely)
    least = _missing_cost(name, unmatched) + extra
    return matched / (matched + least) if matched > 0.0 else 0.0


def _lonely(size: int, cands: list[Candidate]) -> set[int]:
    """Query tokens that resemble nothing in the listed name: the only ones tried two as one."""
    paired = {i for c in cands for i in c[5]}
    return {i for i in range(size) if i not in paired}


def _missing_cost(name: PreparedName, missing: Sequence[int]) -> float:
    """What the listed tokens the query lacks cost: each its full cost, except middle names.

    A query that leaves out one middle name usually leaves them all out ("Tariq Ahmad" for
    "Tariq Anwar al-Sayyid Ahmad"): the dearest missing middle name costs in full, the next half,
    the next a quarter, and so on, so that five missing middle names cost hardly more than two.
    """
    middles = sorted((name.costs[j] for j in missing if name.roles[j] is Role.MIDDLE), reverse=True)
    others = sum(name.costs[j] for j in missing if name.roles[j] is not Role.MIDDLE)
    return others + sum(c * 0.5**k for k, c in enumerate(middles))


def _greedy(cands: list[Candidate], used_q: set[int], used_e: set[int]) -> list[Link]:
    """Best similarity first; on a tie the pairing that spans fewer tokens, then by text."""
    cands.sort()
    links: list[Link] = []
    for neg, _, _, start, end, qs in cands:
        if any(i in used_q for i in qs) or any(j in used_e for j in range(start, end)):
            continue
        used_q.update(qs)
        used_e.update(range(start, end))
        links.append(Link(qs, start, end, -neg))
    return links


_JOINED: dict[tuple[str, bool, str, bool], float] = {}


def _joined_similarity(joined: Tok, e: Tok) -> float:
    """``similarity`` remembered: the same query pair meets the same listed word in many names."""
    key = (joined.text, joined.abjad, e.text, e.abjad)
    found = _JOINED.get(key)
    if found is None:
        if len(_JOINED) >= 1 << 16:
            _JOINED.clear()
        found = _JOINED[key] = similarity(joined, e)
    return found


def _query_joins(query: Sequence[Tok], name: PreparedName, lonely: set[int], used_e: set[int]) -> list[Link]:
    """Two lonely query tokens written as one listed token (``abdul jabbar`` / ``ABDULJABBAR``)."""
    free_e = [
        j
        for j in range(len(name.toks))
        if j not in used_e and name.toks[j].cls is TokenClass.NAME and _size(name.toks[j]) >= JOINED_SIZE
    ]
    if not free_e:
        return []
    cands: list[Candidate] = []
    for i, k in permutations(sorted(lonely), 2):
        joined: Tok | None = None
        for j in free_e:
            if not _plausible(query[i], query[k], name.toks[j]):
                continue
            joined = joined or join(query[i], query[k])
            if joined is None:
                break
            s = _joined_similarity(joined, name.toks[j])
            if s >= JOIN_FLOOR:
                cands.append((-s, 2, joined.text, j, j + 1, (i, k)))
    return _greedy(cands, set(), set(used_e))
