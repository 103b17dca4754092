"""Crime episodes by typology: each is a generator over one operation (see ``base.py``)."""

from __future__ import annotations

from collections.abc import Callable

from vigil.sim.config import TYPOLOGIES, Region
from vigil.sim.crime.base import Crime, Episode, Ring
from vigil.sim.crime.fraud import (
    account_takeover,
    bonus_abuse,
    mistaken_deposit,
    scam_victim,
    synthetic_identity,
)
from vigil.sim.crime.laundering import (
    collusion,
    illicit_exposure,
    mule_ring,
    pass_through,
    structuring,
    wash_trading,
)

EPISODES: dict[str, Callable[[Crime, Region], Episode]] = {
    "account_takeover": account_takeover,
    "scam_victim": scam_victim,
    "mule_ring": mule_ring,
    "collusion": collusion,
    "synthetic_identity": synthetic_identity,
    "illicit_exposure": illicit_exposure,
    "structuring": structuring,
    "pass_through": pass_through,
    "wash_trading": wash_trading,
    "bonus_abuse": bonus_abuse,
    "mistaken_deposit": mistaken_deposit,
}
if tuple(EPISODES) != TYPOLOGIES:  # pragma: no cover - a programming error, caught by any import
    raise RuntimeError("every typology needs its episode, in the documented order")

__all__ = ["EPISODES", "Crime", "Episode", "Ring"]
