"""Bech32 (BIP-173), Bech32m (BIP-350) and segregated-witness addresses.

A Bech32 string is a human-readable part (hrp), the separator ``1`` (the last one in the
string), data characters from a 32-character set, and six checksum characters of a BCH code
over the expanded hrp and the data. Bech32m is the same code with another final constant; it
replaced Bech32 for witness versions 1 to 16 after Bech32 turned out to accept some insertions
of ``q`` before a final ``p``.

Segwit rules (BIP-173 as amended by BIP-350): the first data value is the witness version
(0-16); the rest, regrouped from 5 to 8 bits with at most 4 zero padding bits, is the witness
program of 2 to 40 bytes; version 0 must use Bech32 and a program of 20 or 32 bytes (BIP-141),
versions 1-16 must use Bech32m. A later edit of BIP-173 narrows addressable programs to ten
sizes; BIP-350's own test vectors (a 2-byte v16 program) do not, and we follow BIP-350.

Case: a string is all lower or all upper case; mixed case is refused. The lower-case form is
canonical, and since the checksum is computed over it, lower-casing a valid string is all the
canonicalisation needed.

Speed: characters become values with ``translate``; the checksum takes two symbols per step
from a 1024-entry table (``common.pair_table``) and starts from a cached state for the hrp;
regrouping 5-bit values into bytes is one ``int(..., 32)``. All of it avoids per-character work
in Python, which is what an address costs otherwise.
"""

from __future__ import annotations

import base64
from enum import Enum
from functools import lru_cache
from typing import Final

from vigil.screening.chains.common import (
    AddressFormatError,
    decode_table,
    describe_char,
    generator_table,
    pair_table,
    symbol_values,
)

CHARSET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
MAX_LENGTH: Final = 90

_STEP: Final = generator_table((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3))
_PAIR: Final = pair_table(_STEP, 30)
# Character -> value (either case: callers refuse mixed case first) and value -> character.
VALUES: Final = decode_table(CHARSET, fold_case=True)
CHARS: Final = bytes.maketrans(bytes(range(32)), CHARSET.encode("ascii"))
_RFC4648_TO_VALUES: Final = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", bytes(range(32)))
# Symbol values 0-31 as the digits int() reads in base 32 (0-9, a-v).
_DIGITS: Final = bytes.maketrans(bytes(range(32)), b"0123456789abcdefghijklmnopqrstuv")


class Encoding(Enum):
    """Which checksum constant a string satisfies."""

    BECH32 = 1
    BECH32M = 0x2BC830A3


def _polymod(values: bytes, chk: int = 1) -> int:
    """The Bech32 checksum state after ``values``, two symbols per iteration (see ``pair_table``)."""
    odd = len(values) & 1
    if odd:
        chk = ((chk & 0x1FFFFFF) << 5) ^ values[0] ^ _STEP[chk >> 25]
    pair = _PAIR
    rest = iter(values[odd:])
    for high, low in zip(rest, rest, strict=True):
        chk = ((chk & 0xFFFFF) << 10) ^ (high << 5) ^ low ^ pair[chk >> 20]
    return chk


@lru_cache(maxsize=64)
def _hrp_state(hrp: str) -> int:
    """The checksum state after the expanded hrp: high bits of each character, 0, low bits."""
    return _polymod(bytes([ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]))


def decode(text: str) -> tuple[str, bytes, Encoding]:
    """Split and verify a Bech32 or Bech32m string: ``(hrp, data values without checksum, encoding)``."""
    if len(text) > MAX_LENGTH:
        raise AddressFormatError(f"is {len(text)} characters long, more than the {MAX_LENGTH} allowed")
    if not (text.isascii() and text.isprintable()) or " " in text:
        index = next(i for i, char in enumerate(text) if not 33 <= ord(char) <= 126)
        raise AddressFormatError(f"{describe_char(text, index)} is outside printable US-ASCII")
    lower = text.lower()
    if lower != text and text.upper() != text:
        raise AddressFormatError("mixes upper and lower case (bech32 must be all one case)")
    sep = lower.rfind("1")
    if sep < 0:
        raise AddressFormatError("has no separator '1' (not bech32)")
    if sep == 0:
        raise AddressFormatError("has an empty human-readable part before the separator '1'")
    if sep + 7 > len(lower):
        raise AddressFormatError("is too short: the checksum needs six characters after the separator")
    hrp = lower[:sep]
    values = symbol_values(text[sep + 1 :], VALUES, "bech32", offset=sep + 1)
    residue = _polymod(values, _hrp_state(hrp))
    if residue == Encoding.BECH32.value:
        return hrp, values[:-6], Encoding.BECH32
    if residue == Encoding.BECH32M.value:
        return hrp, values[:-6], Encoding.BECH32M
    raise AddressFormatError("bad checksum (neither bech32 nor bech32m)")


def encode(hrp: str, data: bytes, encoding: Encoding) -> str:
    """The lower-case Bech32/Bech32m string of ``hrp`` and 5-bit ``data`` values."""
    hrp = hrp.lower()
    polymod = _polymod(data + bytes(6), _hrp_state(hrp)) ^ encoding.value
    check = bytes((polymod >> 5 * (5 - i)) & 31 for i in range(6))
    return hrp + "1" + (data + check).translate(CHARS).decode("ascii")


def from_5bit(values: bytes) -> bytes:
    """Regroup 5-bit values into bytes; the leftover must be at most 4 bits, all zero.

    The values become base-32 digits and one ``int(..., 32)``, so the regrouping runs in C.
    """
    bits = 5 * len(values)
    padding = bits % 8
    if padding > 4:
        raise AddressFormatError("has more than 4 bits of padding")
    number = int(values.translate(_DIGITS), 32) if values else 0
    if number & ((1 << padding) - 1):
        raise AddressFormatError("has non-zero padding bits")
    return (number >> padding).to_bytes(bits // 8, "big")


def to_5bit(data: bytes) -> bytes:
    """Regroup bytes into 5-bit values, padding the last with zero bits.

    RFC 4648 base32 does exactly this regrouping (most significant bit first, zero-filled last
    group), so ``b32encode`` in C does the work and only the alphabet is swapped.
    """
    return base64.b32encode(data).rstrip(b"=").translate(_RFC4648_TO_VALUES)


def decode_segwit(hrp: str, text: str) -> tuple[int, bytes]:
    """``(witness version, witness program)`` of a segwit address whose hrp must be ``hrp``."""
    got, data, encoding = decode(text)
    if got != hrp:
        raise AddressFormatError(f"human-readable part {got!r} is not {hrp!r}")
    if not data:
        raise AddressFormatError("has an empty data part (no witness version)")
    version = data[0]
    if version > 16:
        raise AddressFormatError(f"witness version {version} is above 16")
    program = from_5bit(data[1:])
    if not 2 <= len(program) <= 40:
        raise AddressFormatError(f"witness program of {len(program)} bytes is outside 2-40")
    if version == 0:
        if encoding is not Encoding.BECH32:
            raise AddressFormatError("witness version 0 must use bech32, not bech32m")
        if len(program) not in (20, 32):
            raise AddressFormatError(f"witness v0 program of {len(program)} bytes is neither 20 nor 32")
    elif encoding is not Encoding.BECH32M:
        raise AddressFormatError(f"witness version {version} must use bech32m, not bech32")
    return version, program


def encode_segwit(hrp: str, version: int, program: bytes) -> str:
    """The segwit address of ``program`` (Bech32 for version 0, Bech32m above)."""
    encoding = Encoding.BECH32 if version == 0 else Encoding.BECH32M
    return encode(hrp, bytes([version]) + to_5bit(program), encoding)
