"""The screening policy: what a list hit does, by category and direction, written as data.

The default is ``screening/policies/default.yaml``; an exchange passes its own file. Loading
validates everything (unknown categories, directions or outcomes, thresholds out of range) and
names the file and the category at fault, so a typo never silently weakens screening. Every
category must be present: a category the file forgot would otherwise be let through.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

import msgspec
import yaml

from vigil.errors import InvalidRules
from vigil.model import Outcome
from vigil.screening.entries import Category


class Direction(StrEnum):
    """Which side of a transfer the screened address is on."""

    DEPOSIT = "deposit"  # the source of incoming funds
    WITHDRAWAL = "withdrawal"  # the destination of outgoing funds
    ADDRESS_BOOK = "address_book"  # an address a customer saves for later


@dataclass(frozen=True, slots=True)
class Effect:
    """What one category does in each direction, and whether the customer should be warned."""

    outcomes: dict[Direction, Outcome]
    warn_user: bool = False

    def outcome(self, direction: Direction) -> Outcome:
        return self.outcomes[direction]


@dataclass(frozen=True, slots=True)
class NameThresholds:
    review: float
    hold: float

    def outcome(self, score: float) -> Outcome:
        if score >= self.hold:
            return Outcome.HOLD
        if score >= self.review:
            return Outcome.REVIEW
        return Outcome.ALLOW


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    version: str
    min_confidence: int
    effects: dict[Category, Effect]
    names: NameThresholds

    def effect(self, category: Category) -> Effect:
        return self.effects[category]


class _EffectDef(msgspec.Struct, forbid_unknown_fields=True):
    deposit: str
    withdrawal: str
    address_book: str
    warn_user: bool = False


class _NamesDef(msgspec.Struct, forbid_unknown_fields=True):
    review: float
    hold: float


class _PolicyDef(msgspec.Struct, forbid_unknown_fields=True):
    policy: str
    version: int | str
    categories: dict[str, Any]
    names: _NamesDef
    min_confidence: int = 50


def load_policy(text: str, *, file: str) -> Policy:
    """Parse and validate a policy file; ``InvalidRules`` names the file, category and field."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidRules(f"not valid YAML: {exc}", file=file) from None
    try:
        spec = msgspec.convert(raw, _PolicyDef)
    except msgspec.ValidationError as exc:
        raise InvalidRules(str(exc), file=file) from None
    if not 0 <= spec.min_confidence <= 100:
        raise InvalidRules("must be between 0 and 100", file=file, field="min_confidence")
    effects: dict[Category, Effect] = {}
    for name, value in spec.categories.items():
        try:
            category = Category(name)
        except ValueError:
            known = ", ".join(c.value for c in Category)
            raise InvalidRules(f"unknown category {name!r} (known: {known})", file=file) from None
        effects[category] = _effect(value, file=file, category=name)
    missing = [c.value for c in Category if c not in effects]
    if missing:
        raise InvalidRules(
            f"categories without an effect: {', '.join(missing)}", file=file, field="categories"
        )
    if not 0 <= spec.names.review <= spec.names.hold <= 100:
        raise InvalidRules("need 0 <= review <= hold <= 100", file=file, field="names")
    return Policy(
        name=spec.policy,
        version=str(spec.version),
        min_confidence=spec.min_confidence,
        effects=effects,
        names=NameThresholds(review=spec.names.review, hold=spec.names.hold),
    )


def default_policy() -> Policy:
    text = resources.files("vigil.screening").joinpath("policies/default.yaml").read_text()
    return load_policy(text, file="default.yaml")


def _effect(value: object, *, file: str, category: str) -> Effect:
    if isinstance(value, str):
        outcome = _outcome(value, file=file, category=category, field="outcome")
        return Effect(dict.fromkeys(Direction, outcome))
    try:
        spec = msgspec.convert(value, _EffectDef)
    except msgspec.ValidationError as exc:
        raise InvalidRules(str(exc), file=file, rule=category) from None
    outcomes = {
        d: _outcome(getattr(spec, d.value), file=file, category=category, field=d.value) for d in Direction
    }
    return Effect(outcomes, warn_user=spec.warn_user)


def _outcome(value: str, *, file: str, category: str, field: str) -> Outcome:
    try:
        return Outcome[value.upper()]
    except KeyError:
        known = ", ".join(o.label for o in Outcome)
        raise InvalidRules(
            f"unknown outcome {value!r} (known: {known})", file=file, rule=category, field=field
        ) from None
