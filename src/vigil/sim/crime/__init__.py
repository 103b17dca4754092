"""Crime episodes by typology: each is a generator over one operation (see ``base.py``)."""

from __future__ import annotations

from collections.abc import Callable

from vigil.sim.config import CLASSIC, TYPOLOGIES, VARIANTS, Region
from vigil.sim.crime.base import Crime, Episode, Ring
from vigil.sim.crime.fraud import (
    account_takeover,
    bonus_abuse,
    mistaken_deposit,
    scam_victim,
    synthetic_identity,
)
from vigil.sim.crime.hiding_fraud import (
    clean_kyc,
    crypto_funded,
    long_con,
    residential_farm,
    session_hijack,
    slow_drain,
)
from vigil.sim.crime.hiding_laundering import (
    bought_identities,
    one_hop,
    recruited_customers,
    rented_accounts,
    separate_devices,
    slow_layering,
    smurfs,
    split_hops,
    varied_steps,
    with_trade,
)
from vigil.sim.crime.laundering import (
    collusion,
    illicit_exposure,
    mule_ring,
    pass_through,
    structuring,
    wash_trading,
)

Variant = Callable[[Crime, Region, str], Episode]
EPISODES: dict[str, Callable[..., Episode]] = {
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
# Generator 2's hiding variants, by typology (the classic variant is the episode above).
HIDING: dict[str, dict[str, Variant]] = {
    "account_takeover": {"session_hijack": session_hijack, "slow_drain": slow_drain},
    "scam_victim": {"crypto_funded": crypto_funded, "long_con": long_con},
    "mule_ring": {"recruited_customers": recruited_customers, "rented_accounts": rented_accounts},
    "collusion": {"bought_identities": bought_identities},
    "synthetic_identity": {"clean_kyc": clean_kyc},
    "illicit_exposure": {"one_hop": one_hop, "split_hops": split_hops},
    "structuring": {"varied_steps": varied_steps, "smurfs": smurfs},
    "pass_through": {"with_trade": with_trade, "slow_layering": slow_layering},
    "wash_trading": {"separate_devices": separate_devices},
    "bonus_abuse": {"residential_farm": residential_farm},
    "mistaken_deposit": {},
}
if tuple(EPISODES) != TYPOLOGIES or {t: set(v) for t, v in HIDING.items()} != {
    t: set(v) for t, v in VARIANTS.items()
}:  # pragma: no cover - a programming error, caught by any import
    raise RuntimeError("every typology needs its episode and its variants, in the documented order")


def _versioned(typology: str) -> Callable[[Crime, Region], Episode]:
    classic, hiding = EPISODES[typology], HIDING[typology]

    def episode(c: Crime, region: Region) -> Episode:
        """One episode of generator 2: a variant drawn by its share, classic the rest of the time."""
        variant = c.pick_variant(typology)
        if variant == CLASSIC:
            return classic(c, region, None if typology == "mistaken_deposit" else CLASSIC)
        return hiding[variant](c, region, variant)

    return episode


EPISODES_V2: dict[str, Callable[[Crime, Region], Episode]] = {t: _versioned(t) for t in TYPOLOGIES}

__all__ = ["EPISODES", "EPISODES_V2", "HIDING", "Crime", "Episode", "Ring"]
