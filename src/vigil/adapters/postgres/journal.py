"""PostgreSQL journal: events and their decisions, for a service that runs more than one process.

Behaves as the SQLite journal does. Records are buffered and written together (group commit) when
``batch_size`` of them are pending, on ``flush`` and on ``close``; ``batch_size=1`` makes a record
durable before ``record`` returns. ``get`` answers a pending record from the buffer without a query.

A flush is one transaction of two multi-row inserts: the events, ``RETURNING`` their ``seq``
(SQLAlchemy's insertmanyvalues, in parameter order), then the decisions carrying those ``seq``. A
single record is one statement instead (the event inserted in a CTE, its decision inserted from the
``seq`` it returns), atomic by itself and sent without ``BEGIN``/``COMMIT``: one round trip rather
than four, which doubles the rate of the synchronous path.

An event id already stored (or a value PostgreSQL refuses, such as a NUL character in an id) makes
the whole batch fail; it is then written one record at a time, so every other record is kept and
those not stored are named in the ``StorageError``. Any other failure (the server is gone) leaves the
batch pending, to be written by the next ``flush``.

The engine belongs to the caller (several adapters share one): ``close`` flushes but does not
dispose of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Double, Engine, LargeBinary, SmallInteger, Text, bindparam, func, insert, select
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from vigil.adapters.postgres.schema import check_schema, connection, decisions, events, reason, where
from vigil.codec import decode_decision, decode_event, encode_decision, encode_event
from vigil.errors import ConfigError, StorageError
from vigil.model import Decision, Event

_Row = dict[str, Any]
_Pending = tuple[_Row, _Row, Decision]  # the event's row, the decision's row (without seq), the decision

_INSERT_EVENTS = insert(events).returning(events.c.seq, sort_by_parameter_order=True)
_INSERT_DECISIONS = insert(decisions)
_recorded = (
    insert(events)
    .values({name: bindparam(name) for name in ("event_id", "account_id", "type", "ts", "body")})
    .returning(events.c.seq)
    .cte("recorded")
)
_RECORD_ONE = insert(decisions).from_select(
    ["seq", "event_id", "account_id", "outcome", "score", "body"],
    select(
        _recorded.c.seq,
        bindparam("event_id", type_=Text),
        bindparam("decision_account_id", type_=Text),
        bindparam("outcome", type_=SmallInteger),
        bindparam("score", type_=Double),
        bindparam("decision_body", type_=LargeBinary),
    ),
)
_GET = select(decisions.c.body).where(decisions.c.event_id == bindparam("event_id"))
_FOR_ACCOUNT = (
    select(decisions.c.body)
    .where(decisions.c.account_id == bindparam("account_id"))
    .order_by(decisions.c.seq.desc())
    .limit(bindparam("limit"))
)
_EVENTS = select(events.c.body).order_by(events.c.seq)
_DECIDED = (
    select(events.c.body, decisions.c.body)
    .join(decisions, decisions.c.seq == events.c.seq)
    .order_by(events.c.seq)
)
_HISTORY = (
    select(events.c.body, decisions.c.body)
    .join(decisions, decisions.c.seq == events.c.seq)
    .where(events.c.account_id == bindparam("account_id"))
    .order_by(events.c.seq.desc())
    .limit(bindparam("limit"))
)
_TAIL = (
    select(events.c.seq, events.c.body, decisions.c.body)
    .join(decisions, decisions.c.seq == events.c.seq)
    .where(events.c.seq > bindparam("after"))
    .order_by(events.c.seq)
)
_POSITION = select(func.coalesce(func.max(events.c.seq), 0))
_COUNT = select(func.count()).select_from(events)

# SQLSTATE classes that fault a record, not the database: data exception (a NUL in an id), integrity
# constraint violation (an id already recorded), program limit exceeded (an id too long to index).
_RECORD_FAULTS = ("22", "23", "54")


def _short(event_id: str) -> str:
    return event_id if len(event_id) <= 80 else f"{event_id[:60]}... ({len(event_id)} characters)"


def _sqlstate(exc: SQLAlchemyError) -> str | None:
    return getattr(getattr(exc, "orig", None), "sqlstate", None)


def _about_a_record(exc: SQLAlchemyError) -> bool:
    """True when the error is due to a record's content: writing the others alone would succeed."""
    if isinstance(exc, IntegrityError | DataError):  # DataError also when psycopg refuses a value itself
        return True
    sqlstate = _sqlstate(exc)
    return sqlstate is not None and sqlstate[:2] in _RECORD_FAULTS


class PostgresJournal:
    def __init__(self, engine: Engine, *, batch_size: int = 1) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        check_schema(engine)
        self.engine = engine
        self.batch_size = batch_size
        self._where = where(engine)
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")  # the same pool
        self._pending: dict[str, _Pending] = {}

    # -- writing ---------------------------------------------------------------------------
    def record(self, event: Event, decision: Decision) -> None:
        event_id = event.event_id
        if event_id != decision.event_id:
            raise StorageError(f"decision for {decision.event_id!r} recorded with event {event_id!r}")
        if event_id in self._pending:
            raise StorageError(f"event {event_id!r} is already recorded")
        event_row = {
            "event_id": event_id,
            "account_id": event.account_id,
            "type": event.TYPE.value,
            "ts": event.ts,
            "body": encode_event(event),
        }
        decision_row = {
            "event_id": event_id,
            "account_id": decision.account_id,
            "outcome": int(decision.outcome),
            "score": decision.score,
            "body": encode_decision(decision),
        }
        self._pending[event_id] = (event_row, decision_row, decision)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        batch = list(self._pending.values())
        try:
            self._write(batch)
        except SQLAlchemyError as exc:
            if not _about_a_record(exc):
                # Nothing was written (the transaction rolled back): the records stay pending for a retry.
                raise StorageError(
                    f"cannot write {len(batch)} records to the journal (PostgreSQL {self._where}):"
                    f" {reason(exc)}"
                ) from exc
            self._write_one_by_one(batch)
            return
        self._pending.clear()

    def _write(self, batch: list[_Pending]) -> None:
        """All of ``batch`` in one transaction, or nothing."""
        if len(batch) == 1:
            ((event_row, decision_row, _),) = batch
            params = {
                **event_row,
                "decision_account_id": decision_row["account_id"],
                "outcome": decision_row["outcome"],
                "score": decision_row["score"],
                "decision_body": decision_row["body"],
            }
            with self._autocommit.connect() as conn:
                conn.execute(_RECORD_ONE, params)
            return
        with self.engine.begin() as conn:
            seqs = conn.execute(_INSERT_EVENTS, [e for e, _, _ in batch]).scalars().all()
            conn.execute(
                _INSERT_DECISIONS, [{**d, "seq": s} for (_, d, _), s in zip(batch, seqs, strict=True)]
            )

    def _write_one_by_one(self, batch: list[_Pending]) -> None:
        """Each record in its own transaction, so that one bad record does not cost the others.

        Raises ``StorageError`` naming the records not stored (already recorded, or refused by the
        database), which leave the buffer; a failure that is not about a record stops here and leaves
        the records not yet written pending.
        """
        duplicates: list[str] = []
        refused: list[str] = []
        for pending in batch:
            event_id = pending[0]["event_id"]
            try:
                self._write([pending])
            except SQLAlchemyError as exc:
                if not _about_a_record(exc):
                    raise StorageError(
                        f"cannot write event {event_id!r} (PostgreSQL {self._where}): {reason(exc)}"
                    ) from exc
                if _sqlstate(exc) == "23505":  # unique_violation: the event id is taken
                    duplicates.append(_short(event_id))
                else:
                    refused.append(f"{_short(event_id)!r} ({reason(exc)})")
            del self._pending[event_id]
        problems = []
        if duplicates:
            problems.append(f"events already recorded, not stored again: {', '.join(duplicates)}")
        if refused:
            problems.append(f"events refused by PostgreSQL, not stored: {', '.join(refused)}")
        if problems:
            raise StorageError("; ".join(problems))

    # -- reading ---------------------------------------------------------------------------
    def get(self, event_id: str) -> Decision | None:
        pending = self._pending.get(event_id)
        if pending is not None:
            return pending[2]
        with connection(self.engine, f"read the decision of {event_id!r}") as conn:
            body = conn.execute(_GET, {"event_id": event_id}).scalar()
        return None if body is None else decode_decision(body)

    def for_account(self, account_id: str, limit: int = 50) -> list[Decision]:
        self.flush()
        if limit <= 0:
            return []
        with connection(self.engine, f"read the decisions of {account_id!r}") as conn:
            bodies = conn.execute(_FOR_ACCOUNT, {"account_id": account_id, "limit": limit}).scalars().all()
        return [decode_decision(b) for b in bodies]

    def account_history(
        self, account_id: str, limit: int = 50, *, trace: bool = True
    ) -> list[tuple[Event, Decision]]:
        self.flush()
        if limit <= 0:
            return []
        with connection(self.engine, f"read the history of {account_id!r}") as conn:
            rows = conn.execute(_HISTORY, {"account_id": account_id, "limit": limit}).all()
        return [(decode_event(e), decode_decision(d, trace=trace)) for e, d in rows]

    def events(self) -> Iterator[Event]:
        self.flush()
        with connection(self.engine, "read events") as conn:
            # A server-side cursor: the journal is read in pages, never held in memory whole.
            result = conn.execution_options(yield_per=1000).execute(_EVENTS)
            for body in result.scalars():
                yield decode_event(body)

    def decided(self, start: int = 0) -> Iterator[tuple[Event, Decision]]:
        self.flush()
        with connection(self.engine, "read events and decisions") as conn:
            query = _DECIDED.offset(start) if start > 0 else _DECIDED
            result = conn.execution_options(yield_per=1000).execute(query)
            for event, decision in result:
                yield decode_event(event), decode_decision(decision)

    def tail(self, after: int = 0, *, trace: bool = True) -> Iterator[tuple[int, Event, Decision]]:
        """Records after ``after``, by the ``seq`` primary key, read in pages (a server-side cursor)."""
        self.flush()
        with (
            connection(self.engine, "read the journal's tail") as conn,
            conn.execution_options(yield_per=1000).execute(_TAIL, {"after": after}) as result,
        ):  # a reader that stops early (the record at one position) closes the server-side cursor
            for seq, event, decision in result:
                yield int(seq), decode_event(event), decode_decision(decision, trace=trace)

    def position(self) -> int:
        self.flush()
        with connection(self.engine, "read the journal's position") as conn:
            return int(conn.execute(_POSITION).scalar_one())

    def count(self) -> int:
        self.flush()
        with connection(self.engine, "count events") as conn:
            return int(conn.execute(_COUNT).scalar_one())

    def close(self) -> None:
        self.flush()
