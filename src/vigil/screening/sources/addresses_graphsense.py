"""GraphSense TagPacks: attribution tags (exchanges, mixers, hacks, ransomware, sanctions...).

A pack is a YAML mapping of header fields and a ``tags`` list; every header field (label,
category, abuse, actor, confidence, source, currency, ...) is a default each tag may override
(a tag field that is present wins even when empty, as in the TagPack tool's merge of header and
tag: a tag's empty ``abuse:`` means no abuse; only an empty ``currency`` falls back to the
header's). A tag without a label takes the pack's title.
``entry_id`` is ``<pack>:<key>``, the pack being its path under ``packs/`` without ``.yaml``.
Row errors give the line of the tag's mapping (libyaml's mark, see ``addresses_common``).

Category: ``abuse`` says what the funds were used for and decides first (an exchange's hot
wallet that was hacked is STOLEN); without it, ``category`` says what the holder is; without
either, OTHER. An abuse missing from the table is a row error (the TagPack tool refuses unknown
taxonomy terms too), an unknown category is OTHER. ``market`` is two things in these packs: on
Bitcoin it is darknet markets (``hydra.yaml``, OFAC-designated; ``walletexplorer.yaml``'s Silk
Road, AlphaBay, Agora...), on Ethereum it is Etherscan's ``market`` label cloud, NFT and token
marketplaces (``etherscan-wordcloud-market.yaml``). So ``market`` is DARKNET on non-EVM chains
and SERVICE on EVM chains. Tags whose only statement is in their label (Etherscan's word cloud
labels ``Fake_Phishing123`` without an ``abuse``) stay OTHER: labels are not parsed for meaning.

Confidence: the packs name levels from the TagPack tool's ``confidence.csv`` taxonomy
(graphsense-tagpack-tool, ``src/tagpack/db/confidence.csv``), which already puts each on a
0-100 scale; :data:`CONFIDENCE` is that table. A pack that names no level gets ``unknown`` (5),
the taxonomy's word for "source and reliability unknown". A level outside the table is a row
error, as it is for the tool.

Actors: ``actors/*.yaml`` (ActorPacks) give each actor id its readable name; a tag's actor id
without an ActorPack entry is kept as the id. Currencies Vigil has no chain for (EOS, BEP2,
KCS...) are row errors on field ``currency``.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import repeat
from typing import Final

from vigil.errors import InvalidAddress, InvalidListFile
from vigil.screening.chains import chain_for_currency
from vigil.screening.entries import AddressEntry, Category, Parsed
from vigil.screening.sources.addresses_common import Collector, RowProblem, Statement, text_field
from vigil.screening.sources.addresses_yaml import YamlMap, YamlSeq, load_yaml

SOURCE: Final = "graphsense"
FILES: Final = ("packs/**/*.yaml", "actors/*.yaml")

CONFIDENCE: Final[Mapping[str, int]] = {
    "override": 100,  # the creator knows the tag stands for a whole cluster
    "ownership": 100,  # the creator controls the private key
    "ledger_immanent": 100,  # read from the ledger itself (e.g. USDT's blacklist events)
    "manual_transaction": 90,  # the creator moved funds between known services
    "service_api": 70,  # from a known service's API
    "forensic_investigation": 70,  # law-enforcement or forensic case material
    "authority_data": 60,  # from a public authority (e.g. OFAC)
    "trusted_provider": 50,  # from a trusted third party (e.g. a spam trap)
    "service_data": 50,  # data a known service handed over
    "forensic": 50,  # somewhat trusted reports, e.g. academic papers
    "untrusted_transaction": 40,  # a third party moved funds between known services
    "web_crawl": 20,  # crawled from the web or data dumps
    "heuristic": 10,  # methods whose reliability is hard to quantify
    "unknown": 5,
}
_NO_CONFIDENCE: Final = "unknown"

_ABUSE: Final = {
    "sanction": Category.SANCTIONED,
    "terrorism": Category.TERRORISM,
    "service_hack": Category.STOLEN,
    "hack": Category.STOLEN,
    "exploit": Category.STOLEN,
    "ransomware": Category.RANSOMWARE,
    "phishing": Category.PHISHING,
    "scam": Category.SCAM,
    "ponzi_scheme": Category.SCAM,
    "investment_fraud": Category.SCAM,
    "pyramid_scheme": Category.SCAM,
    "sextortion": Category.EXTORTION,
    "extortion": Category.EXTORTION,
    "extremism": Category.EXTREMISM,
}
_CATEGORY: Final = {
    "exchange": Category.EXCHANGE,
    "mixing_service": Category.MIXER,
    "coinjoin": Category.MIXER,
    "gambling": Category.GAMBLING,
    "service": Category.SERVICE,
    "wallet_service": Category.SERVICE,
    "miner": Category.SERVICE,
}
_HEADER_FIELDS: Final = ("title", "label", "category", "abuse", "actor", "confidence", "source", "currency")
_TAG_FIELDS: Final = ("label", "category", "abuse", "actor", "confidence", "source")
_ABSENT: Final = object()


def parse(files: Mapping[str, str]) -> Parsed[AddressEntry]:
    """Every tag of every pack, actors named from the ActorPacks among ``files``."""
    out = Collector(SOURCE)
    actors: dict[str, str] = {}
    for path in sorted(files):
        if _is_actor_pack(path):
            actors.update(_read_actors(path, files[path], out))
    for path in sorted(files):
        if not _is_actor_pack(path):
            _read_pack(path, files[path], actors, out)
    return out.result()


def category_for(abuse: str | None, category: str | None, *, evm: bool) -> Category:
    """The Vigil category of a tag: its abuse first, else its category (see the module docstring)."""
    if abuse is not None:
        found = _ABUSE.get(abuse.lower())
        if found is None:
            raise RowProblem(f"unknown abuse {abuse!r}", "abuse")
        return found
    if category is None:
        return Category.OTHER
    category = category.lower()
    if category.startswith("defi"):
        return Category.DEFI
    if category == "market":
        return Category.SERVICE if evm else Category.DARKNET
    return _CATEGORY.get(category, Category.OTHER)


def _is_actor_pack(path: str) -> bool:
    return path.startswith("actors/") or path.endswith(".actorpack.yaml")


def _read_actors(path: str, text: str, out: Collector) -> dict[str, str]:
    doc = load_yaml(text, path)
    listed = doc.get("actors") if isinstance(doc, YamlMap) else None
    if not isinstance(listed, YamlSeq):
        raise InvalidListFile("an ActorPack must be a mapping with an 'actors' list", file=path)
    names: dict[str, str] = {}
    for number, actor in enumerate(listed, start=1):
        if not isinstance(actor, YamlMap):
            out.error(path, listed.line, f"actor {number} is not a mapping", "actors")
            continue
        try:
            actor_id = text_field(actor, "id")
            if actor_id is None:
                raise RowProblem("actor has no id", "id")
            names[actor_id] = text_field(actor, "label") or actor_id
        except RowProblem as problem:
            out.error(path, actor.line, problem.message, problem.field)
    return names


def _read_pack(path: str, text: str, actors: Mapping[str, str], out: Collector) -> None:
    doc = load_yaml(text, path)
    if not isinstance(doc, YamlMap):
        raise InvalidListFile("a TagPack must be a mapping of header fields and 'tags'", file=path)
    tags = doc.get("tags")
    if not isinstance(tags, YamlSeq):
        raise InvalidListFile("a TagPack needs a 'tags' list", file=path)
    try:
        header = {name: text_field(doc, name) for name in _HEADER_FIELDS}
    except RowProblem as problem:
        raise InvalidListFile(f"header field {problem.field!r} {problem.message}", file=path) from None
    pack = path.removeprefix("packs/").removesuffix(".yaml")
    # Most tags of a pack say the same thing and differ only in address: one Statement for them.
    said_before: dict[tuple[object, ...], Statement] = {}
    for number, tag in enumerate(tags, start=1):
        if not isinstance(tag, YamlMap):
            out.error(path, tags.line, f"tag {number} is not a mapping", "tags")
            continue
        try:
            address = text_field(tag, "address")
            if address is None:
                raise RowProblem("tag has no address", "address")
            currency = text_field(tag, "currency") or header["currency"]
            if currency is None:
                raise RowProblem("no currency in the tag or the pack header", "currency")
            chain = chain_for_currency(currency, address)
            overrides = (chain.is_evm, *map(tag.get, _TAG_FIELDS, repeat(_ABSENT)))
            try:
                said = said_before[overrides]
            except KeyError:
                said = said_before[overrides] = _statement(tag, header, actors, evm=chain.is_evm)
            except TypeError:  # a field holds a list or a mapping: unhashable, and _statement reports it
                said = _statement(tag, header, actors, evm=chain.is_evm)
        except RowProblem as problem:
            out.error(path, tag.line, problem.message, problem.field)
            continue
        except InvalidAddress as error:
            out.error(path, tag.line, str(error), "currency")
            continue
        out.add(path, tag.line, pack, chain, address, said)


def _statement(
    tag: YamlMap, header: Mapping[str, str | None], actors: Mapping[str, str], *, evm: bool
) -> Statement:
    def pick(name: str) -> str | None:  # a field the tag names, even empty, overrides the header's
        return text_field(tag, name) if name in tag else header[name]

    level = pick("confidence") or _NO_CONFIDENCE
    confidence = CONFIDENCE.get(level.lower())
    if confidence is None:
        raise RowProblem(f"unknown confidence level {level!r}", "confidence")
    actor = pick("actor")
    return Statement(
        category_for(pick("abuse"), pick("category"), evm=evm),
        pick("label") or header["title"] or "GraphSense tag",
        actors.get(actor, actor) if actor is not None else None,
        confidence,
        pick("source"),
    )
