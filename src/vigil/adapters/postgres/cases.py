"""PostgreSQL case store: the desk's case histories and its journal cursor, as the SQLite one keeps them.

``case_events`` holds one row per history entry, primary key ``(case_id, seq)``; ``case_order``
numbers the cases in the order they were opened; ``desk_cursor`` holds one row (upserted): the journal
position up to which the desk has read. A trigger refuses UPDATE, DELETE and TRUNCATE on ``case_events``:
histories are append-only, and this adapter only ever inserts into it.

``append`` is one transaction: it reads each case's last seq, checks the batch continues it
(``check_next``) and inserts. A second writer appending the same seq meanwhile waits on the primary
key until the first commits, then fails on it: that is ``Conflict`` too, and stores nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from vigil.adapters.memory_cases import check_next
from vigil.adapters.postgres.schema import (
    begin,
    case_events,
    case_order,
    check_schema,
    connection,
    desk_cursor,
    reason,
    where,
)
from vigil.errors import Conflict, StorageError
from vigil.model.cases import CaseData, CaseEvent, Kind

_e = case_events.c
_LAST = (
    select(_e.case_id, func.max(_e.seq))
    .where(_e.case_id.in_(bindparam("case_ids", expanding=True)))
    .group_by(_e.case_id)
)
_APPEND = insert(case_events)
_OPENED = pg_insert(case_order).on_conflict_do_nothing(index_elements=[case_order.c.case_id])
_ENTRIES = select(_e.case_id, _e.seq, _e.at_us, _e.actor, _e.kind, _e.data, _e.system)
_HISTORY = _ENTRIES.where(_e.case_id == bindparam("case_id")).order_by(_e.seq)
_ALL = _ENTRIES.join(case_order, case_order.c.case_id == _e.case_id).order_by(case_order.c.n, _e.seq)
_CASES = select(func.count()).select_from(case_order)
_CURSOR = select(desk_cursor.c.journal)
_upsert = pg_insert(desk_cursor)
_SET_CURSOR = _upsert.on_conflict_do_update(
    index_elements=[desk_cursor.c.one], set_={"journal": _upsert.excluded.journal}
)


def _entry(row: Sequence[Any]) -> CaseEvent:
    data: CaseData = json.loads(row[5])
    return CaseEvent(row[0], row[1], row[2], row[3], Kind(row[4]), data, system=bool(row[6]))


def _set_cursor(conn: Connection, cursor: int) -> None:
    conn.execute(_SET_CURSOR, {"one": 1, "journal": cursor})


class PostgresCaseStore:
    def __init__(self, engine: Engine) -> None:
        check_schema(engine)
        self.engine = engine

    def append(self, events: Sequence[CaseEvent], cursor: int | None = None) -> None:
        rows = [
            {
                "case_id": e.case_id,
                "seq": e.seq,
                "at_us": e.at_us,
                "actor": e.actor,
                "kind": e.kind.value,
                "data": json.dumps(e.data, sort_keys=True),
                "system": e.system,
            }
            for e in events
        ]
        opened = [{"case_id": e.case_id} for e in events if e.seq == 1]
        try:
            with begin(self.engine) as conn:
                if rows:
                    ids = sorted({e.case_id for e in events})
                    last = {case_id: int(n) for case_id, n in conn.execute(_LAST, {"case_ids": ids})}
                    check_next(events, last)  # Conflict: the transaction rolls back, nothing is stored
                    conn.execute(_APPEND, rows)
                    if opened:
                        conn.execute(_OPENED, opened)
                if cursor is not None:
                    _set_cursor(conn, cursor)
        except IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) != "23505":  # not unique_violation: not a race
                raise StorageError(
                    f"cannot append to the case history (PostgreSQL {where(self.engine)}): {reason(exc)}"
                ) from exc
            raise Conflict(f"case history changed meanwhile: {reason(exc)}") from None
        except SQLAlchemyError as exc:
            raise StorageError(
                f"cannot append to the case history (PostgreSQL {where(self.engine)}): {reason(exc)}"
            ) from exc

    def history(self, case_id: str) -> list[CaseEvent]:
        with connection(self.engine, f"read the history of case {case_id!r}") as conn:
            rows = conn.execute(_HISTORY, {"case_id": case_id}).all()
        return [_entry(r) for r in rows]

    def all_events(self) -> Iterator[CaseEvent]:
        with connection(self.engine, "read the case histories") as conn:
            # A server-side cursor: every entry is read, never all held in memory at once.
            for row in conn.execution_options(yield_per=1000).execute(_ALL):
                yield _entry(row)

    def cases(self) -> int:
        with connection(self.engine, "count cases") as conn:
            return int(conn.execute(_CASES).scalar_one())

    def cursor(self) -> int:
        with connection(self.engine, "read the desk's journal cursor") as conn:
            journal = conn.execute(_CURSOR).scalar()
        return 0 if journal is None else int(journal)

    def set_cursor(self, cursor: int) -> None:
        with connection(self.engine, "save the desk's journal cursor", write=True) as conn:
            _set_cursor(conn, cursor)

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller."""
