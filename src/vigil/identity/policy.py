"""The document policy: what each failed check does (an outcome and a score), the minimum age, and the
issuing states each region's customers are expected to hold (``policies/default.yaml``, docs/identity.md).

The file is data the exchange may replace (``VIGIL_KYC_POLICY``); the minimum age is a setting
(``VIGIL_KYC_MINIMUM_AGE``) given to ``load_policy``. Every error names the file and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import msgspec
import yaml

from vigil.errors import InvalidInput
from vigil.model import Outcome
from vigil.model.reasons import ReasonCode

DEFAULT_MINIMUM_AGE = 18
# The codes the document policy raises (the identity pack raises the reuse codes).
CHECK_CODES = frozenset(
    {
        ReasonCode.IDENTITY_MRZ_UNREADABLE,
        ReasonCode.IDENTITY_MRZ_INVALID,
        ReasonCode.IDENTITY_DOCUMENT_EXPIRED,
        ReasonCode.IDENTITY_UNDERAGE,
        ReasonCode.IDENTITY_NAME_MISMATCH,
        ReasonCode.IDENTITY_BIRTH_DATE_MISMATCH,
        ReasonCode.IDENTITY_SEX_MISMATCH,
        ReasonCode.IDENTITY_NATIONALITY_MISMATCH,
        ReasonCode.IDENTITY_ISSUER_OUTSIDE_REGION,
    }
)
_STATE = re.compile(r"[A-Z]{1,3}")


@dataclass(frozen=True, slots=True)
class Effect:
    """What a failed check does: the outcome it forces (``allow``: none) and the score it adds."""

    outcome: Outcome
    score: float


@dataclass(frozen=True, slots=True)
class DocumentPolicy:
    minimum_age: int = DEFAULT_MINIMUM_AGE
    effects: Mapping[ReasonCode, Effect] = field(default_factory=dict)
    regions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    version: str = "default"

    def effect(self, code: ReasonCode) -> Effect:
        return self.effects.get(code, Effect(Outcome.REVIEW, 0.0))


class _EffectDef(msgspec.Struct, forbid_unknown_fields=True):
    outcome: str
    score: float = 0.0


class _PolicyFile(msgspec.Struct, forbid_unknown_fields=True):
    checks: dict[str, _EffectDef]
    policy: str = "custom"
    version: int = 1
    regions: dict[str, list[str]] = {}


def _fail(message: str, file: str, where: str) -> InvalidInput:
    return InvalidInput(f"{file}: {message}", field=where or None)


def load_policy(text: str, *, file: str, minimum_age: int = DEFAULT_MINIMUM_AGE) -> DocumentPolicy:
    """A document policy from its YAML text; ``InvalidInput`` names the file and the field."""
    if not 0 <= minimum_age <= 150:
        raise _fail(f"a minimum age of {minimum_age} is not an age", file, "minimum_age")
    try:
        data: Any = yaml.safe_load(text)
        parsed = msgspec.convert(data, _PolicyFile)
    except yaml.YAMLError as exc:
        raise _fail(f"not valid YAML: {exc}", file, "") from None
    except msgspec.ValidationError as exc:
        raise _fail(str(exc), file, "") from None
    effects: dict[ReasonCode, Effect] = {}
    for name, effect in parsed.checks.items():
        try:
            code = ReasonCode(name)
        except ValueError:
            raise _fail(f"unknown reason code {name!r}", file, f"checks.{name}") from None
        if code not in CHECK_CODES:
            raise _fail(f"{name!r} is not a document check", file, f"checks.{name}")
        try:
            outcome = Outcome.parse(effect.outcome)
        except ValueError as exc:
            raise _fail(str(exc), file, f"checks.{name}.outcome") from None
        effects[code] = Effect(outcome, effect.score)
    missing = sorted(c.value for c in CHECK_CODES - effects.keys())
    if missing:
        raise _fail(f"no effect for {', '.join(missing)}", file, "checks")
    regions: dict[str, frozenset[str]] = {}
    for region, states in parsed.regions.items():
        bad = [s for s in states if _STATE.fullmatch(s) is None]
        if bad:
            raise _fail(f"{bad[0]!r} is not an ICAO 9303 state code", file, f"regions.{region}")
        regions[region] = frozenset(states)
    return DocumentPolicy(minimum_age, effects, regions, f"{parsed.policy}/{parsed.version}")


def default_policy(minimum_age: int = DEFAULT_MINIMUM_AGE) -> DocumentPolicy:
    text = resources.files("vigil.identity").joinpath("policies/default.yaml").read_text()
    return load_policy(text, file="default.yaml", minimum_age=minimum_age)
