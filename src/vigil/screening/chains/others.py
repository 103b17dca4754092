"""Account chains that use base58: TRON, the XRP Ledger and Solana.

TRON: Base58Check of 0x41 and a 20-byte account (addresses start with ``T``, 34 characters). Its
APIs also print the same 21 bytes as 42 hex digits starting ``41``; that spelling is converted,
so both compare equal. The canonical form is base58.

XRP: Base58Check with Ripple's alphabet, version 0x00 and a 20-byte account id (``r...``).
X-addresses (XLS-5d, ``X...``, which pack a destination tag in) are not supported: they are
refused with a message asking for the classic address.

Solana: an address is a 32-byte ed25519 public key (or a program-derived address, which is off
the curve), written in base58. There is no checksum at all, so any 32-byte base58 string is
valid: a typo yields another valid address. We check the alphabet and the exact length, which is
all the format allows.
"""

from __future__ import annotations

import re
from typing import Final

from vigil.screening.chains import base58
from vigil.screening.chains.common import AddressFormatError

TRON_VERSION: Final = 0x41
_TRON_HEX: Final = re.compile(r"41[0-9a-fA-F]{40}", re.ASCII)


def parse_tron(text: str) -> str:
    """Canonical ``T...`` form of a TRON address given in base58 or as 42 hex digits."""
    if _TRON_HEX.fullmatch(text):
        return base58.encode_check(bytes.fromhex(text))
    payload = base58.decode_check(text, 25)
    if payload[0] != TRON_VERSION:
        raise AddressFormatError(
            f"version byte 0x{payload[0]:02x} is not TRON's 0x41 (addresses start with T)"
        )
    return text


def parse_xrp(text: str) -> str:
    """A classic XRP Ledger address (``r...``), validated; it is its own canonical form."""
    if text.startswith("X") and len(text) == 47:
        raise AddressFormatError("X-addresses are not supported; give the classic r-address and tag")
    payload = base58.decode_check(text, 25, base58.RIPPLE)
    if payload[0] != 0:
        raise AddressFormatError(f"version byte 0x{payload[0]:02x} is not an account's 0x00 (r...)")
    return text


def parse_sol(text: str) -> str:
    """A Solana address: base58 of exactly 32 bytes (Solana has no checksum to verify)."""
    base58.decode(text, 32)
    return text
