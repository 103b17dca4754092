"""The PostgreSQL schema of every storage port, as SQLAlchemy Core tables, and the checks the adapters share.

This is the schema migration ``REVISION`` (``migrations/versions``) creates; a test compares the two.
Order that matters is kept by ``seq`` identity columns (events, clearances, alerts, access records,
labels, models, promotions), by an entry's position in its snapshot, or by the record's own number
(a case's entries, the audit log). Bodies are the msgspec JSON of the record, as in SQLite; the other
columns are what queries filter and sort on. The learning, desk and audit tables have a column per
field instead, as their SQLite tables do (a case entry's details are JSON text). Tables are
unqualified: they live in the first schema of the connection's ``search_path``. Times in µs are BIGINT.

``case_events``, ``claim_events``, ``audit_log``, ``ler_events`` and ``ler_attachments`` are
append-only: triggers that the migrations create (not declared here: the comparison does not see
triggers) refuse UPDATE, DELETE and TRUNCATE on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    Table,
    Text,
    false,
    func,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from vigil.errors import ConfigError, StorageError

REVISION = "0005"  # the migration that leaves the database as declared here (alembic head)

# PostgreSQL's own default names, so constraints declared here and reflected ones compare equal.
metadata = MetaData(
    naming_convention={
        "pk": "%(table_name)s_pkey",
        "uq": "%(table_name)s_%(column_0_N_name)s_key",
        "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    }
)


def _seq() -> Column[int]:
    return Column("seq", BigInteger, Identity(always=False), primary_key=True)


# -- journal ------------------------------------------------------------------------------------
events = Table(
    "events",
    metadata,
    _seq(),
    Column("event_id", Text, nullable=False, unique=True),
    Column("account_id", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Index("events_by_account", "account_id", "seq"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("seq", BigInteger, ForeignKey("events.seq"), primary_key=True),
    Column("event_id", Text, nullable=False, unique=True),
    Column("account_id", Text, nullable=False),
    Column("outcome", SmallInteger, nullable=False),
    Column("score", Double, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Index("decisions_by_account", "account_id", "seq"),
)

# -- screening lists ----------------------------------------------------------------------------
list_snapshots = Table(
    "list_snapshots",
    metadata,
    Column("source", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("origin", Text, nullable=False),
    Column("entries", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("digest", Text, nullable=False),
    Column("list_date", Text, nullable=False),
)

list_entries = Table(
    "list_entries",
    metadata,
    Column("source", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("body", LargeBinary, nullable=False),
    ForeignKeyConstraint(["source", "version"], ["list_snapshots.source", "list_snapshots.version"]),
)

# -- screening memory ---------------------------------------------------------------------------
screening_customers = Table(
    "screening_customers",
    metadata,
    Column("customer_id", Text, primary_key=True),
    Column("body", LargeBinary, nullable=False),
)

screening_addresses = Table(
    "screening_addresses",
    metadata,
    Column("key", Text, primary_key=True),
    Column("account_id", Text, primary_key=True),
)

screening_clearances = Table(
    "screening_clearances",
    metadata,
    _seq(),
    Column("customer_id", Text, nullable=False),
    Column("entry_id", Text, nullable=False),
    Column("entry_digest", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("approved_by", Text, nullable=False, server_default=""),  # "": a request, not in force
    Index("clearances_by_customer", "customer_id", "seq"),
)

screening_alerts = Table(
    "screening_alerts",
    metadata,
    _seq(),
    Column("key", Text, nullable=False, unique=True),
    Column("customer_id", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Index("alerts_by_customer", "customer_id", "seq"),
)


# -- access -------------------------------------------------------------------------------------
def _access(name: str) -> Table:
    return Table(
        name,
        metadata,
        _seq(),
        Column("id", Text, nullable=False, unique=True),
        Column("body", LargeBinary, nullable=False),
    )


access_keys = _access("access_keys")
access_users = _access("access_users")
access_sessions = _access("access_sessions")

# -- learning -----------------------------------------------------------------------------------
learning_labels = Table(
    "learning_labels",
    metadata,
    _seq(),
    Column("event_id", Text, nullable=False),
    Column("account_id", Text, nullable=False),
    Column("illicit", Boolean, nullable=False),
    Column("typology", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("at_us", BigInteger, nullable=False),
)

learning_models = Table(
    "learning_models",
    metadata,
    _seq(),
    Column("model_id", Text, nullable=False, unique=True),
    Column("region", Text, nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("catalog_hash", Text, nullable=False),
    Column("model_text", Text, nullable=False),
    Column("sidecar", Text, nullable=False),
)

learning_promotions = Table(
    "learning_promotions",
    metadata,
    _seq(),
    Column("region", Text, nullable=False),
    Column("model_id", Text, ForeignKey("learning_models.model_id"), nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("promoted_by", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("previous", Text),
)

# -- the security desk --------------------------------------------------------------------------
case_events = Table(
    "case_events",
    metadata,
    Column("case_id", Text, primary_key=True),
    Column("seq", Integer, primary_key=True),  # 1, 2, 3 ... within the case
    Column("at_us", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("data", Text, nullable=False),  # JSON, keys sorted, as in SQLite
    Column("system", Boolean, nullable=False, server_default=false()),  # the desk's own step
)

case_order = Table(
    "case_order",
    metadata,
    Column("n", BigInteger, Identity(always=False), primary_key=True),
    Column("case_id", Text, nullable=False, unique=True),
)

desk_cursor = Table(
    "desk_cursor",
    metadata,
    Column("one", SmallInteger, primary_key=True, autoincrement=False),
    Column("journal", BigInteger, nullable=False),
    CheckConstraint("one = 1", name="desk_cursor_one_check"),  # a single row
)

# -- requests from authorities ------------------------------------------------------------------
ler_events = Table(
    "ler_events",
    metadata,
    Column("request_id", Text, primary_key=True),
    Column("seq", Integer, primary_key=True),  # 1, 2, 3 ... within the request
    Column("at_us", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("data", Text, nullable=False),  # JSON, keys sorted, as in SQLite
    Column("system", Boolean, nullable=False, server_default=false()),
)

ler_order = Table(
    "ler_order",
    metadata,
    Column("n", BigInteger, Identity(always=False), primary_key=True),
    Column("request_id", Text, nullable=False, unique=True),
)

ler_attachments = Table(
    "ler_attachments",
    metadata,
    Column("sha256", Text, primary_key=True),
    Column("content", LargeBinary, nullable=False),
)

# -- recovery of funds sent by mistake -----------------------------------------------------------
recovery_deposits = Table(
    "recovery_deposits",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("n", BigInteger, Identity(always=False), nullable=False),  # the order added
    Column("account_id", Text, nullable=False),
    Column("region", Text, nullable=False),
    Column("ts_us", BigInteger, nullable=False),
    Column("chain", Text, nullable=False),
    Column("tx_hash", Text, nullable=False),
    Column("asset", Text, nullable=False),
    Column("amount", Text, nullable=False),  # base units exceed 64 bits in wei
    Column("fiat_value", Text, nullable=False),
    Column("source_address", Text),
    Column("reason", Text),  # NULL: a deposit that was credited
    Column("deposit_address", Text),
    Column("memo", Text),
    Index("recovery_deposits_tx", "tx_hash"),
    Index("recovery_deposits_n", "n"),
)

recovery_cursor = Table(
    "recovery_cursor",
    metadata,
    Column("one", SmallInteger, primary_key=True, autoincrement=False),
    Column("journal", BigInteger, nullable=False),
    CheckConstraint("one = 1", name="recovery_cursor_one_check"),  # a single row
)

claim_events = Table(
    "claim_events",
    metadata,
    Column("claim_id", Text, primary_key=True),
    Column("seq", Integer, primary_key=True),  # 1, 2, 3 ... within the claim
    Column("at_us", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("data", Text, nullable=False),  # JSON, keys sorted, as in SQLite
    Column("system", Boolean, nullable=False, server_default=false()),  # Vigil's own step
)

claim_order = Table(
    "claim_order",
    metadata,
    Column("n", BigInteger, Identity(always=False), primary_key=True),
    Column("claim_id", Text, nullable=False, unique=True),
)

# -- audit --------------------------------------------------------------------------------------
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),  # the record's own seq
    Column("at_us", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
    Column("system", Boolean, nullable=False, server_default=false()),  # what Vigil did by itself
    Index("audit_log_subject", "subject", "seq"),
    Index("audit_log_actor", "actor", "seq"),
)


# -- shared by the adapters ---------------------------------------------------------------------
def reason(exc: BaseException) -> str:
    """The first line of the database's own message, without SQLAlchemy's SQL and parameters."""
    orig = getattr(exc, "orig", None)
    lines = str(orig if orig is not None else exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def where(engine: Engine | Connection) -> str:
    """``host:port/database`` of an engine or connection, for messages (never the password)."""
    url = engine.engine.url
    host = url.host or "local socket"
    return f"{host}:{url.port or 5432}/{url.database or ''}"


# The connection of the transaction ``PostgresAtomic.atomic`` holds open, with its engine: the stores
# of that engine work on it (their writes as savepoints) until it commits.
_BOUND: ContextVar[tuple[Engine, Connection] | None] = ContextVar("vigil_pg_transaction", default=None)


def _bound(engine: Engine) -> Connection | None:
    bound = _BOUND.get()
    return bound[1] if bound is not None and bound[0] is engine else None


@contextmanager
def begin(engine: Engine) -> Iterator[Connection]:
    """A transaction on ``engine``, committed at the end; inside ``PostgresAtomic.atomic()`` a
    savepoint on its connection (undone alone if the body raises, committed with the whole)."""
    conn = _bound(engine)
    if conn is None:
        with engine.begin() as conn:
            yield conn
    else:
        with conn.begin_nested():
            yield conn


@contextmanager
def connection(engine: Engine, what: str, *, write: bool = False) -> Iterator[Connection]:
    """A pooled connection (with ``write``, in a transaction committed at the end), or the connection of
    the ``PostgresAtomic`` transaction open on ``engine``.

    Any SQLAlchemy/psycopg error inside becomes a ``StorageError`` saying ``cannot <what>`` and where.
    """
    try:
        bound = _bound(engine)
        if bound is not None and not write:
            yield bound
        else:
            with begin(engine) if write else engine.connect() as conn:
                yield conn
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot {what} (PostgreSQL {where(engine)}): {reason(exc)}") from exc


class PostgresAtomic:
    """The ``Atomic`` port on PostgreSQL: one connection and one transaction for every store of the
    engine, for as long as ``atomic()`` is open (in this thread or task)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def atomic(self) -> Iterator[None]:
        if _bound(self.engine) is not None:  # joins the transaction already open
            yield
            return
        try:
            with self.engine.begin() as conn:
                token = _BOUND.set((self.engine, conn))
                try:
                    yield
                finally:
                    _BOUND.reset(token)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot commit (PostgreSQL {where(self.engine)}): {reason(exc)}") from exc


def check_schema(engine: Engine) -> None:
    """Raise ``ConfigError`` unless the database is reachable and migrated to ``REVISION``."""
    try:
        with engine.connect() as conn:
            schema = conn.execute(select(func.current_schema())).scalar()
            exists = conn.execute(select(func.to_regclass("alembic_version").is_not(None))).scalar()
            revision = (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if exists else None
            )
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot use PostgreSQL at {where(engine)}: {reason(exc)}") from None
    if schema is None:
        raise ConfigError(f"PostgreSQL database {where(engine)}: no schema of the search_path exists")
    if revision != REVISION:
        found = "not migrated" if revision is None else f"at revision {revision}, this Vigil needs {REVISION}"
        raise ConfigError(
            f"PostgreSQL database {where(engine)} (schema {schema}) is {found}:"
            " run vigil.adapters.postgres.migrate on it first"
        )
