"""A compiled rule set and its evaluation with a trace.

Each rule adds its score, may force an outcome or delay the action, and cites a stable reason code.
Shadow rules are evaluated and traced but never change the outcome. A rule that raises records its
error in the trace and counts as not matched: one broken rule never breaks a decision. A delay whose
length cannot be computed (missing or broken) fails closed: the rule holds instead, and says why.

The explanation is paid for where it is read. By default ``evaluate`` traces only the rules that
matched (shadow ones included), failed, or could not say (a value it needs was missing), untimed,
and counts the others; ``evaluate(..., trace=True)`` times and traces every rule. Both give the
same score, outcome, reasons and delays (one ``_conclude`` makes them). ``explain`` lists every
rule a compact trace left out, as not matched, for the same rule set.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from math import isfinite
from time import perf_counter_ns
from typing import Any

from vigil.features import FeatureVector
from vigil.model import Event, EventType, NetworkOrigin, Outcome, Reason, ReasonCode, RuleTrace
from vigil.rules.compiler import Compiled, Env


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score at or above which each outcome applies (None: the score never reaches it)."""

    challenge: float | None = None
    review: float | None = None
    hold: float | None = None
    block: float | None = None

    def outcome(self, score: float) -> Outcome:
        for outcome, limit in (
            (Outcome.BLOCK, self.block),
            (Outcome.HOLD, self.hold),
            (Outcome.REVIEW, self.review),
            (Outcome.CHALLENGE, self.challenge),
        ):
            if limit is not None and score >= limit:
                return outcome
        return Outcome.ALLOW


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    pack: str
    title: str
    condition: Compiled
    reads: Sequence[tuple[str, Compiled]]  # what the detail template names, to render it
    reason: ReasonCode
    score: float
    outcome: Outcome | None
    shadow: bool
    on: frozenset[EventType]
    regions: frozenset[str] | None
    detail: str
    indicator: str | None
    source: str
    delay: Compiled | None = None  # seconds to delay the action by, when the rule matches
    waivable: bool = False  # a serving model that scores the event below review may waive the delay
    notice: str = ""  # what the exchange tells the customer when the rule matches


@dataclass(frozen=True, slots=True)
class Evaluation:
    score: float
    forced: Outcome
    reasons: tuple[Reason, ...]
    trace: tuple[RuleTrace, ...]
    delay_s: float | None = None  # the longest firm delay of the matched rules
    notices: tuple[str, ...] = ()  # the matched rules' notices to the customer (firm delays, others)
    waivable_delay_s: float | None = None  # the longest delay a serving model may waive
    waivable_notices: tuple[str, ...] = ()  # the notices that go with those delays
    rules_evaluated: int = 0  # every rule evaluated, traced or not

    def waived(self) -> Evaluation:
        """This evaluation once a serving model waived its waivable delays."""
        return replace(self, waivable_delay_s=None, waivable_notices=())

    @property
    def delay_until_s(self) -> float | None:
        """Seconds to wait: the longest delay still in force."""
        delays = [d for d in (self.delay_s, self.waivable_delay_s) if d is not None]
        return max(delays) if delays else None


def _delay_of(delay: Compiled, env: Env) -> tuple[float | None, str]:
    """The delay in seconds (at least 0), or None and why it could not be computed."""
    try:
        value = delay(env)
    except Exception as exc:  # noqa: BLE001 - a broken delay fails closed (held), never crashes a decision
        return None, f"{type(exc).__name__}: {exc}"
    if value is None or isinstance(value, bool) or not isinstance(value, int | float) or not isfinite(value):
        return None, f"no finite number of seconds ({value!r})"
    return max(float(value), 0.0), ""


class _DetailFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None:
            return "n/a"
        try:
            return str(super().format_field(value, format_spec))
        except (ValueError, TypeError):  # a spec that does not fit this value's type: show it plainly
            return str(value)

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        return kwargs[field_name], field_name


_FORMATTER = _DetailFormatter()
_GROUP_CACHE = 4096  # (event type, region) pairs whose rule lists are kept
# The rules of one event type and region; each with its untimed "matched" and "unknown" entries; and the
# evaluation of an event that none of them traced.
_Group = tuple[tuple[Rule, ...], tuple[tuple[Rule, RuleTrace, RuleTrace], ...], Evaluation]


class RuleSet:
    """Rules by event type, the region thresholds, and a version hash of the files they came from."""

    def __init__(self, rules: Sequence[Rule], thresholds: Mapping[str, Thresholds], version: str) -> None:
        self.rules = tuple(rules)
        self.thresholds = dict(thresholds)
        self.version = version
        self._by_type: dict[EventType, tuple[Rule, ...]] = {
            t: tuple(r for r in self.rules if t in r.on) for t in EventType
        }
        self._groups: dict[tuple[EventType, str], _Group] = {}

    def thresholds_for(self, region: str) -> Thresholds:
        return self.thresholds.get(region) or self.thresholds.get("default") or Thresholds()

    def _group(self, event_type: EventType, region: str) -> _Group:
        key = (event_type, region)
        group = self._groups.get(key)
        if group is None:
            rules = tuple(r for r in self._by_type[event_type] if r.regions is None or region in r.regions)
            # An untimed entry is the same for every event: made once, shared by every trace that holds it.
            marked = tuple(
                (r, RuleTrace(r.id, True, None, None, r.shadow), RuleTrace(r.id, None, None, None, r.shadow))
                for r in rules
            )
            nothing = Evaluation(0.0, Outcome.ALLOW, (), (), rules_evaluated=len(rules))  # most events
            group = (rules, marked, nothing)
            if len(self._groups) < _GROUP_CACHE:  # regions are configured, but come with the input
                self._groups[key] = group
        return group

    def applicable(self, event_type: EventType, region: str) -> tuple[Rule, ...]:
        """The rules an event of this type and region is evaluated against, in file order."""
        return self._group(event_type, region)[0]

    def evaluate(
        self, event: Event, features: FeatureVector, origin: NetworkOrigin | None, *, trace: bool = False
    ) -> Evaluation:
        """Evaluate every applicable rule; ``trace`` times and traces all of them, not only what fired."""
        rules, marked, nothing = self._group(event.TYPE, event.region)
        env = Env(event, features, origin)
        if trace:
            return self._traced(rules, env)
        records: list[RuleTrace] = []
        fired: list[Rule] = []
        for rule, matched, unknown in marked:
            try:
                value = rule.condition(env)
            except Exception as exc:  # noqa: BLE001 - a broken rule is traced, never crashes a decision
                records.append(RuleTrace(rule.id, None, None, f"{type(exc).__name__}: {exc}", rule.shadow))
                continue
            if value is None:  # unknown: a value it reads was missing
                records.append(unknown)
            elif value:
                records.append(matched)
                if not rule.shadow:
                    fired.append(rule)
        if not fired:
            if not records:
                return nothing
            return Evaluation(0.0, Outcome.ALLOW, (), tuple(records), rules_evaluated=len(rules))
        return _conclude(fired, env, tuple(records), len(rules))

    def _traced(self, rules: tuple[Rule, ...], env: Env) -> Evaluation:
        """Every rule timed and traced (``vigil decide``, ``replay --trace``, ``VIGIL_FULL_TRACE``)."""
        records: list[RuleTrace] = []
        fired: list[Rule] = []
        for rule in rules:
            start = perf_counter_ns()
            try:
                value = rule.condition(env)
            except Exception as exc:  # noqa: BLE001 - a broken rule is traced, never crashes a decision
                records.append(
                    RuleTrace(
                        rule.id, None, perf_counter_ns() - start, f"{type(exc).__name__}: {exc}", rule.shadow
                    )
                )
                continue
            matched = None if value is None else bool(value)
            records.append(RuleTrace(rule.id, matched, perf_counter_ns() - start, None, rule.shadow))
            if matched and not rule.shadow:
                fired.append(rule)
        return _conclude(fired, env, tuple(records), len(rules))

    def explain(
        self, event_type: EventType, region: str, trace: Sequence[RuleTrace]
    ) -> tuple[RuleTrace, ...]:
        """Every rule evaluated for an event of this type and region, in order: the entries of ``trace``
        and, for the rules a compact trace left out, ``matched=False`` (untimed).

        Exact only for the rule set that made the trace (the decision's ``versions.rules``)."""
        recorded = {t.rule_id: t for t in trace}
        return tuple(
            recorded.get(r.id) or RuleTrace(r.id, False, None, None, r.shadow)
            for r in self.applicable(event_type, region)
        )


def _detail(rule: Rule, env: Env) -> str:
    if not rule.reads:
        return rule.detail
    values: dict[str, Any] = {}
    for name, read in rule.reads:
        try:
            values[name] = read(env)
        except Exception:  # noqa: BLE001 - a detail that cannot render must not lose the reason
            values[name] = None
    try:
        return _FORMATTER.vformat(rule.detail, (), values)
    except (ValueError, KeyError, IndexError):
        return rule.detail


def _conclude(fired: Sequence[Rule], env: Env, trace: tuple[RuleTrace, ...], evaluated: int) -> Evaluation:
    """Score, forced outcome, reasons (most severe first) and delays of the rules that matched, in order."""
    score = 0.0
    forced = Outcome.ALLOW
    reasons: list[Reason] = []
    longest: float | None = None
    notices: list[str] = []
    waivable: float | None = None
    waivable_notices: list[str] = []
    for rule in fired:
        score += rule.score
        outcome = rule.outcome
        detail = _detail(rule, env)
        delay_s = None
        if rule.delay is not None:
            delay_s, failure = _delay_of(rule.delay, env)
            if delay_s is None:
                outcome = Outcome.HOLD  # fail closed: a person looks instead
                detail = f"{detail} (the delay could not be computed: {failure}; held instead)"
            elif rule.waivable:
                waivable = delay_s if waivable is None else max(waivable, delay_s)
            else:
                longest = delay_s if longest is None else max(longest, delay_s)
            if rule.notice:
                (waivable_notices if rule.waivable and delay_s is not None else notices).append(rule.notice)
        if outcome is not None and outcome > forced:
            forced = outcome
        reasons.append(Reason(rule.reason, rule.id, rule.score, detail, outcome, delay_s))
    reasons.sort(key=lambda r: r.severity, reverse=True)
    return Evaluation(
        score,
        forced,
        tuple(reasons),
        trace,
        longest,
        tuple(notices),
        waivable,
        tuple(waivable_notices),
        evaluated,
    )
