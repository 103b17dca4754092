"""Importers: one module per real list format, each a pure ``parse(files) -> Parsed`` over file texts.

``SOURCES`` is the registry ``vigil lists import SOURCE PATH`` reads: the source's name, whether it
lists addresses or names, the file patterns to read from PATH, and the parser. Reading the files
is the ``ListFiles`` port's job (``adapters/list_files.py``); parsing is pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from vigil.errors import InvalidInput
from vigil.screening.entries import Parsed
from vigil.screening.sources import (
    addresses_cryptoscamdb,
    addresses_forta,
    addresses_graphsense,
    addresses_ofac,
    addresses_scamsniffer,
    names_ofac,
    names_opensanctions,
    names_un,
)


@dataclass(frozen=True, slots=True)
class ListSource:
    name: str
    kind: Literal["address", "name"]
    files: tuple[str, ...]
    parse: Callable[[Mapping[str, str]], Parsed[Any]]
    description: str


SOURCES: dict[str, ListSource] = {
    s.name: s
    for s in (
        ListSource(
            addresses_ofac.SOURCE,
            "address",
            addresses_ofac.FILES,
            addresses_ofac.parse,
            "OFAC SDN digital-currency addresses, one file per asset (sanctioned_addresses_XBT.txt ...)",
        ),
        ListSource(
            addresses_ofac.SDN_SOURCE,
            "address",
            addresses_ofac.SDN_FILES,
            addresses_ofac.parse_sdn,
            "'Digital Currency Address' remarks of the OFAC SDN CSV (sdn.csv), with the sanctioned party",
        ),
        ListSource(
            addresses_graphsense.SOURCE,
            "address",
            addresses_graphsense.FILES,
            addresses_graphsense.parse,
            "GraphSense TagPacks (YAML): categories, abuse types, actors, confidence",
        ),
        ListSource(
            addresses_scamsniffer.SOURCE,
            "address",
            addresses_scamsniffer.FILES,
            addresses_scamsniffer.parse,
            "ScamSniffer phishing and drainer addresses (address.json, combined.json)",
        ),
        ListSource(
            addresses_cryptoscamdb.SOURCE,
            "address",
            addresses_cryptoscamdb.FILES,
            addresses_cryptoscamdb.parse,
            "CryptoScamDB scam and phishing sites with their addresses (urls.yaml)",
        ),
        ListSource(
            addresses_forta.SOURCE,
            "address",
            addresses_forta.FILES,
            addresses_forta.parse,
            "Forta labelled datasets: phishing and malicious contracts per chain id (CSV)",
        ),
        ListSource(
            names_ofac.SDN.SOURCE,
            "name",
            names_ofac.SDN.FILES,
            names_ofac.SDN.parse,
            "OFAC SDN list, legacy CSV set (sdn.csv, alt.csv, add.csv, sdn_comments.csv)",
        ),
        ListSource(
            names_ofac.CONSOLIDATED.SOURCE,
            "name",
            names_ofac.CONSOLIDATED.FILES,
            names_ofac.CONSOLIDATED.parse,
            "OFAC consolidated non-SDN lists (cons_prim.csv, cons_alt.csv, cons_add.csv, cons_comments.csv)",
        ),
        ListSource(
            names_un.SOURCE,
            "name",
            names_un.FILES,
            names_un.parse,
            "UN Security Council consolidated list (XML)",
        ),
        ListSource(
            names_opensanctions.SOURCE,
            "name",
            names_opensanctions.FILES,
            names_opensanctions.parse,
            "OpenSanctions: FollowTheMoney JSON lines, or its Senzing JSON export",
        ),
    )
}


def list_source(name: str) -> ListSource:
    """The registered source, or ``InvalidInput`` naming the known ones."""
    try:
        return SOURCES[name]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise InvalidInput(f"unknown list source {name!r} (known: {known})", field="source") from None
