"""Address parsing per chain: the specifications' test vectors, the OFAC lists, properties, errors.

Vectors are copied from the specifications they test (BIP-173, BIP-350, EIP-55, CashAddr 1.1,
SEP-23) or are well-known published addresses whose decoding the tests check field by field
(XRP's special accounts, Monero's and Zcash's example addresses, TON's documentation example).
The properties build valid addresses of every supported kind from random bytes with the
package's own encoders and check what must hold for all of them: parsing is idempotent, case
variants of case-insensitive formats share a key, one changed character is caught or names a
different address, and no input at all escapes as anything but ``InvalidAddress``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import LISTS
from vigil.errors import InvalidAddress
from vigil.model import Chain
from vigil.screening.chains import (
    Address,
    base58,
    bech32,
    cashaddr,
    chain_for_currency,
    evm,
    family_of,
    monero,
    parse_address,
    stellar,
    ton,
)
from vigil.screening.chains.common import AddressFormatError

OFAC = LISTS / "ofac_crypto_addresses"

# --- BIP-173 and BIP-350 -------------------------------------------------------------------------

BECH32_VALID = [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]
BECH32M_VALID = [
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
]
BECH32_INVALID = [  # BIP-173, then BIP-350 (with the reasons the BIPs give)
    chr(0x20) + "1nwldj5",  # HRP character out of range
    chr(0x7F) + "1axkwrx",
    chr(0x80) + "1eym55h",
    "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
    "pzry9x0s0muk",  # no separator
    "1pzry9x0s0muk",  # empty HRP
    "x1b4n0q5v",  # invalid data character
    "li1dgmt3",  # too short checksum
    "de1lg7wt" + chr(0xFF),  # invalid character in checksum
    "A1G7SGD8",  # checksum calculated with uppercase form of HRP
    "10a06t8",  # empty HRP
    "1qzzfhee",  # empty HRP
    chr(0x20) + "1xj0phk",
    chr(0x7F) + "1g6xzxy",
    chr(0x80) + "1vctc34",
    "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
    "qyrz8wqd2c9m",
    "1qyrz8wqd2c9m",
    "y1b0jsk6g",
    "lt1igcx5c0",
    "in1muywd",
    "mm1crxm3i",
    "au1s5cgom",
    "M1VUXWEZ",
    "16plkw9",
    "1p2gdwpf",
]
SEGWIT_VALID = {  # BIP-350: address -> scriptPubKey
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4": "0014751e76e8199196d454941c45d1b3a323f1433bd6",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7": (
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"
    ),
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y": (
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"
    ),
    "BC1SW50QGDZ25J": "6002751e",
    "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs": "5210751e76e8199196d454941c45d1b3a323",
    "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy": (
        "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"
    ),
    "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c": (
        "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"
    ),
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0": (
        "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    ),
}
SEGWIT_INVALID = [
    # BIP-350
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",  # invalid hrp
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # bech32 instead of bech32m
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # bech32m instead of bech32
    "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",  # invalid checksum character
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # witness version 17
    "bc1pw5dgrnzv",  # 1-byte program
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",  # 41 bytes
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # v0 program of 16 bytes
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",  # mixed case
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",  # more than 4 padding bits
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",  # non-zero padding
    "bc1gmk9yu",  # empty data part
    # BIP-173
    "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
    "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",
    "bc1rw5uspcuh",
    "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
    "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
    # BIP-173's own v1+ examples: valid then, Bech32 where BIP-350 now requires Bech32m.
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
    "BC1SW50QA3JX3S",
    "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj",
]


@pytest.mark.parametrize("text", BECH32_VALID)
def test_bip173_valid_strings_are_bech32(text: str) -> None:
    assert bech32.decode(text)[2] is bech32.Encoding.BECH32


@pytest.mark.parametrize("text", BECH32M_VALID)
def test_bip350_valid_strings_are_bech32m(text: str) -> None:
    assert bech32.decode(text)[2] is bech32.Encoding.BECH32M


@pytest.mark.parametrize("text", BECH32_INVALID)
def test_bip173_and_bip350_invalid_strings_are_refused(text: str) -> None:
    with pytest.raises(AddressFormatError):
        bech32.decode(text)


@pytest.mark.parametrize(("text", "script"), SEGWIT_VALID.items())
def test_bip350_segwit_addresses_decode_to_their_script(text: str, script: str) -> None:
    hrp = text[:2].lower()
    version, program = bech32.decode_segwit(hrp, text)
    assert (bytes([version + 0x50 if version else 0, len(program)]) + program).hex() == script
    assert bech32.encode_segwit(hrp, version, program) == text.lower()
    if hrp == "bc":
        assert parse_address(Chain.BTC, text).canonical == text.lower()
    else:  # Vigil screens mainnet: a testnet address on BTC is an error, not a pass
        with pytest.raises(InvalidAddress, match="'tb1'"):
            parse_address(Chain.BTC, text)


@pytest.mark.parametrize("text", SEGWIT_INVALID)
def test_bip173_and_bip350_invalid_segwit_addresses_are_refused(text: str) -> None:
    for hrp in ("bc", "tb"):
        with pytest.raises(AddressFormatError):
            bech32.decode_segwit(hrp, text)
    with pytest.raises(InvalidAddress):
        parse_address(Chain.BTC, text)


def test_segwit_errors_name_the_rule_broken() -> None:
    reasons = {
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd": "must use bech32m",
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh": "must use bech32, not bech32m",
        "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R": "witness version 17",
        "bc1pw5dgrnzv": "1 bytes is outside 2-40",
        "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P": "neither 20 nor 32",
        "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du": "more than 4 bits of padding",
        "bc1gmk9yu": "empty data part",
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5": "bad checksum",
    }
    for text, reason in reasons.items():
        with pytest.raises(AddressFormatError, match=reason):
            bech32.decode_segwit("bc", text)


# --- EIP-55 --------------------------------------------------------------------------------------

EIP55_CHECKSUMMED = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]
EIP55_SINGLE_CASE = [  # EIP-55's "all caps" and "all lower" examples: no checksum to check
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
]


@pytest.mark.parametrize("text", EIP55_CHECKSUMMED)
def test_eip55_examples_pass_and_each_case_flip_fails(text: str) -> None:
    assert "0x" + evm.checksum_case(text[2:].lower()) == text
    assert parse_address(Chain.ETH, text).canonical == text.lower()
    letters = [i for i, char in enumerate(text) if i > 1 and char.isalpha()]
    for i in letters:
        flipped = text[:i] + text[i].swapcase() + text[i + 1 :]
        if flipped[2:] in (flipped[2:].lower(), flipped[2:].upper()):
            continue  # flipping made it single-case, which carries no checksum
        with pytest.raises(InvalidAddress, match="EIP-55"):
            parse_address(Chain.ETH, flipped)


@pytest.mark.parametrize("text", EIP55_SINGLE_CASE)
def test_single_case_hex_is_accepted_without_checksum(text: str) -> None:
    assert parse_address(Chain.ETC, text).canonical == text.lower()


def test_every_evm_chain_shares_one_key_family() -> None:
    text = EIP55_CHECKSUMMED[0]
    parsed = {chain: parse_address(chain, text) for chain in Chain if chain.is_evm}
    assert {a.key for a in parsed.values()} == {"EVM:" + text.lower()}
    assert {a.family for a in parsed.values()} == {"EVM"} == {family_of(c) for c in parsed}
    assert parsed[Chain.ETH] != parsed[Chain.BSC]  # same key, different chains


# --- CashAddr ------------------------------------------------------------------------------------

CASHADDR_LEGACY = {  # the spec's translation table
    "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu": "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
    "1KXrWXciRDZUpQwQmuM1DbwsKDLYAYsVLR": "bitcoincash:qr95sy3j9xwd2ap32xkykttr4cvcu7as4y0qverfuy",
    "16w1D5WRVKJuZUsSRzdLp9w3YGcgoxDXb": "bitcoincash:qqq3728yw0y47sqn6l2na30mcw6zm78dzqre909m2r",
    "3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC": "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq",
    "3LDsS579y7sruadqu11beEJoTjdFiFCdX4": "bitcoincash:pr95sy3j9xwd2ap32xkykttr4cvcu7as4yc93ky28e",
    "31nwvkZwyPdgzjBJZXfDmSWsC4ZLKpYyUw": "bitcoincash:pqq3728yw0y47sqn6l2na30mcw6zm78dzq5ucqzc37",
}
CASHADDR_SIZES = [  # the spec's larger test vectors: (address, hash) for each hash size
    ("bitcoincash:qr6m7j9njldwwzlg9v7v53unlr4jkmx6eylep8ekg2", "F5BF48B397DAE70BE82B3CCA4793F8EB2B6CDAC9"),
    ("pref:pr6m7j9njldwwzlg9v7v53unlr4jkmx6ey65nvtks5", "F5BF48B397DAE70BE82B3CCA4793F8EB2B6CDAC9"),
    (
        "bchtest:p9adhakpwzztepkpwp5z0dq62m6u5v5xtyj7j3h2u94tsynr",
        "7ADBF6C17084BC86C1706827B41A56F5CA32865925E946EA",
    ),
    (
        "bitcoincash:qgagf7w02x4wnz3mkwnchut2vxphjzccwxgjvvjmlsxqwkcw59jxxuz",
        "3A84F9CF51AAE98A3BB3A78BF16A6183790B18719126325BFC0C075B",
    ),
    (
        "bitcoincash:qvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq5nlegake",
        "3173EF6623C6B48FFD1A3DCC0CC6489B0A07BB47A37F47CFEF4FE69DE825C060",
    ),
    (
        "pref:pnq8zwpj8cq05n7pytfmskuk9r4gzzel8qtsvwz79zdskftrzxtar994cgutavfklv0vx5z0w3",
        "C07138323E00FA4FC122D3B85B9628EA810B3F381706385E289B0B25631197D194B5C238BEB136FB",
    ),
    (
        "bitcoincash:qh3krj5607v3qlqh5c3wq3lrw3wnuxw0sp8dv0zugrrt5a3kj6ucysfz8kxwv2k53krr7n933jfsunqex2w82sl",
        "E361CA9A7F99107C17A622E047E3745D3E19CF804ED63C5C40C6BA763696B98241223D8CE62AD48D863F4CB18C930E4C",
    ),
    (
        "bchtest:pmvl5lzvdm6km38lgga64ek5jhdl7e3aqd9895wu04fvhlnare5937w4ywkq57juxsrhvw8ym5d8qx7sz7zz0zvcypqs6kgdsg2g",
        "D9FA7C4C6EF56DC4FF423BAAE6D495DBFF663D034A72D1DC7D52CBFE7D1E6858F9D523AC0A7A5C34077638E4DD1A701BD017842789982041",
    ),
    (
        "bitcoincash:qlg0x333p4238k0qrc5ej7rzfw5g8e4a4r6vvzyrcy8j3s5k0en7calvclhw46hudk5flttj6ydvjc0pv3nchp52amk97tqa5zygg96mtky5sv5w",
        "D0F346310D5513D9E01E299978624BA883E6BDA8F4C60883C10F28C2967E67EC77ECC7EEEAEAFC6DA89FAD72D11AC961E164678B868AEEEC5F2C1DA08884175B",
    ),
]
CASHADDR_CHECKSUM_ONLY = [  # valid checksums around deliberately meaningless payloads
    "prefix:x64nx6hz",
    "p:gpf8m4h7",
    "bitcoincash:qpzry9x8gf2tvdw0s3jn54khce6mua7lcw20ayyn",
    "bchtest:spectestnetaddressrealrealaddressqpan2k9lh",
    "bchreg:555555555555555555555555555555555555555555555udxmlmrz",
]


@pytest.mark.parametrize(("legacy", "cash"), CASHADDR_LEGACY.items())
def test_legacy_and_cashaddr_spellings_are_one_address(legacy: str, cash: str) -> None:
    spellings = [legacy, cash, cash.upper(), cash.split(":")[1], cash.split(":")[1].upper()]
    parsed = {parse_address(Chain.BCH, text) for text in spellings}
    assert parsed == {Address(Chain.BCH, "BCH", cash)}


@pytest.mark.parametrize(("text", "digest"), CASHADDR_SIZES)
def test_cashaddr_hash_sizes_decode_and_encode(text: str, digest: str) -> None:
    prefix, version, decoded = cashaddr.decode(text)
    assert decoded.hex().upper() == digest
    assert cashaddr.encode(prefix, version, decoded) == text


@pytest.mark.parametrize("text", CASHADDR_CHECKSUM_ONLY)
def test_cashaddr_checksum_vectors_pass_the_checksum(text: str) -> None:
    # The payloads are meaningless, so decoding fails, but never at the checksum; a changed
    # character does fail there.
    with pytest.raises(AddressFormatError) as good:
        cashaddr.decode(text)
    assert "bad checksum" not in str(good.value)
    broken = text[:-1] + ("q" if text[-1] != "q" else "p")
    with pytest.raises(AddressFormatError, match="bad checksum"):
        cashaddr.decode(broken)


def test_token_aware_cashaddr_is_its_plain_twin() -> None:
    # CashTokens' example: the same P2PKH destination, signalling token support.
    token_aware = parse_address(Chain.BCH, "bitcoincash:zr6m7j9njldwwzlg9v7v53unlr4jkmx6eycnjehshe")
    assert token_aware.canonical == "bitcoincash:qr6m7j9njldwwzlg9v7v53unlr4jkmx6eylep8ekg2"


def test_bch_refuses_other_networks_and_versions() -> None:
    with pytest.raises(InvalidAddress, match="'bchtest' is not 'bitcoincash'"):
        parse_address(Chain.BCH, "bchtest:pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t")
    with pytest.raises(InvalidAddress, match="version byte 0x30"):
        parse_address(Chain.BCH, "LNf2JDiuunBz7GMDKFYHN4rq5meXWxiwfb")
    with pytest.raises(InvalidAddress, match="mixes upper and lower case"):
        parse_address(Chain.BCH, "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6A")


# --- Monero, XRP, Stellar, TON, TRON, Solana, Zcash ------------------------------------------------

MONERO_GENERAL_FUND = (
    "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
)


def test_monero_standard_subaddress_and_integrated() -> None:
    raw = monero.decode(MONERO_GENERAL_FUND)  # the Monero project's published donation address
    assert (raw[0], len(raw)) == (monero.STANDARD, 69)
    assert parse_address(Chain.XMR, MONERO_GENERAL_FUND).canonical == MONERO_GENERAL_FUND
    spend, view = raw[1:33], raw[33:65]
    integrated = monero.encode_address(monero.INTEGRATED, spend, view, bytes(range(8)))
    assert len(integrated) == 106
    assert parse_address(Chain.XMR, integrated).canonical == MONERO_GENERAL_FUND
    sub = monero.encode_address(monero.SUBADDRESS, spend, view)
    assert sub.startswith("8") and parse_address(Chain.XMR, sub).canonical == sub
    with pytest.raises(InvalidAddress, match="network byte 53"):  # a testnet address
        parse_address(Chain.XMR, monero.encode_address(53, spend, view))
    with pytest.raises(InvalidAddress, match="bad checksum"):
        parse_address(Chain.XMR, monero.encode(raw[:-1] + bytes([raw[-1] ^ 1])))
    with pytest.raises(InvalidAddress, match="overflows"):
        parse_address(Chain.XMR, "z" * 11 + MONERO_GENERAL_FUND[11:])


def test_xrp_special_accounts_and_genesis() -> None:
    documented = {  # XRPL docs: ACCOUNT_ZERO, ACCOUNT_ONE and the genesis account
        "rrrrrrrrrrrrrrrrrrrrrhoLvTp": "00" * 20,
        "rrrrrrrrrrrrrrrrrrrrBZbvji": "00" * 19 + "01",
        "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh": "b5f762798a53d543a014caf8b297cff8f2f937e8",
    }
    for text, account in documented.items():
        assert base58.decode_check(text, 25, base58.RIPPLE) == bytes(1) + bytes.fromhex(account)
        assert parse_address(Chain.XRP, text).key == f"XRP:{text}"
    with pytest.raises(InvalidAddress, match="version byte 0x05"):
        parse_address(Chain.XRP, base58.encode_check(b"\x05" + bytes(20), base58.RIPPLE))
    with pytest.raises(InvalidAddress, match="X-addresses"):
        parse_address(Chain.XRP, "X7AcgcsBL6XDcUb289X4mJ8djcdyKaB5hJDWMArnXr61cqZ")
    with pytest.raises(InvalidAddress, match="bad checksum"):
        parse_address(Chain.XRP, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTj")


SEP23_ACCOUNT = "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ"
SEP23_INVALID = [
    "GAAAAAAAACGC6",
    "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUR",
    "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZA",
    "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUACUSI",
    "G47QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVP2I",
    "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAJLKA",
    "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAAV75I",
    "M47QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUQ",
    "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUK===",
    "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUO",
    # valid StrKeys that are not accounts: a contract, a liquidity pool, a secret seed
    "CA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUWDA",
    "LA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUPJN",
    "SBGWKM3CD4IL47QN6X54N6Y33T3JDNVI6AIJ6CD5IM47HG3IG4O36XCU",
]


def test_sep23_accounts_and_muxed_accounts() -> None:
    for text in (
        SEP23_ACCOUNT,
        SEP23_ACCOUNT.lower(),
        "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUQ",  # muxed, id 0
        "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAJLK",  # muxed, id 2^63
    ):
        assert parse_address(Chain.XLM, text).canonical == SEP23_ACCOUNT


@pytest.mark.parametrize("text", SEP23_INVALID)
def test_sep23_invalid_strkeys_and_non_accounts_are_refused(text: str) -> None:
    with pytest.raises(InvalidAddress):
        parse_address(Chain.XLM, text)


def test_ton_spellings_of_one_account_compare_equal() -> None:
    raw = "0:ca6e321c7cce9ecedf0a8ca2492ec8592494aa5fb5ce0387dff96ef6af982a3e"  # TON docs' example
    for text in (
        raw,
        raw.upper(),
        "EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHF",  # bounceable, base64url
        "UQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPuwA",  # non-bounceable
        "EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff+W72r5gqPrHF",  # bounceable, standard base64
    ):
        assert parse_address(Chain.TON, text).key == f"TON:{raw}"
    account = bytes.fromhex(raw[2:])
    assert parse_address(Chain.TON, ton.encode_friendly(-1, account)).canonical == "-1:" + raw[2:]
    with pytest.raises(InvalidAddress, match="test-network only"):
        parse_address(Chain.TON, ton.encode_friendly(0, account, ton.BOUNCEABLE | ton.TEST_ONLY))
    with pytest.raises(InvalidAddress, match="workchain '1'"):
        parse_address(Chain.TON, "1:" + raw[2:])
    with pytest.raises(InvalidAddress, match="bad checksum"):
        parse_address(Chain.TON, "EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHG")


def test_tron_hex_and_base58_are_one_address() -> None:
    text = "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre"
    hex_form = base58.decode_check(text, 25).hex()
    assert hex_form.startswith("41") and len(hex_form) == 42
    assert parse_address(Chain.TRON, hex_form) == parse_address(Chain.TRON, text)
    assert parse_address(Chain.TRON, hex_form.upper()).canonical == text
    with pytest.raises(InvalidAddress, match="not TRON's 0x41"):
        parse_address(Chain.TRON, "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu")


def test_solana_is_any_32_byte_base58() -> None:
    assert (
        parse_address(Chain.SOL, "11111111111111111111111111111111").canonical == "1" * 32
    )  # system program
    assert parse_address(Chain.SOL, "So11111111111111111111111111111111111111112").family == "SOL"
    with pytest.raises(InvalidAddress, match="31 bytes where 32"):
        parse_address(Chain.SOL, base58.encode(b"\xff" * 31))


def test_zcash_transparent_and_sapling() -> None:
    # The Zcash protocol specification's example Sapling address; 78 characters, within 90.
    sapling = "zs1z7rejlpsa98s2rrrfkwmaxu53e4ue0ulcrw0h4x5g8jl04tak0d3mm47vdtahatqrlkngh9slya"
    assert parse_address(Chain.ZEC, sapling.upper()).canonical == sapling
    assert parse_address(Chain.ZEC, "t3JZcvsuaXE6ygokL4XUiZSTrQBUoPYFnXJ").canonical.startswith("t3")
    with pytest.raises(InvalidAddress, match="version 0x0000"):
        parse_address(Chain.ZEC, base58.encode_check(bytes(22)))
    with pytest.raises(InvalidAddress, match="payload of 20 bytes"):
        parse_address(Chain.ZEC, bech32.encode("zs", bech32.to_5bit(bytes(20)), bech32.Encoding.BECH32))


# --- One sample per chain, and the OFAC lists -----------------------------------------------------

EVM_SAMPLE = "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"
SAMPLES: dict[Chain, str] = {
    **{chain: EVM_SAMPLE for chain in Chain if chain.is_evm},
    Chain.BTC: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    Chain.TRON: "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre",
    Chain.LTC: "ltc1qx88q7zjd74lxwgkjmmwlqv5pd3vujuehexfttt",
    Chain.BCH: CASHADDR_LEGACY["1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu"],
    Chain.BSV: "12sjrrhoFEsedNRhtgwvvRqjFTh8fZTDX9",
    Chain.BTG: "GPwg61XoHqQPNmAucFACuQ5H9sGCDv9TpS",
    Chain.DOGE: "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L",
    Chain.DASH: "XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2",
    Chain.ZEC: "t1MMXtBrSp1XG38Lx9cePcNUCJj5vdWfUWL",
    Chain.XMR: MONERO_GENERAL_FUND,
    Chain.XRP: "rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66",
    Chain.XLM: SEP23_ACCOUNT,
    Chain.XVG: "DFFJhnQNZf8rf67tYnesPu7MuGUpYtzv7Z",
    Chain.SOL: "So11111111111111111111111111111111111111112",
    Chain.TON: "0:ca6e321c7cce9ecedf0a8ca2492ec8592494aa5fb5ce0387dff96ef6af982a3e",
}


def test_every_chain_has_a_parser_and_keys_never_cross_chains() -> None:
    assert set(SAMPLES) == set(Chain)
    for chain, text in SAMPLES.items():
        address = parse_address(chain, text)
        assert address.chain is chain
        assert address.key == f"{family_of(chain)}:{address.canonical}"
    same_text = "12sjrrhoFEsedNRhtgwvvRqjFTh8fZTDX9"
    keys = {parse_address(chain, same_text).key for chain in (Chain.BTC, Chain.BSV)}
    assert keys == {"BTC:" + same_text, "BSV:" + same_text}


# Listed strings that are not addresses of the chain they are filed under. The parser is right to
# refuse them; each is parsed on the chain it really belongs to when there is one.
OFAC_KNOWN_BAD: dict[tuple[str, str], tuple[Chain | None, str]] = {
    ("XBT", "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"): (
        Chain.TRON,
        "a TRON address (Base58Check version 0x41) filed under XBT",
    ),
    ("XMR", "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320"): (
        None,
        "64 hex digits: a 32-byte hash (transaction id or key), not a 95/106-character address",
    ),
}


def _ofac_rows() -> list[tuple[str, str]]:
    if not OFAC.is_dir():
        pytest.fail(f"the shared reference data is missing: expected {OFAC} beside the project")
    rows = []
    for path in sorted(OFAC.glob("sanctioned_addresses_*.txt")):
        code = path.stem.removeprefix("sanctioned_addresses_")
        rows += [(code, line) for line in path.read_text().splitlines() if line.strip()]
    return rows


def test_every_ofac_listed_address_parses_on_its_chain() -> None:
    rows = _ofac_rows()
    assert len(rows) > 600  # the 2024-09-27 snapshot lists 654 addresses in 17 files
    failures = []
    for code, text in rows:
        if (code, text) in OFAC_KNOWN_BAD:
            continue
        try:
            parse_address(chain_for_currency(code, text), text)
        except InvalidAddress as error:
            failures.append(f"{code}: {error}")
    assert failures == []


def test_ofac_known_bad_entries_are_still_listed_and_still_refused() -> None:
    rows = set(_ofac_rows())
    for (code, text), (real_chain, _why) in OFAC_KNOWN_BAD.items():
        assert (code, text) in rows, "no longer listed: drop it from OFAC_KNOWN_BAD"
        with pytest.raises(InvalidAddress):
            parse_address(chain_for_currency(code, text), text)
        if real_chain is not None:
            assert parse_address(real_chain, text).canonical == text


# --- Currency codes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "address", "chain"),
    [
        ("XBT", "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu", Chain.BTC),
        (" btc\n", "bc1q...", Chain.BTC),
        ("ETH", EVM_SAMPLE, Chain.ETH),
        ("trx", "T...", Chain.TRON),
        ("USDT", "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre", Chain.TRON),
        ("usdc", " TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre ", Chain.TRON),
        ("USDT", EVM_SAMPLE, Chain.ETH),
        ("USDT", "3E6ZCKRrsdPc35chA9Eftp1h3DLW18NFNV", Chain.BTC),  # Omni Layer Tether
        ("USDC", "3E6ZCKRrsdPc35chA9Eftp1h3DLW18NFNV", Chain.ETH),  # no USDC on Omni: an error later
        ("BEP20", EVM_SAMPLE, Chain.BSC),
        ("BNB", EVM_SAMPLE, Chain.BSC),
        ("BSC", EVM_SAMPLE, Chain.BSC),
        ("MATIC", EVM_SAMPLE, Chain.POLYGON),
        ("Polygon", EVM_SAMPLE, Chain.POLYGON),
        ("ARB", EVM_SAMPLE, Chain.ARB),
        ("AVAX", EVM_SAMPLE, Chain.AVAX),
        ("ETC", EVM_SAMPLE, Chain.ETC),
        ("XMR", MONERO_GENERAL_FUND, Chain.XMR),
        ("Ripple", "r...", Chain.XRP),
        ("OMNI", "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu", Chain.BTC),
        *((chain.value, "x", chain) for chain in Chain),
    ],
)
def test_currency_codes_map_to_chains(code: str, address: str, chain: Chain) -> None:
    assert chain_for_currency(code, address) is chain


def test_unsupported_currencies_are_named_in_the_error() -> None:
    with pytest.raises(InvalidAddress, match="currency 'EOS' is not a chain Vigil screens"):
        chain_for_currency("EOS", "bitfinexdep1")
    for code, address in (("BEP2", "bnb1edrs5cukhx060e02u98v9j8spum7vhuqg9ctxd"), ("BNB", "bnb1qqqq")):
        with pytest.raises(InvalidAddress, match="Beacon Chain") as error:
            chain_for_currency(code, address)
        assert error.value.chain == code


# --- Malformed input -----------------------------------------------------------------------------

BTC_LEGACY = "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu"
BTC_SEGWIT = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


@pytest.mark.parametrize(
    ("chain", "text", "message"),
    [
        (Chain.BTC, "", "is empty"),
        (Chain.ETH, " \t\n", "is empty"),
        (Chain.BTC, BTC_LEGACY[:10] + " " + BTC_LEGACY[10:], "whitespace"),
        (Chain.ETH, EIP55_CHECKSUMMED[0][:20] + "\t" + EIP55_CHECKSUMMED[0][20:], "whitespace"),
        (Chain.ETH, EIP55_CHECKSUMMED[0][2:], "must start with '0x'"),
        (Chain.BTC, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "bech32 prefix 'tb1'"),
        (Chain.LTC, BTC_SEGWIT, "bech32 prefix 'bc1' is not for this chain"),
        (Chain.DOGE, BTC_SEGWIT, "no bech32 address at all"),
        (Chain.BTC, "LNf2JDiuunBz7GMDKFYHN4rq5meXWxiwfb", "version 0x30 is not one of"),
        (Chain.ETH, EVM_SAMPLE[:-1], "39 hex digits .*wrong length"),
        (Chain.BTC, BTC_LEGACY[:-3], "wrong length"),
        (Chain.XMR, MONERO_GENERAL_FUND[:-1], "wrong length"),
        (Chain.TON, "EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrH", "47 characters"),
        (
            Chain.BTC,
            "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVgg0",
            "character '0' at position 34 is not in the base58",
        ),
        (Chain.ETH, EVM_SAMPLE[:-1] + "g", "character 'g' at position 42 is not a hex digit"),
        (Chain.BTC, BTC_SEGWIT[:-1] + "b", "'b' at position 42 is not in the bech32 alphabet"),
        (Chain.BTC, "bc1Qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "mixes upper and lower case"),
        (Chain.ETH, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "EIP-55"),
        (Chain.BTC, BTC_LEGACY[:-1] + "v", "bad checksum"),
        (Chain.BTC, "x" * 200, "longer than any address"),
        (Chain.XLM, SEP23_ACCOUNT[:-1] + "z", "mixes upper and lower case"),
    ],
)
def test_malformed_input_says_what_is_wrong(chain: Chain, text: str, message: str) -> None:
    with pytest.raises(InvalidAddress, match=message) as error:
        parse_address(chain, text)
    assert error.value.chain == chain.value
    assert error.value.address == text  # as given, before stripping
    assert str(error.value).startswith(f"{chain.value} address {text!r}: ")


@pytest.mark.parametrize("chain", list(Chain))
def test_non_ascii_is_refused_at_every_length_a_format_uses(chain: Chain) -> None:
    # Length-gated codecs (TON's 48, StrKey's 56 and 69, ...) must never see non-ASCII text.
    for length in (26, 34, 42, 48, 54, 56, 62, 69, 78, 95, 106):
        for text in ("é" * length, SAMPLES[chain][: length - 1] + "\u0130"):
            with pytest.raises(InvalidAddress, match="is not ASCII"):
                parse_address(chain, text)


def test_surrounding_whitespace_is_stripped() -> None:
    assert parse_address(Chain.BTC, f" \t{BTC_LEGACY}\n") == parse_address(Chain.BTC, BTC_LEGACY)


# --- Properties ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """A valid address built from random bytes; ``folds`` when its format ignores case."""

    chain: Chain
    text: str
    folds: bool


hashes = st.binary(min_size=20, max_size=20)
keys = st.binary(min_size=32, max_size=32)
LEGACY_VERSIONS = {
    Chain.BTC: (0x00, 0x05),
    Chain.BSV: (0x00, 0x05),
    Chain.LTC: (0x30, 0x32, 0x05),
    Chain.BTG: (38, 23),
    Chain.DOGE: (0x1E, 0x16),
    Chain.DASH: (76, 16),
    Chain.XVG: (30, 33),
}
SEGWIT_HRPS = {Chain.BTC: "bc", Chain.LTC: "ltc", Chain.BTG: "btg"}


@st.composite
def segwit_samples(draw: st.DrawFn) -> Sample:
    chain = draw(st.sampled_from(sorted(SEGWIT_HRPS)))
    version = draw(st.integers(0, 16))
    size = draw(st.sampled_from([20, 32]) if version == 0 else st.integers(2, 40))
    program = draw(st.binary(min_size=size, max_size=size))
    text = bech32.encode_segwit(SEGWIT_HRPS[chain], version, program)
    return Sample(chain, text.upper() if draw(st.booleans()) else text, True)


@st.composite
def base58_samples(draw: st.DrawFn) -> Sample:
    chain = draw(st.sampled_from(sorted(LEGACY_VERSIONS)))
    version = draw(st.sampled_from(LEGACY_VERSIONS[chain]))
    return Sample(chain, base58.encode_check(bytes([version]) + draw(hashes)), False)


@st.composite
def cashaddr_samples(draw: st.DrawFn) -> Sample:
    size_bits = draw(st.integers(0, 7))
    digest = draw(st.binary(min_size=64, max_size=64))[: (20, 24, 28, 32, 40, 48, 56, 64)[size_bits]]
    version = draw(st.integers(0, 3)) << 3 | size_bits
    text = cashaddr.encode(cashaddr.MAINNET, version, digest)
    if draw(st.booleans()):
        text = text.split(":")[1]
    return Sample(Chain.BCH, text.upper() if draw(st.booleans()) else text, True)


@st.composite
def evm_samples(draw: st.DrawFn) -> Sample:
    lower = draw(hashes).hex()
    body = draw(st.sampled_from([lower, lower.upper(), evm.checksum_case(lower)]))
    return Sample(draw(st.sampled_from([c for c in Chain if c.is_evm])), "0x" + body, True)


@st.composite
def account_samples(draw: st.DrawFn) -> Sample:
    kind = draw(st.sampled_from(["tron", "tron-hex", "xrp", "sol", "xmr", "xlm", "ton", "ton-raw", "zec"]))
    key = draw(keys)
    if kind == "tron":
        return Sample(Chain.TRON, base58.encode_check(b"\x41" + key[:20]), False)
    if kind == "tron-hex":
        return Sample(Chain.TRON, "41" + key[:20].hex(), True)
    if kind == "xrp":
        return Sample(Chain.XRP, base58.encode_check(b"\x00" + key[:20], base58.RIPPLE), False)
    if kind == "sol":
        return Sample(Chain.SOL, base58.encode(key), False)
    if kind == "xmr":
        network = draw(st.sampled_from([monero.STANDARD, monero.SUBADDRESS, monero.INTEGRATED]))
        payment = draw(st.binary(min_size=8, max_size=8)) if network == monero.INTEGRATED else b""
        return Sample(Chain.XMR, monero.encode_address(network, key, key[::-1], payment), False)
    if kind == "xlm":
        muxed = draw(st.booleans())
        text = (
            stellar.encode(stellar.MUXED_VERSION, key + draw(st.binary(min_size=8, max_size=8)))
            if muxed
            else stellar.encode(stellar.ACCOUNT_VERSION, key)
        )
        return Sample(Chain.XLM, text.lower() if draw(st.booleans()) else text, True)
    if kind == "ton":
        tag = draw(st.sampled_from([ton.BOUNCEABLE, ton.NON_BOUNCEABLE]))
        text = ton.encode_friendly(draw(st.sampled_from([0, -1])), key, tag, url_safe=draw(st.booleans()))
        return Sample(Chain.TON, text, False)
    if kind == "ton-raw":
        return Sample(Chain.TON, f"{draw(st.sampled_from([0, -1]))}:{key.hex()}", True)
    if draw(st.booleans()):  # zec
        return Sample(Chain.ZEC, base58.encode_check(bytes.fromhex("1cb8") + key[:20]), False)
    sapling = bech32.encode("zs", bech32.to_5bit(key + key[:11]), bech32.Encoding.BECH32)
    return Sample(Chain.ZEC, sapling, True)


samples = st.one_of(segwit_samples(), base58_samples(), cashaddr_samples(), evm_samples(), account_samples())


@given(samples)
def test_parsing_is_idempotent(sample: Sample) -> None:
    address = parse_address(sample.chain, sample.text)
    assert parse_address(sample.chain, address.canonical) == address
    assert parse_address(sample.chain, f"  {sample.text}\n") == address


@given(samples.filter(lambda s: s.folds))
def test_case_variants_of_case_insensitive_formats_share_a_key(sample: Sample) -> None:
    prefix = "0x" if sample.text.startswith("0x") else ""
    body = sample.text[len(prefix) :]
    lower = parse_address(sample.chain, prefix + body.lower())
    upper = parse_address(sample.chain, prefix + body.upper())
    assert lower.key == upper.key == parse_address(sample.chain, sample.text).key


EDIT_CHARS = string.ascii_letters + string.digits + "-_+/:"


@given(samples, st.data())
def test_one_changed_character_is_caught_or_is_another_address(sample: Sample, data: st.DataObject) -> None:
    original = parse_address(sample.chain, sample.text)
    index = data.draw(st.integers(0, len(sample.text) - 1))
    old = sample.text[index]
    fold = str.lower if sample.folds else str
    new = data.draw(st.sampled_from(EDIT_CHARS).filter(lambda c: fold(c) != fold(old)))
    changed = sample.text[:index] + new + sample.text[index + 1 :]
    try:
        address = parse_address(sample.chain, changed)
    except InvalidAddress:
        return
    assert address.canonical != original.canonical


@given(samples, st.data())
def test_one_inserted_or_deleted_character_is_caught_or_is_another_address(
    sample: Sample, data: st.DataObject
) -> None:
    original = parse_address(sample.chain, sample.text)
    index = data.draw(st.integers(0, len(sample.text) - 1))
    if data.draw(st.booleans()):
        changed = sample.text[:index] + sample.text[index + 1 :]
    else:
        changed = sample.text[:index] + data.draw(st.sampled_from(EDIT_CHARS)) + sample.text[index:]
    try:
        address = parse_address(sample.chain, changed)
    except InvalidAddress:
        return
    assert address.canonical != original.canonical


@given(st.sampled_from(list(Chain)), st.text(max_size=120) | st.text(EDIT_CHARS, max_size=110))
def test_any_text_parses_or_raises_invalid_address(chain: Chain, text: str) -> None:
    try:
        address = parse_address(chain, text)
    except InvalidAddress as error:
        assert error.message
        return
    assert parse_address(chain, address.canonical) == address
