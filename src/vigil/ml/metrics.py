"""Ranking metrics on labelled scores (pure numpy): what model comparison and promotion agree on."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def average_precision(y: npt.NDArray[np.int8], scores: npt.NDArray[np.float64]) -> float:
    """Average precision: the mean of the precision at the rank of each illicit row, best scores first
    (ties broken pessimistically: illicit rows after legitimate ones of the same score). 0 without any."""
    positives = int(np.sum(y))
    if positives == 0:
        return 0.0
    order = np.lexsort((y, -scores))  # by score descending, legitimate first among ties
    hits = np.cumsum(y[order] == 1)
    ranks = np.arange(1, len(y) + 1)
    at_positive = y[order] == 1
    return float(np.sum(hits[at_positive] / ranks[at_positive]) / positives)
