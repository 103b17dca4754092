"""PostgreSQL audit log, append-only as the SQLite one is.

Table ``audit_log``: one row per record, ``seq`` its primary key. Vigil only ever inserts into it, and
a trigger makes PostgreSQL refuse an UPDATE, a DELETE or a TRUNCATE made through SQL by mistake. That
is no protection against a role that may drop the trigger (the table's owner): that is what
``vigil audit verify`` detects (docs/audit.md), within the limits of a hash chain.

``append`` takes a transaction-level advisory lock (one per schema) before it reads the last record,
so appenders from several processes take turns and each checks the record it extends is still the
last; the primary key on ``seq`` is the last guard.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, Select, func, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from vigil.adapters.memory_audit import check_append, check_limit
from vigil.adapters.postgres.schema import audit_log, begin, check_schema, connection, reason, where
from vigil.errors import Conflict, StorageError
from vigil.model.audit import GENESIS, AuditRecord

_a = audit_log.c
_RECORDS = select(
    _a.seq, _a.at_us, _a.actor, _a.action, _a.subject, _a.detail, _a.prev_hash, _a.hash, _a.system
)
_LAST = _RECORDS.order_by(_a.seq.desc()).limit(1)
_TIP = select(_a.seq, _a.hash).order_by(_a.seq.desc()).limit(1)
_APPEND = insert(audit_log)
_COUNT = select(func.count()).select_from(audit_log)
# Advisory locks are per database: the key names the schema, so logs in other schemas do not wait.
_LOCK = select(func.pg_advisory_xact_lock(func.hashtext(func.concat(func.current_schema(), ".audit_log"))))


class PostgresAuditLog:
    """The ``AuditLog`` port on PostgreSQL. A row that is not a valid record (an empty actor, say: the
    table was changed outside Vigil) is ``StorageError`` naming its seq."""

    def __init__(self, engine: Engine) -> None:
        check_schema(engine)
        self.engine = engine

    def append(self, record: AuditRecord) -> None:
        r = record
        row = {
            "seq": r.seq,
            "at_us": r.at_us,
            "actor": r.actor,
            "action": r.action,
            "subject": r.subject,
            "detail": r.detail,
            "prev_hash": r.prev_hash,
            "hash": r.hash,
            "system": r.system,
        }
        try:
            with begin(self.engine) as conn:
                conn.execute(_LOCK)
                tip = conn.execute(_TIP).first()
                last_seq, last_hash = (0, GENESIS) if tip is None else (int(tip[0]), str(tip[1]))
                check_append(last_seq, last_hash, r)  # Conflict: the transaction rolls back
                conn.execute(_APPEND, row)
        except IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) != "23505":  # not unique_violation: not a race
                raise StorageError(
                    f"cannot append audit record {r.seq} (PostgreSQL {where(self.engine)}): {reason(exc)}"
                ) from exc
            raise Conflict(f"audit record {r.seq} cannot be appended: the log changed meanwhile") from None
        except SQLAlchemyError as exc:
            raise StorageError(
                f"cannot append audit record {r.seq} (PostgreSQL {where(self.engine)}): {reason(exc)}"
            ) from exc

    def last(self) -> AuditRecord | None:
        with connection(self.engine, "read the last audit record") as conn:
            row = conn.execute(_LAST).first()
        return None if row is None else self._record(row)

    def records(
        self,
        since_seq: int = 0,
        subject: str | None = None,
        actor: str | None = None,
        limit: int | None = None,
    ) -> Iterator[AuditRecord]:
        check_limit(limit)
        query = _RECORDS.where(_a.seq > since_seq)
        if subject is not None:
            query = query.where(_a.subject == subject)
        if actor is not None:
            query = query.where(_a.actor == actor)
        query = query.order_by(_a.seq)
        if limit is not None:
            query = query.limit(limit)
        return self._scan(query)

    def _scan(self, query: Select[Any]) -> Iterator[AuditRecord]:
        with connection(self.engine, "read audit records") as conn:
            # A server-side cursor: a whole log reads in constant memory.
            for row in conn.execution_options(yield_per=1000).execute(query):
                yield self._record(row)

    def _record(self, row: Sequence[Any]) -> AuditRecord:
        try:
            seq, at_us, actor, action, subject, detail, prev_hash, hash_, system = row
            return AuditRecord(seq, at_us, actor, action, subject, detail, prev_hash, hash_, bool(system))
        except (TypeError, ValueError) as exc:
            raise StorageError(
                f"audit record {row[0]} in PostgreSQL {where(self.engine)} is not a valid record ({exc}):"
                " the table was changed outside Vigil"
            ) from None

    def count(self) -> int:
        with connection(self.engine, "count audit records") as conn:
            return int(conn.execute(_COUNT).scalar_one())

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller."""
