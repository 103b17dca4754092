"""What the codecs of this package share: their error, BCH step tables, and Stellar's and TON's CRC.

The codecs know nothing of chains or of :class:`vigil.errors.InvalidAddress`: they raise
:class:`AddressFormatError` with a message saying what is wrong, and ``parse.parse_address``
turns it into ``InvalidAddress`` naming the chain and the text as given. That keeps the codecs
reusable (the tests drive them with test-network prefixes that ``parse_address`` refuses) and
keeps the one place that builds the public error small.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable
from typing import Final

Parser = Callable[[str], str]
"""A chain's parser: stripped text in, canonical spelling out, ``AddressFormatError`` otherwise."""


class AddressFormatError(ValueError):
    """A string is not a valid encoding; the message says what is wrong, in a few words."""


def generator_table(generators: tuple[int, ...]) -> tuple[int, ...]:
    """Precomputed steps of a BCH checksum over 5-bit symbols (Bech32, CashAddr).

    Each step of those checksums XORs in the generator terms selected by the five bits shifted
    out of the state; ``table[b]`` is that XOR for every possible ``b``, so a step is one lookup.
    """
    table = []
    for shifted in range(32):
        term = 0
        for bit, generator in enumerate(generators):
            if (shifted >> bit) & 1:
                term ^= generator
        table.append(term)
    return tuple(table)


def pair_table(step: tuple[int, ...], width: int) -> tuple[int, ...]:
    """Two steps of a BCH checksum at once, for a ``width``-bit state, from the one-step table.

    One step is ``((chk & low) << 5) ^ v ^ step[chk >> (width - 5)]``. Two steps with symbols
    ``a`` then ``b`` come to ``((chk & low2) << 10) ^ (a << 5) ^ b ^ pair[chk >> (width - 10)]``:
    the low bits only shift, and what the second feedback adds depends on the top ten bits alone.
    Halving the Python-level iterations is most of the cost of verifying a checksum.
    """
    shift = width - 5
    low = (1 << shift) - 1
    table = []
    for top in range(1024):
        first = step[top >> 5]
        table.append(((first & low) << 5) ^ step[(top & 31) ^ (first >> shift)])
    return tuple(table)


def crc16_xmodem(data: bytes) -> int:
    """CRC-16/XMODEM: polynomial x^16 + x^12 + x^5 + 1 (0x1021), initial value 0, no reflection.

    Stellar's StrKey (SEP-23) appends it little-endian, TON's user-friendly address big-endian;
    callers do the byte order. ``binascii.crc_hqx`` is this CRC (CCITT polynomial, MSB first)
    with the initial value as its argument, computed in C.
    """
    return binascii.crc_hqx(data, 0)


def describe_char(text: str, index: int, offset: int = 0) -> str:
    """``character 'x' at position 7`` for error messages (1-based, as a person counts).

    ``text`` may be a slice, starting at ``offset``, of what the person typed.
    """
    return f"character {text[index]!r} at position {offset + index + 1}"


def first_non_ascii(text: str) -> int:
    """Index of the first non-ASCII character (call only when ``text.isascii()`` is false)."""
    return next(i for i, char in enumerate(text) if not char.isascii())


INVALID: Final = 0xFF


def decode_table(alphabet: str, *, fold_case: bool = False) -> bytes:
    """A ``bytes.translate`` table: each alphabet character's value, ``INVALID`` for other bytes.

    With ``fold_case`` both cases of a letter map to its value (for case-insensitive alphabets).
    """
    table = bytearray([INVALID] * 256)
    for value, char in enumerate(alphabet):
        table[ord(char)] = value
        if fold_case:
            table[ord(char.upper())] = table[ord(char.lower())] = value
    return bytes(table)


def symbol_values(text: str, table: bytes, alphabet_name: str, offset: int = 0) -> bytes:
    """``text`` as symbol values via ``table``, or an error naming the first character outside it.

    The mapping and the search for a bad character run in C (``translate``, ``find``).
    """
    if text.isascii():
        values = text.encode("ascii").translate(table)
        bad = values.find(INVALID)
        if bad < 0:
            return values
    else:
        bad = first_non_ascii(text)
    raise AddressFormatError(f"{describe_char(text, bad, offset)} is not in the {alphabet_name} alphabet")
