"""Keys, signatures and deposits for the recovery tests: secp256k1 keys made with coincurve, signed here.

Signing is the wallet's side (EIP-191 ``personal_sign``, TRON's ``signMessageV2``, BIP-137): Vigil only
verifies, so the signing code lives with the tests (and the simulator's own copy in ``sim/claims.py``).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from decimal import Decimal

from coincurve import PrivateKey

from vigil.model import Chain, Deposit, Rail, Uncredited
from vigil.model.claims import claim_message
from vigil.recovery.bip322 import hash160
from vigil.recovery.proofs import bip137_hash, eip191_hash, evm_address, tron_address
from vigil.screening.chains import base58, bech32

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def key(n: int) -> PrivateKey:
    return PrivateKey(hashlib.sha256(f"recovery-test-key-{n}".encode()).digest())


def evm_of(k: PrivateKey) -> str:
    return evm_address(k.public_key)


def tron_of(k: PrivateKey) -> str:
    return tron_address(k.public_key)


def p2wpkh_of(k: PrivateKey) -> str:
    h = hash160(k.public_key.format(compressed=True))
    return bech32.encode_segwit("bc", 0, h)


def p2pkh_of(k: PrivateKey, *, compressed: bool = True) -> str:
    pub = k.public_key.format(compressed=compressed)
    return base58.encode_check(b"\x00" + hash160(pub))


def sign_evm(k: PrivateKey, message: str, prefix: str = "\x19Ethereum Signed Message:\n") -> str:
    sig = k.sign_recoverable(eip191_hash(message, prefix), hasher=None)
    return "0x" + (sig[:64] + bytes([sig[64] + 27])).hex()


def sign_tron(k: PrivateKey, message: str) -> str:
    return sign_evm(k, message, "\x19TRON Signed Message:\n")


def sign_btc(k: PrivateKey, message: str, header_base: int = 39) -> str:
    """BIP-137: ``header_base`` 27 (P2PKH uncompressed), 31 (compressed), 35 (P2SH-P2WPKH), 39 (P2WPKH)."""
    sig = k.sign_recoverable(bip137_hash(message, Chain.BTC), hasher=None)
    return base64.b64encode(bytes([header_base + sig[64]]) + sig[:64]).decode()


def signed_claim(
    k: PrivateKey, chain: Chain, tx: str, claimant: str, nonce: str, address: str, **extra: object
) -> dict[str, object]:
    message = claim_message(chain, tx, claimant, nonce)
    signature = sign_tron(k, message) if chain is Chain.TRON else sign_evm(k, message)
    if chain is Chain.BTC:
        signature = sign_btc(k, message)
    return {
        "claimant_account_id": claimant,
        "chain": chain.value,
        "tx_hash": tx,
        "proof": {"kind": "signature", "address": address, "signature": signature, "nonce": nonce},
        **extra,
    }


def uncredited(
    event_id: str,
    *,
    chain: Chain = Chain.BSC,
    tx: str = "0x" + "ab" * 32,
    source: str | None = None,
    amount: int = 250 * 10**18,
    fiat: str = "250.00",
    asset: str = "USDT",
    reason: Uncredited | None = Uncredited.WRONG_CHAIN,
    account: str = "acc-1",
    memo: str | None = None,
    deposit_address: str | None = None,
    ts: datetime = T0,
) -> Deposit:
    return Deposit(
        event_id=event_id,
        account_id=account,
        ts=ts,
        region="EU",
        rail=Rail.CRYPTO,
        asset=asset,
        amount=amount,
        fiat_value=Decimal(fiat),
        chain=chain,
        tx_hash=tx,
        source_address=source,
        uncredited=reason,
        memo=memo,
        deposit_address=deposit_address,
    )


ALICE_NONCE = "nonce-0001"
