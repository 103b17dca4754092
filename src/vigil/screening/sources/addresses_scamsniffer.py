"""ScamSniffer's phishing blacklist: wallet-drainer and phishing addresses (EVM).

The data is GPL-3.0 (scamsniffer/scam-database). Vigil reads it at run time from wherever the
operator keeps it; nothing of it is copied into this repository, its tests or its packages.

``address.json`` is a JSON array of addresses; ``combined.json`` maps each phishing domain to the
addresses its pages drain to. The same address in both files stays two entries
(``address:<key>`` and ``combined:<key>``): two statements that can change independently. In
``combined.json`` one address often serves hundreds of domains; it is one entry whose label names
the first three domains in alphabetical order and how many more there are (so the label only
changes when the set of domains does).

Everything is PHISHING: ScamSniffer lists phishing sites and drainers. The addresses are EVM
(the list names no chain; ``Chain.ETH`` is recorded, and EVM keys match on every EVM chain).
Confidence 70: a specialised provider's own curated detections, published with a 7-day delay,
on the GraphSense scale between service data (50) and a service's API (70).
JSON keeps no positions: a row error's line is the item's 1-based index (in ``combined.json``,
the domain's index, with the domain as the field).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from vigil.errors import InvalidAddress, InvalidListFile
from vigil.model import Chain
from vigil.screening.chains import parse_address
from vigil.screening.entries import AddressEntry, Category, Parsed
from vigil.screening.sources.addresses_common import Collector, Statement, load_json

SOURCE: Final = "scamsniffer"
FILES: Final = ("address.json", "combined.json")

CONFIDENCE: Final = 70
_LABEL: Final = "ScamSniffer"
_SHOWN_DOMAINS: Final = 3


def parse(files: Mapping[str, str]) -> Parsed[AddressEntry]:
    """The addresses of ``address.json`` and, with their domains, of ``combined.json``."""
    out = Collector(SOURCE)
    for path in sorted(files):
        name = path.rsplit("/", 1)[-1]
        if name == "address.json":
            _read_addresses(path, files[path], out)
        elif name == "combined.json":
            _read_domains(path, files[path], out)
        else:
            raise InvalidListFile("is not a ScamSniffer file (address.json, combined.json)", file=path)
    return out.result()


def _read_addresses(path: str, text: str, out: Collector) -> None:
    items = load_json(text, path)
    if not isinstance(items, list):
        raise InvalidListFile(f"must be a JSON array of addresses, found {type(items).__name__}", file=path)
    said = Statement(Category.PHISHING, _LABEL, confidence=CONFIDENCE)
    for index, item in enumerate(items, start=1):
        if isinstance(item, str):
            out.add(path, index, "address", Chain.ETH, item, said)
        else:
            out.error(path, index, f"item {index} is a {type(item).__name__}, not an address", "address")


def _read_domains(path: str, text: str, out: Collector) -> None:
    mapping = load_json(text, path)
    if not isinstance(mapping, dict):
        raise InvalidListFile(
            f"must be a JSON object of domain -> addresses, found {type(mapping).__name__}", file=path
        )
    grouped: dict[str, tuple[str, int, list[str]]] = {}  # key -> (address as first written, index, domains)
    for index, (domain, addresses) in enumerate(mapping.items(), start=1):
        if not isinstance(addresses, list) or not all(isinstance(a, str) for a in addresses):
            out.error(path, index, f"item {index}: addresses of {domain!r} must be a list of strings", domain)
            continue
        for address in addresses:
            try:
                key = parse_address(Chain.ETH, address).key
            except InvalidAddress as error:
                out.error(path, index, str(error), domain)
                continue
            grouped.setdefault(key, (address, index, []))[2].append(domain)
    for address, index, domains in grouped.values():
        shown = sorted(set(domains))
        label = f"{_LABEL}: {', '.join(shown[:_SHOWN_DOMAINS])}"
        if len(shown) > _SHOWN_DOMAINS:
            label += f" and {len(shown) - _SHOWN_DOMAINS} more domains"
        said = Statement(Category.PHISHING, label, confidence=CONFIDENCE)
        out.add(path, index, "combined", Chain.ETH, address, said, field=domains[0])
