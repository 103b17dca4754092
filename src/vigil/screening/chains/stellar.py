"""Stellar account ids: StrKey (SEP-23) ``G...`` and muxed ``M...`` addresses.

A StrKey is RFC 4648 base32 (no padding) of a version byte, the key and a CRC-16/XMODEM of both
appended little-endian. Account ids (``G``, version 6 << 3) carry a 32-byte ed25519 key: 35
bytes, 56 characters. Muxed accounts (``M``, version 12 << 3) add an 8-byte id: 43 bytes, 69
characters, whose last character carries one unused bit that must be zero.

A muxed address is the account plus a number the receiving service uses to route the payment
(like a memo); the funds land in the ``G`` account. Its canonical form is therefore that
account id, so a listed account matches whatever id is appended.

SEP-23 says a StrKey must re-encode to exactly itself, which makes upper case the only valid
spelling. Lists and forms lower-case things, so we also accept an all-lower-case string and
upper-case it (mixed case is refused); the canonical form is upper case.
"""

from __future__ import annotations

import base64
from typing import Final

from vigil.screening.chains.common import AddressFormatError, crc16_xmodem

ACCOUNT_VERSION: Final = 6 << 3
MUXED_VERSION: Final = 12 << 3
_LAYOUTS: Final = {56: (ACCOUNT_VERSION, 35), 69: (MUXED_VERSION, 43)}


def encode(version: int, payload: bytes) -> str:
    """The StrKey of a version byte and its payload (checksum appended, padding removed)."""
    body = bytes([version]) + payload
    return base64.b32encode(body + crc16_xmodem(body).to_bytes(2, "little")).decode("ascii").rstrip("=")


def parse_xlm(text: str) -> str:
    """The ``G...`` account id of a Stellar account id or muxed address, upper case."""
    upper = text.upper()
    if upper != text and text.lower() != text:
        raise AddressFormatError("mixes upper and lower case (StrKey is upper case)")
    layout = _LAYOUTS.get(len(upper))
    if layout is None:
        raise AddressFormatError(
            f"is {len(text)} characters; account ids have 56 (G...) and muxed addresses 69 (M...)"
        )
    version, size = layout
    try:
        raw = base64.b32decode(upper + "=" * (-len(upper) % 8))
    except ValueError:  # binascii.Error for bad base32, plain ValueError for non-ASCII text
        raise AddressFormatError("is not RFC 4648 base32 (A-Z, 2-7)") from None
    if len(raw) != size:  # pragma: no cover - 56 and 69 base32 characters always give 35 and 43 bytes
        raise AddressFormatError(f"decodes to {len(raw)} bytes where {size} are expected")
    if raw[0] != version:
        kind = "an account id (G...)" if version == ACCOUNT_VERSION else "a muxed account (M...)"
        raise AddressFormatError(f"version byte 0x{raw[0]:02x} is not 0x{version:02x}, {kind}")
    body, check = raw[:-2], raw[-2:]
    if crc16_xmodem(body).to_bytes(2, "little") != check:
        raise AddressFormatError("bad checksum (CRC-16)")
    if version == ACCOUNT_VERSION:
        return upper
    # Muxed: 69 characters hold 345 bits for 344; a set spare bit would make a second spelling.
    if encode(version, body[1:]) != upper:
        raise AddressFormatError("has a non-zero unused bit in its last character")
    return encode(ACCOUNT_VERSION, body[1:33])
