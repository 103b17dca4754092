"""CryptoScamDB's blacklist: phishing and scam sites, with the addresses they asked victims to pay.

``data/urls.yaml`` is a list of sites (name, url, category, subcategory, description and, for
some, ``addresses: {CODE: [address, ...]}``). Each address becomes an entry labelled with the
site's name (its reference is the site's url); ``entry_id`` is ``<file stem>:<key>``. An address
several sites used is one entry, labelled with their names (see ``addresses_common``).

What else ``data/`` holds, and why it is not read: ``twitter.json`` maps Twitter user ids to
handles, no addresses. ``uris.yaml`` has the same shape as ``urls.yaml`` (17 scam tweets), but the
published file is not valid YAML (an entry indented by two spaces at line 35), so reading it
would refuse the whole snapshot, and repairing it would be guessing. It stays out of
:data:`FILES`; :func:`parse` reads any file of this shape it is given, so adding it back when
upstream fixes it is one pattern.

Category, from the site's ``category``: Phishing -> PHISHING, Scamming -> SCAM, and Malware and
Hacked -> STOLEN (malware sites and hijacked pages exist to take the victims' keys or funds).
Any other category is a row error. Confidence 50: community reports, curated but unverified
and no longer maintained (last update 2022), like GraphSense's ``trusted_provider`` level.
Row errors give a libyaml line: where the site's list of addresses for that currency starts, or
the site's own line. A currency Vigil has no chain for (NEO, ADA, ``UNKNOWN``...) is a row error
on field ``addresses.<CODE>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from vigil.errors import InvalidListFile
from vigil.screening.entries import AddressEntry, Category, Parsed
from vigil.screening.sources.addresses_common import Collector, RowProblem, Statement, text_field
from vigil.screening.sources.addresses_yaml import YamlMap, YamlSeq, load_yaml

SOURCE: Final = "cryptoscamdb"
FILES: Final = ("data/urls.yaml",)

CONFIDENCE: Final = 50
_CATEGORY: Final = {
    "phishing": Category.PHISHING,
    "scamming": Category.SCAM,
    "malware": Category.STOLEN,
    "hacked": Category.STOLEN,
}


def parse(files: Mapping[str, str]) -> Parsed[AddressEntry]:
    """The addresses of every site in every given file of the ``urls.yaml`` shape."""
    out = Collector(SOURCE)
    for path in sorted(files):
        sites = load_yaml(files[path], path)
        if not isinstance(sites, YamlSeq):
            raise InvalidListFile("must be a YAML list of sites", file=path)
        scope = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        for number, site in enumerate(sites, start=1):
            if not isinstance(site, YamlMap):
                out.error(path, sites.line, f"site {number} is not a mapping")
                continue
            try:
                _read_site(path, scope, site, out)
            except RowProblem as problem:
                out.error(path, site.line, problem.message, problem.field)
    return out.result()


def _read_site(path: str, scope: str, site: YamlMap, out: Collector) -> None:
    listed = site.get("addresses")
    if listed is None:
        return  # a site without addresses: nothing for the address index
    if not isinstance(listed, YamlMap):
        raise RowProblem("must map currency codes to lists of addresses", "addresses")
    name = text_field(site, "name") or text_field(site, "url")
    if name is None:
        raise RowProblem("site has neither a name nor a url", "name")
    category = text_field(site, "category")
    found = _CATEGORY.get(category.lower()) if category is not None else None
    if found is None:
        raise RowProblem(f"unknown category {category!r}", "category")
    said = Statement(found, name, None, CONFIDENCE, text_field(site, "url"))
    for code, addresses in listed.items():
        field = f"addresses.{code}"
        if not isinstance(addresses, YamlSeq):
            out.error(path, site.line, "must be a list of addresses", field)
            continue
        for address in addresses:
            if not isinstance(address, str):
                out.error(path, addresses.line, f"{address!r} is not an address", field)
                continue
            out.add_listed(
                path, addresses.line, scope, code, address, said, currency_field=field, address_field=field
            )
