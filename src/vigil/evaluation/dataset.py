"""The evaluation's data: events with their decision and label, aligned by event, in numpy columns.

Millions of events do not fit comfortably as Python objects, so ``DatasetBuilder`` turns each
block of decoded rows into columns at once: names (accounts, regions, typologies, rings) become
dense integer codes, timestamps integer microseconds. Event ids are not kept: they only join the
three files, inside the builder.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

NO_DECISION = -1


@dataclass(frozen=True, slots=True)
class Dataset:
    """Events (one row each), their decisions, and the labelled events' ground truth.

    Per event: ``account`` and ``region`` are codes into ``accounts`` and ``regions``; ``ts_us``
    microseconds since the epoch (UTC); ``outcome`` an ``Outcome`` value or ``NO_DECISION``;
    ``score`` NaN without a decision. Per label (one per labelled event): ``label_event`` is the
    event's row, ``label_typology`` and ``label_ring`` codes, ``label_value`` the illicit value.
    """

    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    account: npt.NDArray[np.int32]
    ts_us: npt.NDArray[np.int64]
    region: npt.NDArray[np.int32]
    withdrawal: npt.NDArray[np.bool_]
    outcome: npt.NDArray[np.int8]
    score: npt.NDArray[np.float64]
    typologies: tuple[str, ...]
    rings: tuple[str, ...]
    label_event: npt.NDArray[np.int64]
    label_typology: npt.NDArray[np.int32]
    label_ring: npt.NDArray[np.int32]
    label_value: tuple[Decimal, ...]
    label_exit: npt.NDArray[np.bool_]

    @property
    def n_events(self) -> int:
        return int(self.account.size)

    @property
    def n_labels(self) -> int:
        return int(self.label_event.size)
