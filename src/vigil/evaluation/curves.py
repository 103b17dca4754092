"""Threshold curves: what a score threshold would catch, and what it would cost honest users.

At a threshold ``s`` an event is flagged when its score is ``>= s`` (whatever its outcome was).
Thresholds are the scores of the positives (the typology's labelled events, or the exits): all
their distinct values, or at most ``max_points`` of their quantiles (actual scores, method
"lower"), so each curve has at most that many points and they fall where the positives are.
Thresholds ascend, so recall, value share and friction never increase along a curve.

- precision-recall, per typology, event level, one against the legitimate: recall = the
  typology's events flagged / its events; precision = those / (those + legitimate events flagged).
- value against friction, overall and per region: value share = illicit value of the exits
  flagged / all exits' illicit value (exact decimals); friction = legitimate withdrawals flagged /
  legitimate withdrawals with a decision.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from itertools import accumulate, compress

import numpy as np
import numpy.typing as npt

from vigil.evaluation.frame import Bools, Frame
from vigil.evaluation.results import Curves, PRPoint, ValueFrictionPoint

Scores = npt.NDArray[np.float64]


def thresholds(scores: Scores, max_points: int) -> Scores:
    """The distinct ``scores`` ascending, or at most ``max_points`` of their quantiles."""
    distinct = np.unique(scores)
    if distinct.size <= max_points:
        return distinct
    return np.unique(np.quantile(scores, np.linspace(0.0, 1.0, max_points), method="lower"))


def at_or_above(sorted_scores: Scores, cuts: Scores) -> npt.NDArray[np.int64]:
    """For each cut, how many of ``sorted_scores`` (ascending) are ``>= cut``."""
    return sorted_scores.size - np.searchsorted(sorted_scores, cuts, side="left")


def precision_recall(f: Frame, labels: Bools, max_points: int) -> tuple[PRPoint, ...]:
    """The precision-recall curve of ``labels`` (a mask over label rows) against legitimate events."""
    positives = np.sort(f.l_score[labels])
    if not positives.size:
        return ()
    legitimate = np.sort(f.data.score[~f.labelled & f.decided])
    cuts = thresholds(positives, max_points)
    hits, false = at_or_above(positives, cuts), at_or_above(legitimate, cuts)
    return tuple(
        PRPoint(float(s), int(tp), int(fp), int(tp) / positives.size, int(tp) / int(tp + fp))
        for s, tp, fp in zip(cuts, hits, false, strict=True)
    )


def value_vs_friction(f: Frame, region: int | None, max_points: int) -> tuple[ValueFrictionPoint, ...]:
    """Exit value flagged against legitimate withdrawals flagged, overall or in one region."""
    d = f.data
    exits = d.label_exit.copy()
    honest = d.withdrawal & ~f.labelled & f.decided
    if region is not None:
        exits &= f.l_region == region
        honest &= d.region == region
    scores = f.l_score[exits]
    if not scores.size:
        return ()
    values = list(compress(d.label_value, exits))
    order = np.argsort(-scores, kind="stable")
    descending = scores[order]
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        flagged_value = [Decimal(0), *accumulate(values[i] for i in order.tolist())]
    total = flagged_value[-1]
    legitimate = np.sort(d.score[honest])
    cuts = thresholds(scores, max_points)
    # descending[:k] are the exits with score >= cut: k counts -score <= -cut in an ascending array.
    flagged = np.searchsorted(-descending, -cuts, side="right")
    honest_flagged = at_or_above(legitimate, cuts)
    return tuple(
        ValueFrictionPoint(
            threshold=float(s),
            value_flagged=flagged_value[int(k)],
            value_share=float(flagged_value[int(k)] / total) if total else None,
            friction=int(h) / legitimate.size if legitimate.size else None,
        )
        for s, k, h in zip(cuts, flagged, honest_flagged, strict=True)
    )


def build_curves(f: Frame, max_points: int) -> Curves:
    """Every curve of the report: per typology, overall, per region (names sorted)."""
    d = f.data
    return Curves(
        precision_recall={
            name: precision_recall(f, d.label_typology == code, max_points)
            for code, name in sorted(enumerate(d.typologies), key=lambda item: item[1])
        },
        value_vs_friction=value_vs_friction(f, None, max_points),
        value_vs_friction_by_region={
            name: curve
            for code, name in sorted(enumerate(d.regions), key=lambda item: item[1])
            if (curve := value_vs_friction(f, code, max_points))
        },
    )
