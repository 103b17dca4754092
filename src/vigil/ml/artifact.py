"""Model artifacts: LightGBM's native model file plus a JSON sidecar, as one ``ModelVersion``.

The sidecar says what the model needs and what it showed: the feature catalog's hash and the input
columns, the training and calibration windows, library versions, metrics, the calibration and the
thresholds per region. ``load`` refuses an artifact made for another catalog (its features would be
read in the wrong places) or one that does not parse, with an error that says which.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np

from vigil.errors import ArtifactMismatch
from vigil.ml.model import RiskModel
from vigil.ml.thresholds import Cut
from vigil.model.learning import ModelVersion

FORMAT = 2  # 2: thresholds carry the budgets they were chosen for


@dataclass(frozen=True, slots=True)
class Trained:
    """A fitted, calibrated model with everything its sidecar records."""

    model_id: str
    region: str
    created_us: int
    catalog_hash: str
    model: RiskModel
    cuts: dict[str, Cut]
    windows: dict[str, dict[str, int]]  # "training" / "calibration" -> start_us, end_us, rows, illicit
    metrics: dict[str, float]
    goal: str


def dump(trained: Trained) -> ModelVersion:
    sidecar = {
        "format": FORMAT,
        "model_id": trained.model_id,
        "region": trained.region,
        "created_us": trained.created_us,
        "catalog_hash": trained.catalog_hash,
        "columns": list(trained.model.names_),
        "calibration": list(trained.model.calibration_),
        "thresholds": {region: cut.to_json() for region, cut in trained.cuts.items()},
        "goal": trained.goal,
        "windows": trained.windows,
        "metrics": trained.metrics,
        "libraries": {
            "lightgbm": lgb.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "parameters": trained.model.params(),
    }
    return ModelVersion(
        model_id=trained.model_id,
        region=trained.region,
        created_us=trained.created_us,
        catalog_hash=trained.catalog_hash,
        model_text=trained.model.booster_.model_to_string(),
        sidecar=json.dumps(sidecar, sort_keys=True),
    )


def load(version: ModelVersion, *, catalog_hash: str, columns: tuple[str, ...]) -> Trained:
    """The model of ``version``, refused unless it was trained on this catalog and these columns."""
    what = f"model {version.model_id!r}"
    try:
        side: dict[str, Any] = json.loads(version.sidecar)
    except json.JSONDecodeError as e:
        raise ArtifactMismatch(f"{what}: its sidecar is not JSON ({e.msg})", field="sidecar") from None
    if not isinstance(side, dict) or side.get("format") != FORMAT:
        raise ArtifactMismatch(f"{what}: sidecar format {side.get('format')!r}, expected {FORMAT}")
    if side.get("catalog_hash") != catalog_hash or version.catalog_hash != catalog_hash:
        raise ArtifactMismatch(
            f"{what} was trained on feature catalog {side.get('catalog_hash')!r}, but this engine runs "
            f"{catalog_hash!r}: retrain it (vigil train) on the running catalog",
            field="catalog_hash",
        )
    if tuple(side.get("columns", ())) != columns:
        raise ArtifactMismatch(f"{what}: its input columns differ from this engine's", field="columns")
    try:
        booster = lgb.Booster(model_str=version.model_text)
    except lgb.basic.LightGBMError as e:
        raise ArtifactMismatch(f"{what}: LightGBM cannot read its model file ({e})", field="model") from None
    if booster.num_feature() != len(columns):
        raise ArtifactMismatch(
            f"{what}: the model file has {booster.num_feature()} features, the sidecar {len(columns)}",
            field="model",
        )
    try:
        a, b = (float(v) for v in side["calibration"])
        cuts = {str(r): Cut.from_json(c) for r, c in side["thresholds"].items()}
        windows, metrics, goal = side["windows"], side["metrics"], str(side["goal"])
    except (KeyError, TypeError, ValueError) as e:
        raise ArtifactMismatch(f"{what}: its sidecar lacks or garbles {e}", field="sidecar") from None
    return Trained(
        model_id=version.model_id,
        region=version.region,
        created_us=version.created_us,
        catalog_hash=catalog_hash,
        model=RiskModel.from_booster(booster, columns, (a, b)),
        cuts=cuts,
        windows=windows,
        metrics=metrics,
        goal=goal,
    )
