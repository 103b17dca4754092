"""The LabelStore and ModelRegistry contracts (vigil.ports), run unchanged against every adapter.

The last tests are the SQLite adapters' own: what survives a reopen, a shared connection, error mapping.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Literal

import pytest

from tests.postgres import postgres_schema
from vigil.adapters.memory_learning import MemoryLabelStore, MemoryModelRegistry
from vigil.adapters.postgres import PostgresLabelStore, PostgresModelRegistry
from vigil.adapters.sqlite_learning import SqliteLabelStore, SqliteModelRegistry
from vigil.errors import ConfigError, Conflict, InvalidInput, NotFound, StorageError
from vigil.model.learning import GLOBAL, Label, ModelVersion, Promotion
from vigil.ports import LabelStore, ModelRegistry

T0 = 1_793_534_400_000_000  # 2026-11-01 12:00 UTC, in µs


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def labels(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LabelStore]:
    if request.param == "postgres":
        with postgres_schema() as engine:
            yield PostgresLabelStore(engine)
        return
    store: LabelStore = (
        MemoryLabelStore() if request.param == "memory" else SqliteLabelStore(tmp_path / "l.db")
    )
    yield store
    store.close()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ModelRegistry]:
    if request.param == "postgres":
        with postgres_schema() as engine:
            yield PostgresModelRegistry(engine)
        return
    store: ModelRegistry = (
        MemoryModelRegistry() if request.param == "memory" else SqliteModelRegistry(tmp_path / "m.db")
    )
    yield store
    store.close()


def label(n: int, *, illicit: bool = True, at: int = 0, source: str = "simulator") -> Label:
    return Label(
        event_id=f"evt-{n}",
        account_id=f"acc-{n % 3}",
        illicit=illicit,
        typology="mule_ring" if illicit else "",
        source=source,
        at_us=T0 + at,
    )


def version(model_id: str, region: str = "eu", n: int = 0) -> ModelVersion:
    return ModelVersion(
        model_id=model_id,
        region=region,
        created_us=T0 + n,
        catalog_hash="c0ffee",
        model_text=f"tree\nversion=v4\nnum_class=1\n\nTree=0\nleaf_value=0.{n} -0.{n}\n{'x' * 5000}\n",
        sidecar='{"metrics": {"holdout_ap": 0.42}, "window": ["2026-10-01", "2026-10-31"], "by": "ünï"}',
    )


def promotion(region: str, model_id: str, n: int = 0, previous: str | None = None) -> Promotion:
    return Promotion(region, model_id, T0 + n, "ana", f"AP 0.5{n} > champion's", previous)


# -- LabelStore -------------------------------------------------------------------------------------


def test_an_empty_store_holds_nothing(labels: LabelStore) -> None:
    assert labels.add([]) == 0
    assert (labels.labels(), labels.current(), labels.count()) == ([], {}, 0)


def test_add_appends_every_label_in_order_and_says_how_many(labels: LabelStore) -> None:
    first = [label(3), label(1, illicit=False), label(2, source="case:c-17")]
    assert labels.add(first) == 3
    assert labels.add([label(0)]) == 1
    assert labels.labels() == [*first, label(0)]  # field for field, in the order added
    assert labels.count() == 4


def test_the_same_label_twice_is_kept_twice(labels: LabelStore) -> None:
    assert labels.add([label(1), label(1)]) == 2
    labels.add([label(1)])
    assert labels.labels() == [label(1)] * 3
    assert labels.count() == 3
    assert labels.current() == {"evt-1": label(1)}


def test_since_us_keeps_labels_given_from_then_on_in_the_order_added(labels: LabelStore) -> None:
    given = [label(1, at=30), label(2, at=10), label(3, at=20), label(4, at=40)]
    labels.add(given)
    assert labels.labels(since_us=T0 + 20) == [given[0], given[2], given[3]]  # at_us >= since_us
    assert labels.labels(since_us=T0) == given
    assert labels.labels(since_us=T0 + 41) == []
    assert labels.labels(since_us=None) == given


def test_current_maps_each_event_to_the_last_label_added(labels: LabelStore) -> None:
    mule = label(1, at=100)
    cleared = label(1, illicit=False, at=50, source="case:c-9")  # added later, though dated earlier
    labels.add([mule, label(2)])
    labels.add([cleared])
    assert labels.current() == {"evt-1": cleared, "evt-2": label(2)}
    assert labels.labels() == [mule, label(2), cleared]  # the superseded label stays in the history


# -- ModelRegistry ----------------------------------------------------------------------------------


def test_versions_round_trip_and_list_oldest_first(registry: ModelRegistry) -> None:
    added = [version("m1", "eu", 1), version("m2", GLOBAL, 2), version("m3", "us", 3), version("m4", "eu", 4)]
    for v in added:
        registry.add(v)
    assert registry.get("m2") == added[1]  # model text and sidecar unchanged, byte for byte
    assert registry.get("m9") is None
    assert registry.versions() == added
    assert registry.versions("eu") == [added[0], added[3]]  # that region only: not the GLOBAL model
    assert registry.versions(GLOBAL) == [added[1]]
    assert registry.versions("apac") == []


def test_adding_a_held_model_id_is_a_conflict_and_keeps_the_version(registry: ModelRegistry) -> None:
    registry.add(version("m1", "eu", 1))
    with pytest.raises(Conflict, match="m1"):
        registry.add(replace(version("m1", "us", 2), model_text="another model"))
    assert registry.get("m1") == version("m1", "eu", 1)
    registry.add(version("m2", "us", 2))  # the refused add left nothing half-done behind
    assert registry.versions() == [version("m1", "eu", 1), version("m2", "us", 2)]


def test_promoting_an_unknown_model_is_not_found_and_records_nothing(registry: ModelRegistry) -> None:
    registry.add(version("m1"))
    with pytest.raises(NotFound, match="m7"):
        registry.promote(promotion("eu", "m7"))
    assert (registry.promotions(), registry.serving()) == ([], {})


def test_a_model_of_another_region_cannot_serve(registry: ModelRegistry) -> None:
    registry.add(version("m-eu", "eu"))
    with pytest.raises(InvalidInput, match="m-eu") as raised:
        registry.promote(promotion("us", "m-eu"))
    assert raised.value.field == "region"
    with pytest.raises(InvalidInput):
        registry.promote(promotion(GLOBAL, "m-eu"))  # a regional model is no fallback for the others
    assert (registry.promotions(), registry.serving()) == ([], {})


def test_a_global_model_may_serve_any_region(registry: ModelRegistry) -> None:
    registry.add(version("m-all", GLOBAL))
    for n, region in enumerate(["eu", "us", GLOBAL]):
        registry.promote(promotion(region, "m-all", n))
    assert registry.serving() == {"eu": "m-all", "us": "m-all", GLOBAL: "m-all"}


def test_serving_is_the_latest_promotion_per_region(registry: ModelRegistry) -> None:
    for n, (model_id, region) in enumerate([("a", "eu"), ("b", "eu"), ("c", "us"), ("g", GLOBAL)]):
        registry.add(version(model_id, region, n))
    assert registry.serving() == {}
    registry.promote(promotion("eu", "a", 1))
    registry.promote(promotion("us", "c", 2))
    registry.promote(promotion("eu", "b", 3, previous="a"))
    assert registry.serving() == {"eu": "b", "us": "c"}
    registry.promote(promotion("eu", "a", 4, previous="b"))  # a rollback is one more promotion
    registry.promote(promotion("us", "g", 5, previous="c"))
    assert registry.serving() == {"eu": "a", "us": "g"}


def test_promotions_are_the_history_oldest_first(registry: ModelRegistry) -> None:
    registry.add(version("a", "eu", 1))
    registry.add(version("b", "eu", 2))
    registry.add(version("g", GLOBAL, 3))
    made = [
        promotion("eu", "a", 1),
        promotion("us", "g", 2),
        promotion("eu", "b", 3, previous="a"),
        promotion("eu", "a", 4, previous="b"),
    ]
    for p in made:
        registry.promote(p)
    assert registry.promotions() == made  # field for field: who, why, when and what it replaced
    assert registry.promotions("eu") == [made[0], made[2], made[3]]
    assert [p.previous for p in registry.promotions("eu")] == [None, "a", "b"]
    assert registry.promotions("apac") == []


@pytest.mark.parametrize(
    ("act", "field"),
    [
        (lambda r: r.add(version("")), "model_id"),
        (lambda r: r.add(version("m1", region="")), "region"),
        (lambda r: r.promote(promotion("eu", "")), "model_id"),
        (lambda r: r.promote(promotion("", "m0")), "region"),
    ],
    ids=["version-model_id", "version-region", "promotion-model_id", "promotion-region"],
)
def test_malformed_input_names_the_field_and_stores_nothing(
    registry: ModelRegistry, act: Callable[[ModelRegistry], None], field: str
) -> None:
    registry.add(version("m0", GLOBAL))
    with pytest.raises(InvalidInput) as raised:
        act(registry)
    assert raised.value.field == field
    assert registry.versions() == [version("m0", GLOBAL)]
    assert registry.promotions() == []


# -- SQLite only --------------------------------------------------------------------------------------


def test_sqlite_labels_survive_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    store = SqliteLabelStore(path)
    store.add([label(1, at=10), label(2, at=20), label(1, illicit=False, at=30)])
    store.close()
    again = SqliteLabelStore(path)
    assert again.labels() == [label(1, at=10), label(2, at=20), label(1, illicit=False, at=30)]
    assert again.current() == {"evt-1": label(1, illicit=False, at=30), "evt-2": label(2, at=20)}
    again.add([label(3)])
    assert again.count() == 4
    again.close()


def test_sqlite_models_and_promotions_survive_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    store = SqliteModelRegistry(path)
    store.add(version("a", "eu", 1))
    store.add(version("g", GLOBAL, 2))
    store.promote(promotion("eu", "a", 1))
    store.promote(promotion("us", "g", 2))
    store.close()
    again = SqliteModelRegistry(path)
    assert again.versions() == [version("a", "eu", 1), version("g", GLOBAL, 2)]
    assert again.serving() == {"eu": "a", "us": "g"}
    assert again.promotions() == [promotion("eu", "a", 1), promotion("us", "g", 2)]
    with pytest.raises(Conflict):
        again.add(version("a", "us", 3))
    again.close()


def test_sqlite_stores_share_a_file(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    store, registry = SqliteLabelStore(path), SqliteModelRegistry(path)
    store.add([label(1)])
    registry.add(version("a"))
    other = SqliteLabelStore(path)  # a second connection sees the first one's writes
    assert other.labels() == [label(1)]
    for s in (store, registry, other):
        s.close()


@pytest.mark.parametrize("isolation_level", [None, "DEFERRED"], ids=["autocommit", "legacy"])
def test_sqlite_store_on_a_given_connection_commits_and_leaves_it_open(
    tmp_path: Path, isolation_level: Literal["DEFERRED"] | None
) -> None:
    path = tmp_path / "vigil.db"
    db = sqlite3.connect(path, isolation_level=isolation_level)
    store, registry = SqliteLabelStore(db), SqliteModelRegistry(db)
    store.add([label(1), label(2)])
    registry.add(version("a"))
    registry.promote(promotion("eu", "a"))
    store.close()
    registry.close()
    assert db.execute("SELECT COUNT(*) FROM learning_labels").fetchone() == (2,)  # still open
    db.close()  # no commit: the stores' writes are already durable
    reopened, relabels = SqliteModelRegistry(path), SqliteLabelStore(path)
    assert reopened.serving() == {"eu": "a"}
    assert relabels.labels() == [label(1), label(2)]
    reopened.close()
    relabels.close()


def test_sqlite_write_in_the_owners_transaction_waits_for_its_commit(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")  # so that another connection may read during the write
    store, other = SqliteLabelStore(db), SqliteLabelStore(path)
    db.execute("BEGIN")
    store.add([label(1)])
    assert (store.count(), other.count()) == (1, 0)  # the other connection does not see it yet
    db.execute("ROLLBACK")
    assert (store.labels(), other.labels()) == ([], [])
    db.execute("BEGIN")
    store.add([label(2)])
    db.execute("COMMIT")
    assert other.labels() == [label(2)]
    other.close()
    db.close()


def test_sqlite_refuses_a_missing_directory_or_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        SqliteLabelStore(tmp_path / "nowhere" / "vigil.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database, " * 100)
    with pytest.raises(ConfigError, match=r"junk\.db"):
        SqliteModelRegistry(junk)


def test_sqlite_failed_writes_raise_storage_error_and_store_nothing(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    SqliteModelRegistry(path).close()
    SqliteLabelStore(path).close()
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    labels, registry = SqliteLabelStore(read_only), SqliteModelRegistry(read_only)
    with pytest.raises(StorageError, match="readonly"):
        labels.add([label(1), label(2)])
    with pytest.raises(StorageError, match="readonly"):
        registry.add(version("a"))
    assert (labels.count(), registry.versions()) == (0, [])
    read_only.close()


def test_sqlite_adds_a_batch_of_labels_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    store = SqliteLabelStore(path)
    store.add([label(0)])
    with contextlib.closing(sqlite3.connect(path)) as db:  # a real failure in the middle of the batch
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON learning_labels WHEN NEW.event_id = 'evt-3'"
            " BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END"
        )
    with pytest.raises(StorageError, match="refused by trigger"):
        store.add([label(1), label(2), label(3), label(4)])
    assert store.labels() == [label(0)]
    store.close()


def test_sqlite_store_used_after_close_raises_storage_error(tmp_path: Path) -> None:
    store = SqliteLabelStore(tmp_path / "vigil.db")
    store.close()
    with pytest.raises(StorageError):
        store.labels()
    with pytest.raises(StorageError):
        store.add([label(1)])


# -- PostgreSQL only -------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_refuses_a_database_not_migrated() -> None:
    with postgres_schema(migrated=False) as engine:
        for adapter in (PostgresLabelStore, PostgresModelRegistry):
            with pytest.raises(ConfigError, match="not migrated"):
                adapter(engine)
