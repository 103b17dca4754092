"""Scoring in the engine: every scored event through the model of its region, with reasons.

A region served by its own model uses it; any other region uses the GLOBAL model (the fallback for
regions with too few labels of their own). Each event costs one call of LightGBM's fast single-row
path (``FastBooster.leaves``: the leaf each tree puts it in) and one lookup of those leaves in the
model's path-attribution table (``PathAttribution``), which gives every feature's share of the margin
and so the margin itself; the probability is calibrated and compared with the region's thresholds, and
the largest shares become the reasons. Exact SHAP would cost a hundred times more (docs/ml.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from vigil.features import FeatureVector
from vigil.ml.artifact import Trained
from vigil.ml.attribution import PathAttribution
from vigil.ml.dataset import NO_EVIDENCE, SCORED, Evidence, row_of
from vigil.ml.explain import family, reasons
from vigil.ml.fast import FastBooster
from vigil.model import Event, Outcome, Reason, ReasonCode
from vigil.model.learning import GLOBAL


@dataclass(frozen=True, slots=True)
class ModelScore:
    model_id: str
    probability: float
    outcome: Outcome
    reasons: tuple[Reason, ...]


class _Loaded:
    """One model ready to serve: its fast booster, reason codes per column, and a row buffer."""

    def __init__(self, trained: Trained, describe: Callable[[str], str]) -> None:
        self.trained = trained
        self.fast = FastBooster(trained.model.booster_)
        self.attribution = PathAttribution(trained.model.booster_)
        names = trained.model.names_
        codes = [family(n) for n in names]
        missing = [n for n, c in zip(names, codes, strict=True) if c is None]
        if missing:
            raise ValueError(f"model inputs without a reason family: {', '.join(missing)}")
        self.codes: tuple[ReasonCode, ...] = tuple(c for c in codes if c is not None)
        self.row = np.empty(len(names))
        self.sentences = tuple(describe(n) for n in names)  # made once: reasons only pick them

    def close(self) -> None:
        self.fast.close()


class Scorer:
    """The serving models by region. One per engine (not thread-safe: it reuses its row buffers)."""

    def __init__(self, models: Mapping[str, Trained], describe: Callable[[str], str]) -> None:
        self._by_region = {region: _Loaded(t, describe) for region, t in models.items()}
        self.version = ",".join(f"{r}={m.trained.model_id}" for r, m in sorted(self._by_region.items()))

    def close(self) -> None:
        for m in self._by_region.values():
            m.close()

    def _model_for(self, region: str) -> _Loaded | None:
        return self._by_region.get(region) or self._by_region.get(GLOBAL)

    def score(
        self, vector: FeatureVector, event: Event, evidence: Evidence = NO_EVIDENCE
    ) -> ModelScore | None:
        """The model's view of one event and what the engine found before it (None for events no model
        scores, or no model at all)."""
        if event.TYPE not in SCORED:
            return None
        loaded = self._model_for(event.region)
        if loaded is None:
            return None
        trained = loaded.trained
        row = row_of(vector, event, loaded.row, evidence)
        shares = loaded.attribution.shares(loaded.fast.leaves(row))
        margin = float(shares.sum()) + loaded.attribution.bias
        probability = trained.model.calibrated(margin)
        cut = trained.cuts.get(event.region) or trained.cuts[GLOBAL]
        outcome = cut.outcome(probability, event.TYPE)
        why = reasons(
            shares, row, trained.model.names_, loaded.codes, loaded.sentences, model_id=trained.model_id
        )
        return ModelScore(trained.model_id, probability, outcome, why)
