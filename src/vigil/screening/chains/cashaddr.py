"""Bitcoin Cash addresses: CashAddr (spec v1.1, bitcoincash.org) and the legacy base58 form.

CashAddr is ``prefix:payload``: the payload is a version byte, a hash and a 40-bit BCH checksum,
in the Bech32 character set. The checksum covers the prefix (lower 5 bits of each character, then
a zero for the ``:``), so the prefix may be left out when shown and is then implied:
``bitcoincash`` on mainnet. The version byte's top bit must be 0, the next four are the type and
the low three encode the hash size (160, 192, 224, 256, 320, 384, 448 or 512 bits).

Types: 0 is P2PKH, 1 is P2SH (the spec); 2 and 3 are their "token-aware" spellings added by
CashTokens (CHIP-2022-02, active since May 2023). A token-aware address pays to exactly the same
locking script as its plain twin: it only signals that the wallet accepts tokens. We therefore
map it to the plain type, so a listed address cannot be dodged by re-spelling it.

The legacy base58 addresses (0x00 ``1...``, 0x05 ``3...``) encode the same 20-byte hashes, so
they convert to the same CashAddr: the canonical form is lower-case CashAddr *with* the prefix,
and both spellings of one address compare equal.
"""

from __future__ import annotations

from typing import Final

from vigil.screening.chains import base58
from vigil.screening.chains.bech32 import CHARS, VALUES, from_5bit, to_5bit
from vigil.screening.chains.common import AddressFormatError, generator_table, pair_table, symbol_values

MAINNET: Final = "bitcoincash"

_STEP: Final = generator_table((0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470))
_PAIR: Final = pair_table(_STEP, 40)
_HASH_SIZES: Final = (20, 24, 28, 32, 40, 48, 56, 64)
_LEGACY_TYPES: Final = {0x00: 0, 0x05: 1}
_TOKEN_AWARE: Final = 0x10  # type bit that turns P2PKH (0) and P2SH (1) into types 2 and 3


def _polymod(values: bytes, chk: int = 1) -> int:
    """The raw CashAddr polymod (the spec's ``PolyMod`` without its final ``^ 1``), two symbols a step."""
    odd = len(values) & 1
    if odd:
        chk = ((chk & 0x07FFFFFFFF) << 5) ^ values[0] ^ _STEP[chk >> 35]
    pair = _PAIR
    rest = iter(values[odd:])
    for high, low in zip(rest, rest, strict=True):
        chk = ((chk & 0x3FFFFFFF) << 10) ^ (high << 5) ^ low ^ pair[chk >> 30]
    return chk


def _prefix_values(prefix: str) -> bytes:
    """The lower 5 bits of each prefix character, then a zero for the separator."""
    return bytes(ord(c) & 31 for c in prefix) + b"\x00"


_MAINNET_STATE: Final = _polymod(_prefix_values(MAINNET))


def _prefix_state(prefix: str) -> int:
    return _MAINNET_STATE if prefix == MAINNET else _polymod(_prefix_values(prefix))


def decode(text: str, default_prefix: str = MAINNET) -> tuple[str, int, bytes]:
    """``(prefix, version byte, hash)`` of a CashAddr; ``default_prefix`` applies when it is omitted."""
    lower = text.lower()
    if lower != text and text.upper() != text:
        raise AddressFormatError("mixes upper and lower case (CashAddr must be all one case)")
    prefix, sep, payload = text.rpartition(":")
    prefix = prefix.lower() if sep else default_prefix
    if sep and not prefix:
        raise AddressFormatError("has an empty prefix before ':'")
    values = symbol_values(payload, VALUES, "CashAddr", offset=len(text) - len(payload))
    if len(values) < 8:
        raise AddressFormatError("is too short for the 8-character checksum")
    if _polymod(values, _prefix_state(prefix)) != 1:
        raise AddressFormatError("bad checksum (CashAddr)")
    data = from_5bit(values[:-8])
    if not data:
        raise AddressFormatError("has no version byte before the checksum")
    version, digest = data[0], data[1:]
    if version & 0x80:
        raise AddressFormatError(f"version byte 0x{version:02x} has its reserved top bit set")
    expected = _HASH_SIZES[version & 0x07]
    if len(digest) != expected:
        raise AddressFormatError(f"hash of {len(digest)} bytes where the version byte says {expected}")
    return prefix, version, digest


def encode(prefix: str, version: int, digest: bytes) -> str:
    """The lower-case CashAddr, with its prefix, of ``version`` and ``digest``."""
    data = to_5bit(bytes([version]) + digest)
    polymod = _polymod(data + bytes(8), _prefix_state(prefix)) ^ 1
    check = bytes((polymod >> 5 * (7 - i)) & 31 for i in range(8))
    return prefix + ":" + (data + check).translate(CHARS).decode("ascii")


def _canonical_cashaddr(text: str) -> str:
    prefix, version, digest = decode(text)
    if prefix != MAINNET:
        raise AddressFormatError(f"prefix {prefix!r} is not {MAINNET!r} (not a mainnet address)")
    kind = version >> 3
    if kind > 3:
        raise AddressFormatError(f"address type {kind} is not P2PKH or P2SH (plain or token-aware)")
    if not version & _TOKEN_AWARE:
        # Already plain: the lower-cased input is the canonical spelling (the checksum covers it).
        lower = text.lower()
        return lower if lower.startswith(MAINNET + ":") else f"{MAINNET}:{lower}"
    return encode(MAINNET, version & ~_TOKEN_AWARE, digest)


def _canonical_legacy(text: str) -> str:
    payload = base58.decode_check(text, 25)
    kind = _LEGACY_TYPES.get(payload[0])
    if kind is None:
        raise AddressFormatError(
            f"version byte 0x{payload[0]:02x} is not a Bitcoin Cash one (0x00 '1...' or 0x05 '3...')"
        )
    return encode(MAINNET, kind << 3, payload[1:])


def parse_bch(text: str) -> str:
    """Canonical CashAddr of a Bitcoin Cash address given as CashAddr or as legacy base58.

    CashAddr payloads begin with q, p, z or r (type and size bits of the version byte) and legacy
    addresses with 1 or 3; ``1`` is not a CashAddr character, so the first character decides.
    """
    if ":" in text or text[0] in "qpzrQPZR":
        return _canonical_cashaddr(text)
    return _canonical_legacy(text)
