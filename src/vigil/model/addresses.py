"""Address keys: one spelling per address, so equal addresses compare equal within a chain.

This is the minimal canonical form the engine needs to key features (case-insensitive formats
folded to lower case, the chain always part of the key); full per-chain parsing with checksum
validation belongs to screening.
"""

from __future__ import annotations

import sys

from vigil.model.enums import Chain

# Bech32 addresses are case-insensitive (lower case is canonical); base58 ones are not.
_BECH32_PREFIXES: dict[Chain, tuple[str, ...]] = {
    Chain.BTC: ("bc1", "tb1", "bcrt"),
    Chain.LTC: ("ltc1", "tltc"),
}


def address_key(chain: Chain, address: str) -> str:
    """``CHAIN:address`` with case folded where the chain's format ignores case.

    Interned: the feature state, the entity graph and the destination table keep one copy of a key
    however many events name it (an interned string is freed as usual once nothing holds it)."""
    if chain.is_evm or address.lower().startswith(_BECH32_PREFIXES.get(chain, ("\0",))):
        address = address.lower()
    return sys.intern(f"{chain.value}:{address}")
