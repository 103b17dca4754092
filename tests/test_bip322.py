"""BIP-322 "simple" signed messages (recovery/bip322.py) for P2WPKH and Taproot key paths: the BIP's own
test vectors, keys generated here, and hostile witnesses (never a crash, never a false "verified")."""

from __future__ import annotations

import base64
import hashlib

import pytest
from coincurve import PrivateKey, PublicKeyXOnly
from hypothesis import given
from hypothesis import strategies as st

from tests.recovery_kit import key, p2wpkh_of
from vigil.errors import InvalidProof, UnsupportedProof
from vigil.model import Chain
from vigil.recovery.bip322 import (
    bip143_digest,
    bip341_digest,
    hash160,
    message_hash,
    script_pubkey,
    to_spend_txid,
    varint,
    verify_simple,
)
from vigil.recovery.proofs import signer_matches
from vigil.screening.chains import bech32

# https://github.com/bitcoin/bips/blob/master/bip-0322.mediawiki#test-vectors (private key
# L3VFeEujGtevx9w18HD1fhRbCH67Az2dpCymeRE1SoPK6XQtaN2k)
P2WPKH = "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l"
HELLO = (
    "AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASEC"
    "x/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="
)
EMPTY = (
    "AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASEC"
    "x/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="
)
# the same key over "Hello World" with another nonce (Bitcoin Core's util_tests.cpp)
HELLO_ALT = (
    "AkgwRQIhAOzyynlqt93lOKJr+wmmxIens//zPzl9tqIOua93wO6MAiBi5n5EyAcPScOjf1lAqIUIQtr3zKNeavYabHyR8eGhowEh"
    "AsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy"
)
TAPROOT = "bc1ppv609nr0vr25u07u95waq5lucwfm6tde4nydujnu8npg4q75mr5sxq8lt3"
TAPROOT_HELLO = "AUHd69PrJQEv+oKTfZ8l+WROBHuy9HKrbFCJu7U1iK2iiEy1vMU5EfMtjc+VSHM7aU0SDbak5IUZRVno2P5mjSafAQ=="


def test_the_message_hashes_of_the_bip() -> None:
    assert message_hash("").hex() == "c90c269c4f8fcbe6880f72a721ddfbf1914268a794cbb21cfafee13770ae19f1"
    assert message_hash("Hello World").hex() == (
        "f0eb03b1a75ac6d9847f55c624a99169b5dccba2a31f5b23bea77ba270de0a7a"
    )


@pytest.mark.parametrize(
    ("address", "message", "signature"),
    [
        (P2WPKH, "Hello World", HELLO),
        (P2WPKH, "", EMPTY),
        (P2WPKH, "Hello World", HELLO_ALT),
        (TAPROOT, "Hello World", TAPROOT_HELLO),
    ],
)
def test_the_bips_vectors_verify_and_fail_for_another_message_or_address(
    address: str, message: str, signature: str
) -> None:
    signer_matches(Chain.BTC, address, message, signature)
    with pytest.raises(InvalidProof, match="does not verify"):
        signer_matches(Chain.BTC, address, message + "!", signature)
    other = p2wpkh_of(key(1)) if address == P2WPKH else _taproot_of(key(1))
    with pytest.raises(InvalidProof):
        signer_matches(Chain.BTC, other, message, signature)


def _taproot_of(k: PrivateKey, hrp: str = "bc") -> str:
    return bech32.encode_segwit(hrp, 1, PublicKeyXOnly.from_secret(k.secret).format())


def _witness(*items: bytes) -> str:
    return base64.b64encode(varint(len(items)) + b"".join(varint(len(i)) + i for i in items)).decode()


def sign_p2wpkh(k: PrivateKey, message: str, hrp: str = "bc") -> tuple[str, str]:
    pub = k.public_key.format(compressed=True)
    program = hash160(pub)
    txid = to_spend_txid(message, script_pubkey(0, program))
    der = k.sign(bip143_digest(txid, program, 1), hasher=None)
    return bech32.encode_segwit(hrp, 0, program), _witness(der + b"\x01", pub)


def sign_taproot(k: PrivateKey, message: str, hash_type: int = 0) -> tuple[str, str]:
    program = PublicKeyXOnly.from_secret(k.secret).format()
    spk = script_pubkey(1, program)
    sig = k.sign_schnorr(bip341_digest(to_spend_txid(message, spk), spk, hash_type), b"")
    return bech32.encode_segwit("bc", 1, program), _witness(sig + (bytes([hash_type]) if hash_type else b""))


def test_generated_keys_prove_their_addresses_on_bitcoin_and_litecoin() -> None:
    for n in range(5):
        address, sig = sign_p2wpkh(key(n), f"claim {n}")
        signer_matches(Chain.BTC, address, f"claim {n}", sig)
        ltc, sig = sign_p2wpkh(key(n), f"claim {n}", "ltc")
        signer_matches(Chain.LTC, ltc, f"claim {n}", sig)
        for hash_type in (0, 1):
            address, sig = sign_taproot(key(n), f"claim {n}", hash_type)
            signer_matches(Chain.BTC, address, f"claim {n}", sig)
    with pytest.raises(InvalidProof, match="another key signed"):
        _, sig = sign_p2wpkh(key(2), "m")
        signer_matches(Chain.BTC, p2wpkh_of(key(3)), "m", sig)


@pytest.mark.parametrize(
    ("signature", "error", "match"),
    [
        ("not base64!", InvalidProof, "base64"),
        (base64.b64encode(b"\x00").decode(), InvalidProof, "0 items"),
        (base64.b64encode(b"\x11" + b"\x00" * 17).decode(), InvalidProof, "17 items"),
        (base64.b64encode(b"\x02\x47" + b"\x01" * 10).decode(), InvalidProof, "cut short"),
        (base64.b64encode(b"\x01\xff" + b"\xff" * 8).decode(), InvalidProof, "cut short"),
        (HELLO + "AA==", InvalidProof, "base64"),
        (_witness(b"\x30" * 71, b"\x02" * 33, b"x"), InvalidProof, "not 3 items"),
        (_witness(b"\x30" * 71), InvalidProof, "not 1 items"),
        (_witness(b"\x30" * 71, b"\x04" + b"\x01" * 64), InvalidProof, "compressed public key"),
    ],
)
def test_hostile_p2wpkh_witnesses_are_refused_with_what_is_wrong(
    signature: str, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        signer_matches(Chain.BTC, P2WPKH, "Hello World", signature)


def test_trailing_bytes_and_other_sighash_types_are_refused() -> None:
    raw = base64.b64decode(HELLO)
    with pytest.raises(InvalidProof, match="bytes follow"):
        signer_matches(Chain.BTC, P2WPKH, "Hello World", base64.b64encode(raw + b"\x00").decode())
    k = key(4)
    pub = k.public_key.format(compressed=True)
    program = hash160(pub)
    der = k.sign(bip143_digest(to_spend_txid("m", script_pubkey(0, program)), program, 0x83), hasher=None)
    with pytest.raises(UnsupportedProof, match="0x83"):
        signer_matches(Chain.BTC, bech32.encode_segwit("bc", 0, program), "m", _witness(der + b"\x83", pub))


def test_hostile_taproot_witnesses() -> None:
    address, _ = sign_taproot(key(5), "m")
    with pytest.raises(UnsupportedProof, match="script-path"):
        signer_matches(Chain.BTC, address, "m", _witness(b"\x01" * 64, b"\x51"))
    with pytest.raises(InvalidProof, match="64 or 65 bytes"):
        signer_matches(Chain.BTC, address, "m", _witness(b"\x01" * 63))
    with pytest.raises(InvalidProof, match="64 or 65 bytes"):
        signer_matches(Chain.BTC, address, "m", _witness(b"\x01" * 64 + b"\x00"))
    with pytest.raises(InvalidProof, match="does not verify"):
        signer_matches(Chain.BTC, address, "m", _witness(b"\x01" * 64))
    # a 65-byte BIP-137 signature never proves a Taproot address (it has no such form)
    with pytest.raises(InvalidProof):
        signer_matches(Chain.BTC, address, "m", base64.b64encode(b"\x27" + b"\x01" * 64).decode())
    # an output key that is not on the curve
    off_curve = bech32.encode_segwit("bc", 1, b"\x00" * 32)
    with pytest.raises(InvalidProof):
        signer_matches(Chain.BTC, off_curve, "m", _witness(b"\x01" * 64))


@given(st.integers(0, 105), st.integers(1, 255))
def test_no_changed_byte_of_a_valid_signature_verifies(position: int, flip: int) -> None:
    raw = bytearray(base64.b64decode(HELLO))
    raw[position % len(raw)] ^= flip
    with pytest.raises((InvalidProof, UnsupportedProof)):
        verify_simple(*bech32.decode_segwit("bc", P2WPKH), "Hello World", base64.b64encode(raw).decode())


def test_the_sighash_digest_is_what_a_hash_of_the_parts_gives() -> None:
    """The P2WPKH digest changes with the message, the program and the sighash type."""
    program = hashlib.sha256(b"p").digest()[:20]
    txid = to_spend_txid("m", script_pubkey(0, program))
    assert bip143_digest(txid, program, 1) != bip143_digest(txid, program, 2)
    assert to_spend_txid("m", script_pubkey(0, program)) != to_spend_txid("n", script_pubkey(0, program))
