"""Why the model scored an event as it did: per-feature shares of its margin as reasons an analyst can read.

Path attribution (``vigil.ml.attribution``) splits a row's margin into one share per feature plus a
bias; the features that pushed the score up the most become the decision's model reasons. Each
feature belongs to a family with a stable reason code (``model.velocity``, ``model.network``...;
docs/reason-codes.md), and the reason's detail names the feature, its value in words and how much it
moved the score.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from vigil.model import Reason, ReasonCode

_FAMILIES: tuple[tuple[Callable[[str], bool], ReasonCode], ...] = (
    (lambda n: n.startswith("event."), ReasonCode.MODEL_EVENT),
    (lambda n: n.startswith(("rules.", "screening.")), ReasonCode.MODEL_EVIDENCE),
    (lambda n: "anomaly" in n, ReasonCode.MODEL_ANOMALY),
    (
        lambda n: (
            n.startswith(("graph.", "device.", "ip.", "destination.", "pair.", "document.", "receiver."))
            or "distinct_counterparty" in n
        ),
        ReasonCode.MODEL_NETWORK,
    ),
    (
        lambda n: (
            "passthrough" in n or "ratio" in n or "share_of" in n or "latest_fiat" in n or "covered_by" in n
        ),
        ReasonCode.MODEL_PASSTHROUGH,
    ),
    (lambda n: "kyc_submitted" in n or "seconds_since_first" in n, ReasonCode.MODEL_PROFILE),
    (
        lambda n: any(
            k in n for k in ("zscore", "is_new", "travel", "hour_of_day", "since_last", "_age_", ".age_s")
        ),
        ReasonCode.MODEL_BEHAVIOUR,
    ),
    (
        lambda n: any(k in n for k in (".count_", ".sum_", ".distinct_", "repeated_")),
        ReasonCode.MODEL_VELOCITY,
    ),
)


def family(name: str) -> ReasonCode | None:
    """The reason code of a model input column (None: no family, which a test forbids)."""
    for test, code in _FAMILIES:
        if test(name):
            return code
    return None


def _value(value: float) -> str:
    if math.isnan(value):
        return "missing"
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.3g}"


def reasons(
    shares: npt.NDArray[np.float64],
    row: npt.NDArray[np.float64],
    names: tuple[str, ...],
    codes: tuple[ReasonCode, ...],
    sentences: tuple[str, ...],
    *,
    model_id: str,
    top: int = 3,
    min_share: float = 0.1,
) -> tuple[Reason, ...]:
    """The ``top`` features that raised the margin most (each at least ``min_share`` log-odds); each
    reason's detail is the feature's sentence (``sentences``, by column), its value and its share."""
    shares = shares[: len(names)]
    if len(shares) <= top:
        order = np.argsort(-shares)
    else:
        best = np.argpartition(-shares, top)[:top]
        order = best[np.argsort(-shares[best])]
    found = []
    for i in order.tolist():
        share = float(shares[i])
        if share < min_share:
            break
        found.append(
            Reason(
                codes[i],
                f"model:{model_id}",
                round(share, 3),
                f"{sentences[i]}: {_value(float(row[i]))} (raised the model's log-odds by {share:.2f})",
            )
        )
    return tuple(found)
