"""Signed-message proofs: which address signed a claim's message.

- **EIP-191** ``personal_sign`` for every EVM chain: keccak-256 of ``"\\x19Ethereum Signed
  Message:\\n" + len(message) + message``, a 65-byte signature ``r || s || v`` (v 27/28 or 0/1);
  the signer is the last 20 bytes of keccak-256 of the recovered public key.
- **TRON** ``signMessageV2`` (TIP-191): the same with ``"\\x19TRON Signed Message:\\n"``; the address is
  base58check of ``0x41`` and those 20 bytes.
- **BIP-137** for Bitcoin, Litecoin and Dogecoin: double SHA-256 of the chain's magic and the message
  (each with its length as a varint), a base64 signature of 65 bytes whose header says the address
  type: 27-30 P2PKH (uncompressed key), 31-34 P2PKH (compressed key), 35-38 P2SH-P2WPKH, 39-42
  P2WPKH. Wallets that sign segwit addresses with a 31-34 header (Electrum, Bitcoin Core's
  descendants) are accepted for the three types a compressed key has; an uncompressed key only ever
  proves its P2PKH address.
- **BIP-322** "simple" (``bip322.py``) for native segwit addresses: P2WPKH, when the signature is not a
  65-byte BIP-137 one, and Taproot key paths, always. Other BIP-322 forms (script paths, P2WSH, nested
  segwit, "full") are refused with ``UnsupportedProof`` saying so, never judged false.

``verify_signature`` returns nothing: it raises ``InvalidProof`` when the signature is malformed or
recovers another address, ``UnsupportedProof`` for a chain or scheme it cannot check.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Final

from coincurve import PublicKey
from Crypto.Hash import keccak

from vigil.errors import InvalidAddress, InvalidProof, UnsupportedProof
from vigil.model import Chain
from vigil.recovery.bip322 import hash160, varint, verify_simple
from vigil.screening.chains import base58, bech32
from vigil.screening.chains.parse import parse_address

MAX_SIGNATURE = 2000  # characters: a 65-byte signature is 88 in base64, 132 in hex; BIP-322's are longer


# (magic, P2PKH version, P2SH version, bech32 prefix or None)
_UTXO: Final[dict[Chain, tuple[str, int, int, str | None]]] = {
    Chain.BTC: ("Bitcoin Signed Message:\n", 0x00, 0x05, "bc"),
    Chain.LTC: ("Litecoin Signed Message:\n", 0x30, 0x32, "ltc"),
    Chain.DOGE: ("Dogecoin Signed Message:\n", 0x1E, 0x16, None),
}
SIGNING_CHAINS: Final = frozenset({c for c in Chain if c.is_evm} | {Chain.TRON} | set(_UTXO))


def keccak256(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def eip191_hash(message: str, prefix: str = "\x19Ethereum Signed Message:\n") -> bytes:
    data = message.encode()
    return keccak256(prefix.encode() + str(len(data)).encode() + data)


def bip137_hash(message: str, chain: Chain = Chain.BTC) -> bytes:
    magic = _UTXO[chain][0].encode()
    data = message.encode()
    return hashlib.sha256(
        hashlib.sha256(varint(len(magic)) + magic + varint(len(data)) + data).digest()
    ).digest()


def _signature_bytes(text: str, *, hex_first: bool) -> bytes:
    """The signature's bytes from hex (``0x`` optional) or base64; ``InvalidProof`` if neither."""
    s = text.strip()
    if not s or len(s) > MAX_SIGNATURE:
        raise InvalidProof(
            f"a signature of {len(s)} characters is not a 65-byte signature", field="proof.signature"
        )
    body = s[2:] if s[:2] in ("0x", "0X") else s
    if hex_first or s[:2] in ("0x", "0X"):
        try:
            return bytes.fromhex(body)
        except ValueError:
            if s[:2] in ("0x", "0X"):
                raise InvalidProof("the signature is not hexadecimal", field="proof.signature") from None
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidProof(
            "the signature is neither hexadecimal nor base64", field="proof.signature"
        ) from None


def _recover(sig64: bytes, recid: int, digest: bytes) -> PublicKey:
    if recid not in (0, 1, 2, 3):
        raise InvalidProof(f"recovery id {recid} is not 0 to 3", field="proof.signature")
    try:
        return PublicKey.from_signature_and_message(sig64 + bytes([recid]), digest, hasher=None)
    except Exception:  # noqa: BLE001 - coincurve raises a bare Exception for a signature that recovers no key
        raise InvalidProof(
            "the signature recovers no public key (forged or corrupted)", field="proof.signature"
        ) from None


def evm_address(key: PublicKey) -> str:
    return "0x" + keccak256(key.format(compressed=False)[1:])[-20:].hex()


def tron_address(key: PublicKey) -> str:
    return base58.encode_check(b"\x41" + keccak256(key.format(compressed=False)[1:])[-20:])


def _recover_keccak(signature: str, digest: bytes) -> PublicKey:
    raw = _signature_bytes(signature, hex_first=True)
    if len(raw) != 65:
        raise InvalidProof(
            f"an EIP-191 signature is 65 bytes (r, s, v), not {len(raw)}", field="proof.signature"
        )
    v = raw[64]
    recid = v - 27 if v >= 27 else v
    return _recover(raw[:64], recid, digest)


def _utxo_candidates(chain: Chain, key: PublicKey, header: int) -> list[str]:
    """The addresses a BIP-137 header lets this key prove, in the chain's own spelling."""
    _, p2pkh, p2sh, hrp = _UTXO[chain]
    compressed = key.format(compressed=True)
    if 27 <= header <= 30:
        return [base58.encode_check(bytes([p2pkh]) + hash160(key.format(compressed=False)))]
    h = hash160(compressed)
    legacy = base58.encode_check(bytes([p2pkh]) + h)
    nested = base58.encode_check(bytes([p2sh]) + hash160(b"\x00\x14" + h))
    native = bech32.encode_segwit(hrp, 0, h) if hrp is not None else None
    if 31 <= header <= 34:
        return [a for a in (legacy, nested, native) if a is not None]
    if 35 <= header <= 38:
        return [nested]
    return [native] if native is not None else []


def _same(chain: Chain, a: str, b: str) -> bool:
    try:
        return parse_address(chain, a).canonical == parse_address(chain, b).canonical
    except InvalidAddress:
        return False


def _segwit(chain: Chain, address: str) -> tuple[int, bytes] | None:
    """The witness version and program of a native segwit address of ``chain`` (None: another kind)."""
    hrp = _UTXO[chain][3]
    if hrp is None or not address.lower().startswith(hrp + "1"):
        return None
    try:
        return bech32.decode_segwit(hrp, address)
    except (InvalidAddress, ValueError):
        return None


def signer_matches(chain: Chain, address: str, message: str, signature: str) -> None:
    """Check that ``signature`` over ``message`` was made by ``address`` on ``chain``; raise otherwise."""
    try:
        claimed = parse_address(chain, address)
    except InvalidAddress as exc:
        raise InvalidProof(
            f"the sending address does not parse on {chain.value}: {exc.message}", field="proof.address"
        ) from None
    if chain.is_evm or chain is Chain.TRON:
        if chain is Chain.TRON:
            key = _recover_keccak(signature, eip191_hash(message, "\x19TRON Signed Message:\n"))
            signer = tron_address(key)
        else:
            key = _recover_keccak(signature, eip191_hash(message))
            signer = evm_address(key)
        if not _same(chain, signer, claimed.canonical):
            raise InvalidProof(
                f"the signature was made by {signer}, not by the sending address {address}"
                " (forged, or signed over another message)",
                field="proof.signature",
            )
        return
    if chain not in _UTXO:
        known = ", ".join(sorted(c.value for c in SIGNING_CHAINS))
        raise UnsupportedProof(
            f"signed-message proofs are not supported on {chain.value} (only on {known});"
            " prove the claim with the withdrawal history instead",
            field="proof.kind",
        )
    raw = _signature_bytes(signature, hex_first=False)
    segwit = _segwit(chain, claimed.canonical)
    if segwit is not None and (len(raw) != 65 or segwit[0] == 1):  # Taproot signs with BIP-322 only
        verify_simple(segwit[0], segwit[1], message, signature)
        return
    if len(raw) != 65:
        raise UnsupportedProof(
            f"a {len(raw)}-byte signature is not BIP-137 (65 bytes); BIP-322 is verified for native"
            " segwit addresses only: sign from one, or with the wallet's legacy 'sign message' (BIP-137)",
            field="proof.signature",
        )
    header = raw[0]
    if not 27 <= header <= 42:
        raise InvalidProof(f"BIP-137 header byte {header} is not 27 to 42", field="proof.signature")
    key = _recover(raw[1:], (header - 27) & 3, bip137_hash(message, chain))
    candidates = _utxo_candidates(chain, key, header)
    if not any(_same(chain, c, claimed.canonical) for c in candidates):
        shown = " or ".join(candidates) or "no address of this chain"
        raise InvalidProof(
            f"the signature was made by {shown}, not by the sending address {address}"
            " (forged, signed over another message, or a header for another address type)",
            field="proof.signature",
        )


__all__ = [
    "SIGNING_CHAINS",
    "bip137_hash",
    "eip191_hash",
    "evm_address",
    "keccak256",
    "signer_matches",
    "tron_address",
]
