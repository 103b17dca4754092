"""The risk model: LightGBM gradient-boosted trees with probability calibration on a later window.

Estimator conventions: parameters are set in ``__init__`` and never changed by ``fit``; what is learned
ends in ``_``; ``fit`` and ``calibrate`` return the model. Calibration is Platt scaling (a logistic
regression on the trees' raw margin) fitted on a window **after** the training window, so the
probabilities mean what they say on data the trees never saw; it costs one multiply-add at serving.
"""

from __future__ import annotations

import math
from typing import Self

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import expit

from vigil.errors import InvalidInput

Floats = npt.NDArray[np.float64]


class RiskModel:
    def __init__(
        self,
        *,
        n_estimators: int = 300,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_child_samples: int = 50,
        feature_fraction: float = 0.8,
        positive_weight: float = 1.0,
        exit_weight: float = 1.0,
        num_threads: int = 2,
        seed: int = 1,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.feature_fraction = feature_fraction
        self.positive_weight = positive_weight
        # How much more an illicit row that moves value out (``fit``'s ``exits``) weighs than another
        # illicit row: the engine is judged on the value it stops at the exits, while most illicit rows
        # (a wash trader's fills, a ring's logins) carry none.
        self.exit_weight = exit_weight
        self.num_threads = num_threads
        self.seed = seed

    def params(self) -> dict[str, object]:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_child_samples": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "bagging_seed": self.seed,
            "feature_fraction_seed": self.seed,
            "seed": self.seed,
            "deterministic": True,
            "num_threads": self.num_threads,
            "verbose": -1,
        }

    def fit(
        self,
        x: Floats,
        y: npt.NDArray[np.int8],
        names: tuple[str, ...],
        exits: npt.NDArray[np.bool_] | None = None,
    ) -> Self:
        """Train the trees on ``x`` (rows in time order; NaN = missing) and the labels ``y``; ``exits``
        marks the rows that move value out of the exchange (their illicit rows weigh ``exit_weight``)."""
        _check(x, y, names)
        if exits is not None and exits.shape != y.shape:
            raise InvalidInput(f"{len(exits)} exit marks for {len(y)} rows", field="exits")
        positives = int(y.sum())
        if positives == 0 or positives == len(y):
            raise InvalidInput(
                f"the training window needs illicit and legitimate rows ({positives} of {len(y)} illicit)",
                field="labels",
            )
        weight = np.where(y == 1, self.positive_weight, 1.0)
        if exits is not None:
            weight = np.where((y == 1) & exits, weight * self.exit_weight, weight)
        data = lgb.Dataset(
            x,
            label=y,
            weight=weight,
            feature_name=[_safe(n) for n in names],
            categorical_feature=[_safe("event.type")] if "event.type" in names else "auto",
            free_raw_data=True,
        )
        self.booster_ = lgb.train(self.params(), data, num_boost_round=self.n_estimators)
        self.names_ = names
        self.n_features_ = len(names)
        self.calibration_ = (1.0, 0.0)  # identity until calibrated
        return self

    @classmethod
    def from_booster(
        cls, booster: lgb.Booster, names: tuple[str, ...], calibration: tuple[float, float]
    ) -> RiskModel:
        """A fitted model from a loaded booster (an artifact) and its calibration."""
        model = cls()
        model.booster_ = booster
        model.names_ = names
        model.n_features_ = len(names)
        model.calibration_ = calibration
        return model

    def raw(self, x: Floats) -> Floats:
        """The trees' margin (log-odds before calibration) per row."""
        return np.asarray(self.booster_.predict(x, raw_score=True), dtype=np.float64)

    def calibrate(self, x: Floats, y: npt.NDArray[np.int8]) -> Self:
        """Fit Platt scaling ``p = sigmoid(a * margin + b)`` on a later window than training (Platt's
        smoothed targets, so that a window the trees separate perfectly still gives a finite slope)."""
        _check(x, y, self.names_)
        if y.min() == y.max():
            raise InvalidInput(
                "the calibration window needs both illicit and legitimate rows", field="labels"
            )
        margin = self.raw(x)
        # Platt's smoothed targets: with a window the trees separate perfectly, plain 0/1 targets drive
        # the slope to infinity and the probabilities to 1e-80; these keep them finite and readable.
        positives = int(y.sum())
        negatives = len(y) - positives
        target = np.where(y == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))

        def loss(p: Floats) -> tuple[float, Floats]:
            z = p[0] * margin + p[1]
            prob = expit(z)
            value = float(np.sum(np.logaddexp(0.0, z) - target * z))
            grad = prob - target
            return value, np.array([float(grad @ margin), float(grad.sum())])

        result = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
        self.calibration_ = (float(result.x[0]), float(result.x[1]))
        return self

    def probability(self, x: Floats) -> Floats:
        a, b = self.calibration_
        return np.asarray(expit(a * self.raw(x) + b), dtype=np.float64)

    def calibrated(self, margin: float) -> float:
        """The calibrated probability of one margin (the serving path)."""
        a, b = self.calibration_
        z = a * margin + b
        if z >= 0:  # both branches in range for any finite z (exp of a large positive z overflows)
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)


def _safe(name: str) -> str:
    """LightGBM refuses some characters in feature names: dots are fine, spaces and quotes are not."""
    return name.replace(" ", "_").replace('"', "")


def _check(x: Floats, y: npt.NDArray[np.int8], names: tuple[str, ...]) -> None:
    if x.ndim != 2 or x.shape[1] != len(names):
        raise InvalidInput(f"x must have {len(names)} columns, got shape {x.shape}", field="x")
    if len(y) != x.shape[0]:
        raise InvalidInput(f"{len(y)} labels for {x.shape[0]} rows", field="y")
    if len(y) == 0:
        raise InvalidInput("the window is empty", field="window")
