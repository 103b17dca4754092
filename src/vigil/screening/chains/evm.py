"""EVM addresses (Ethereum and every chain that copies its accounts): ``0x`` and 40 hex digits.

Hex is case-insensitive, so the canonical form is lower case. EIP-55 puts a checksum in the case
of the letters: a letter is upper case when the matching nibble of Keccak-256 of the lower-case
hex (as ASCII) is 8 or more. All-lower and all-upper spellings carry no checksum and are
accepted as they are; a mixed-case spelling is a claim of a checksum and must pass it, because a
typo in a checksummed address is exactly what EIP-55 exists to catch.

EIP-1191 (a checksum that also hashes the chain id) is used by RSK, not by Ethereum Classic or
the other chains here; ETC wallets and explorers write plain EIP-55. An EIP-1191-cased address
would fail the EIP-55 check and be refused with a checksum message, which is the safe outcome:
its lower-case spelling is always accepted.
"""

from __future__ import annotations

import re
from typing import Final

from Crypto.Hash import keccak

from vigil.screening.chains.common import AddressFormatError, describe_char

_SHAPE: Final = re.compile(r"0x[0-9a-fA-F]{40}", re.ASCII)
_HEX: Final = frozenset("0123456789abcdefABCDEF")

# EIP-55 without a Python loop over characters: the expected spelling is the lower-case ASCII
# with bit 0x20 cleared exactly where the character is a letter and the hash nibble is >= 8.
# Both conditions become 0x20/0x00 byte masks by ``translate``; AND-ing and XOR-ing them as big
# integers applies all forty decisions at once.
_NIBBLE_HIGH: Final = bytes(0x20 if chr(c) in "89abcdef" else 0 for c in range(256))
_IS_LETTER: Final = bytes(0x20 if chr(c) in "abcdef" else 0 for c in range(256))


def checksum_case(lower_hex: str) -> str:
    """The EIP-55 spelling (without ``0x``) of 40 lower-case hex digits."""
    ascii_hex = lower_hex.encode("ascii")
    digest = keccak.new(digest_bits=256, data=ascii_hex).hexdigest()
    mask = int.from_bytes(digest[:40].encode("ascii").translate(_NIBBLE_HIGH), "big") & int.from_bytes(
        ascii_hex.translate(_IS_LETTER), "big"
    )
    return (int.from_bytes(ascii_hex, "big") ^ mask).to_bytes(40, "big").decode("ascii")


def _diagnose(text: str) -> AddressFormatError:
    """Say precisely why ``text`` is not ``0x`` + 40 hex digits."""
    if not text.startswith("0x"):
        return AddressFormatError("must start with '0x'")
    body = text[2:]
    for index, char in enumerate(body):
        if char not in _HEX:
            return AddressFormatError(f"{describe_char(text, index + 2)} is not a hex digit")
    return AddressFormatError(f"has {len(body)} hex digits after '0x' where 40 are expected (wrong length)")


def parse_evm(text: str) -> str:
    """Lower-case ``0x`` form of an EVM address, checking EIP-55 when the case is mixed."""
    if _SHAPE.fullmatch(text) is None:
        raise _diagnose(text)
    body = text[2:]
    lower = body.lower()
    if body != lower and body != body.upper() and checksum_case(lower) != body:
        # Deliberately no "did you mean": proposing the correctly cased spelling of a mistyped
        # address would turn a caught typo into a valid-looking wrong destination.
        raise AddressFormatError("mixed case does not match its EIP-55 checksum")
    return "0x" + lower
