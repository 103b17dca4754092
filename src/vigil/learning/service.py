"""Train, compare and promote models; the loop from labels to the model that serves a region.

Windows are cut from the end of the journal (or ``until``) backwards, so every window lies after the one
it judges:

    ... training ... | calibration (calibration_days) | held out (holdout_days) | end

``train`` fits on the training window (every region for the GLOBAL model; one region's rows for a
regional challenger), calibrates and picks thresholds on the calibration window so that the goal's
budgets hold per region (``vigil.ml.thresholds``), and records the held-out metrics in the sidecar, on
the rows ``compare`` judges it on (the region's, for a regional model).
``compare`` scores the region's champion and a challenger on the region's held-out window; ``promote``
records a challenger as the region's model only when it is better on the agreed metric (average
precision), and says by how much.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from vigil.errors import InvalidInput, NotFound
from vigil.features import Catalog
from vigil.ml.artifact import Trained, dump, load
from vigil.ml.dataset import TrainingSet, training_set
from vigil.ml.metrics import average_precision
from vigil.ml.model import RiskModel
from vigil.ml.thresholds import HOLDABLE, Goal, choose
from vigil.model.learning import GLOBAL, Promotion
from vigil.ports import Journal, LabelStore, ModelRegistry

DAY_US = 86_400_000_000
MIN_CALIBRATION_ILLICIT = 5  # illicit events a calibration window needs (Platt scaling has two parameters)
# The model is trained with an illicit withdrawal or P2P order (where the value leaves, what a hold can
# stop) weighing this many other illicit rows (``RiskModel.exit_weight``; tuned on seed 1, issue 16).
EXIT_WEIGHT = 5.0
EXIT_TYPES = np.asarray(sorted(t.value for t in HOLDABLE), dtype=np.str_)
Floats = npt.NDArray[np.float64]


class Progress(Protocol):
    """Hears how a long step goes: ``stage`` ("replaying", "fitting", "calibrating") with ``done`` of
    ``total`` (events replayed of the journal's; rows fitted or calibrated on, with ``total`` 0)."""

    def __call__(self, stage: str, done: int, total: int) -> None: ...


def _quiet(stage: str, done: int, total: int) -> None:
    """A progress listener that ignores everything."""


@dataclass(frozen=True, slots=True)
class Windows:
    calibration_days: float = 3.0
    holdout_days: float = 3.0
    training_days: float | None = None  # None: everything before calibration
    min_illicit: int = 30  # illicit rows a training window needs
    until_us: int | None = None  # the end of the held-out window (None: just after the last event)


@dataclass(frozen=True, slots=True)
class Comparison:
    region: str
    champion: str | None
    challenger: str
    champion_ap: float | None
    challenger_ap: float
    rows: int
    illicit: int

    @property
    def better(self) -> bool:
        return self.champion_ap is None or self.challenger_ap > self.champion_ap

    def sentence(self) -> str:
        champ = "no champion" if self.champion is None else f"{self.champion} AP {self.champion_ap:.4f}"
        return (
            f"{self.region}: challenger {self.challenger} AP {self.challenger_ap:.4f} vs {champ} "
            f"on the held-out window ({self.rows:,} events, {self.illicit:,} illicit)"
        )


class Learning:
    """The learning loop over the journal, the labels and the model registry."""

    def __init__(
        self,
        journal: Journal,
        labels: LabelStore,
        registry: ModelRegistry,
        new_catalog: Callable[[], Catalog],
        *,
        windows: Windows | None = None,
        goal: Goal | None = None,
    ) -> None:
        self.journal = journal
        self.labels = labels
        self.registry = registry
        self.new_catalog = new_catalog
        self.windows = windows or Windows()
        self.goal = goal or Goal()
        self._rows: TrainingSet | None = None

    # -- the data --------------------------------------------------------------------------------
    def rows(self, progress: Progress = _quiet) -> TrainingSet:
        """Every scored event of the journal with its features at decision time (replayed once)."""
        if self._rows is None:
            total = self.journal.count()
            if total == 0:
                raise InvalidInput("the journal holds no events to learn from", field="journal")
            self._rows = training_set(
                self.journal.decided(),
                self.labels.current(),
                self.new_catalog(),
                progress=lambda done: progress("replaying", done, total),
            )
        return self._rows

    def cuts(self) -> tuple[int, int, int]:
        """(calibration start, held-out start, end) in µs."""
        end = self.windows.until_us or int(self.rows().ts_us.max()) + 1
        holdout = end - int(self.windows.holdout_days * DAY_US)
        calibration = holdout - int(self.windows.calibration_days * DAY_US)
        return calibration, holdout, end

    # -- train -----------------------------------------------------------------------------------
    def train(
        self,
        *,
        region: str | None = None,
        model: RiskModel | None = None,
        goal: Goal | None = None,
        progress: Progress = _quiet,
    ) -> Trained:
        """Fit, calibrate and threshold a model (GLOBAL when ``region`` is None) for ``goal`` (the
        service's when None); add it to the registry."""
        goal = goal or self.goal
        rows = self.rows(progress)
        calibration_at, holdout_at, end = self.cuts()
        start = None
        if self.windows.training_days is not None:
            start = calibration_at - int(self.windows.training_days * DAY_US)
        train = rows.window(start, calibration_at)
        calib = rows.window(calibration_at, holdout_at)
        held = rows.window(holdout_at, end)
        if region is not None:
            known = set(rows.regions.tolist())
            if region not in known:
                raise InvalidInput(f"no events of region {region!r} (regions: {', '.join(sorted(known))})")
            train = train.where(train.regions == region)
            held = held.where(held.regions == region)  # what compare judges it on
        name = region or GLOBAL
        illicit = int(train.y.sum())
        if len(train) == 0 or illicit < self.windows.min_illicit:
            raise InvalidInput(
                f"region {name!r} has {illicit} illicit events in its training window "
                f"(at least {self.windows.min_illicit} are needed): it keeps the global model",
                field="region",
            )
        calib_illicit = int(calib.y.sum())
        if len(calib) - calib_illicit < goal.min_rows or calib_illicit < MIN_CALIBRATION_ILLICIT:
            raise InvalidInput(
                f"the calibration window ({_dates(calibration_at, holdout_at)}) holds "
                f"{len(calib) - calib_illicit:,} legitimate and {calib_illicit:,} illicit events; "
                f"calibration and thresholds need at least {goal.min_rows:,} and "
                f"{MIN_CALIBRATION_ILLICIT}: widen --calibration-days, or end the windows earlier "
                "with --until",
                field="window",
            )
        progress("fitting", len(train), 0)
        fitted = (model or RiskModel(exit_weight=EXIT_WEIGHT)).fit(
            train.x, train.y, train.names, exits=np.isin(train.types, EXIT_TYPES)
        )
        progress("calibrating", len(calib), 0)
        fitted.calibrate(calib.x, calib.y)
        cuts = choose(
            fitted.probability(calib.x),
            calib.y,
            calib.regions,
            calib.types,
            calib.fiat,
            rows.activity.account_days(calibration_at, holdout_at),
            goal,
        )
        metrics = {"train_rows": float(len(train)), "train_illicit": float(illicit)}
        if len(held) and held.y.max() == 1:
            metrics["holdout_ap"] = average_precision(held.y, fitted.probability(held.x))
        now = time.time_ns() // 1000
        trained = Trained(
            model_id=f"{name}-{now}",
            region=name,
            created_us=now,
            catalog_hash=rows.catalog_hash,
            model=fitted,
            cuts=cuts,
            windows={
                "training": _window(train),
                "calibration": _window(calib),
                "holdout": _window(held),
            },
            metrics=metrics,
            goal=goal.describe(),
        )
        self.registry.add(dump(trained))
        return trained

    # -- compare and promote -------------------------------------------------------------------
    def load(self, model_id: str) -> Trained:
        version = self.registry.get(model_id)
        if version is None:
            raise NotFound(f"no model {model_id!r} in the registry")
        rows = self.rows()
        return load(version, catalog_hash=rows.catalog_hash, columns=rows.names)

    def compare(self, region: str, challenger_id: str) -> Comparison:
        """Champion (the region's serving model, else GLOBAL's) against a challenger, on the region's
        held-out window (every region's for GLOBAL). With no champion, the challenger wins."""
        _, holdout_at, end = self.cuts()
        held = self.rows().window(holdout_at, end)
        if region != GLOBAL:
            held = held.where(held.regions == region)
        if len(held) == 0 or held.y.max() == 0:
            raise InvalidInput(
                f"region {region!r} has no illicit events in the held-out window", field="region"
            )
        serving = self.registry.serving()
        champion_id = serving.get(region) or serving.get(GLOBAL)
        champion_ap = None
        if champion_id is not None:
            champion_ap = average_precision(held.y, self.load(champion_id).model.probability(held.x))
        challenger_ap = average_precision(held.y, self.load(challenger_id).model.probability(held.x))
        return Comparison(
            region, champion_id, challenger_id, champion_ap, challenger_ap, len(held), int(held.y.sum())
        )

    def serving_scores(self, rows: TrainingSet) -> Floats | None:
        """Each row's probability under the model serving its region (None when no model serves)."""
        serving = self.registry.serving()
        if not serving:
            return None
        scores = np.full(len(rows), np.nan)
        models: dict[str, Trained] = {}
        for region in sorted(set(rows.regions.tolist())):
            model_id = serving.get(region) or serving.get(GLOBAL)
            if model_id is None:
                continue
            if model_id not in models:
                models[model_id] = self.load(model_id)
            mask = rows.regions == region
            scores[mask] = models[model_id].model.probability(rows.x[mask])
        return scores

    def promote(self, comparison: Comparison, *, by: str) -> bool:
        """Record the challenger as the region's model when it is better; False (nothing recorded) if not."""
        if not comparison.better:
            return False
        self.registry.promote(
            Promotion(
                region=comparison.region,
                model_id=comparison.challenger,
                at_us=time.time_ns() // 1000,
                by=by,
                reason=comparison.sentence(),
                previous=comparison.champion,
            )
        )
        return True


def _dates(start_us: int, end_us: int) -> str:
    def day(us: int) -> str:
        return datetime.fromtimestamp(us / 1e6, tz=UTC).strftime("%Y-%m-%d %H:%M")

    return f"{day(start_us)} to {day(end_us)} UTC"


def _window(rows: TrainingSet) -> dict[str, int]:
    ts: npt.NDArray[np.int64] = rows.ts_us
    return {
        "start_us": int(ts.min()) if len(ts) else 0,
        "end_us": int(ts.max()) if len(ts) else 0,
        "rows": len(rows),
        "illicit": int(rows.y.sum()),
    }
