"""Valid-looking blockchain addresses and transaction hashes, derived deterministically.

Each is a pure function of a 20- or 32-byte digest, so the simulator stores no address: an
account's address on a chain is recomputed from (seed, account, chain, n) when needed.

- BTC: native SegWit (P2WPKH) in bech32 with its BIP-173 checksum, ``bc1q...``.
- EVM chains (ETH, BSC): ``0x`` and 40 lower-case hex digits (valid; EIP-55 mixed case is optional).
- TRON: base58check of ``0x41`` and 20 bytes, with the double-SHA-256 checksum, ``T...``.
"""

from __future__ import annotations

import hashlib

_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def digest(*parts: object, size: int = 20) -> bytes:
    """A stable digest of the parts (BLAKE2b): the seed of every derived identifier."""
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=size).digest()


def _gen_xor(top: int) -> int:
    out = 0
    for i in range(5):
        if (top >> i) & 1:
            out ^= _BECH32_GEN[i]
    return out


_GEN_XOR = tuple(_gen_xor(top) for top in range(32))  # the generator terms for each top 5 bits


def _polymod(values: list[int]) -> int:
    chk = 1
    table = _GEN_XOR
    for v in values:
        chk = ((chk & 0x1FFFFFF) << 5 ^ v) ^ table[chk >> 25]
    return chk


def _to_5bit(data: bytes) -> list[int]:
    acc, bits, out = 0, 0, []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    return out


def bech32_checksum_ok(address: str) -> bool:
    """True if a bech32 (BIP-173) address has a valid checksum; used by the tests."""
    hrp, _, data = address.lower().rpartition("1")
    if not hrp or len(data) < 6 or any(c not in _BECH32 for c in data):
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + [_BECH32.index(c) for c in data]
    return _polymod(values) == 1


def btc_address(program: bytes) -> str:
    """A P2WPKH address for a 20-byte witness program."""
    hrp = "bc"
    data = [0, *_to_5bit(program)]
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data
    mod = _polymod([*values, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data + checksum)


def evm_address(payload: bytes) -> str:
    return "0x" + payload.hex()


def _base58(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_BASE58[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def tron_address(payload: bytes) -> str:
    raw = b"\x41" + payload
    check = hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
    return _base58(raw + check)


def base58check_ok(address: str) -> bool:
    """True if a base58check string decodes and its checksum matches; used by the tests."""
    n = 0
    for c in address:
        if c not in _BASE58:
            return False
        n = n * 58 + _BASE58.index(c)
    raw = n.to_bytes(25, "big")
    return hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()[:4] == raw[21:]


def address(chain: str, payload: bytes) -> str:
    """An address on ``chain`` (BTC, ETH, BSC or TRON) for a 20-byte payload."""
    if chain == "BTC":
        return btc_address(payload)
    if chain == "TRON":
        return tron_address(payload)
    return evm_address(payload)


def tx_hash(chain: str, payload: bytes) -> str:
    """A 32-byte transaction hash in the chain's usual spelling (EVM with ``0x``)."""
    return ("0x" + payload.hex()) if chain in ("ETH", "BSC") else payload.hex()
