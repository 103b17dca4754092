"""TON addresses: the raw form ``workchain:hex`` and the 48-character user-friendly form.

An account is a workchain id and a 32-byte hash. The raw form writes them as a signed decimal,
``:`` and 64 hex digits. The user-friendly form is base64 or base64url of 36 bytes: a tag (0x11
bounceable, 0x51 non-bounceable, plus 0x80 for "test network only"), the workchain as a signed
byte, the hash and a CRC-16/XMODEM of those 34 bytes, big-endian.

The bounceable flag only tells a wallet how to send; it names the same account. So the
canonical form is the raw one in lower case, and all four spellings of an account (raw,
bounceable, non-bounceable, either base64 alphabet) compare equal. Addresses flagged test-only
are refused: Vigil screens mainnet destinations. Only the workchains that exist (0, the
basechain, and -1, the masterchain) are accepted.
"""

from __future__ import annotations

import base64
import re
from typing import Final

from vigil.screening.chains.common import AddressFormatError, crc16_xmodem

BOUNCEABLE: Final = 0x11
NON_BOUNCEABLE: Final = 0x51
TEST_ONLY: Final = 0x80
_WORKCHAINS: Final = (0, -1)
_RAW: Final = re.compile(r"(-?\d+):([0-9a-fA-F]*)", re.ASCII)
_URL_TO_STANDARD: Final = str.maketrans("-_", "+/")


def encode_friendly(workchain: int, account: bytes, tag: int = BOUNCEABLE, *, url_safe: bool = True) -> str:
    """The user-friendly spelling of an account (the tests build addresses with it)."""
    body = bytes([tag, workchain & 0xFF]) + account
    raw = body + crc16_xmodem(body).to_bytes(2, "big")
    return (base64.urlsafe_b64encode if url_safe else base64.b64encode)(raw).decode("ascii")


def _parse_raw(text: str) -> str:
    match = _RAW.fullmatch(text)
    if match is None:
        raise AddressFormatError("raw form must be '<workchain>:<64 hex digits>'")
    workchain, account = int(match[1]), match[2]
    if workchain not in _WORKCHAINS or match[1] != str(workchain):
        raise AddressFormatError(f"workchain {match[1]!r} is neither 0 nor -1")
    if len(account) != 64:
        raise AddressFormatError(f"has {len(account)} hex digits after ':' where 64 are expected")
    return f"{workchain}:{account.lower()}"


def _parse_friendly(text: str) -> str:
    if len(text) != 48:
        raise AddressFormatError(f"is {len(text)} characters; user-friendly TON addresses have 48")
    if ("-" in text or "_" in text) and ("+" in text or "/" in text):
        raise AddressFormatError("mixes the base64 and base64url alphabets")
    try:
        raw = base64.b64decode(text.translate(_URL_TO_STANDARD), validate=True)
    except ValueError:  # binascii.Error for bad base64, plain ValueError for non-ASCII text
        raise AddressFormatError("is not base64 or base64url") from None
    body, check = raw[:34], raw[34:]
    if crc16_xmodem(body).to_bytes(2, "big") != check:
        raise AddressFormatError("bad checksum (CRC-16)")
    tag = body[0]
    if tag & TEST_ONLY:
        raise AddressFormatError("is flagged test-network only")
    if tag not in (BOUNCEABLE, NON_BOUNCEABLE):
        raise AddressFormatError(
            f"tag byte 0x{tag:02x} is neither bounceable (0x11) nor non-bounceable (0x51)"
        )
    workchain = int.from_bytes(body[1:2], "big", signed=True)
    if workchain not in _WORKCHAINS:
        raise AddressFormatError(f"workchain {workchain} is neither 0 nor -1")
    return f"{workchain}:{body[2:].hex()}"


def parse_ton(text: str) -> str:
    """Canonical raw form (``0:...`` or ``-1:...``, lower-case hex) of a TON address."""
    return _parse_raw(text) if ":" in text else _parse_friendly(text)
