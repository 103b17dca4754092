"""Append-only histories on PostgreSQL, kept as ``sqlite_history`` keeps them (the same ``HistoryTable``),
and the trigger the migrations put on every append-only table (``append_only``).

``append`` is one transaction: it reads each key's last seq, checks the batch continues it
(``check_next``) and inserts. A second writer appending the same seq meanwhile waits on the primary
key until the first commits, then fails on it: that is ``Conflict`` too, and stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Generic

from sqlalchemy import Connection, Engine, Table, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from vigil.adapters.postgres.schema import begin, check_schema, connection, reason, where
from vigil.adapters.sqlite_history import E, HistoryTable
from vigil.errors import Conflict, StorageError


def append_only(table: str, message: str) -> str:
    """The trigger that refuses UPDATE, DELETE and TRUNCATE on ``table``, raising ``message`` (through
    ``vigil_refuse_change``, from revision 0002). Migrations run it: what it returns must never change."""
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change('{message}')"
    )


class PostgresHistoryStore(Generic[E]):
    """A store whose entries live in one history table: ``events`` and ``order`` from ``schema.py``."""

    def __init__(self, engine: Engine, table: HistoryTable[E], events: Table, order: Table) -> None:
        check_schema(engine)
        self.engine, self._table = engine, table
        e, key, numbered = events.c, events.c[table.key], order.c[table.key]
        self._last = (
            select(key, func.max(e.seq)).where(key.in_(bindparam("ids", expanding=True))).group_by(key)
        )
        self._insert = insert(events)
        self._number = pg_insert(order).on_conflict_do_nothing(index_elements=[numbered])
        entries = select(*(e[c] for c in table.columns))
        self._of_key = entries.where(key == bindparam("key")).order_by(e.seq)
        self._in_order = entries.join(order, numbered == key).order_by(order.c.n, e.seq)
        self._counted = select(func.count()).select_from(order)

    def append(self, events: Sequence[E]) -> None:
        if events:
            self._append(events)

    def history(self, key: str) -> list[E]:
        with connection(self.engine, f"read the history of {self._table.noun} {key!r}") as conn:
            return [self._table.entry_of(r) for r in conn.execute(self._of_key, {"key": key})]

    def all_events(self) -> Iterator[E]:
        with connection(self.engine, f"read the {self._table.noun} histories") as conn:
            # A server-side cursor: every entry is read, never all held in memory at once.
            for row in conn.execution_options(yield_per=1000).execute(self._in_order):
                yield self._table.entry_of(row)

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller (``bootstrap`` disposes of it)."""

    def _count(self) -> int:
        with connection(self.engine, f"count {self._table.noun}s") as conn:
            return int(conn.execute(self._counted).scalar_one())

    def _append(self, events: Sequence[E], then: Callable[[Connection], None] | None = None) -> None:
        """Append in one transaction, and ``then`` in it (stored with the entries, or not at all)."""
        t = self._table
        rows = [dict(zip(t.columns, t.row(e), strict=True)) for e in events]
        opened = [{t.key: t.key_of(e)} for e in events if e.seq == 1]
        try:
            with begin(self.engine) as conn:
                if rows:
                    ids = sorted({t.key_of(e) for e in events})
                    last = {key: int(n) for key, n in conn.execute(self._last, {"ids": ids})}
                    t.check_next(events, last)  # Conflict: the transaction rolls back, nothing is stored
                    conn.execute(self._insert, rows)
                    if opened:
                        conn.execute(self._number, opened)
                if then is not None:
                    then(conn)
        except SQLAlchemyError as exc:
            if isinstance(exc, IntegrityError) and getattr(exc.orig, "sqlstate", None) == "23505":
                raise Conflict(f"{t.noun} history changed meanwhile: {reason(exc)}") from None  # a race
            raise StorageError(
                f"cannot append to a {t.noun}'s history (PostgreSQL {where(self.engine)}): {reason(exc)}"
            ) from exc
