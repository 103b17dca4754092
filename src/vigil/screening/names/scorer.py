"""The one scorer: a query side (a screened party) against a listed entry, names then evidence.

Searching the list for a customer and searching the customers for a changed entry both end here,
always with the customer as the query side and the entry as the listed side, and with the token
weights of the list. That is what makes "customer X hits entry E" the same verdict, with the same
score, whichever way it was found. Only candidate generation differs between the two indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from vigil.screening.entries import Identifier, NameEntry, SubjectKind
from vigil.screening.names import evidence
from vigil.screening.names.align import (
    Alignment,
    Candidate,
    PreparedName,
    align,
    bound,
    direct_pairs,
    prepare,
)
from vigil.screening.names.normalise import in_context, parse_listed, require_letters, words
from vigil.screening.names.results import NameMatch, describe
from vigil.screening.names.tokens import Tok, TokenWeights, tok


@dataclass(frozen=True, slots=True)
class Probe:
    """The query side, normalised once: tokens with weights, and the checked facts."""

    toks: tuple[Tok, ...]
    weights: tuple[float, ...]
    birth_date: str | None
    countries: tuple[str, ...]
    identifiers: tuple[Identifier, ...]
    kind: SubjectKind | None


@dataclass(frozen=True, slots=True)
class PreparedEntry:
    """A listed party with each of its names prepared (names without letters are left out)."""

    entry: NameEntry
    names: tuple[PreparedName, ...]


class Scorer:
    """Prepares both sides with one set of token weights and scores them against each other."""

    __slots__ = ("weights",)

    def __init__(self, weights: TokenWeights) -> None:
        self.weights = weights

    @staticmethod
    def count_weights(entries: Iterable[NameEntry]) -> TokenWeights:
        """Token rarity over every name (primary and aliases) of ``entries``."""
        return TokenWeights.count(tuple(tok(w) for w in words(n)) for e in entries for n in e.names)

    def prepare_entry(self, entry: NameEntry) -> PreparedEntry:
        person = entry.kind in (SubjectKind.PERSON, SubjectKind.UNKNOWN)
        names = []
        seen: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
        for text in entry.names:
            try:
                parsed = parse_listed(text, person)
            except ValueError:
                continue  # an alias with no letters (a lone number, a dash) cannot be screened
            key = (tuple(w.text for w in parsed.words), tuple(parsed.roles))
            if key in seen:
                continue  # "HANIYA, Ismail" and "Ismail HANIYA": one name, written twice
            seen.add(key)
            toks = tuple(tok(w) for w in parsed.words)
            names.append(prepare(text, toks, parsed.roles, [self.weights.weight(t) for t in toks]))
        return PreparedEntry(entry, tuple(names))

    def probe(
        self,
        name: str,
        birth_date: str | None = None,
        countries: Sequence[str] = (),
        identifiers: Sequence[Identifier] = (),
        kind: SubjectKind | None = None,
    ) -> Probe:
        """Normalise and check a query side; raises ``InvalidInput`` naming the bad field."""
        person = None if kind in (None, SubjectKind.UNKNOWN) else kind is SubjectKind.PERSON
        found = in_context(words(name), person)
        require_letters(found, name)
        evidence.check_birth_date(birth_date)
        codes = tuple(dict.fromkeys(evidence.check_country(c) for c in countries))
        toks = tuple(tok(w) for w in found)
        return Probe(
            toks, tuple(self.weights.weight(t) for t in toks), birth_date, codes, tuple(identifiers), kind
        )

    def match(
        self,
        probe: Probe,
        prepared: PreparedEntry,
        pairs: Callable[[int], list[Candidate] | None],
        threshold: float = 0.0,
    ) -> NameMatch | None:
        """Score ``probe`` against the names of ``prepared`` for which ``pairs`` gives pairings.

        ``pairs(k)`` returns the candidate pairings for name k (see ``align``), or None to skip a
        name that candidate generation did not propose. The best name wins; evidence is then
        applied once. Returns None when the score is under ``threshold`` (explanations are only
        built for matches).
        """
        best: tuple[float, int, Alignment] | None = None
        entry = prepared.entry
        identified = bool(probe.identifiers and entry.identifiers)
        hopeless_name = 0.0 if identified else threshold - evidence.MOST_POINTS
        for k, name in enumerate(prepared.names):
            found = pairs(k)
            if found is None:
                continue
            if hopeless_name and 100.0 * bound(probe.toks, probe.weights, name, found) < hopeless_name:
                continue  # cannot reach the threshold, whatever the evidence: not worth aligning
            result = align(probe.toks, probe.weights, name, found)
            if best is None or result.score > best[0]:
                best = (result.score, k, result)
        hopeless = best is None or 100.0 * best[0] + evidence.MOST_POINTS < threshold
        if hopeless and not identified:
            return None  # no fact could lift it: skip the evidence and the explanation
        facts = evidence.collect(
            probe.birth_date,
            probe.countries,
            probe.identifiers,
            probe.kind,
            entry.birth_dates,
            entry.countries,
            entry.identifiers,
            entry.kind,
        )
        if best is None:  # proposed by an identifier alone: explain against the primary name
            first = prepared.names[0]
            best = (0.0, 0, align(probe.toks, probe.weights, first, direct_pairs(probe.toks, first)))
        name_score, k, aligned = best
        name = prepared.names[k]
        if entry.kind is SubjectKind.PERSON and len(name.toks) == 1 and len(probe.toks) > 1:
            facts = (*facts, evidence.one_word_name(name.text))
        if any(f.decisive for f in facts):
            total = 100.0
        else:
            total = min(100.0, max(0.0, 100.0 * name_score + sum(f.points for f in facts)))
        if total < threshold:
            return None
        return NameMatch(
            entry_id=entry.entry_id,
            source=entry.source,
            kind=entry.kind,
            matched_name=name.text,
            alias=name.text != entry.name,
            score=round(total, 2),
            name_score=round(100.0 * name_score, 2),
            pairs=describe(probe.toks, probe.weights, name, aligned),
            evidence=facts,
        )

    def score_direct(self, probe: Probe, prepared: PreparedEntry) -> NameMatch:
        """Score against every name, computing every token similarity: the exhaustive reference."""
        found = self.match(probe, prepared, lambda k: direct_pairs(probe.toks, prepared.names[k]))
        assert found is not None  # threshold 0: every entry gets a match, however poor
        return found
