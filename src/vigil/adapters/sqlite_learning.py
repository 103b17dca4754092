"""SQLite label store and model registry (WAL), in the journal's database file by default.

Every table is append-only, read in rowid order (the order added): ``learning_labels`` one row per
label, ``learning_models`` one row per model (its LightGBM file and JSON sidecar as TEXT),
``learning_promotions`` one row per promotion. Current labels and serving models are folds over those rows.

Each store opens a path (or ":memory:") on a connection of its own, which ``close`` closes; or it works
on a connection it is given, which stays its owner's: ``close`` leaves it open, and a write made while
the owner has a transaction open becomes durable when the owner commits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from vigil.adapters.memory_learning import check_promotion, check_version, latest_by_event, serving_of
from vigil.adapters.sqlite_open import SqliteStore
from vigil.errors import Conflict
from vigil.model.learning import Label, ModelVersion, Promotion

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS learning_labels (
        seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, account_id TEXT NOT NULL,
        illicit INTEGER NOT NULL, typology TEXT NOT NULL, source TEXT NOT NULL, at_us INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS learning_models (
        seq INTEGER PRIMARY KEY, model_id TEXT NOT NULL UNIQUE, region TEXT NOT NULL,
        created_us INTEGER NOT NULL, catalog_hash TEXT NOT NULL,
        model_text TEXT NOT NULL, sidecar TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS learning_promotions (
        seq INTEGER PRIMARY KEY, region TEXT NOT NULL, model_id TEXT NOT NULL, at_us INTEGER NOT NULL,
        promoted_by TEXT NOT NULL, reason TEXT NOT NULL, previous TEXT
    )""",
)
_LABEL = "event_id, account_id, illicit, typology, source, at_us"
_VERSION = "model_id, region, created_us, catalog_hash, model_text, sidecar"
_PROMOTION = "region, model_id, at_us, promoted_by, reason, previous"


class _SqliteStore(SqliteStore):
    """A connection (opened here, or given) with the learning tables, and sqlite3 errors mapped to Vigil's."""

    def __init__(self, path_or_connection: str | Path | sqlite3.Connection) -> None:
        super().__init__(path_or_connection, SCHEMA)


class SqliteLabelStore(_SqliteStore):
    """Keeps every label added as one row of ``labels`` (duplicates included: they are history)."""

    def add(self, labels: Sequence[Label]) -> int:
        rows = [(b.event_id, b.account_id, int(b.illicit), b.typology, b.source, b.at_us) for b in labels]
        with self._write("add labels") as db:
            db.executemany(f"INSERT INTO learning_labels ({_LABEL}) VALUES (?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def labels(self, since_us: int | None = None) -> list[Label]:
        with self._io("read labels") as db:
            rows = (
                db.execute(f"SELECT {_LABEL} FROM learning_labels ORDER BY seq")
                if since_us is None
                else db.execute(
                    f"SELECT {_LABEL} FROM learning_labels WHERE at_us >= ? ORDER BY seq", (since_us,)
                )
            )
            return [Label(e, a, bool(i), t, s, at) for e, a, i, t, s, at in rows]

    def current(self) -> dict[str, Label]:
        return latest_by_event(self.labels())

    def count(self) -> int:
        with self._io("count labels") as db:
            (n,) = db.execute("SELECT COUNT(*) FROM learning_labels").fetchone()
        return int(n)


class SqliteModelRegistry(_SqliteStore):
    """Keeps each model version as a row of ``model_versions``, each promotion as a row of ``promotions``."""

    def add(self, version: ModelVersion) -> None:
        check_version(version)
        v = version
        with self._write("add a model version") as db:
            try:
                db.execute(
                    f"INSERT INTO learning_models ({_VERSION}) VALUES (?, ?, ?, ?, ?, ?)",
                    (v.model_id, v.region, v.created_us, v.catalog_hash, v.model_text, v.sidecar),
                )
            except sqlite3.IntegrityError as exc:
                if exc.sqlite_errorname != "SQLITE_CONSTRAINT_UNIQUE":
                    raise
                raise Conflict(f"model {v.model_id!r} is already in the registry") from None

    def get(self, model_id: str) -> ModelVersion | None:
        with self._io("read a model version") as db:
            row = db.execute(
                f"SELECT {_VERSION} FROM learning_models WHERE model_id = ?", (model_id,)
            ).fetchone()
        return None if row is None else ModelVersion(*row)

    def versions(self, region: str | None = None) -> list[ModelVersion]:
        with self._io("read model versions") as db:
            rows = (
                db.execute(f"SELECT {_VERSION} FROM learning_models ORDER BY seq")
                if region is None
                else db.execute(
                    f"SELECT {_VERSION} FROM learning_models WHERE region = ? ORDER BY seq", (region,)
                )
            )
            return [ModelVersion(*row) for row in rows]

    def promote(self, promotion: Promotion) -> None:
        p = promotion
        # Versions are never changed or removed, so the one checked here is the one promoted.
        check_promotion(p, self.get(p.model_id) if p.model_id else None)
        with self._write("record a promotion") as db:
            db.execute(
                f"INSERT INTO learning_promotions ({_PROMOTION}) VALUES (?, ?, ?, ?, ?, ?)",
                (p.region, p.model_id, p.at_us, p.by, p.reason, p.previous),
            )

    def serving(self) -> dict[str, str]:
        return serving_of(self.promotions())

    def promotions(self, region: str | None = None) -> list[Promotion]:
        with self._io("read promotions") as db:
            rows = (
                db.execute(f"SELECT {_PROMOTION} FROM learning_promotions ORDER BY seq")
                if region is None
                else db.execute(
                    f"SELECT {_PROMOTION} FROM learning_promotions WHERE region = ? ORDER BY seq", (region,)
                )
            )
            return [Promotion(*row) for row in rows]
