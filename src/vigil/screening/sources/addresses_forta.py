"""Forta's labelled datasets: Etherscan's phishing, exploit and heist labels, per EVM chain.

Files live under ``labels/<chain id>/``; the directory names the chain (:data:`CHAIN_IDS`: the
README has Ethereum (1) and Optimism (10), the others are the EVM chains Forta monitors that
Vigil also knows). A file under a chain id Vigil has no chain for is one row error at its line 1,
and skipped. ``entry_id`` is ``<chain id>/<file stem>:<key>``; row errors give the CSV line.

Categories, per file:

- ``phishing_scams.csv`` (``address``): addresses Etherscan labels ``phish-hack``, which the
  README calls phishing scams: PHISHING.
- ``etherscan_malicious_labels.csv`` (``banned_address``): ``data_source`` names the Etherscan
  label list, a better signal than the free-text ``wallet_tag`` (500 phish-hack rows are tagged
  ``Spam Token`` or a fake token's name). The exploit and heist lists are STOLEN; so is a tag
  naming an exploiter, hacker, heist or attacker (Etherscan's ``phish-hack`` also covers hacks);
  the rest of the phish-hack list is PHISHING. A row neither decides is a row error.
- ``malicious_smart_contracts.csv`` (``contract_address``): contracts deployed by addresses
  Etherscan labels (``contract_creator_etherscan_label``). Exploit and heist deployers, or tags
  and notes naming an exploit, hack, heist or attacker: STOLEN. Phish-hack deployers, mostly fake
  tokens airdropped to lure victims to phishing sites: PHISHING, as the same label is in the two
  files above. Anything else (an unlabelled deployer, no telling words): SCAM, the README's
  general "malicious".

Only the listed addresses are imported, not the deployers of malicious contracts: those are
Etherscan's statements about other addresses, and the ones labelled are mostly in the other files.
Confidence 70: labels Etherscan's team assigns, collected by Forta, like GraphSense's
``service_api`` level.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from vigil.errors import InvalidListFile
from vigil.model import Chain
from vigil.screening.entries import AddressEntry, Category, Parsed
from vigil.screening.sources.addresses_common import Collector, RowProblem, Statement, csv_rows

SOURCE: Final = "forta"
FILES: Final = (
    "labels/*/phishing_scams.csv",
    "labels/*/malicious_smart_contracts.csv",
    "labels/*/etherscan_malicious_labels.csv",
)

CHAIN_IDS: Final[Mapping[str, Chain]] = {
    "1": Chain.ETH,
    "10": Chain.OP,
    "56": Chain.BSC,
    "137": Chain.POLYGON,
    "8453": Chain.BASE,
    "42161": Chain.ARB,
    "43114": Chain.AVAX,
}
CONFIDENCE: Final = 70

_THEFT: Final = re.compile(r"exploit|hack|heist|attacker", re.IGNORECASE)
_STOLEN_LISTS: Final = frozenset({"etherscan-exploit-list", "etherscan-heist-list"})
_PHISHING_LIST: Final = "etherscan-phish-hack-list"
_STOLEN_LABELS: Final = frozenset({"exploit", "heist"})
_PHISHING_LABEL: Final = "phish-hack"


def parse(files: Mapping[str, str]) -> Parsed[AddressEntry]:
    """Every labelled address of every file, on the chain its directory names."""
    out = Collector(SOURCE)
    for path in sorted(files):
        parts = path.split("/")
        if len(parts) < 2:
            raise InvalidListFile(
                "needs its chain id directory: read labels/<chain id>/<file>.csv", file=path
            )
        chain_id, name = parts[-2], parts[-1]
        if name not in _READERS:
            raise InvalidListFile(f"is not a Forta label file ({', '.join(sorted(_READERS))})", file=path)
        chain = CHAIN_IDS.get(chain_id)
        if chain is None:
            out.error(path, 1, f"chain id {chain_id!r} is not a chain Vigil screens; file skipped")
            continue
        column, classify = _READERS[name]
        scope = f"{chain_id}/{name.removesuffix('.csv')}"
        for line, row in csv_rows(files[path], path, (column,)):
            if not row[column]:
                out.error(path, line, "no address", column)
                continue
            try:
                said = classify(row)
            except RowProblem as problem:
                out.error(path, line, problem.message, problem.field)
                continue
            out.add(path, line, scope, chain, row[column], said, column)
    return out.result()


def _phishing_scam(row: Mapping[str, str]) -> Statement:
    return Statement(Category.PHISHING, row.get("etherscan_tag") or "Etherscan phish-hack", None, CONFIDENCE)


def _etherscan_label(row: Mapping[str, str]) -> Statement:
    listed, tag = row.get("data_source", ""), row.get("wallet_tag", "")
    if listed in _STOLEN_LISTS or _THEFT.search(tag):
        category = Category.STOLEN
    elif listed == _PHISHING_LIST or "phish" in tag.lower():
        category = Category.PHISHING
    else:
        raise RowProblem(f"neither the list {listed!r} nor the tag {tag!r} says what this is", "data_source")
    return Statement(category, tag or listed, None, CONFIDENCE)


def _malicious_contract(row: Mapping[str, str]) -> Statement:
    deployer_label = row.get("contract_creator_etherscan_label", "").lower()
    words = " ".join(row.get(k, "") for k in ("contract_tag", "contract_creator_tag", "notes"))
    if deployer_label in _STOLEN_LABELS or _THEFT.search(words):
        category = Category.STOLEN
    elif deployer_label == _PHISHING_LABEL:
        category = Category.PHISHING
    else:
        category = Category.SCAM
    label = row.get("contract_tag") or row.get("notes") or ""
    if not label:
        deployer = row.get("contract_creator_tag")
        label = f"contract deployed by {deployer}" if deployer else "malicious smart contract"
    return Statement(category, label, None, CONFIDENCE, row.get("source") or None)


_READERS: Final = {
    "phishing_scams.csv": ("address", _phishing_scam),
    "etherscan_malicious_labels.csv": ("banned_address", _etherscan_label),
    "malicious_smart_contracts.csv": ("contract_address", _malicious_contract),
}
