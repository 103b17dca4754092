"""Recovery of funds sent by mistake: proofs (published vectors and generated keys), matching, screening,
four eyes, fees, the history, and every bad input refused with nothing applied."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.recovery_kit import (
    T0,
    evm_of,
    key,
    p2pkh_of,
    p2wpkh_of,
    sign_btc,
    sign_evm,
    sign_tron,
    signed_claim,
    tron_of,
    uncredited,
)
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.memory_audit import MemoryAuditLog
from vigil.adapters.memory_claims import MemoryClaimStore
from vigil.audit import AuditTrail
from vigil.errors import Conflict, Forbidden, InvalidInput, InvalidProof, NotFound, NotReady, UnsupportedProof
from vigil.model import Chain, Decision, EventType, Outcome, Uncredited, Versions
from vigil.model.claims import ClaimKind, ClaimState, canonical_tx, claim_message
from vigil.model.notify import Notice
from vigil.recovery import Actor, Recovery, RecoveryPolicy, parse_claim
from vigil.recovery.proofs import signer_matches
from vigil.screening.chains.parse import parse_address
from vigil.screening.entries import AddressEntry, Category
from vigil.screening.index import AddressIndex
from vigil.screening.policy import default_policy
from vigil.screening.screener import Screener

SERVICE = Actor("svc-key", by_key=True)
ANA, BO = Actor("ana"), Actor("bo")
TX = "0x" + "ab" * 32
ALICE = key(1)  # the customer who sent USDT on BSC by mistake
MALLORY = key(2)


def listed(chain: Chain, address: str) -> Screener:
    a = parse_address(chain, address)
    entry = AddressEntry("ofac", "ofac:1", a.key, chain, Category.SANCTIONED, "SDN")
    return Screener(AddressIndex([entry]), default_policy(), lists_version="ofac@1")


CLEAN = Screener(AddressIndex(), default_policy(), lists_version="empty@1")


class World:
    def __init__(self, policy: RecoveryPolicy | None = None, screener: Screener | None = CLEAN) -> None:
        self.store = MemoryClaimStore()
        self.log = MemoryAuditLog()
        self.screener = screener
        self.notices: list[Notice] = []
        self.recovery = self.build(policy)

    def build(self, policy: RecoveryPolicy | None = None) -> Recovery:
        return Recovery(
            self.store,
            AuditTrail(self.log),
            policy=policy,
            screener=lambda: self.screener,
            notify=self.notices.append,
        )

    def actions(self) -> list[str]:
        return [r.action for r in self.log.records()]


@pytest.fixture
def world() -> World:
    w = World()
    w.recovery.observe([uncredited("d1", source=evm_of(ALICE))])
    return w


def alice_claims(nonce: str = "nonce-0001", claimant: str = "acc-1", **extra: object) -> dict[str, object]:
    return signed_claim(
        ALICE, Chain.BSC, TX, claimant, nonce, evm_of(ALICE), amount=str(250 * 10**18), **extra
    )


# -- published vectors ---------------------------------------------------------------------------


def test_the_web3js_documented_eip191_signature_verifies() -> None:
    # web3.js documentation, web3.eth.accounts.sign('Some data', '0x4c0883a6...f362318'):
    # https://docs.web3js.org/api/web3-eth-accounts/function/sign (the key's address is 0x2c7536E3...5c23).
    signature = (
        "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd"
        "6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"
    )
    signer_matches(Chain.ETH, "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", "Some data", signature)
    with pytest.raises(InvalidProof, match="not by the sending address"):
        signer_matches(Chain.ETH, "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", "Some other data", signature)


# bitcoinjs-message, test/fixtures.json ("valid.verify", key d = 1, message "vires is numeris"):
# https://github.com/bitcoinjs/bitcoinjs-message/blob/master/test/fixtures.json
BITCOINJS = [
    (Chain.BTC, "16UwLL9Risc3QfPqBUvKofHmBQ7wMtjvM",
     "G8JawPtQOrybrSP1WHQnQPr67B9S3qrxBrl1mlzoTJOSHEpmnF7D3+t+LX0Xei9J20B5AIdPbeL3AaTBZ4N3bY0="),
    (Chain.BTC, "1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs",
     "H8JawPtQOrybrSP1WHQnQPr67B9S3qrxBrl1mlzoTJOSHEpmnF7D3+t+LX0Xei9J20B5AIdPbeL3AaTBZ4N3bY0="),
    (Chain.BTC, "3JvL6Ymt8MVWiCNHC7oWU6nLeHNJKLZGLN",
     "JF8nHqFr3K2UKYahhX3soVeoW8W1ECNbr0wfck7lzyXjCS5Q16Ek45zyBuy1Fiy9sTPKVgsqqOuPvbycuVSSVl8="),
    (Chain.BTC, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
     "KF8nHqFr3K2UKYahhX3soVeoW8W1ECNbr0wfck7lzyXjCS5Q16Ek45zyBuy1Fiy9sTPKVgsqqOuPvbycuVSSVl8="),
    (Chain.DOGE, "DFpN6QqFfUm3gKNaxN6tNcab1FArL9cZLE",
     "H6k+dZwJ8oOei3PCSpdj603fDvhlhQ+sqaFNIDvo/bI+Xh6zyIKGzZpyud6YhZ1a5mcrwMVtTWL+VXq/hC5Zj7s="),
]  # fmt: skip


@pytest.mark.parametrize(("chain", "address", "signature"), BITCOINJS)
def test_the_bitcoinjs_message_fixtures_verify(chain: Chain, address: str, signature: str) -> None:
    signer_matches(chain, address, "vires is numeris", signature)


@pytest.mark.parametrize(
    ("message", "address", "signature"),
    [  # bitcoinjs-message's "invalid.verify": wrong message, wrong address, no cross-verification
        ("foobar", "16UwLL9Risc3QfPqBUvKofHmBQ7wMtjvM", BITCOINJS[0][2]),
        ("vires is numeris", "1111111111111111111114oLvT2", BITCOINJS[1][2]),
        ("vires is numeris", "16UwLL9Risc3QfPqBUvKofHmBQ7wMtjvM", BITCOINJS[1][2]),
        ("vires is numeris", "1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs", BITCOINJS[0][2]),
    ],
)
def test_the_bitcoinjs_message_invalid_fixtures_are_refused(
    message: str, address: str, signature: str
) -> None:
    with pytest.raises(InvalidProof):
        signer_matches(Chain.BTC, address, message, signature)


# -- generated keys ------------------------------------------------------------------------------


def test_generated_keys_prove_their_addresses_on_evm_tron_and_bitcoin() -> None:
    k = key(7)
    signer_matches(Chain.POLYGON, evm_of(k).upper().replace("0X", "0x"), "hello", sign_evm(k, "hello"))
    signer_matches(Chain.TRON, tron_of(k), "hello", sign_tron(k, "hello"))
    signer_matches(Chain.BTC, p2wpkh_of(k), "hello", sign_btc(k, "hello", 39))
    signer_matches(Chain.BTC, p2wpkh_of(k), "hello", sign_btc(k, "hello", 31))  # Electrum's header
    signer_matches(Chain.BTC, p2pkh_of(k, compressed=False), "hello", sign_btc(k, "hello", 27))
    with pytest.raises(InvalidProof):  # a P2WPKH header proves no P2PKH address
        signer_matches(Chain.BTC, p2pkh_of(k), "hello", sign_btc(k, "hello", 39))
    with pytest.raises(InvalidProof, match="not by the sending address"):
        signer_matches(Chain.BSC, evm_of(k), "hello", sign_evm(key(8), "hello"))


def test_unsupported_schemes_say_so() -> None:
    with pytest.raises(UnsupportedProof, match="not supported on XRP"):
        signer_matches(Chain.XRP, "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe", "m", "AA==")
    # BIP-322 beyond native segwit needs a script interpreter: a P2WSH address is refused, not judged
    p2wsh = "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"
    with pytest.raises(UnsupportedProof, match="script interpreter"):
        signer_matches(Chain.BTC, p2wsh, "m", "AkcwRAIg" + "A" * 100)


@pytest.mark.parametrize(
    "signature", ["", "zz", "0x" + "00" * 65, "0x" + "ab" * 64, "not base64 !", "0x" + "11" * 300]
)
def test_malformed_signatures_are_invalid_proofs_never_crashes(signature: str) -> None:
    with pytest.raises(InvalidProof):
        signer_matches(Chain.ETH, evm_of(ALICE), "m", signature)


# -- the claim's message ---------------------------------------------------------------------------


def test_the_message_names_chain_tx_claimant_and_nonce_in_one_spelling() -> None:
    a = claim_message(Chain.BSC, "0xABCD", "acc-1", "n-1")
    assert a == claim_message("BSC", "abcd", "acc-1", "n-1")
    assert a == "Vigil recovery claim\nchain: BSC\ntx: abcd\nclaimant: acc-1\nnonce: n-1"
    assert canonical_tx(" 0XAbC ") == "abc" and canonical_tx("5VERv8NMvzbJMEkV") == "5VERv8NMvzbJMEkV"


# -- the flow --------------------------------------------------------------------------------------


def test_a_signed_claim_below_four_eyes_is_proved_screened_approved_and_credited(world: World) -> None:
    claim = world.recovery.file(parse_claim(alice_claims()), SERVICE)
    assert claim.state is ClaimState.APPROVED and claim.deposit_event_id == "d1"
    kinds = [e.kind for e in claim.history]
    assert kinds == [
        ClaimKind.FILED,
        ClaimKind.MATCHED,
        ClaimKind.PROOF_VERIFIED,
        ClaimKind.SCREENED,
        ClaimKind.APPROVED,
    ]
    assert [e.system for e in claim.history] == [False, True, True, True, True]
    credited = world.recovery.credit(claim.claim_id, ANA)
    assert credited.state is ClaimState.CREDITED
    # fee: 2% of 250 = 5, raised to the 10 minimum; 240 credited
    assert credited.fee_value == Decimal("10.00") and credited.credited_value == Decimal("240.00")
    assert credited.fee_amount == 10 * 10**18 and credited.credited_amount == 240 * 10**18
    assert world.recovery.summary()["recovered_total"] == "250.00"
    assert world.actions() == ["recovery.claim_filed", "recovery.claim_credited"]


def test_four_eyes_above_the_value_a_second_person_approves() -> None:
    w = World(RecoveryPolicy(four_eyes_value=Decimal(100)))
    w.recovery.observe([uncredited("d1", source=evm_of(ALICE))])
    claim = w.recovery.file(parse_claim(alice_claims()), ANA)
    assert claim.state is ClaimState.AWAITING_APPROVAL
    with pytest.raises(Conflict, match="only an approved claim"):
        w.recovery.credit(claim.claim_id, BO)
    with pytest.raises(Forbidden, match="API key"):
        w.recovery.approve(claim.claim_id, SERVICE)
    with pytest.raises(Forbidden, match="four eyes"):
        w.recovery.approve(claim.claim_id, ANA)  # who filed it
    assert w.recovery.approve(claim.claim_id, BO).state is ClaimState.APPROVED
    assert w.recovery.credit(claim.claim_id, BO).state is ClaimState.CREDITED
    with pytest.raises(Conflict):
        w.recovery.credit(claim.claim_id, BO)  # once


def test_a_history_claim_waits_for_a_person_to_confirm_with_the_sending_platform() -> None:
    w = World()
    w.recovery.observe(
        [uncredited("d9", chain=Chain.XRP, tx="C0FFEE" * 10 + "ABCD", asset="XRP", amount=400_000_000,
                    fiat="240", reason=Uncredited.WRONG_MEMO, account="suspense", memo="55",
                    source="rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe")]
    )  # fmt: skip
    body = {
        "claimant_account_id": "acc-7",
        "chain": "XRP",
        "tx_hash": "c0ffee" * 10 + "abcd",
        "fiat_value": "240",
        "proof": {"kind": "history", "platform": "Other Exchange", "withdrawal_id": "W-1",
                  "amount": 400_000_000, "asset": "XRP", "sent_at": "2026-03-01T11:58:00Z", "memo": "55"},
    }  # fmt: skip
    claim = w.recovery.file(parse_claim(body), SERVICE)
    assert claim.state is ClaimState.NEEDS_CONFIRMATION
    with pytest.raises(Conflict):
        w.recovery.approve(claim.claim_id, ANA)
    with pytest.raises(InvalidInput, match="say how"):
        w.recovery.confirm(claim.claim_id, " ", ANA)
    confirmed = w.recovery.confirm(
        claim.claim_id, "called Other Exchange's compliance desk: W-1 is theirs", ANA
    )
    assert confirmed.state is ClaimState.APPROVED and confirmed.confirmed_by == "ana"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 500_000_000}, "proof.amount"),
        ({"asset": "XLM"}, "proof.asset"),
        ({"sent_at": "2026-03-01T12:30:00Z"}, "proof.sent_at"),  # after it arrived
        ({"sent_at": "2026-02-20T12:00:00Z"}, "proof.sent_at"),  # long before
        ({"memo": "56"}, "proof.memo"),
        ({"tx_hash": "ab" * 32}, "proof.tx_hash"),
    ],
)
def test_history_evidence_that_disagrees_is_refused(change: dict[str, object], field: str) -> None:
    w = World()
    w.recovery.observe(
        [uncredited("d9", chain=Chain.XRP, tx="AA" * 32, asset="XRP", amount=400_000_000, fiat="240",
                    reason=Uncredited.WRONG_MEMO, memo="55")]
    )  # fmt: skip
    proof = {"kind": "history", "platform": "X", "withdrawal_id": "W", "amount": 400_000_000, "asset": "XRP",
             "sent_at": "2026-03-01T11:00:00Z", "memo": "55", **change}  # fmt: skip
    body = {
        "claimant_account_id": "acc-7",
        "chain": "XRP",
        "tx_hash": "aa" * 32,
        "fiat_value": "240",
        "proof": proof,
    }
    with pytest.raises(InvalidProof) as err:
        w.recovery.file(parse_claim(body), SERVICE)
    assert err.value.field == field
    assert w.store.claims() == 0


# -- bad input: clear errors, nothing applied -------------------------------------------------------


def _refused(world: World, body: dict[str, object], error: type[Exception], match: str) -> None:
    before = world.store.claims()
    with pytest.raises(error, match=match):
        world.recovery.file(parse_claim(body), SERVICE)
    assert world.store.claims() == before  # nothing applied
    assert world.actions()[-1] == "recovery.claim_refused"  # the attempt is audited


def test_a_claim_for_a_credited_deposit_is_refused(world: World) -> None:
    world.recovery.observe([uncredited("d2", tx="0x" + "cd" * 32, reason=None, source=evm_of(ALICE))])
    body = signed_claim(
        ALICE, Chain.BSC, "0x" + "cd" * 32, "acc-1", "nonce-0002", evm_of(ALICE), amount=str(250 * 10**18)
    )
    _refused(world, body, Conflict, "was credited")


def test_an_unknown_tx_is_refused(world: World) -> None:
    body = signed_claim(ALICE, Chain.BSC, "0x" + "ee" * 32, "acc-1", "nonce-0003", evm_of(ALICE), amount="1")
    _refused(world, body, InvalidInput, "no deposit with tx")


def test_the_wrong_chain_is_refused(world: World) -> None:
    body = signed_claim(ALICE, Chain.ETH, TX, "acc-1", "nonce-0004", evm_of(ALICE), amount=str(250 * 10**18))
    _refused(world, body, InvalidInput, "deposit on BSC, not on ETH: wrong chain")


@pytest.mark.parametrize(("field", "value"), [("amount", str(300 * 10**18)), ("fiat_value", "400")])
def test_an_amount_mismatch_is_refused(world: World, field: str, value: str) -> None:
    body = signed_claim(ALICE, Chain.BSC, TX, "acc-1", "nonce-0005", evm_of(ALICE), **{field: value})
    _refused(world, body, InvalidInput, "amount mismatch")


def test_an_amount_within_the_tolerance_matches(world: World) -> None:
    body = signed_claim(ALICE, Chain.BSC, TX, "acc-1", "nonce-0006", evm_of(ALICE), amount=str(248 * 10**18))
    assert world.recovery.file(parse_claim(body), SERVICE).deposit_event_id == "d1"


def test_a_forged_signature_is_refused(world: World) -> None:
    forged = signed_claim(
        MALLORY, Chain.BSC, TX, "acc-666", "nonce-0007", evm_of(ALICE), amount=str(250 * 10**18)
    )
    _refused(world, forged, InvalidProof, "not by the sending address")
    own = signed_claim(
        MALLORY, Chain.BSC, TX, "acc-666", "nonce-0008", evm_of(MALLORY), amount=str(250 * 10**18)
    )
    _refused(world, own, InvalidProof, "not the deposit's sending address")


def test_a_replayed_signature_is_refused(world: World) -> None:
    world.recovery.file(parse_claim(alice_claims()), SERVICE)
    _refused(world, alice_claims(), InvalidProof, "replayed")  # the same claim again
    stolen = alice_claims()
    stolen["claimant_account_id"] = "acc-666"  # Alice's signature on Mallory's claim
    stolen["proof"] = {**stolen["proof"], "nonce": "nonce-9999"}  # type: ignore[dict-item]
    _refused(world, stolen, InvalidProof, "not by the sending address")


def test_a_replayed_nonce_is_refused_after_a_restart(world: World) -> None:
    world.recovery.file(parse_claim(alice_claims()), SERVICE)
    again = world.build()
    with pytest.raises(InvalidProof, match="replayed"):
        again.file(parse_claim(alice_claims()), SERVICE)
    assert again.claim("cl-000001").state is ClaimState.APPROVED


# -- screening again ---------------------------------------------------------------------------------


def test_a_listed_source_refuses_the_claim_to_the_desk() -> None:
    w = World(screener=listed(Chain.BSC, evm_of(ALICE)))
    w.recovery.observe([uncredited("d1", source=evm_of(ALICE))])
    claim = w.recovery.file(parse_claim(alice_claims()), SERVICE)
    assert claim.state is ClaimState.REFUSED and claim.to_desk
    assert "screen.address" in claim.refusal or "sanction" in claim.refusal.lower()
    assert [n.kind for n in w.notices] == ["recovery.listed_source"]
    with pytest.raises(Conflict):
        w.recovery.credit(claim.claim_id, ANA)


def test_the_source_is_screened_again_before_the_credit() -> None:
    w = World()
    w.recovery.observe([uncredited("d1", source=evm_of(ALICE))])
    claim = w.recovery.file(parse_claim(alice_claims()), SERVICE)
    w.screener = listed(Chain.ETH, evm_of(ALICE))  # listed since (on Ethereum: the same EVM key)
    after = w.recovery.credit(claim.claim_id, ANA)
    assert after.state is ClaimState.REFUSED and after.to_desk and after.credited_value == 0
    w.screener = None
    w2 = World(screener=None)
    w2.recovery.observe([uncredited("d1", source=evm_of(ALICE))])
    c2 = w2.recovery.file(parse_claim(alice_claims()), SERVICE)
    with pytest.raises(NotReady, match="screened again"):
        w2.recovery.credit(c2.claim_id, ANA)


# -- contested deposits, refusals, reads --------------------------------------------------------------


def test_a_second_claim_on_a_deposit_contests_it_until_a_person_refuses_one() -> None:
    w = World()
    w.recovery.observe(
        [uncredited("d9", chain=Chain.XRP, tx="AA" * 32, asset="XRP", amount=400_000_000, fiat="240",
                    reason=Uncredited.WRONG_MEMO, memo="55")]
    )  # fmt: skip
    proof = {"kind": "history", "platform": "X", "withdrawal_id": "W", "amount": 400_000_000, "asset": "XRP",
             "sent_at": "2026-03-01T11:00:00Z"}  # fmt: skip
    first = w.recovery.file(
        parse_claim(
            {
                "account_id": "acc-7",
                "chain": "XRP",
                "tx_hash": "AA" * 32,
                "amount": 400_000_000,
                "proof": proof,
            }
        ),
        SERVICE,
    )
    second = w.recovery.file(
        parse_claim(
            {
                "account_id": "acc-8",
                "chain": "XRP",
                "tx_hash": "AA" * 32,
                "amount": 400_000_000,
                "proof": proof,
            }
        ),
        SERVICE,
    )
    assert second.history[1].data["contested_by"] == first.claim_id
    w.recovery.confirm(first.claim_id, "platform confirmed", ANA)
    with pytest.raises(Conflict, match="also claimed"):
        w.recovery.credit(first.claim_id, ANA)
    w.recovery.refuse(second.claim_id, "the platform says W is acc-7's", BO)
    assert w.recovery.credit(first.claim_id, ANA).state is ClaimState.CREDITED
    with pytest.raises(Conflict, match="no longer be refused"):
        w.recovery.refuse(first.claim_id, "too late", BO)


def test_reads_by_people_are_audited_and_unknown_claims_are_not_found(world: World) -> None:
    claim = world.recovery.file(parse_claim(alice_claims()), SERVICE)
    world.recovery.claim(claim.claim_id, ANA)
    assert world.actions()[-1] == "recovery.claim_read"
    with pytest.raises(NotFound):
        world.recovery.claim("cl-999999")
    listed_, total = world.recovery.claims(ClaimState.APPROVED)
    assert total == 1 and listed_[0].claim_id == claim.claim_id


def test_deposits_come_from_the_journal_tail() -> None:
    journal = MemoryJournal()
    for i, e in enumerate(
        [uncredited("d1", source=evm_of(ALICE)), uncredited("d2", tx="0x" + "cd" * 32, reason=None)]
    ):
        decision = Decision(
            e.event_id,
            e.account_id,
            EventType.DEPOSIT,
            "EU",
            Outcome.ALLOW,
            0.0,
            (),
            (),
            Versions("e", "c", "r"),
            1.0,
        )
        journal.record(e, decision)
        del i
    store = MemoryClaimStore()
    rec = Recovery(store, AuditTrail(MemoryAuditLog()), journal=journal, screener=lambda: CLEAN)
    assert rec.catch_up() == 2 and rec.catch_up() == 0
    assert [d.event_id for d, _ in rec.uncredited()] == ["d1"]
    assert rec.file(parse_claim(alice_claims()), SERVICE).state is ClaimState.APPROVED


# -- hostile input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "claimant_account_id"),
        ({"account_id": "a", "chain": "NOPE"}, "chain"),
        ({"account_id": "a", "chain": "BSC", "tx_hash": "x", "amount": "1", "proof": None}, "proof"),
        ({"account_id": "a", "chain": "BSC", "tx_hash": "x", "proof": {"kind": "signature"}}, "amount"),
        ({"account_id": "a", "chain": "BSC", "tx_hash": "x", "amount": -5, "proof": {}}, "amount"),
        ({"account_id": "a", "chain": "BSC", "tx_hash": "x", "amount": True, "proof": {}}, "amount"),
        ({"account_id": "a", "chain": "BSC", "tx_hash": "x", "amount": "1",
          "proof": {"kind": "magic"}}, "proof.kind"),
        ({"account_id": "a", "chain": "BSC", "tx_hash": "x", "amount": "1",
          "proof": {"kind": "signature", "address": "a", "signature": "b", "nonce": "short"}}, "proof.nonce"),
        ({"account_id": "a", "chain": "BSC", "tx_hash": "x", "amount": "1", "surprise": 1}, "surprise"),
        ({"account_id": "a\x00b", "chain": "BSC"}, "account_id"),
        ({"account_id": "a", "chain": "BSC", "tx_hash": "x" * 500}, "tx_hash"),
        ({"account_id": "a", "chain": "BSC", "tx_hash": "x", "fiat_value": "NaN", "proof": {}}, "fiat_value"),
        ({"account_id": "a", "chain": "XRP", "tx_hash": "x", "amount": 1, "claimant": "exchange",
          "proof": {}}, "on_behalf_of"),
    ],
)  # fmt: skip
def test_malformed_claims_name_the_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_claim(body)
    assert err.value.field == field


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            ["account_id", "chain", "tx_hash", "amount", "fiat_value", "asset", "proof", "claimant"]
        ),
        _json,
    ),
    st.dictionaries(
        st.sampled_from(["kind", "address", "signature", "nonce", "sent_at", "amount", "asset"]), _json
    ),
)
def test_whatever_arrives_a_claim_is_parsed_and_filed_or_refused_with_invalid_input(
    body: dict[str, object], proof: dict[str, object]
) -> None:
    w = World()
    w.recovery.observe([uncredited("d1", source=evm_of(ALICE))])
    if isinstance(body.get("proof"), dict):
        body["proof"] = proof
    try:
        req = parse_claim(body)
        w.recovery.file(req, SERVICE)
    except (InvalidInput, Conflict):
        assert w.store.claims() == 0


def test_the_policy_fee_is_bounded_and_never_more_than_the_value() -> None:
    p = RecoveryPolicy(fee_share=Decimal("0.02"), fee_min=Decimal(10), fee_max=Decimal(500))
    assert p.fee(1_000, Decimal("5")) == (1_000, Decimal("5.00"))  # the minimum, capped by the value
    assert p.fee(10**6, Decimal("100000")) == (5_000, Decimal("500.00"))  # the maximum
    assert p.fee(10**6, Decimal("1000")) == (20_000, Decimal("20.00"))
    with pytest.raises(ValueError):
        RecoveryPolicy(amount_tolerance=Decimal(2))
    assert T0.year == 2026
