"""The one place that reads settings and wires adapters into services."""

from __future__ import annotations

import gc
from pathlib import Path

from vigil.adapters.geoip_mmdb import MmdbGeoIp
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.memory_screening import MemoryListStore, MemoryScreeningStore
from vigil.adapters.rule_files import BuiltinRules, DirectoryRules
from vigil.adapters.sqlite import SqliteJournal
from vigil.adapters.sqlite_screening import SqliteListStore, SqliteScreeningStore
from vigil.engine import Engine
from vigil.errors import ConfigError
from vigil.features import default_catalog
from vigil.ports import GeoIp, Journal, ListStore, RuleSourceReader, ScreeningStore
from vigil.rules import RuleSet, load_rules
from vigil.screening.policy import Policy, default_policy, load_policy
from vigil.screening.screener import Screener
from vigil.settings import Settings
from vigil.watchlists import load_screener


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


def _db_path(settings: Settings) -> Path:
    path = Path(settings.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def list_store(settings: Settings) -> ListStore:
    """Screening list snapshots, in the journal's database (memory for a memory journal)."""
    return MemoryListStore() if settings.db == "memory" else SqliteListStore(_db_path(settings))


def screening_store(settings: Settings) -> ScreeningStore:
    return MemoryScreeningStore() if settings.db == "memory" else SqliteScreeningStore(_db_path(settings))


def policy(settings: Settings) -> Policy:
    if settings.screening_policy is None:
        return default_policy()
    try:
        text = settings.screening_policy.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read screening policy {settings.screening_policy}: {exc.strerror}"
        ) from None
    return load_policy(text, file=str(settings.screening_policy))


def screener(settings: Settings, lists: ListStore) -> Screener | None:
    """The screener over the latest snapshots, or None while no list has been imported."""
    if not lists.snapshots():
        return None
    return load_screener(lists, policy(settings))


def build_engine(settings: Settings) -> Engine:
    """A wired engine whose feature state is rebuilt from the journal's events.

    Screening is on as soon as one list has been imported into the database (``vigil lists import``).
    """
    source = rule_source(settings)
    catalog = default_catalog()
    rules = load_rules(source.read(), catalog)
    engine = Engine(
        catalog,
        rules,
        journal(settings),
        geoip=geoip(settings),
        rule_source=source,
        screener=screener(settings, list_store(settings)),
        screening_store=screening_store(settings),
    )
    engine.rebuild()
    return engine


def tune_gc() -> None:
    """Long-lived engine state is mostly acyclic: freeze it and collect less often (see PERF-NOTES)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
