"""PostgreSQL for the tests: a fresh schema per test on the server of ``VIGIL_TEST_POSTGRES_URL``.

Tests that need PostgreSQL fail (never skip) when it cannot be reached, telling how to get one:
``scripts/ensure-postgres.sh`` installs, starts and prepares a local server for the default URL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, text

from vigil.adapters.postgres import connect, migrate
from vigil.errors import ConfigError

POSTGRES_URL = os.environ.get(
    "VIGIL_TEST_POSTGRES_URL", "postgresql+psycopg://vigil:vigil@127.0.0.1:5432/vigil_test"
)


_unavailable: list[str] = []  # why the server could not be reached, once: later tests fail at once


def _connect(search_path: str | None = None) -> Engine:
    if not _unavailable:
        try:
            return connect(POSTGRES_URL, search_path=search_path)
        except ConfigError as exc:
            _unavailable.append(str(exc))
    pytest.fail(
        f"PostgreSQL for the tests is not available: {_unavailable[0]}.\n"
        "Run `bash scripts/ensure-postgres.sh` (as root on Debian: installs, starts and prepares a"
        " local server), or point VIGIL_TEST_POSTGRES_URL at a database you may create schemas in.",
        pytrace=False,
    )


@contextmanager
def postgres_schema(*, migrated: bool = True) -> Iterator[Engine]:
    """An engine whose connections use a new, uniquely named schema (migrated), dropped afterwards."""
    schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    admin = _connect()
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = _connect(search_path=schema)
        try:
            if migrated:
                migrate(engine)
            yield engine
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '10s'"))  # fail, not hang, on a leaked connection
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@contextmanager
def postgres_url() -> Iterator[str]:
    """A database URL whose connections use a fresh, migrated schema (for a server in another process)."""
    with postgres_schema() as engine:
        with engine.connect() as conn:
            schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
        separator = "&" if "?" in POSTGRES_URL else "?"
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
