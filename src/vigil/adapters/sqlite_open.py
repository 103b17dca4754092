"""Opening a SQLite database file the way the stores that share it expect: autocommit, WAL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from vigil.errors import ConfigError


def connect(path: str | Path, schema: str = "") -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL with ``synchronous=NORMAL``,
    usable from the thread that serves it; ``schema`` (``CREATE ... IF NOT EXISTS``) run once. A
    missing directory or a file that is not a database is a ``ConfigError`` naming the path."""
    path = str(path)
    if path != ":memory:" and not Path(path).parent.is_dir():
        raise ConfigError(f"cannot open {path}: directory {Path(path).parent} does not exist")
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        if schema:
            db.executescript(schema)
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot open {path}: {exc}") from None
    return db
