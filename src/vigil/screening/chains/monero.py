"""Monero addresses: Monero's block base58 and the mainnet address layouts.

Monero does not read the whole string as one number. It cuts the bytes into 8-byte blocks and
writes each as exactly 11 base58 characters (zero-padded with ``1``); a shorter last block of
1-8 bytes takes 2, 3, 5, 6, 7, 9, 10 or 11 characters. A block whose number does not fit its
byte count is invalid, which makes decoding one-to-one: a valid string is its own canonical form.

Layout: network byte (a varint; all mainnet values fit one byte), public spend key (32), public
view key (32), for integrated addresses an 8-byte payment id, then the first 4 bytes of
Keccak-256 of everything before. Mainnet network bytes: 18 standard (95 characters), 42
subaddress (95), 19 integrated (106). The keys are not checked to be curve points.

An integrated address is the standard address of the same two keys plus a payment id; funds sent
to it land in that wallet. Its canonical form is therefore the standard address, so a listed
wallet matches however the payment id is varied. A subaddress cannot be linked to its wallet
without the private view key and stays its own address.
"""

from __future__ import annotations

from typing import Final

from Crypto.Hash import keccak

from vigil.screening.chains import base58
from vigil.screening.chains.common import AddressFormatError

STANDARD: Final = 18
INTEGRATED: Final = 19
SUBADDRESS: Final = 42

_FULL_BLOCK = 8
_FULL_CHARS = 11
# Characters of an encoded block, indexed by its byte count, and the inverse.
_BLOCK_CHARS: Final = (0, 2, 3, 5, 6, 7, 9, 10, 11)
_BLOCK_BYTES: Final = {chars: size for size, chars in enumerate(_BLOCK_CHARS)}
# Network bytes allowed per length: 95 characters decode to 69 bytes, 106 to 77.
_LAYOUTS: Final = {95: (STANDARD, SUBADDRESS), 106: (INTEGRATED,)}
_ALPHABET = base58.BITCOIN


def decode(text: str) -> bytes:
    """The bytes of a Monero-base58 string (block by block, each block checked for overflow)."""
    values = base58.digits(text)
    rest = len(values) % _FULL_CHARS
    last = _BLOCK_BYTES.get(rest)
    if last is None:
        raise AddressFormatError(f"length {len(text)} is not a valid Monero base58 length")
    out = bytearray()
    for start in range(0, len(values), _FULL_CHARS):
        block = values[start : start + _FULL_CHARS]
        size = _FULL_BLOCK if len(block) == _FULL_CHARS else last
        number = 0
        for value in block:
            number = number * 58 + value
        if number >> (8 * size):
            raise AddressFormatError(f"base58 block at position {start + 1} overflows its {size} bytes")
        out += number.to_bytes(size, "big")
    return bytes(out)


def encode(data: bytes) -> str:
    """The Monero-base58 spelling of ``data``."""
    chunks = []
    for start in range(0, len(data), _FULL_BLOCK):
        block = data[start : start + _FULL_BLOCK]
        chars = _BLOCK_CHARS[len(block)]
        number = int.from_bytes(block, "big")
        digits = []
        for _ in range(chars):
            number, rest = divmod(number, 58)
            digits.append(_ALPHABET[rest])
        chunks.append("".join(reversed(digits)))
    return "".join(chunks)


def _checksum(body: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=body).digest()[:4]


def encode_address(network: int, spend_key: bytes, view_key: bytes, payment_id: bytes = b"") -> str:
    """The address of a network byte, two 32-byte public keys and (integrated) a payment id."""
    body = bytes([network]) + spend_key + view_key + payment_id
    return encode(body + _checksum(body))


def parse_xmr(text: str) -> str:
    """Canonical form of a mainnet Monero address (integrated ones become their standard address)."""
    networks = _LAYOUTS.get(len(text))
    if networks is None:
        raise AddressFormatError(f"is {len(text)} characters; Monero addresses have 95 or 106 (wrong length)")
    raw = decode(text)
    body, check = raw[:-4], raw[-4:]
    if _checksum(body) != check:
        raise AddressFormatError("bad checksum (Keccak-256)")
    network = body[0]
    if network not in networks:
        expected = " or ".join(str(n) for n in networks)
        raise AddressFormatError(
            f"network byte {network} is not a Monero mainnet one for this length (expected {expected})"
        )
    if network == INTEGRATED:
        return encode_address(STANDARD, body[1:33], body[33:65])
    return text
