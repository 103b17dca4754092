"""One policy over all the evidence: with a model serving, the rules' score and their forced reviews are the
model's inputs (its thresholds were chosen for the region's budgets), not alerts of their own; what the rules
force beyond review (hold, block) or below it (a step-up), and screening, still apply."""

from __future__ import annotations

import pytest

from vigil.adapters.memory import MemoryJournal
from vigil.engine import Engine
from vigil.features import FeatureVector, default_catalog
from vigil.ml.dataset import Evidence
from vigil.ml.scorer import ModelScore
from vigil.model import Event, Outcome
from vigil.rules import load_rules
from vigil.rules.loader import Source

from .conftest import Events

PACK = """
pack: p
rules:
  - id: r.review
    events: [withdrawal]
    when: event.fiat_value >= 1000
    outcome: review
    score: 60
    reason: behaviour.high_value_new_destination
  - id: r.hold
    events: [withdrawal]
    when: event.fiat_value >= 50000
    outcome: hold
    reason: protect.recent_change_new_device
  - id: r.step_up
    events: [withdrawal]
    when: event.fiat_value >= 500
    outcome: challenge
    reason: protect.new_destination_step_up
"""
THRESHOLDS = "thresholds:\n  default: {review: 50, hold: 90}\n"


class FixedModel:  # a test double for the Scorer: answers one outcome, records the evidence it was given
    version = "global=m1"

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.seen: list[Evidence] = []

    def score(self, vector: FeatureVector, event: Event, evidence: Evidence) -> ModelScore:
        self.seen.append(evidence)
        return ModelScore("m1", 0.5, self.outcome, ())

    def close(self) -> None:
        pass


def _engine(model: FixedModel | None) -> Engine:
    catalog = default_catalog()
    rules = load_rules([Source("p.yaml", PACK), Source("thresholds.yaml", THRESHOLDS)], catalog)
    return Engine(catalog, rules, MemoryJournal(), scorer=model)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fiat", "model_says", "rules_only", "with_model"),
    [
        ("2000", Outcome.ALLOW, Outcome.REVIEW, Outcome.CHALLENGE),  # the review is the model's to weigh
        ("2000", Outcome.REVIEW, Outcome.REVIEW, Outcome.REVIEW),
        ("60000", Outcome.ALLOW, Outcome.HOLD, Outcome.HOLD),  # a forced hold stays
        ("100", Outcome.HOLD, Outcome.ALLOW, Outcome.HOLD),  # the model alone can hold
    ],
)
def test_with_a_model_the_rules_reviews_are_evidence_and_their_holds_stay(
    events: Events, fiat: str, model_says: Outcome, rules_only: Outcome, with_model: Outcome
) -> None:
    assert _engine(None).decide(events.withdrawal(0, fiat=fiat)).outcome is rules_only
    model = FixedModel(model_says)
    decision = _engine(model).decide(events.withdrawal(0, fiat=fiat))
    assert decision.outcome is with_model
    if fiat != "100":  # the rules fired: the model was given what they found, the explanation keeps it
        assert model.seen[0].rules_score >= 60 and model.seen[0].rules_outcome >= int(Outcome.REVIEW)
        assert {r.rule_id for r in decision.reasons} >= {"r.review"}
    else:
        assert model.seen[0] == Evidence()
