"""Rule files (YAML) to a ``RuleSet``, validated against the catalog at load time.

A rule file::

    pack: withdrawal_protection      # the pack's name
    version: 1
    description: ...
    params:                          # documented parameters the rules read as params.NAME
      cooling_hours: {value: 24, doc: "hours a new address waits before its first withdrawal"}
    rules:
      - id: protect.cooling_new_address
        title: First withdrawal to an address added less than a day ago
        events: [withdrawal]         # event types; omitted = every type
        when: account.address_book.destination_age_s < hours(params.cooling_hours)
        score: 0                     # added to the decision's score when it matches
        outcome: challenge           # optional: forces at least this outcome
        delay: hours(params.cooling_hours) - account.address_book.destination_age_s
                                     # optional: delay the action by this many seconds (a cooling
                                     # period: automatic friction, never with review, hold or block)
        waivable: true               # optional: a serving model that scores the event below review
                                     # turns the delay into a step-up (a trusted customer, say)
        notice: "..."                # optional: what the exchange tells the customer when it matches
        reason: protect.cooling_new_address   # a stable ReasonCode
        detail: "address added {account.address_book.destination_age_s:.0f} s ago"
        mode: active                 # or shadow: traced, never changes the outcome
        regions: [EU]                # optional: only these regions
        indicator: TXN-01            # optional: the FATF indicator it implements

A ``thresholds.yaml`` file sets the score at which each outcome applies, by region::

    thresholds:
      default: {challenge: 30, review: 50, hold: 80, block: 150}
      ID: {review: 40}               # overrides for one region

Every error names the file, the rule and the field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
import yaml

from vigil.errors import InvalidRules
from vigil.features import Catalog
from vigil.model import EVENT_CLASSES, EventType, Outcome, ReasonCode
from vigil.rules.compiler import CompileError, Scope, compile_expression, resolve_name, template_names
from vigil.rules.ruleset import Rule, RuleSet, Thresholds


class ParamDef(msgspec.Struct, forbid_unknown_fields=True):
    value: Any
    doc: str


class RuleDef(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    when: str | bool  # YAML reads a bare `true` as a boolean
    reason: str
    title: str = ""
    events: list[str] | None = None
    score: float = 0.0
    outcome: str | None = None
    detail: str = ""
    mode: str = "active"
    regions: list[str] | None = None
    indicator: str | None = None
    delay: str | None = None
    waivable: bool = False
    notice: str = ""


class RuleFile(msgspec.Struct, forbid_unknown_fields=True):
    pack: str
    rules: list[RuleDef]
    version: int = 1
    description: str = ""
    params: dict[str, ParamDef] = {}


class ThresholdDef(msgspec.Struct, forbid_unknown_fields=True):
    challenge: float | None = None
    review: float | None = None
    hold: float | None = None
    block: float | None = None


class ThresholdFile(msgspec.Struct, forbid_unknown_fields=True):
    thresholds: dict[str, ThresholdDef]


@dataclass(frozen=True, slots=True)
class Source:
    """One rule file's name and text (reading it is the caller's I/O)."""

    name: str
    text: str


def _fields_of(types: Iterable[EventType]) -> frozenset[str]:
    sets = []
    for t in types:
        cls = EVENT_CLASSES[t]
        names = {n for n in dir(cls) if not n.startswith("_") and n not in {"TYPE"}}
        sets.append(names)
    return frozenset(set.intersection(*sets)) if sets else frozenset()


def _parse_yaml(source: Source) -> Any:
    try:
        return yaml.safe_load(source.text)
    except yaml.YAMLError as exc:
        raise InvalidRules(f"not valid YAML: {exc}", file=source.name) from None


def _convert(data: Any, kind: type[Any], source: Source) -> Any:
    try:
        return msgspec.convert(data, kind)
    except msgspec.ValidationError as exc:
        message = str(exc)
        rule = None
        if "$.rules[" in message and isinstance(data, dict):
            index = int(message.split("$.rules[", 1)[1].split("]", 1)[0])
            rules = data.get("rules")
            if isinstance(rules, list) and index < len(rules) and isinstance(rules[index], dict):
                rule = str(rules[index].get("id", f"#{index + 1}"))
        raise InvalidRules(message, file=source.name, rule=rule) from None


def load_thresholds(source: Source) -> dict[str, Thresholds]:
    parsed: ThresholdFile = _convert(_parse_yaml(source), ThresholdFile, source)
    default = parsed.thresholds.get("default", ThresholdDef())
    out: dict[str, Thresholds] = {}
    for region, t in parsed.thresholds.items():
        merged = {
            name: getattr(t, name) if getattr(t, name) is not None else getattr(default, name)
            for name in ("challenge", "review", "hold", "block")
        }
        limits = [v for v in merged.values() if v is not None]
        if limits != sorted(limits):
            raise InvalidRules(
                f"thresholds for {region!r} must rise from challenge to block, got {merged}",
                file=source.name,
                field=f"thresholds.{region}",
            )
        out[region] = Thresholds(**merged)
    return out


def compile_rule(rd: RuleDef, pack: RuleFile, source: Source, catalog: Catalog) -> Rule:
    def fail(message: str, field: str) -> InvalidRules:
        return InvalidRules(message, file=source.name, rule=rd.id, field=field)

    try:
        on = frozenset(EventType(t) for t in rd.events) if rd.events is not None else frozenset(EventType)
    except ValueError as exc:
        known = ", ".join(t.value for t in EventType)
        raise fail(f"{exc} (known event types: {known})", "events") from None
    if not on:
        raise fail("'events' lists no event type", "events")
    try:
        reason = ReasonCode(rd.reason)
    except ValueError:
        raise fail(f"unknown reason code {rd.reason!r} (see docs/reason-codes.md)", "reason") from None
    try:
        outcome = None if rd.outcome is None else Outcome.parse(rd.outcome)
    except ValueError as exc:
        raise fail(str(exc), "outcome") from None
    if rd.delay is not None and outcome is not None and outcome > Outcome.CHALLENGE:
        raise fail(
            f"a delay is automatic friction that ends by itself; it cannot go with outcome {outcome.label} "
            "(review, hold and block mean a person must look): drop one of them",
            "delay",
        )
    if rd.waivable and rd.delay is None:
        raise fail("'waivable' applies to a delay: give the rule a 'delay' or drop 'waivable'", "waivable")
    if rd.mode not in ("active", "shadow"):
        raise fail(f"mode must be 'active' or 'shadow', got {rd.mode!r}", "mode")
    params = {name: p.value for name, p in pack.params.items()}
    scope = Scope(catalog.index, _fields_of(on), params)
    try:
        when = rd.when if isinstance(rd.when, str) else str(rd.when).lower()
        condition, _ = compile_expression(when, scope, "when")
        delay = None if rd.delay is None else compile_expression(str(rd.delay), scope, "delay")[0]
        reads = []
        for name in dict.fromkeys(template_names(rd.detail)):
            value = resolve_name(name, scope, set(), "detail")
            reads.append((name, value if callable(value) else _constant(value.value)))
    except CompileError as exc:
        raise fail(str(exc), exc.field) from None
    return Rule(
        id=rd.id,
        pack=pack.pack,
        title=rd.title,
        condition=condition,
        reads=tuple(reads),
        reason=reason,
        score=rd.score,
        outcome=outcome,
        shadow=rd.mode == "shadow",
        on=on,
        regions=None if rd.regions is None else frozenset(rd.regions),
        detail=rd.detail or rd.title,
        indicator=rd.indicator,
        source=source.name,
        delay=delay,
        waivable=rd.waivable,
        notice=rd.notice,
    )


def _constant(value: Any) -> Any:
    return lambda env: value


def load_rules(sources: Iterable[Source], catalog: Catalog) -> RuleSet:
    """Compile every source; thresholds come from any file holding a ``thresholds`` key."""
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    thresholds: dict[str, Thresholds] = {}
    digest = hashlib.sha256()
    for source in sorted(sources, key=lambda s: s.name):
        digest.update(source.name.encode() + b"\0" + source.text.encode() + b"\0")
        data = _parse_yaml(source)
        if not isinstance(data, Mapping):
            raise InvalidRules(
                "expected a mapping with 'pack' and 'rules' (or 'thresholds')", file=source.name
            )
        if "thresholds" in data:
            thresholds.update(load_thresholds(source))
            continue
        pack: RuleFile = _convert(data, RuleFile, source)
        for rd in pack.rules:
            if rd.id in seen:
                raise InvalidRules(
                    f"duplicate rule id (also in {seen[rd.id]})", file=source.name, rule=rd.id, field="id"
                )
            seen[rd.id] = source.name
            rules.append(compile_rule(rd, pack, source, catalog))
    return RuleSet(rules, thresholds, digest.hexdigest()[:16])
