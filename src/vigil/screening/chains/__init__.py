"""Crypto addresses per chain: validation and the one canonical spelling lists and events share.

Screening compares addresses, and a comparison is only as good as the spellings it compares: an
EVM address in checksum case and in lower case, a Bitcoin Cash address in legacy and CashAddr
form, a TON account bounceable or not are each one address. ``parse_address`` validates an
address against its chain's format from the specifications (checksums included, never a silent
pass) and returns an :class:`Address` whose ``key`` is ``FAMILY:canonical``, the key list
indexes use. ``chain_for_currency`` maps the currency codes lists use to chains.

Modules: ``base58``, ``bech32``, ``cashaddr``, ``monero`` and ``stellar`` are codecs from their
specifications, ``common`` what they share; ``utxo``, ``evm``, ``others`` and ``ton`` hold the
per-chain rules; ``parse`` is the chain table; ``currency`` the code table. The engine's
feature keys use the simpler ``vigil.model.address_key``, which needs no parsing.
"""

from vigil.screening.chains.currency import chain_for_currency
from vigil.screening.chains.parse import Address, family_of, parse_address

__all__ = ["Address", "chain_for_currency", "family_of", "parse_address"]
