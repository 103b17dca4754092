"""Base58 and Base58Check, with the Bitcoin and the Ripple alphabets.

Base58 reads a string as one big number in base 58; each leading zero digit stands for one
leading zero byte. Decoding therefore is a bijection between strings and byte strings: a string
that decodes is already the one spelling of its bytes, so callers keep the input as the
canonical form and never re-encode on the hot path.

Base58Check appends the first four bytes of SHA-256(SHA-256(payload)) to the payload. Bitcoin
and its descendants, TRON and the XRP Ledger all use it; only the alphabet (Ripple orders the
same 58 characters differently) and the version bytes differ.

Speed: the alphabet is a ``bytes.translate`` table, so mapping characters to digits and finding
a bad character happen in C; the number is then built with Python integers, one multiply-add
per character (about a microsecond for a 34-character address).
"""

from __future__ import annotations

import hashlib
from typing import Final

from vigil.screening.chains.common import AddressFormatError, decode_table, symbol_values

BITCOIN: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
RIPPLE: Final = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"

_TABLES: Final = {BITCOIN: decode_table(BITCOIN), RIPPLE: decode_table(RIPPLE)}


def digits(text: str, alphabet: str = BITCOIN) -> bytes:
    """The digit values (0-57) of ``text``; raises naming the first character outside ``alphabet``."""
    return symbol_values(text, _TABLES[alphabet], "base58")


def decode(text: str, size: int, alphabet: str = BITCOIN) -> bytes:
    """Decode ``text`` to exactly ``size`` bytes, or raise saying what is wrong.

    The length check is exact: a string whose leading zero digits do not match the leading zero
    bytes of the result, or whose number needs more or fewer bytes, is refused rather than padded
    or truncated.
    """
    values = digits(text, alphabet)
    if not values:
        raise AddressFormatError("is empty")
    zeros = len(values) - len(values.lstrip(b"\x00"))
    number = 0
    for value in values[zeros:]:
        number = number * 58 + value
    length = zeros + (number.bit_length() + 7) // 8
    if length != size:
        raise AddressFormatError(f"decodes to {length} bytes where {size} are expected (wrong length)")
    return bytes(zeros) + number.to_bytes(size - zeros, "big")


def encode(data: bytes, alphabet: str = BITCOIN) -> str:
    """The base58 spelling of ``data`` (one leading zero digit per leading zero byte)."""
    zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    chars: list[str] = []
    while number:
        number, rest = divmod(number, 58)
        chars.append(alphabet[rest])
    return alphabet[0] * zeros + "".join(reversed(chars))


def checksum(payload: bytes) -> bytes:
    """The first four bytes of SHA-256(SHA-256(payload))."""
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def decode_check(text: str, size: int, alphabet: str = BITCOIN) -> bytes:
    """Decode a Base58Check string of ``size`` bytes in all; returns the payload without checksum."""
    raw = decode(text, size, alphabet)
    payload = raw[:-4]
    if checksum(payload) != raw[-4:]:
        raise AddressFormatError("bad checksum (Base58Check)")
    return payload


def encode_check(payload: bytes, alphabet: str = BITCOIN) -> str:
    """The Base58Check spelling of ``payload`` (version bytes included by the caller)."""
    return encode(payload + checksum(payload), alphabet)
