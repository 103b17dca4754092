"""Address-list importers: each parser on small texts written here, then each source over the real lists.

The real lists are read from ``../shared`` through the same ``DiskListFiles`` and ``FILES`` patterns
``vigil lists import`` uses. GraphSense over all packs takes about ten seconds: it is marked slow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

import pytest

import vigil.screening.sources.addresses_cryptoscamdb as addresses_cryptoscamdb
import vigil.screening.sources.addresses_forta as addresses_forta
import vigil.screening.sources.addresses_graphsense as addresses_graphsense
import vigil.screening.sources.addresses_ofac as addresses_ofac
import vigil.screening.sources.addresses_scamsniffer as addresses_scamsniffer
from tests.conftest import LISTS
from vigil.adapters.list_files import DiskListFiles
from vigil.errors import InvalidListFile
from vigil.model import Chain
from vigil.screening.entries import AddressEntry, Category, Parsed, RowError
from vigil.screening.sources.addresses_common import RowProblem
from vigil.screening.sources.addresses_yaml import YamlMap, load_yaml

BTC = "123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX"
BTC_BAD = "1Archive1n2C579dMsAu3iC6tWzuQJz8dX"  # one character off: Base58Check fails
EVM = "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"
EVM_KEY = f"EVM:{EVM.lower()}"
TRON = "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre"

Parse = Callable[[Mapping[str, str]], Parsed[AddressEntry]]


def by_id(parsed: Parsed[AddressEntry]) -> dict[str, AddressEntry]:
    ids = [e.entry_id for e in parsed.entries]
    assert len(ids) == len(set(ids)), "entry ids must be unique within a source"
    return {e.entry_id: e for e in parsed.entries}


def only_error(parsed: Parsed[AddressEntry]) -> RowError:
    assert len(parsed.errors) == 1, parsed.errors
    return parsed.errors[0]


# --- YAML loading ------------------------------------------------------------------------------


def test_yaml_keeps_lines_strings_nulls_and_aliases() -> None:
    doc = load_yaml("a: &x 0x1F\nb: no\nc:\nd: *x\ntags:\n- k: 1\n- k: ''\n", "f.yaml")
    assert isinstance(doc, YamlMap)
    assert doc == {"a": "0x1F", "b": "no", "c": None, "d": "0x1F", "tags": [{"k": "1"}, {"k": ""}]}
    tags = doc["tags"]
    assert isinstance(tags, list)
    assert [t.line for t in tags] == [6, 7]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1\n", "not valid YAML"),
        ("a: 1\n---\nb: 2\n", "more than one YAML document"),
        ("base: &b {x: 1}\nc:\n  <<: *b\n", "merge keys"),
        ("? [a, b]\n: 1\n", "plain value"),
    ],
)
def test_yaml_refuses_what_it_cannot_read_faithfully(text: str, message: str) -> None:
    with pytest.raises(InvalidListFile, match=message) as caught:
        load_yaml(text, "packs/x.yaml")
    assert caught.value.file == "packs/x.yaml"


# --- OFAC per-asset lists -----------------------------------------------------------------------


def test_ofac_text_lists_report_bad_lines_and_merge_spellings() -> None:
    files = {
        "sanctioned_addresses_XBT.txt": f"{BTC}\n\n{BTC_BAD}\n",
        "sanctioned_addresses_ETH.txt": f"{EVM}\n{EVM.lower()}\n",
        "sanctioned_addresses_USDT.txt": f"{EVM}\n{TRON}\n",
    }
    parsed = addresses_ofac.parse(files)
    entries = by_id(parsed)
    assert set(entries) == {f"XBT:BTC:{BTC}", f"ETH:{EVM_KEY}", f"USDT:{EVM_KEY}", f"USDT:TRON:{TRON}"}
    assert entries[f"USDT:TRON:{TRON}"].chain is Chain.TRON
    assert {e.category for e in entries.values()} == {Category.SANCTIONED}
    assert entries[f"ETH:{EVM_KEY}"].label == "OFAC SDN"
    error = only_error(parsed)
    assert (error.file, error.line, error.field) == ("sanctioned_addresses_XBT.txt", 3, "address")
    assert BTC_BAD in error.message


def test_ofac_prefers_text_and_reads_json_when_alone() -> None:
    files = {
        "sanctioned_addresses_ETH.txt": f"{EVM}\n",
        "sanctioned_addresses_ETH.json": f'["{EVM}", "0x{"ab" * 20}"]',
        "sanctioned_addresses_TRX.json": f'["{TRON}", 7]',
    }
    parsed = addresses_ofac.parse(files)
    assert set(by_id(parsed)) == {f"ETH:{EVM_KEY}", f"TRX:TRON:{TRON}"}
    error = only_error(parsed)
    assert (error.file, error.line, error.field) == ("sanctioned_addresses_TRX.json", 2, "address")


def test_ofac_unknown_asset_and_broken_files() -> None:
    error = only_error(addresses_ofac.parse({"sanctioned_addresses_EOS.txt": "someaccount\n"}))
    assert error.field == "asset" and "EOS" in error.message
    with pytest.raises(InvalidListFile, match="JSON array"):
        addresses_ofac.parse({"sanctioned_addresses_ETH.json": '{"a": 1}'})
    with pytest.raises(InvalidListFile, match="not valid JSON"):
        addresses_ofac.parse({"sanctioned_addresses_ETH.json": "[1,"})
    with pytest.raises(InvalidListFile):
        addresses_ofac.parse({"addresses.txt": BTC})


# --- OFAC SDN CSV remarks -----------------------------------------------------------------------


def sdn_row(ent_num: str, name: str, remarks: str) -> str:
    return f'{ent_num},"{name}","individual","CYBER2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"{remarks}"\n'


def test_sdn_remarks_continue_in_comments_even_mid_address() -> None:
    sdn = (
        sdn_row("100", "DOE, John", f"DOB 1970; Digital Currency Address - XBT {BTC[:10]}")
        + sdn_row("101", "NO CRYPTO LTD", "-0- ")
        + sdn_row("102", "ROE, Jane", "Digital Currency Address - XBT ")  # cut right after a space
    )
    comments = (
        f'100,"{BTC[10:]}; alt. Digital Currency Address - ETH {EVM}; '
        f'alt. Digital Currency Address - XBT {BTC_BAD}."\n'
        f'200,"alt. Digital Currency Address - USDT {TRON}."\n'
        f'102,"{BTC}."\n\x1a'
    )
    parsed = addresses_ofac.parse_sdn({"sdn.csv": sdn, "sdn_comments.csv": comments})
    entries = by_id(parsed)
    assert set(entries) == {f"100:BTC:{BTC}", f"100:{EVM_KEY}", f"200:TRON:{TRON}", f"102:BTC:{BTC}"}
    assert entries[f"102:BTC:{BTC}"].label == "ROE, Jane"
    john = entries[f"100:BTC:{BTC}"]
    assert (john.label, john.actor, john.category, john.confidence) == (
        "DOE, John", "DOE, John", Category.SANCTIONED, 100,
    )  # fmt: skip
    assert john.reference is not None and john.reference.endswith("id=100")
    assert entries[f"200:TRON:{TRON}"].label == "OFAC SDN entry 200"  # a continuation without its row
    error = only_error(parsed)
    assert (error.file, error.line, error.field) == ("sdn_comments.csv", 1, "Remarks")


def test_sdn_rows_with_wrong_shape_and_missing_file() -> None:
    parsed = addresses_ofac.parse_sdn({"sdn.csv": '1,"SHORT ROW"\n' + sdn_row("x9", "BAD NUM", "")})
    assert [(e.line, e.field) for e in parsed.errors] == [(1, None), (2, "ent_num")]
    with pytest.raises(InvalidListFile, match=r"sdn\.csv"):
        addresses_ofac.parse_sdn({"sdn_comments.csv": ""})


# --- GraphSense TagPacks ------------------------------------------------------------------------

PACK = f"""title: Test pack
currency: BTC
abuse: service_hack
confidence: authority_data
label: Example hack
actor: lazarusgroup
source: https://example.org/hack
tags:
- address: {BTC}
- address: '{EVM}'
  currency: ETH
  abuse:
  category: exchange
  label: Exchange hot wallet
  actor: nobody-knows
- address: eosaccount12
  currency: EOS
- currency: BTC
- just a string
- address: '{EVM.lower()}'
  currency: ETH
  label: Exploiter
- address: {BTC_BAD}
  confidence: gut_feeling
"""
ACTORS = "actors:\n- id: lazarusgroup\n  label: Lazarus Group\n- label: no id here\n"


def test_graphsense_header_defaults_tag_overrides_and_row_errors() -> None:
    parsed = addresses_graphsense.parse({"packs/test.yaml": PACK, "actors/a.actorpack.yaml": ACTORS})
    entries = by_id(parsed)
    hack = entries[f"test:BTC:{BTC}"]
    assert (hack.category, hack.label, hack.actor, hack.confidence, hack.reference) == (
        Category.STOLEN, "Example hack", "Lazarus Group", 60, "https://example.org/hack",
    )  # fmt: skip
    # Two spellings of one EVM address: one entry; the hack (STOLEN) outranks the exchange tag.
    evm = entries[f"test:{EVM_KEY}"]
    assert (evm.category, evm.label, evm.actor) == (
        Category.STOLEN,
        "Exploiter; Exchange hot wallet",
        "Lazarus Group",
    )
    assert len(entries) == 2
    errors = {(e.file, e.line, e.field) for e in parsed.errors}
    assert errors == {
        ("actors/a.actorpack.yaml", 4, "id"),
        ("packs/test.yaml", 16, "currency"),  # EOS: no chain
        ("packs/test.yaml", 18, "address"),  # a tag without address
        ("packs/test.yaml", 9, "tags"),  # not a mapping: the line where the tags list starts
        ("packs/test.yaml", 23, "confidence"),  # checked before the address
    }
    assert any("EOS" in e.message for e in parsed.errors)


def test_graphsense_unknown_actor_is_kept_and_missing_confidence_is_unknown() -> None:
    pack = f"title: T\ncurrency: BTC\ncategory: miner\ntags:\n- address: {BTC}\n  actor: some_pool\n"
    (entry,) = addresses_graphsense.parse({"packs/sub/t.yaml": pack}).entries
    assert (entry.entry_id, entry.category, entry.actor, entry.confidence, entry.label) == (
        f"sub/t:BTC:{BTC}", Category.SERVICE, "some_pool", 5, "T",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("abuse", "category", "evm", "expected"),
    [
        ("sanction", "user", False, Category.SANCTIONED),
        ("sextortion", None, False, Category.EXTORTION),
        ("ponzi_scheme", "service", False, Category.SCAM),
        ("terrorism", None, False, Category.TERRORISM),
        (None, "defi_lending", True, Category.DEFI),
        (None, "coinjoin", False, Category.MIXER),
        (None, "market", False, Category.DARKNET),
        (None, "market", True, Category.SERVICE),
        (None, "organization", False, Category.OTHER),
        (None, None, False, Category.OTHER),
    ],
)
def test_graphsense_category_mapping(
    abuse: str | None, category: str | None, evm: bool, expected: Category
) -> None:
    assert addresses_graphsense.category_for(abuse, category, evm=evm) is expected


def test_graphsense_unknown_abuse_is_a_row_problem() -> None:
    with pytest.raises(RowProblem, match="unknown abuse"):
        addresses_graphsense.category_for("tax_evasion", None, evm=False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "must be a mapping"),
        ("title: x\ntags: {}\n", "'tags' list"),
        ("label: [a]\ntags: []\n", "label"),
    ],
)
def test_graphsense_structurally_broken_pack(text: str, message: str) -> None:
    with pytest.raises(InvalidListFile, match=message):
        addresses_graphsense.parse({"packs/broken.yaml": text})


# --- ScamSniffer --------------------------------------------------------------------------------


def test_scamsniffer_files_stay_separate_and_domains_make_the_label() -> None:
    domains = ", ".join(f'"d{i}.xyz": ["{EVM if i % 2 else EVM.lower()}"]' for i in range(5))
    files = {
        "address.json": f'["{EVM}", "{EVM.lower()}", null, "0x12"]',
        "combined.json": f'{{{domains}, "bad.io": "0x1", "worse.io": ["nope"]}}',
    }
    parsed = addresses_scamsniffer.parse(files)
    entries = by_id(parsed)
    assert set(entries) == {f"address:{EVM_KEY}", f"combined:{EVM_KEY}"}
    assert entries[f"address:{EVM_KEY}"].label == "ScamSniffer"
    assert entries[f"combined:{EVM_KEY}"].label == "ScamSniffer: d0.xyz, d1.xyz, d2.xyz and 2 more domains"
    assert {e.category for e in entries.values()} == {Category.PHISHING}
    assert [(e.file, e.line, e.field) for e in parsed.errors] == [
        ("address.json", 3, "address"),
        ("address.json", 4, "address"),
        ("combined.json", 6, "bad.io"),
        ("combined.json", 7, "worse.io"),
    ]
    with pytest.raises(InvalidListFile, match="JSON array"):
        addresses_scamsniffer.parse({"address.json": '{"0x": 1}'})


# --- CryptoScamDB -------------------------------------------------------------------------------

URLS = f"""- name: fake-wallet.com
  url: http://fake-wallet.com
  category: Phishing
  addresses:
    ETH:
    - "{EVM}"
    NEO:
    - AdoCwN5zgm8rdPRcgqiiKqxRtCSi6L31Mk
- name: no-addresses.com
  url: http://no-addresses.com
  category: Phishing
- name: double-your-eth
  url: http://double.example
  category: Scamming
  addresses:
    ETH: ["{EVM.lower()}"]
    BTC: ["{BTC}", "{BTC_BAD}"]
- name: odd.example
  category: Spam
  addresses:
    BTC: ["{BTC}"]
"""


def test_cryptoscamdb_sites_categories_and_row_errors() -> None:
    parsed = addresses_cryptoscamdb.parse({"data/urls.yaml": URLS})
    entries = by_id(parsed)
    evm = entries[f"urls:{EVM_KEY}"]
    # Phishing and scam are equally severe: the first site to list the address keeps its category.
    assert (evm.category, evm.label, evm.reference) == (
        Category.PHISHING, "fake-wallet.com; double-your-eth", "http://fake-wallet.com",
    )  # fmt: skip
    assert entries[f"urls:BTC:{BTC}"].category is Category.SCAM
    assert sorted((e.line, e.field) for e in parsed.errors) == [
        (8, "addresses.NEO"),
        (17, "addresses.BTC"),
        (18, "category"),
    ]
    with pytest.raises(InvalidListFile, match="list of sites"):
        addresses_cryptoscamdb.parse({"data/urls.yaml": "name: x\n"})


# --- Forta --------------------------------------------------------------------------------------


def test_forta_files_and_categories() -> None:
    other = "0x" + "ab" * 20
    files = {
        "labels/1/phishing_scams.csv": (
            f"address,etherscan_tag,etherscan_labels,is_contract\n{EVM},Fake_Phishing7,phish-hack,False\n"
            ",x,phish-hack,False\n"
        ),
        "labels/1/etherscan_malicious_labels.csv": (
            f"banned_address,wallet_tag,data_source\n{EVM},Spam Token,etherscan-phish-hack-list\n"
            f"{other},Acme Hacker 2,etherscan-phish-hack-list\n{BTC},whatever,etherscan-phish-hack-list\n"
            f"0x{'cd' * 20},Mystery,somewhere-else\n"
        ),
        "labels/10/malicious_smart_contracts.csv": (
            "contract_address,contract_tag,contract_creator,notes\n"
            f"{EVM},,0x1,Bridge Exploit\n{other},Token,0x2,\n"
        ),
        "labels/250/phishing_scams.csv": f"address\n{EVM}\n",
    }
    parsed = addresses_forta.parse(files)
    entries = by_id(parsed)
    assert entries[f"1/phishing_scams:{EVM_KEY}"].label == "Fake_Phishing7"
    assert entries[f"1/etherscan_malicious_labels:{EVM_KEY}"].category is Category.PHISHING
    assert entries[f"1/etherscan_malicious_labels:EVM:{other}"].category is Category.STOLEN
    contract = entries[f"10/malicious_smart_contracts:{EVM_KEY}"]
    assert (contract.chain, contract.category, contract.label) == (
        Chain.OP,
        Category.STOLEN,
        "Bridge Exploit",
    )
    assert entries[f"10/malicious_smart_contracts:EVM:{other}"].category is Category.SCAM
    assert sorted((e.file, e.line, e.field) for e in parsed.errors) == [
        ("labels/1/etherscan_malicious_labels.csv", 4, "banned_address"),  # not an EVM address
        ("labels/1/etherscan_malicious_labels.csv", 5, "data_source"),
        ("labels/1/phishing_scams.csv", 3, "address"),
        ("labels/250/phishing_scams.csv", 1, None),  # Fantom: no Vigil chain
    ]


def test_forta_missing_address_column_or_chain_directory() -> None:
    with pytest.raises(InvalidListFile, match="'address'") as caught:
        addresses_forta.parse({"labels/1/phishing_scams.csv": "addr,etherscan_tag\n0x1,x\n"})
    assert caught.value.file == "labels/1/phishing_scams.csv"
    with pytest.raises(InvalidListFile, match="chain id"):
        addresses_forta.parse({"phishing_scams.csv": "address\n"})


# --- The real lists -----------------------------------------------------------------------------


def read_real(directory: str, patterns: tuple[str, ...]) -> dict[str, str]:
    if not LISTS.is_dir():
        pytest.fail(f"the shared reference data is missing: expected {LISTS} beside the project")
    return DiskListFiles().read(str(LISTS / directory), patterns)


def parse_real(
    directory: str, patterns: tuple[str, ...], parse: Parse, *, check_order: bool = True
) -> Parsed[AddressEntry]:
    files = read_real(directory, patterns)
    parsed = parse(files)
    if check_order:  # the order files come in must not change a single entry
        again = parse(dict(reversed(files.items())))
        assert sorted(e.digest() for e in again.entries) == sorted(e.digest() for e in parsed.entries)
    return parsed


def categories(parsed: Parsed[AddressEntry]) -> Counter[Category]:
    return Counter(e.category for e in parsed.entries)


def test_real_ofac_lists() -> None:
    parsed = parse_real("ofac_crypto_addresses", addresses_ofac.FILES, addresses_ofac.parse)
    entries = by_id(parsed)
    assert 600 < len(entries) < 1000 and categories(parsed) == {Category.SANCTIONED: len(entries)}
    assert entries[f"XBT:BTC:{BTC}"].chain is Chain.BTC
    assert {e.chain for e in entries.values()} >= {Chain.BTC, Chain.ETH, Chain.TRON, Chain.XMR, Chain.LTC}
    # OFAC's own slips: a TRON address filed under XBT, a 64-hex string under XMR.
    assert {(e.file, e.line) for e in parsed.errors} == {
        ("sanctioned_addresses_XBT.txt", 355),
        ("sanctioned_addresses_XMR.txt", 2),
    }


def test_real_sdn_remarks() -> None:
    parsed = parse_real("sanctions_names", addresses_ofac.SDN_FILES, addresses_ofac.parse_sdn)
    entries = by_id(parsed)
    assert 150 < len(entries) < 400 and not parsed.errors
    assert entries["26137:BTC:149w62rY42aZBox8fGcmqNsXUzSStKeq8C"].label == "KHORASHADIZADEH, Ali"
    assert Counter(e.chain for e in entries.values())[Chain.ETH] > 50


@pytest.mark.slow
def test_real_graphsense_packs() -> None:
    parsed = parse_real(
        "graphsense_tagpacks", addresses_graphsense.FILES, addresses_graphsense.parse, check_order=False
    )
    entries = by_id(parsed)
    found = categories(parsed)
    assert len(entries) > 500_000 and found[Category.EXCHANGE] > 300_000
    assert found[Category.EXTORTION] > 50_000 and found[Category.RANSOMWARE] > 10_000
    assert (
        found[Category.SANCTIONED] > 20 and found[Category.TERRORISM] > 100 and found[Category.DARKNET] > 100
    )
    ronin = "EVM:0x098b716b8aaf21512996dc57eb0615e2383e2f96"  # the Ronin bridge exploiter, a Lazarus address
    assert entries[f"ronin_bridge:{ronin}"].category is Category.STOLEN
    lazarus = entries[f"lazarus:{ronin}"]
    assert (lazarus.category, lazarus.actor) == (Category.SANCTIONED, "Lazarus Group")
    assert entries["hydra:BTC:1BCWMwpR4M1nYUuuYe2bmzrNuwGoF9ZAbA"].category is Category.DARKNET
    skipped = Counter(e.message for e in parsed.errors if e.field == "currency")
    assert any("'EOS'" in m for m in skipped) and any("BEP2" in m for m in skipped)
    assert len(parsed.errors) < 500


def test_real_scamsniffer() -> None:
    parsed = parse_real("scamsniffer", addresses_scamsniffer.FILES, addresses_scamsniffer.parse)
    entries = by_id(parsed)
    assert len(entries) > 3000 and categories(parsed) == {Category.PHISHING: len(entries)}
    drainer = entries["combined:EVM:0xcea0f1fad75e62dcf89ab18d6566482916baa65c"]
    assert drainer.label == "ScamSniffer: artblocks-october.io" and not parsed.errors
    busy = entries["combined:EVM:0x3da02e1f29bcbed185eca0d3299efd46e6e7e155"]  # one drainer, eight sites
    assert busy.label.endswith("and 5 more domains")


def test_real_cryptoscamdb() -> None:
    parsed = parse_real("cryptoscamdb", addresses_cryptoscamdb.FILES, addresses_cryptoscamdb.parse)
    entries = by_id(parsed)
    found = categories(parsed)
    assert len(entries) > 4000 and found[Category.SCAM] > 3000 and found[Category.PHISHING] > 500
    assert entries["urls:EVM:0xd0cc2b24980cbcca47ef755da88b220a82291407"].label == "myelherwallel.com"
    assert any(e.field == "addresses.NEO" for e in parsed.errors)
    # Why uris.yaml is not among FILES: the published file is not YAML.
    with pytest.raises(InvalidListFile, match="line 35"):
        addresses_cryptoscamdb.parse(read_real("cryptoscamdb", ("data/uris.yaml",)))


def test_real_forta() -> None:
    parsed = parse_real("forta", addresses_forta.FILES, addresses_forta.parse)
    entries = by_id(parsed)
    found = categories(parsed)
    assert len(entries) > 13_000 and found[Category.PHISHING] > 12_000 and found[Category.STOLEN] > 200
    phishing = entries["1/phishing_scams:EVM:0x000000000532b45f47779fce440748893b257865"]
    assert (phishing.category, phishing.label) == (Category.PHISHING, "Fake_Phishing3901")
    assert entries[
        "1/etherscan_malicious_labels:EVM:0x878099f08131a18fab6bb0b4cfc6b6dae54b177e"
    ].category is (Category.STOLEN)
    assert (
        entries["10/malicious_smart_contracts:EVM:0x4f3a120e72c76c22ae802d129f599bfdbc31cb81"].chain
        is Chain.OP
    )
