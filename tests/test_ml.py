"""The learning loop: leak-free training rows, models with calibration and thresholds, artifacts that
refuse another catalog, scoring in the engine with reasons, and promotion only when better."""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pytest

from tests.ml_stream import stream
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.memory_learning import MemoryLabelStore, MemoryModelRegistry
from vigil.adapters.rule_files import BuiltinRules
from vigil.engine import Engine
from vigil.errors import ArtifactMismatch, InvalidInput
from vigil.features import FeatureVector, default_catalog
from vigil.learning.service import Learning, Windows
from vigil.ml.artifact import Trained, dump, load
from vigil.ml.attribution import PathAttribution
from vigil.ml.dataset import SCORED, Evidence, columns, describer, row_of, training_set
from vigil.ml.explain import family
from vigil.ml.fast import FastBooster
from vigil.ml.model import RiskModel
from vigil.ml.scorer import Scorer
from vigil.model import Decision, Event, Outcome
from vigil.model.learning import GLOBAL, Label, Promotion
from vigil.rules import load_rules

WINDOWS = Windows(calibration_days=5, holdout_days=5, min_illicit=5)


def _engine(journal: MemoryJournal, scorer: Scorer | None = None) -> Engine:
    catalog = default_catalog()
    return Engine(catalog, load_rules(BuiltinRules().read(), catalog), journal, scorer=scorer)


@cache
def _decided(drift: bool = False) -> tuple[tuple[tuple[Event, Decision], ...], tuple[Label, ...]]:
    events, labels = stream(drift=drift)
    journal = MemoryJournal()
    engine = _engine(journal)
    for e in events:
        engine.decide(e)
    return tuple(journal.decided()), tuple(labels)


def _learning(drift: bool = False) -> Learning:
    history, labels = _decided(drift)
    journal = MemoryJournal()
    for event, decision in history:
        journal.record(event, decision)
    store = MemoryLabelStore()
    store.add(list(labels))
    return Learning(journal, store, MemoryModelRegistry(), default_catalog, windows=WINDOWS)


@cache
def _trained() -> tuple[Learning, Trained]:
    """One learning loop with a trained global model, shared by the tests that only read it."""
    learning = _learning()
    return learning, learning.train()


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b, equal_nan=True))


def test_a_row_never_sees_an_event_after_its_own() -> None:
    history, labels = _decided()
    current = {label.event_id: label for label in labels}
    full = training_set(history, current, default_catalog())
    position = {e.event_id: i for i, (e, _) in enumerate(history)}
    rng = np.random.default_rng(3)
    for row in rng.choice(len(full), size=6, replace=False).tolist():
        cut = position[full.event_ids[row]] + 1
        truncated = training_set(history[:cut], current, default_catalog())
        assert truncated.event_ids[-1] == full.event_ids[row]
        assert _same(truncated.x[-1], full.x[row]), full.event_ids[row]
    with pytest.raises(InvalidInput, match="fresh"):
        catalog = default_catalog()
        training_set(history[:5], current, catalog)
        training_set(history[:5], current, catalog)


def test_training_rows_equal_the_vectors_the_engine_decided_with() -> None:
    seen: dict[str, np.ndarray] = {}

    class Recording:  # a test double standing in for the Scorer: it records, never scores
        version = ""

        def score(self, vector: FeatureVector, event: Event, evidence: Evidence) -> None:
            if event.TYPE in SCORED:
                seen[event.event_id] = row_of(vector, event, evidence=evidence).copy()

        def close(self) -> None:
            pass

    events, _ = stream(accounts=120, days=12)
    engine = _engine(MemoryJournal(), Recording())  # type: ignore[arg-type]
    for e in events:
        engine.decide(e)
    rows = training_set(engine.journal.decided(), {}, default_catalog())
    assert len(rows) == len(seen) > 500
    mismatched = [eid for i, eid in enumerate(rows.event_ids) if not _same(rows.x[i], seen[eid])]
    assert not mismatched
    evidence = rows.x[:, [rows.names.index(n) for n in ("rules.score", "rules.outcome")]]
    assert (evidence[:, 0] > 0).sum() > 50 and (evidence[:, 1] > 0).sum() > 5  # the rules' evidence is there


def test_every_input_column_has_a_reason_family() -> None:
    assert [n for n in columns(default_catalog()) if family(n) is None] == []


def test_train_calibrate_threshold_and_round_trip_the_artifact() -> None:
    learning, trained = _trained()
    assert trained.region == GLOBAL and trained.metrics["holdout_ap"] > 0.5
    cut = trained.cuts[GLOBAL]
    assert 0 < cut.review <= cut.hold <= 1 and cut.legit_held <= 0.001
    rows = learning.rows()
    version = learning.registry.get(trained.model_id)
    assert version is not None
    again = load(version, catalog_hash=rows.catalog_hash, columns=rows.names)
    assert np.allclose(again.model.probability(rows.x[:200]), trained.model.probability(rows.x[:200]))
    assert again.cuts == trained.cuts


def test_a_mismatched_or_corrupt_artifact_is_refused_by_name() -> None:
    learning, trained = _trained()
    rows = learning.rows()
    version = dump(trained)
    with pytest.raises(ArtifactMismatch, match="feature catalog"):
        load(version, catalog_hash="0" * 16, columns=rows.names)
    with pytest.raises(ArtifactMismatch, match="input columns"):
        load(version, catalog_hash=rows.catalog_hash, columns=rows.names[:-1])
    with pytest.raises(ArtifactMismatch, match="not JSON"):
        load(
            dataclasses.replace(version, sidecar="{oops"), catalog_hash=rows.catalog_hash, columns=rows.names
        )
    with pytest.raises(ArtifactMismatch, match="cannot read"):
        load(
            dataclasses.replace(version, model_text="tree\nnot a model"),
            catalog_hash=rows.catalog_hash,
            columns=rows.names,
        )


def test_no_labels_an_unknown_region_or_an_empty_journal_are_clear_errors() -> None:
    learning = _learning()
    with pytest.raises(InvalidInput, match="'MARS'"):
        learning.train(region="MARS")
    learning.labels = MemoryLabelStore()
    learning._rows = None
    with pytest.raises(InvalidInput, match="0 illicit events"):
        learning.train()
    empty = Learning(MemoryJournal(), MemoryLabelStore(), MemoryModelRegistry(), default_catalog)
    with pytest.raises(InvalidInput, match="no events"):
        empty.train()


def test_the_engine_scores_with_the_region_model_and_explains() -> None:
    _, trained = _trained()
    catalog = default_catalog()
    scorer = Scorer({GLOBAL: trained}, describer(catalog))
    events, labels = stream(seed=2, accounts=80, days=20)
    illicit = {label.event_id for label in labels}
    engine = Engine(catalog, load_rules(BuiltinRules().read(), catalog), MemoryJournal(), scorer=scorer)
    decisions = [engine.decide(e) for e in events]
    scored = [d for d in decisions if d.model_id]
    assert scored and all(d.model_id == trained.model_id for d in scored)
    assert engine.versions.models == f"{GLOBAL}={trained.model_id}"
    caught = [d for d in scored if d.event_id in illicit and d.outcome >= Outcome.REVIEW]
    assert caught, "the model should flag some of a new stream's takeovers"
    model_reasons = [r for d in caught for r in d.reasons if r.rule_id.startswith("model:")]
    assert model_reasons and all(r.code.value.startswith("model.") for r in model_reasons)
    assert all(": " in r.detail and "log-odds" in r.detail for r in model_reasons)


def test_a_challenger_is_promoted_only_when_better_and_it_is_recorded() -> None:
    learning, good = _trained()
    weak = learning.train(model=RiskModel(n_estimators=1, num_leaves=2, min_child_samples=2000))
    learning.registry.promote(Promotion(GLOBAL, weak.model_id, 1, "test", "a weak first model"))
    same = learning.compare("EU", weak.model_id)
    assert same.champion == weak.model_id and not same.better
    assert learning.promote(same, by="test") is False
    assert learning.registry.serving() == {GLOBAL: weak.model_id}
    better = learning.compare("EU", good.model_id)
    assert better.champion == weak.model_id and better.better, better.sentence()
    assert learning.promote(better, by="test") is True
    assert learning.registry.serving() == {GLOBAL: weak.model_id, "EU": good.model_id}
    recorded = learning.registry.promotions()[-1]
    assert (recorded.region, recorded.previous, recorded.by) == ("EU", weak.model_id, "test")
    assert good.model_id in recorded.reason and "AP" in recorded.reason


def test_the_serving_path_gives_the_trees_own_margin_with_a_categorical_input() -> None:
    learning, trained = _trained()
    rows = learning.rows()
    assert "event.type" in rows.names  # a categorical column: its splits are attributed too
    attribution = PathAttribution(trained.model.booster_)
    margins = trained.model.raw(rows.x[:400])
    with FastBooster(trained.model.booster_) as fast:
        for i in range(400):
            shares = attribution.shares(fast.leaves(np.ascontiguousarray(rows.x[i])))
            assert abs(shares.sum() + attribution.bias - margins[i]) < 1e-9


def test_calibration_holds_for_any_margin() -> None:
    model = RiskModel.from_booster(_trained()[1].model.booster_, ("x",), (2.0, -1.0))
    assert model.calibrated(-1e6) == 0.0 and model.calibrated(1e6) == 1.0
    assert abs(model.calibrated(0.5) - 0.5) < 1e-12


def test_a_perfectly_separated_calibration_window_keeps_probabilities_readable() -> None:
    rng = np.random.default_rng(7)
    y = (rng.random(4000) < 0.05).astype(np.int8)
    x = (y * 10.0 + rng.random(4000)).reshape(-1, 1)  # the one column separates the classes
    model = RiskModel(n_estimators=20).fit(x, y, ("x",)).calibrate(x, y)
    slope, _ = model.calibration_
    p = model.probability(x)
    assert 0 < slope < 100
    assert np.median(p[y == 0]) < 0.01 and np.median(p[y == 1]) > 0.9
    assert p.min() > 1e-6  # plain 0/1 targets would push these towards 1e-80


def test_illicit_exits_weigh_more_when_asked() -> None:
    # The same 10% illicit everywhere; the column says which rows are exits. Weighing illicit exits five
    # times raises the exits' odds about five times (log 5 = 1.6 in the margin), and nothing without.
    rng = np.random.default_rng(11)
    exits = rng.random(8000) < 0.5
    x = exits.astype(np.float64).reshape(-1, 1)
    y = (rng.random(8000) < 0.1).astype(np.int8)

    def gap(weight: float) -> float:
        model = RiskModel(n_estimators=50, num_leaves=2, min_child_samples=10, exit_weight=weight)
        raw = model.fit(x, y, ("x",), exits=exits).raw(x)
        return float(raw[exits].mean() - raw[~exits].mean())

    assert abs(gap(1.0)) < 0.3 and 1.2 < gap(5.0) < 2.0
    with pytest.raises(InvalidInput, match="exit marks"):
        RiskModel().fit(x, y, ("x",), exits=exits[:-1])
