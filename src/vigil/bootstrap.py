"""The one place that reads settings and wires adapters into services."""

from __future__ import annotations

import gc
from pathlib import Path

from vigil.adapters.geoip_mmdb import MmdbGeoIp
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.rule_files import BuiltinRules, DirectoryRules
from vigil.adapters.sqlite import SqliteJournal
from vigil.engine import Engine
from vigil.features import default_catalog
from vigil.ports import GeoIp, Journal, RuleSourceReader
from vigil.rules import RuleSet, load_rules
from vigil.settings import Settings


def rule_source(settings: Settings) -> RuleSourceReader:
    return DirectoryRules(settings.rules_dir) if settings.rules_dir is not None else BuiltinRules()


def load_rule_set(source: RuleSourceReader) -> RuleSet:
    return load_rules(source.read(), default_catalog())


def journal(settings: Settings) -> Journal:
    if settings.db == "memory":
        return MemoryJournal()
    path = Path(settings.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteJournal(path, batch_size=settings.batch_size, synchronous=settings.sqlite_synchronous)


def geoip(settings: Settings) -> GeoIp | None:
    if settings.geoip_country_db is None and settings.geoip_anonymous_db is None:
        return None
    return MmdbGeoIp(settings.geoip_country_db, settings.geoip_anonymous_db)


def build_engine(settings: Settings) -> Engine:
    """A wired engine whose feature state is rebuilt from the journal's events."""
    source = rule_source(settings)
    catalog = default_catalog()
    rules = load_rules(source.read(), catalog)
    engine = Engine(catalog, rules, journal(settings), geoip=geoip(settings), rule_source=source)
    engine.rebuild()
    return engine


def tune_gc() -> None:
    """Long-lived engine state is mostly acyclic: freeze it and collect less often (see PERF-NOTES)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
