"""The leakage audit: how far each single input, and a reference model, separate a typology from honest
events on a world none of them learned from.

For each typology, the **contrast** of a world is its labelled events (positives) against the events of
accounts that carry no label at all, of the same event types (negatives). On the **target** world:

- every model input (``ml.dataset.columns``: the catalog's features, the event's type and fiat value)
  and every raw numeric field is scored alone, in its better direction (``rank.oriented_ap``);
- every raw categorical field is scored as the illicit rate its value had in the **reference** world's
  contrast (another seed), never the target's own;
- the reference model, LightGBM trained on the reference world's rows (every typology against honest
  events), is scored on the target's contrast.

An input whose AP alone exceeds the threshold tells a typology apart by itself: an artefact of the
simulator to remove, or a signal to justify with a source (``justify.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vigil.leakage.rank import Direction, category_rates, encode, oriented_ap
from vigil.leakage.rows import Rows
from vigil.ml.metrics import average_precision
from vigil.ml.model import RiskModel

Floats = npt.NDArray[np.float64]
CATALOG = "catalog"  # a model input: a catalog feature, or what the event adds (ml.dataset.EXTRA)
RAW = "raw"  # a field of the event itself


@dataclass(frozen=True, slots=True)
class InputScore:
    name: str
    ap: float
    direction: Direction  # categorical fields: HIGH = values that were illicit on the reference rank first
    source: str  # CATALOG or RAW


TYPE_INPUT = "raw.type"  # the event's type, as a raw field
ALL = "all"  # the scope of a typology's whole contrast (every event type it labels)


@dataclass(frozen=True, slots=True)
class ScopeAudit:
    """One contrast: a typology's labelled events of ``scope`` (ALL, or one event type) against honest
    events of the same types."""

    scope: str
    positives: int
    negatives: int
    inputs: tuple[InputScore, ...] = ()  # best first
    model_ap: float | None = None
    skipped: str | None = None  # why the contrast was not scored
    note: str | None = None  # why the inputs are not every input (the event type alone decides)

    @property
    def base_rate(self) -> float:
        total = self.positives + self.negatives
        return self.positives / total if total else 0.0

    def top(self, n: int = 5) -> tuple[InputScore, ...]:
        return self.inputs[:n]

    def above(self, threshold: float) -> tuple[InputScore, ...]:
        """The inputs that alone score an AP over ``threshold``."""
        return tuple(s for s in self.inputs if s.ap > threshold)


@dataclass(frozen=True, slots=True)
class TypologyAudit:
    """A typology's whole contrast, and one per event type it labels (a field only one event type has,
    such as the KYC form's declared income, is diluted in the whole contrast and shows in its type's)."""

    typology: str
    event_types: tuple[str, ...]
    overall: ScopeAudit
    by_type: tuple[ScopeAudit, ...] = ()

    @property
    def skipped(self) -> str | None:
        return self.overall.skipped

    def scopes(self) -> tuple[ScopeAudit, ...]:
        return (self.overall, *self.by_type)


def score_inputs(
    target: Rows, reference: Rows, typology: str, event_type: str | None = None, *, min_count: int = 5
) -> tuple[InputScore, ...]:
    """Every single input's AP on the target's contrast for ``typology`` (one event type's, if given),
    categories encoded by their rate in the reference's same contrast; best first."""
    mask = target.contrast(typology, event_type)
    y = (target.typologies[mask] == typology).astype(np.int8)
    scores: list[InputScore] = []
    for j, name in enumerate(target.names):
        ap, direction = oriented_ap(y, target.x[mask, j])
        scores.append(InputScore(name, ap, direction, CATALOG))
    for j, name in enumerate(target.numeric_names):
        ap, direction = oriented_ap(y, target.numeric[mask, j])
        scores.append(InputScore(name, ap, direction, RAW))
    ref_mask = reference.contrast(typology, event_type)
    ref_y = (reference.typologies[ref_mask] == typology).astype(np.int8)
    ref_at = np.flatnonzero(ref_mask).tolist()
    at = np.flatnonzero(mask).tolist()
    for name, column in target.categorical.items():
        ref_column = reference.categorical.get(name)
        if ref_column is None:
            continue
        ref_values = [ref_column[i] for i in ref_at]
        present = [i for i, v in enumerate(ref_values) if v is not None]
        rates = category_rates([str(ref_values[i]) for i in present], ref_y[present], min_count=min_count)
        values = encode([column[i] for i in at], rates)
        ap, direction = oriented_ap(y, values)
        scores.append(InputScore(name, ap, direction, RAW))
    scores.sort(key=lambda s: (-s.ap, s.name))
    return tuple(scores)


def reference_model(reference: Rows, *, trees: int = 200, seed: int = 1) -> RiskModel:
    """LightGBM on the reference world's model inputs: every labelled event against honest ones."""
    y = (reference.typologies != "").astype(np.int8)
    return RiskModel(n_estimators=trees, seed=seed).fit(reference.x, y, reference.names)


def audit_worlds(
    reference: Rows,
    target: Rows,
    *,
    typologies: Sequence[str],
    model: RiskModel | None = None,
    min_positives: int = 10,
    min_count: int = 5,
) -> tuple[TypologyAudit, ...]:
    """Audit each of ``typologies`` on ``target``, encodings and the model learned on ``reference``: the
    whole contrast and each event type's. A contrast with fewer than ``min_positives`` labelled events in
    either world is skipped, with why; an event type's contrast with fewer honest events than that is
    judged by the type alone (the precision of flagging every event of the type)."""
    scores: Floats | None = model.probability(target.x) if model is not None else None

    def scope(typology: str, event_type: str | None) -> ScopeAudit:
        mask = target.contrast(typology, event_type)
        y = (target.typologies[mask] == typology).astype(np.int8)
        positives = int(y.sum())
        ref_mask = reference.contrast(typology, event_type)
        ref_positives = int(np.sum(reference.typologies[ref_mask] == typology))
        name = event_type or ALL
        if positives < min_positives or ref_positives < min_positives:
            why = (
                f"{positives} labelled events on the target world and {ref_positives} on the reference "
                f"(at least {min_positives} on each are needed)"
            )
            return ScopeAudit(name, positives, len(y) - positives, skipped=why)
        negatives = len(y) - positives
        if event_type is not None and negatives < min_positives:
            # Every input would rank a contrast of (nearly) only crime perfectly: the finding is the type.
            precision = positives / len(y)
            note = (
                f"{negatives} honest {event_type} events: the event type alone has precision {precision:.4f}"
            )
            only = (InputScore(TYPE_INPUT, precision, Direction.HIGH, RAW),)
            return ScopeAudit(name, positives, negatives, only, precision, note=note)
        inputs = score_inputs(target, reference, typology, event_type, min_count=min_count)
        model_ap = average_precision(y, scores[mask]) if scores is not None else None
        return ScopeAudit(name, positives, len(y) - positives, inputs, model_ap)

    out: list[TypologyAudit] = []
    for typology in typologies:
        kinds = tuple(sorted(target.labelled_types(typology)))
        overall = scope(typology, None)
        by_type = () if overall.skipped else tuple(scope(typology, kind) for kind in kinds)
        out.append(TypologyAudit(typology, kinds, overall, by_type))
    return tuple(out)


__all__ = [
    "ALL",
    "CATALOG",
    "RAW",
    "InputScore",
    "ScopeAudit",
    "TypologyAudit",
    "audit_worlds",
    "reference_model",
]
