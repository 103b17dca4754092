"""BIP-322 "simple" signed messages for native segwit addresses: P2WPKH (v0) and Taproot key paths (v1).

A BIP-322 signature is the witness of a virtual transaction. ``to_spend`` (version 0, lock time 0) spends
the null outpoint with the script ``OP_0 <tagged_hash("BIP0322-signed-message", message)>`` and pays 0
to the address's scriptPubKey; ``to_sign`` (version 0, lock time 0, sequence 0) spends ``to_spend``'s
output 0 and pays 0 to ``OP_RETURN``. The "simple" form is the base64 of ``to_sign``'s witness stack.
Neither transaction can be mined, so a signature proves control of the address and nothing else.

- **P2WPKH**: the witness is ``[DER signature + sighash type, 33-byte public key]``; the key's HASH160 must
  be the address's program and the ECDSA signature must verify over the BIP-143 digest (script code
  ``OP_DUP OP_HASH160 <program> OP_EQUALVERIFY OP_CHECKSIG``, amount 0).
- **Taproot (key path)**: the witness is one BIP-340 Schnorr signature (64 bytes, or 65 with a sighash
  type other than the default), verified against the address's output key over the BIP-341 digest.

Taproot script paths, P2WSH, nested segwit and the "full" form (a whole transaction) are refused with
``UnsupportedProof``: they need a script interpreter. Every failure names what is wrong.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Final

from coincurve import PublicKey, PublicKeyXOnly
from Crypto.Hash import RIPEMD160

from vigil.errors import InvalidProof, UnsupportedProof

_FIELD: Final = "proof.signature"
SIGHASH_DEFAULT, SIGHASH_ALL = 0x00, 0x01
_MAX_ITEMS = 16  # a simple signature's witness has one or two items


def tagged_hash(tag: str, data: bytes) -> bytes:
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


def message_hash(message: str) -> bytes:
    return tagged_hash("BIP0322-signed-message", message.encode())


def _dsha(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def hash160(data: bytes) -> bytes:
    return RIPEMD160.new(hashlib.sha256(data).digest()).digest()


def varint(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    return b"\xfe" + n.to_bytes(4, "little")


def _script(data: bytes) -> bytes:
    return varint(len(data)) + data


def script_pubkey(version: int, program: bytes) -> bytes:
    """A segwit output script: ``OP_0`` or ``OP_1``..``OP_16``, then the program pushed."""
    return bytes([0 if version == 0 else 0x50 + version, len(program)]) + program


def to_spend_txid(message: str, spk: bytes) -> bytes:
    """``to_spend``'s id, in the byte order an outpoint carries."""
    script_sig = b"\x00\x20" + message_hash(message)
    tx = (
        (0).to_bytes(4, "little")  # version
        + b"\x01"
        + bytes(32)
        + b"\xff\xff\xff\xff"
        + _script(script_sig)
        + (0).to_bytes(4, "little")  # sequence
        + b"\x01"
        + (0).to_bytes(8, "little")
        + _script(spk)
        + (0).to_bytes(4, "little")  # lock time
    )
    return _dsha(tx)


_OUTPUT: Final = (0).to_bytes(8, "little") + _script(b"\x6a")  # 0 to OP_RETURN
_SEQUENCE: Final = (0).to_bytes(4, "little")
_ZERO4: Final = (0).to_bytes(4, "little")


def bip143_digest(txid: bytes, program: bytes, hash_type: int) -> bytes:
    outpoint = txid + _ZERO4
    code = b"\x19\x76\xa9\x14" + program + b"\x88\xac"
    return _dsha(
        _ZERO4  # version
        + _dsha(outpoint)
        + _dsha(_SEQUENCE)
        + outpoint
        + code
        + (0).to_bytes(8, "little")  # the amount spent
        + _SEQUENCE
        + _dsha(_OUTPUT)
        + _ZERO4  # lock time
        + hash_type.to_bytes(4, "little")
    )


def bip341_digest(txid: bytes, spk: bytes, hash_type: int) -> bytes:
    if hash_type not in (SIGHASH_DEFAULT, SIGHASH_ALL):
        raise UnsupportedProof(
            f"sighash type {hash_type:#04x} is not verified (only DEFAULT and ALL)", field=_FIELD
        )
    sha = hashlib.sha256
    data = (
        b"\x00"  # epoch
        + bytes([hash_type])
        + _ZERO4  # version
        + _ZERO4  # lock time
        + sha(txid + _ZERO4).digest()
        + sha((0).to_bytes(8, "little")).digest()
        + sha(_script(spk)).digest()
        + sha(_SEQUENCE).digest()
        + sha(_OUTPUT).digest()
        + b"\x00"  # key path, no annex
        + _ZERO4  # input index
    )
    return tagged_hash("TapSighash", data)


def _witness(signature: str) -> list[bytes]:
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidProof("a BIP-322 signature is base64", field=_FIELD) from None
    items, i = [], 0

    def take(n: int) -> bytes:
        nonlocal i
        if n < 0 or i + n > len(raw):
            raise InvalidProof("the BIP-322 witness is cut short", field=_FIELD)
        i += n
        return raw[i - n : i]

    def varint() -> int:
        first = take(1)[0]
        if first < 0xFD:
            return first
        width = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
        return int.from_bytes(take(width), "little")

    count = varint()
    if not 1 <= count <= _MAX_ITEMS:
        raise InvalidProof(f"a BIP-322 witness of {count} items is not a simple signature", field=_FIELD)
    for _ in range(count):
        items.append(take(varint()))
    if i != len(raw):
        raise InvalidProof(f"{len(raw) - i} bytes follow the BIP-322 witness", field=_FIELD)
    return items


def verify_simple(version: int, program: bytes, message: str, signature: str) -> None:
    """Raise unless ``signature`` (BIP-322 simple, base64) proves the segwit address ``version``/``program``
    signed ``message``."""
    kind = {(0, 20): "p2wpkh", (1, 32): "taproot"}.get((version, len(program)))
    if kind is None:
        raise UnsupportedProof(
            f"BIP-322 for a version {version} program of {len(program)} bytes needs a script interpreter;"
            " sign from a P2WPKH or Taproot address, or prove with the withdrawal history",
            field=_FIELD,
        )
    spk = script_pubkey(version, program)
    witness = _witness(signature)
    txid = to_spend_txid(message, spk)
    if kind == "p2wpkh":
        _p2wpkh(witness, program, txid)
    else:
        _taproot(witness, program, txid, spk)


def _p2wpkh(witness: list[bytes], program: bytes, txid: bytes) -> None:
    if len(witness) != 2:
        raise InvalidProof(
            f"a P2WPKH witness is a signature and a public key, not {len(witness)} items", field=_FIELD
        )
    sig, key_bytes = witness
    if len(key_bytes) != 33 or key_bytes[0] not in (2, 3):
        raise InvalidProof("a P2WPKH witness carries a 33-byte compressed public key", field=_FIELD)
    if hash160(key_bytes) != program:
        raise InvalidProof("the witness's public key is not the address's (another key signed)", field=_FIELD)
    if len(sig) < 9:
        raise InvalidProof("the witness's signature is too short to be DER", field=_FIELD)
    hash_type = sig[-1]
    if hash_type != SIGHASH_ALL:
        raise UnsupportedProof(f"sighash type {hash_type:#04x} is not verified (only ALL)", field=_FIELD)
    try:
        key = PublicKey(key_bytes)
        ok = key.verify(sig[:-1], bip143_digest(txid, program, hash_type), hasher=None)
    except Exception:  # noqa: BLE001 - coincurve raises bare exceptions for malformed keys and DER
        raise InvalidProof("the witness's signature or key is malformed", field=_FIELD) from None
    if not ok:
        raise InvalidProof(
            "the signature does not verify (forged, or signed over another message)", field=_FIELD
        )


def _taproot(witness: list[bytes], program: bytes, txid: bytes, spk: bytes) -> None:
    if len(witness) != 1:
        raise UnsupportedProof(
            "a Taproot script-path signature (more than one witness item) is not verified", field=_FIELD
        )
    sig = witness[0]
    if len(sig) == 64:
        hash_type = SIGHASH_DEFAULT
    elif len(sig) == 65 and sig[64] != SIGHASH_DEFAULT:
        hash_type, sig = sig[64], sig[:64]
    else:
        raise InvalidProof(f"a Taproot signature is 64 or 65 bytes, not {len(sig)}", field=_FIELD)
    digest = bip341_digest(txid, spk, hash_type)
    try:
        ok = PublicKeyXOnly(program).verify(sig, digest)
    except Exception:  # noqa: BLE001 - an output key that is not on the curve
        raise InvalidProof("the address's output key is not a valid point", field=_FIELD) from None
    if not ok:
        raise InvalidProof(
            "the signature does not verify (forged, or signed over another message)", field=_FIELD
        )
