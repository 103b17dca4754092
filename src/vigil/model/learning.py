"""What the learning loop keeps: labels on events, model versions, and which version serves a region.

A label says whether an event was illicit, according to whom (the simulator, an analyst's case
disposition). Labels are appended, never changed: a later label for the same event supersedes the
earlier one for training, and both stay in the history.
"""

from __future__ import annotations

from dataclasses import dataclass

GLOBAL = "global"  # the region name of a model trained on every region (the fallback)


@dataclass(frozen=True, slots=True)
class Label:
    event_id: str
    account_id: str
    illicit: bool
    typology: str = ""  # the kind of crime when known ("" otherwise, and for legitimate events)
    source: str = "simulator"  # who said so: "simulator", "case:<case id>", ...
    at_us: int = 0  # when the label was given (µs since the epoch)

    def __post_init__(self) -> None:
        if not self.event_id or not self.account_id:
            raise ValueError("a label needs an event id and an account id")


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """One trained model: LightGBM's own model file and the JSON sidecar that travels with it."""

    model_id: str
    region: str  # a region, or GLOBAL
    created_us: int
    catalog_hash: str  # the feature catalog it was trained on; loading refuses another
    model_text: str  # LightGBM's native model file, as text
    sidecar: str  # JSON: training window, library versions, metrics, thresholds (vigil.ml.artifact)


@dataclass(frozen=True, slots=True)
class Promotion:
    """A recorded decision that ``model_id`` serves ``region`` from ``at_us`` on."""

    region: str
    model_id: str
    at_us: int
    by: str  # who promoted it (a person, or "vigil models compare")
    reason: str  # why: the comparison that justified it
    previous: str | None = None  # the model it replaced, if any
