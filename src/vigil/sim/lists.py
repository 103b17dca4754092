"""Real illicit addresses for the simulator, read from the shared reference lists at run time.

The illicit-exposure typology deposits from these, and scam victims pay into them, so that the
screening capability meets the same addresses real lists carry:

- sanctioned: OFAC SDN digital-currency addresses (``ofac_crypto_addresses``), by chain;
- hacked: the GraphSense TagPack of the Binance hack (BTC);
- darknet: the GraphSense TagPack of Hydra Market (BTC);
- scam: ScamSniffer's address blacklist (EVM; GPL data, read here and never copied).

The lists are never copied into the project; a missing folder is a clear set-up error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from vigil.errors import ConfigError

DEFAULT_LISTS = Path("../shared/data/lists")

_OFAC_FILES = {"XBT": "BTC", "ETH": "ETH", "TRX": "TRON", "BSC": "BSC", "USDT": None}


@dataclass(frozen=True, slots=True)
class IllicitAddresses:
    """Addresses by category, then by chain (BTC, ETH, TRON, BSC), sorted for determinism."""

    by_category: dict[str, dict[str, tuple[str, ...]]]

    def pick(self, category: str, chain: str, r: float) -> str:
        """The address at fraction ``r`` in [0, 1) of the category's list on that chain."""
        pool = self.by_category[category][chain]
        return pool[int(r * len(pool))]

    def chains(self, category: str) -> tuple[str, ...]:
        return tuple(sorted(c for c, pool in self.by_category.get(category, {}).items() if pool))


def _chain_of(address: str, default: str | None) -> str:
    if default is not None:
        return default
    if address.startswith("0x"):
        return "ETH"
    if address.startswith("T"):
        return "TRON"
    return "BTC"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read the reference list {path}: {exc.strerror}; "
            "the simulator reads ../shared/data/lists (pass --lists DIR to point elsewhere)"
        ) from exc


def _tagpack(path: Path) -> tuple[str, ...]:
    pack = yaml.load(_read(path), Loader=yaml.CSafeLoader)
    tags = pack.get("tags") if isinstance(pack, dict) else None
    if not isinstance(tags, list):
        raise ConfigError(f"{path}: not a GraphSense TagPack (no 'tags' list)")
    return tuple(sorted({str(t["address"]) for t in tags if isinstance(t, dict) and "address" in t}))


def load_illicit(lists: Path = DEFAULT_LISTS) -> IllicitAddresses:
    if not lists.is_dir():
        raise ConfigError(
            f"reference lists not found at {lists}: the simulator takes real sanctioned, hacked, darknet "
            "and scam addresses from ../shared/data/lists (pass --lists DIR to point elsewhere)"
        )
    sanctioned: dict[str, set[str]] = {}
    for suffix, chain in _OFAC_FILES.items():
        text = _read(lists / "ofac_crypto_addresses" / f"sanctioned_addresses_{suffix}.txt")
        for line in text.split():
            sanctioned.setdefault(_chain_of(line, chain), set()).add(line)
    scam_raw = json.loads(_read(lists / "scamsniffer" / "address.json"))
    if not isinstance(scam_raw, list):
        raise ConfigError(f"{lists / 'scamsniffer' / 'address.json'}: expected a JSON list of addresses")
    scam = sorted({a.lower() for a in scam_raw if isinstance(a, str) and a.startswith("0x") and len(a) == 42})
    packs = lists / "graphsense_tagpacks" / "packs"
    return IllicitAddresses(
        {
            "sanctioned": {chain: tuple(sorted(pool)) for chain, pool in sanctioned.items()},
            "hacked": {"BTC": _tagpack(packs / "binance_hack.yaml")},
            "darknet": {"BTC": _tagpack(packs / "hydra.yaml")},
            "scam": {"ETH": tuple(scam)},
        }
    )
