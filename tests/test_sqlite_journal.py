"""The SQLite journal's background checkpoints: the WAL is folded into the database off the request path."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import Events, make_engine
from vigil.adapters.sqlite import SqliteJournal


def test_background_checkpoints_keep_every_record_and_stop_on_close(tmp_path: Path, events: Events) -> None:
    path = tmp_path / "j.db"
    journal = SqliteJournal(path, batch_size=10, background_checkpoint=True)
    engine = make_engine(journal)
    for i in range(50):
        engine.decide(events.deposit(i, account_id=f"a{i % 5}"))
    engine.close()
    assert journal._checkpointer is not None and not journal._checkpointer._thread.is_alive()
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0 or _checkpointed(path)
    reopened = SqliteJournal(path)
    try:
        assert reopened.count() == 50
    finally:
        reopened.close()


def _checkpointed(path: Path) -> bool:
    """True when the WAL holds nothing the database lacks (a passive checkpoint moved every frame)."""
    db = sqlite3.connect(path)
    try:
        busy, log, moved = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        db.close()
    return bool(busy == 0 and log == moved)
