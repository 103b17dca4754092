"""PostgreSQL adapters for the storage ports, and the migrations that make their schema.

::

    engine = connect("postgresql+psycopg://vigil:secret@db:5432/vigil")   # ConfigError if unreachable
    migrate(engine)                                                        # alembic upgrade head
    journal = PostgresJournal(engine, batch_size=64)

``connect`` makes one SQLAlchemy engine (psycopg 3, a connection pool) that the adapters share; each
adapter refuses (``ConfigError``) a database not migrated to this release's schema. Tables live in the
first schema of the connection's ``search_path`` (``connect(url, search_path=...)``), never a
hard-coded ``public``. Migrations run from code: no ``alembic.ini``; ``alembic_config`` gives the
configuration to the alembic API (``alembic.command``) to write a new revision.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from vigil.adapters.postgres.access import PostgresAccessStore
from vigil.adapters.postgres.audit import PostgresAuditLog
from vigil.adapters.postgres.cases import PostgresCaseStore
from vigil.adapters.postgres.claims import PostgresClaimStore
from vigil.adapters.postgres.journal import PostgresJournal
from vigil.adapters.postgres.learning import PostgresLabelStore, PostgresModelRegistry
from vigil.adapters.postgres.ler import PostgresLerStore
from vigil.adapters.postgres.lists import PostgresListStore
from vigil.adapters.postgres.schema import REVISION, PostgresAtomic, reason, where
from vigil.adapters.postgres.screening import PostgresScreeningStore
from vigil.errors import ConfigError

__all__ = [
    "REVISION",
    "PostgresAccessStore",
    "PostgresAtomic",
    "PostgresAuditLog",
    "PostgresCaseStore",
    "PostgresClaimStore",
    "PostgresJournal",
    "PostgresLabelStore",
    "PostgresLerStore",
    "PostgresListStore",
    "PostgresModelRegistry",
    "PostgresScreeningStore",
    "alembic_config",
    "connect",
    "current_revision",
    "head_revision",
    "migrate",
]

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
_IDENTIFIERS = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*(,[A-Za-z_][A-Za-z0-9_$]*)*")
_MIGRATION_LOCK = 7_304_911_042  # pg_advisory_xact_lock key: one migration at a time per database


def connect(url: str | URL, *, search_path: str | None = None, **engine_options: Any) -> Engine:
    """An engine on PostgreSQL through psycopg 3, checked by connecting once.

    ``postgresql://`` URLs get the psycopg driver. Sessions use UTC, and ``search_path`` (a schema, or
    several separated by commas) when given. Raises ``ConfigError`` naming the server when the URL is
    not a PostgreSQL one or the server cannot be reached or refuses the login.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"not a database URL: {str(url)[:80]!r}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername != "postgresql+psycopg":
        raise ConfigError(
            f"not a PostgreSQL URL for psycopg 3: {parsed.render_as_string(hide_password=True)!r}"
            " (expected postgresql+psycopg://user:password@host:port/database)"
        )
    options = ["-c timezone=UTC"]
    if "options" in parsed.query:  # libpq options in the URL: kept, ahead of ours
        options.insert(0, " ".join(parsed.normalized_query["options"]))
        parsed = parsed.difference_update_query(["options"])
    if search_path is not None:
        if not _IDENTIFIERS.fullmatch(search_path):
            raise ConfigError(f"search_path must be schema names separated by commas, got {search_path!r}")
        options.append(f"-c search_path={search_path}")
    connect_args: dict[str, Any] = {"options": " ".join(options), "application_name": "vigil"}
    if "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = 10
    engine = create_engine(parsed, connect_args=connect_args, **engine_options)
    try:
        with engine.connect() as conn:
            conn.execute(select(func.current_schema()))
    except SQLAlchemyError as exc:
        engine.dispose()
        raise ConfigError(
            f"cannot connect to PostgreSQL at {where(engine)} as {parsed.username or 'the current user'}:"
            f" {reason(exc)}"
        ) from None
    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code; with ``connection``, migrations run on it.

    For example, a new revision against a migrated database:
    ``command.revision(alembic_config(conn), "what changed", autogenerate=True)``.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The revision the migrations end at (``REVISION``, which the adapters require)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise ConfigError(f"no migrations in {MIGRATIONS}: the package is incomplete")
    return head


def migrate(url_or_engine: str | URL | Engine) -> str:
    """Upgrade the database to the latest revision (idempotent); returns that revision.

    Concurrent callers (several processes starting at once) take turns on an advisory lock.
    """
    engine = url_or_engine if isinstance(url_or_engine, Engine) else connect(url_or_engine)
    try:
        with engine.begin() as conn:
            conn.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            command.upgrade(alembic_config(conn), "head")
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot migrate PostgreSQL database {where(engine)}: {reason(exc)}") from None
    except CommandError as exc:  # alembic's: typically a revision in the database this release does not know
        raise ConfigError(f"cannot migrate PostgreSQL database {where(engine)}: {exc}") from None
    finally:
        if engine is not url_or_engine:
            engine.dispose()
    return head_revision()


def current_revision(url_or_engine: str | URL | Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    engine = url_or_engine if isinstance(url_or_engine, Engine) else connect(url_or_engine)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise ConfigError(
            f"cannot read the revision of PostgreSQL database {where(engine)}: {reason(exc)}"
        ) from None
    finally:
        if engine is not url_or_engine:
            engine.dispose()
