"""The agency directory: who may ask, from which official domains, and the channel to call back on.

Data, not code: ``agencies.yaml`` beside this module is an example the exchange replaces with its own
(``VIGIL_LER_AGENCIES``). ``load_directory`` validates it and names the agency and field that are wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from vigil.errors import ConfigError, InvalidInput

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_JURISDICTION = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class Agency:
    agency_id: str
    name: str
    aliases: tuple[str, ...]
    jurisdiction: str  # ISO 3166-1 alpha-2, or EU
    calendar: str  # the country whose public holidays the acknowledgement clock skips
    domains: tuple[str, ...]  # official e-mail domains (lower case); their subdomains count too
    callback: str  # the verified contact channel: the number a person calls back on

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def official(self, domain: str) -> bool:
        return any(domain == d or domain.endswith("." + d) for d in self.domains)


def fold_name(text: str) -> str:
    """An agency name compared without case, punctuation or repeated spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


class Directory:
    def __init__(self, agencies: Iterable[Agency]) -> None:
        self.agencies = tuple(agencies)
        self._by_id = {a.agency_id: a for a in self.agencies}
        self._by_name: dict[str, Agency] = {}
        for agency in self.agencies:
            for name in agency.names:
                self._by_name.setdefault(fold_name(name), agency)

    def __len__(self) -> int:
        return len(self.agencies)

    def get(self, agency_id: str) -> Agency | None:
        return self._by_id.get(agency_id)

    def find(self, name_or_id: str) -> Agency:
        """The agency a request names (its id, name or an alias); ``InvalidInput`` on ``agency`` if none."""
        found = self._by_id.get(name_or_id.strip()) or self._by_name.get(fold_name(name_or_id))
        if found is None:
            raise InvalidInput(
                f"{name_or_id.strip()[:100]!r} is not in the agency directory: verify the agency and add it"
                " to the directory (VIGIL_LER_AGENCIES) before logging its request",
                field="agency",
            )
        return found

    def owner(self, domain: str) -> Agency | None:
        """The agency whose official domain ``domain`` is (or is under)."""
        for agency in self.agencies:
            if agency.official(domain):
                return agency
        return None

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(d for a in self.agencies for d in a.domains)


def _agency(raw: Any, n: int) -> Agency:
    where = f"agency {n}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} of the agency directory is not a mapping")
    agency_id = str(raw.get("id", "")).strip()
    where = f"agency {agency_id or n}"
    name = str(raw.get("name", "")).strip()
    jurisdiction = str(raw.get("jurisdiction", "")).strip().upper()
    domains = raw.get("domains")
    callback = str(raw.get("callback", "")).strip()
    aliases = raw.get("aliases") or []
    if not agency_id or not name:
        raise ConfigError(f"{where}: needs an id and a name")
    if not _JURISDICTION.match(jurisdiction):
        raise ConfigError(f"{where}: jurisdiction {jurisdiction!r} is not a two-letter code")
    if not isinstance(domains, list) or not domains:
        raise ConfigError(f"{where}: needs a list of official domains")
    folded = tuple(str(d).strip().lower() for d in domains)
    for d in folded:
        if not _DOMAIN.match(d):
            raise ConfigError(f"{where}: {d!r} is not a domain name")
    if not callback:
        raise ConfigError(f"{where}: needs a callback number (the verified contact channel)")
    if not isinstance(aliases, list):
        raise ConfigError(f"{where}: aliases must be a list")
    calendar = str(raw.get("calendar", jurisdiction)).strip().upper()
    return Agency(agency_id, name, tuple(str(a) for a in aliases), jurisdiction, calendar, folded, callback)


def parse_directory(text: str, source: str = "the agency directory") -> Directory:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source} is not YAML: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("agencies"), list):
        raise ConfigError(f"{source} needs a top-level 'agencies' list")
    agencies = [_agency(a, n) for n, a in enumerate(raw["agencies"], 1)]
    ids = [a.agency_id for a in agencies]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{source}: agency ids repeat")
    return Directory(agencies)


def load_directory(path: Path | None = None) -> Directory:
    """The directory at ``path``, or the example shipped with Vigil."""
    if path is None:
        text = resources.files("vigil.ler").joinpath("agencies.yaml").read_text("utf-8")
        return parse_directory(text, "the example agency directory")
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the agency directory {path}: {exc.strerror}") from None
    return parse_directory(text, str(path))
