"""Decisions: what Vigil answers for an event, and why."""

from __future__ import annotations

from dataclasses import dataclass

from vigil.model.enums import EventType, Outcome
from vigil.model.reasons import ReasonCode


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason behind a decision: a stable code, the rule that raised it and a readable detail.

    ``outcome`` is set when the rule forces an outcome (for example a sanctioned address forces a
    block); ``score`` is what the rule added to the decision's score; ``delay_s`` is set when the rule
    delays the action (a cooling period: automatic friction that ends by itself, never a desk alert).
    """

    code: ReasonCode
    rule_id: str
    score: float
    detail: str
    outcome: Outcome | None = None
    delay_s: float | None = None

    @property
    def severity(self) -> tuple[int, float]:
        """Sort key: forced outcomes first, then by score."""
        return (-1 if self.outcome is None else int(self.outcome), self.score)


@dataclass(frozen=True, slots=True)
class RuleTrace:
    """How one rule evaluated: its value, an error instead of crashing, the time it took.

    ``matched`` is None when the rule errored or a feature it needs was missing. ``elapsed_ns`` is
    None when the rule was not timed (rules are timed only when a full trace is asked for).
    """

    rule_id: str
    matched: bool | None
    elapsed_ns: int | None
    error: str | None = None
    shadow: bool = False


@dataclass(frozen=True, slots=True)
class Versions:
    """What produced a decision: the engine release, the feature catalog and the rule set."""

    engine: str
    catalog: str
    rules: str
    lists: str = ""  # the screening list snapshots in force ("source@version,..."), empty without screening
    models: str = ""  # the serving models ("region=model_id,..."), empty without models


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer for one event.

    ``reasons`` are ranked, most severe first. ``trace`` holds the rules that matched (shadow rules
    included: their matches never change the outcome), failed or could not say (a value missing);
    with a full trace (``VIGIL_FULL_TRACE``, ``vigil decide``), every rule evaluated, timed.
    ``rules_evaluated`` counts every rule evaluated, traced or not (0 in decisions stored before it
    was kept, whose trace lists every rule). ``elapsed_us`` (and a full trace's ``elapsed_ns``) is
    the time taken, and is the only thing that differs between two decisions of the same input.

    ``delay_until_us`` (UTC microseconds) is set when a protection delays the action: the exchange
    carries it out at that instant, not before, and tells the customer why (``notices``). A delay is
    automatic friction, not suspicion: it composes with allow, challenge or review, never opens a desk
    alert, and ends by itself. Hold and block mean a person must look.
    """

    event_id: str
    account_id: str
    event_type: EventType
    region: str
    outcome: Outcome
    score: float
    reasons: tuple[Reason, ...]
    trace: tuple[RuleTrace, ...]
    versions: Versions
    elapsed_us: float
    notices: tuple[str, ...] = ()  # messages the exchange should show the customer (a scam warning)
    model_id: str = ""  # the model that scored the event ("" when none did)
    probability: float | None = None  # its calibrated probability that the event is illicit
    delay_until_us: int | None = None  # carry the action out at this instant, not before (a cooling period)
    # SHA-256 (32 hex digits) of the event as received, canonical JSON: a retry of the same event is
    # told from a reused id. Empty in decisions stored before it was kept (those are not compared).
    input_digest: str = ""
    rules_evaluated: int = 0  # every rule evaluated, traced or not (0: stored before, trace is complete)

    @property
    def evaluated(self) -> int:
        """How many rules were evaluated (for decisions stored before the count, the trace's length)."""
        return self.rules_evaluated or len(self.trace)

    @property
    def shadow_matches(self) -> tuple[str, ...]:
        return tuple(t.rule_id for t in self.trace if t.shadow and t.matched)

    @property
    def rule_errors(self) -> tuple[RuleTrace, ...]:
        return tuple(t for t in self.trace if t.error is not None)
