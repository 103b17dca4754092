"""PostgreSQL store of requests from authorities, as the SQLite one keeps them.

``append`` is one transaction: it reads each request's last seq, checks the batch continues it
(``check_next``) and inserts; a second writer appending the same seq meanwhile fails on the primary key
(``Conflict``). Triggers refuse UPDATE, DELETE and TRUNCATE on ``ler_events`` and ``ler_attachments``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from vigil.adapters.memory_ler import check_attachment, check_next
from vigil.adapters.postgres.schema import (
    begin,
    check_schema,
    connection,
    ler_attachments,
    ler_events,
    ler_order,
    reason,
    where,
)
from vigil.errors import Conflict, StorageError
from vigil.model.ler import LerData, LerEvent, Step

_e = ler_events.c
_LAST = (
    select(_e.request_id, func.max(_e.seq))
    .where(_e.request_id.in_(bindparam("ids", expanding=True)))
    .group_by(_e.request_id)
)
_APPEND = insert(ler_events)
_RECEIVED = pg_insert(ler_order).on_conflict_do_nothing(index_elements=[ler_order.c.request_id])
_ENTRIES = select(_e.request_id, _e.seq, _e.at_us, _e.actor, _e.kind, _e.data, _e.system)
_HISTORY = _ENTRIES.where(_e.request_id == bindparam("request_id")).order_by(_e.seq)
_ALL = _ENTRIES.join(ler_order, ler_order.c.request_id == _e.request_id).order_by(ler_order.c.n, _e.seq)
_COUNT = select(func.count()).select_from(ler_order)
_PUT = pg_insert(ler_attachments).on_conflict_do_nothing(index_elements=[ler_attachments.c.sha256])
_GET = select(ler_attachments.c.content).where(ler_attachments.c.sha256 == bindparam("sha256"))


def _entry(row: Sequence[Any]) -> LerEvent:
    data: LerData = json.loads(row[5])
    return LerEvent(row[0], row[1], row[2], row[3], Step(row[4]), data, system=bool(row[6]))


class PostgresLerStore:
    def __init__(self, engine: Engine) -> None:
        check_schema(engine)
        self.engine = engine

    def append(self, events: Sequence[LerEvent]) -> None:
        rows = [
            {
                "request_id": e.request_id,
                "seq": e.seq,
                "at_us": e.at_us,
                "actor": e.actor,
                "kind": e.kind.value,
                "data": json.dumps(e.data, sort_keys=True),
                "system": e.system,
            }
            for e in events
        ]
        received = [{"request_id": e.request_id} for e in events if e.seq == 1]
        if not rows:
            return
        try:
            with begin(self.engine) as conn:
                ids = sorted({e.request_id for e in events})
                last = {rid: int(n) for rid, n in conn.execute(_LAST, {"ids": ids})}
                check_next(events, last)
                conn.execute(_APPEND, rows)
                if received:
                    conn.execute(_RECEIVED, received)
        except IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) != "23505":
                raise StorageError(
                    f"cannot append to a request's history (PostgreSQL {where(self.engine)}): {reason(exc)}"
                ) from exc
            raise Conflict(f"request history changed meanwhile: {reason(exc)}") from None
        except SQLAlchemyError as exc:
            raise StorageError(
                f"cannot append to a request's history (PostgreSQL {where(self.engine)}): {reason(exc)}"
            ) from exc

    def history(self, request_id: str) -> list[LerEvent]:
        with connection(self.engine, f"read the history of request {request_id!r}") as conn:
            rows = conn.execute(_HISTORY, {"request_id": request_id}).all()
        return [_entry(r) for r in rows]

    def all_events(self) -> Iterator[LerEvent]:
        with connection(self.engine, "read the requests' histories") as conn:
            for row in conn.execution_options(yield_per=1000).execute(_ALL):
                yield _entry(row)

    def requests(self) -> int:
        with connection(self.engine, "count requests") as conn:
            return int(conn.execute(_COUNT).scalar_one())

    def put_attachment(self, sha256: str, content: bytes) -> None:
        check_attachment(sha256, content)
        with connection(self.engine, "store an attachment", write=True) as conn:
            conn.execute(_PUT, {"sha256": sha256, "content": content})

    def attachment(self, sha256: str) -> bytes | None:
        with connection(self.engine, "read an attachment") as conn:
            found = conn.execute(_GET, {"sha256": sha256}).scalar()
        return None if found is None else bytes(found)

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller."""
