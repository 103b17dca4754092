"""From the currency or asset codes real lists use to the chain whose address format applies.

Lists name the asset, not the chain: OFAC writes ``XBT`` for bitcoin and files stablecoin
addresses under ``USDT`` and ``USDC`` whether they live on TRON, Ethereum or (Tether on the
Omni Layer) Bitcoin; GraphSense uses
``BEP20`` and ``BEP2``; exchanges say ``TRC20``, ``ERC20``. This table is the one place that
knows those spellings. Tokens that exist on several chains are decided by the address's shape.
"""

from __future__ import annotations

from typing import Final

from vigil.errors import InvalidAddress
from vigil.model import Chain

# Every chain's own name is a code too (TRON, POLYGON, ...); these add the other spellings.
_ALIASES: Final = {
    "XBT": Chain.BTC,
    "ERC20": Chain.ETH,
    "TRX": Chain.TRON,
    "TRC20": Chain.TRON,
    "BNB": Chain.BSC,
    "BEP20": Chain.BSC,
    "MATIC": Chain.POLYGON,
    "POL": Chain.POLYGON,
    "ARBITRUM": Chain.ARB,
    "OPTIMISM": Chain.OP,
    "RIPPLE": Chain.XRP,
    "OMNI": Chain.BTC,  # Omni Layer assets (Tether's first home) ride on Bitcoin addresses
}
_CODES: Final = {**{chain.value: chain for chain in Chain}, **_ALIASES}

# Stablecoins the lists file under their own code, on TRON or Ethereum (and Tether on Omni).
_MULTICHAIN_TOKENS: Final = frozenset({"USDT", "USDC"})

_BEACON_CHAIN = (
    "BEP2 assets live on the BNB Beacon Chain (bnb1... addresses), which Vigil does not screen; "
    "BNB Smart Chain addresses are BEP20/BSC"
)


def _token_chain(code: str, address: str) -> Chain:
    """Where a USDT/USDC address lives, judged by its shape alone (``parse_address`` validates).

    ``T`` and 34 characters is TRON. For USDT, a Bitcoin-shaped address (``1``/``3`` base58 of
    26-35 characters, or ``bc1``) is Tether on the Omni Layer, which rides on Bitcoin addresses:
    the OFAC list files several under USDT. Anything else is taken as Ethereum.
    """
    if len(address) == 34 and address.startswith("T"):
        return Chain.TRON
    bitcoin_shaped = (address[:1] in ("1", "3") and 26 <= len(address) <= 35) or address[:3].lower() == "bc1"
    if code == "USDT" and bitcoin_shaped:
        return Chain.BTC
    return Chain.ETH


def chain_for_currency(code: str, address: str) -> Chain:
    """The chain whose address format applies to ``address`` listed under currency ``code``.

    ``code`` is matched case-insensitively after stripping whitespace. USDT and USDC go to TRON
    when the address looks like a TRON one (``T`` and 34 characters), USDT to Bitcoin when it
    looks like a Bitcoin one (Omni Layer Tether), and otherwise both to Ethereum. BEP2 (and BNB
    with a ``bnb1`` Beacon Chain address) and codes of chains Vigil does not screen raise
    :class:`vigil.errors.InvalidAddress` naming the code. The address itself is not validated
    here: :func:`parse_address` does that.
    """
    normalised = code.strip().upper()
    stripped = address.strip()
    if normalised in _MULTICHAIN_TOKENS:
        return _token_chain(normalised, stripped)
    if normalised == "BEP2" or (normalised == "BNB" and stripped.lower().startswith("bnb1")):
        raise InvalidAddress(_BEACON_CHAIN, chain=normalised, address=address)
    chain = _CODES.get(normalised)
    if chain is None:
        raise InvalidAddress(
            f"currency {code.strip()!r} is not a chain Vigil screens",
            chain=normalised or "?",
            address=address,
        )
    return chain
