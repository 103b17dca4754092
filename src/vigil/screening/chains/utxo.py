"""Bitcoin and its descendants: Base58Check versions and segwit prefixes per chain (mainnet only).

Each chain is a table: which version bytes its base58 addresses may carry (P2PKH and P2SH, from
each chain's parameters) and which bech32 hrp its segwit addresses use, if any. Base58 input is
kept as given (base58 has one spelling per byte string); segwit input is lower-cased.

Zcash: transparent addresses have two version bytes (t1: 0x1CB8 P2PKH, t3: 0x1CBD P2SH) and
Sapling shielded addresses are Bech32 with hrp ``zs`` of a 43-byte payload (11-byte diversifier,
32-byte transmission key; the key is not checked to be a curve point). Those are 78 characters,
within Bech32's limit of 90. Sprout (``zc``), unified (``u1``) and TEX (``tex1``) addresses are not
supported.

Test-network prefixes are refused: Vigil screens mainnet withdrawals, and a testnet address on
a mainnet chain is a mistake worth an error. The codecs themselves take any prefix (the BIP test
vectors use ``tb``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from vigil.screening.chains import base58, bech32
from vigil.screening.chains.common import AddressFormatError, Parser

# Something that is shaped like bech32 (hrp, '1', charset) even though its base58 decoding failed:
# reported as a wrong prefix rather than as a base58 error, which would only confuse.
_BECH32_SHAPE: Final = re.compile(r"([a-zA-Z]{1,10})1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,}", re.ASCII)
_SAPLING_HRP: Final = "zs"
_SAPLING_BYTES: Final = 43


def _names(versions: Mapping[int, str]) -> str:
    return ", ".join(
        f"0x{version:0{4 if version > 0xFF else 2}x} {start}" for version, start in versions.items()
    )


def _legacy_parser(versions: Mapping[int, str], size: int, hrp: str | None) -> Parser:
    """A parser of base58 addresses whose version (1 or 2 bytes, ``size`` in all) is in ``versions``."""
    width = 2 if max(versions) > 0xFF else 1
    expected = _names(versions)

    def parse(text: str) -> str:
        try:
            payload = base58.decode_check(text, size)
        except AddressFormatError:
            shape = _BECH32_SHAPE.fullmatch(text)
            if shape is not None:
                wanted = f"the segwit prefix {hrp + '1'!r}" if hrp else "no bech32 address at all"
                raise AddressFormatError(
                    f"bech32 prefix {shape[1] + '1'!r} is not for this chain ({wanted})"
                ) from None
            raise
        version = int.from_bytes(payload[:width], "big")
        if version not in versions:
            raise AddressFormatError(
                f"version 0x{version:0{2 * width}x} is not one of this chain's ({expected})"
            )
        return text

    return parse


def utxo_parser(versions: Mapping[int, str], hrp: str | None = None, size: int = 25) -> Parser:
    """A parser for a chain with base58 ``versions`` (value -> first characters) and a segwit ``hrp``."""
    legacy = _legacy_parser(versions, size, hrp)
    if hrp is None:
        return legacy
    prefix = hrp + "1"

    def parse(text: str) -> str:
        if text[: len(prefix)].lower() == prefix:
            bech32.decode_segwit(hrp, text)
            return text.lower()
        return legacy(text)

    return parse


def _sapling(text: str) -> str:
    hrp, data, encoding = bech32.decode(text)
    if hrp != _SAPLING_HRP:  # the separator is the *last* '1': 'zs1x1...' has hrp 'zs1x'
        raise AddressFormatError(f"human-readable part {hrp!r} is not {_SAPLING_HRP!r}")
    if encoding is not bech32.Encoding.BECH32:
        raise AddressFormatError("Sapling addresses use bech32, not bech32m")
    payload = bech32.from_5bit(data)
    if len(payload) != _SAPLING_BYTES:
        raise AddressFormatError(f"Sapling payload of {len(payload)} bytes where 43 are expected")
    return text.lower()


_ZEC_TRANSPARENT: Final = utxo_parser({0x1CB8: "t1...", 0x1CBD: "t3..."}, size=26)


def parse_zec(text: str) -> str:
    """Zcash: transparent t1/t3 (base58, two version bytes) or Sapling zs1 (bech32)."""
    if text[:3].lower() == _SAPLING_HRP + "1":
        return _sapling(text)
    return _ZEC_TRANSPARENT(text)


parse_btc: Final = utxo_parser({0x00: "1...", 0x05: "3..."}, "bc")
parse_bsv: Final = utxo_parser({0x00: "1...", 0x05: "3..."})
parse_ltc: Final = utxo_parser({0x30: "L...", 0x32: "M...", 0x05: "3..."}, "ltc")
parse_btg: Final = utxo_parser({38: "G...", 23: "A..."}, "btg")
parse_doge: Final = utxo_parser({0x1E: "D...", 0x16: "9/A..."})
parse_dash: Final = utxo_parser({76: "X...", 16: "7..."})
# Verge: 30 (D...) is confirmed by the OFAC list; 33 (E...) is Verge's P2SH version.
parse_xvg: Final = utxo_parser({30: "D...", 33: "E..."})
