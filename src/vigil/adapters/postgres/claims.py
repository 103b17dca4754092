"""PostgreSQL claim store: the deposits claims name and claim histories, as the SQLite one keeps them.

``recovery_deposits`` holds one row per crypto deposit read from the journal (``event_id`` the key;
``n`` the order added); ``recovery_cursor`` one row (upserted), the journal position read up to.
``claim_events`` holds one row per history entry, primary key ``(claim_id, seq)``, and a trigger
refuses UPDATE, DELETE and TRUNCATE on it; ``claim_order`` numbers claims in filing order. ``append``
is one transaction: it reads each claim's last seq, checks the batch continues it (``check_next``)
and inserts; a second writer appending the same seq meanwhile fails on the key: ``Conflict``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from vigil.adapters.memory_claims import check_next
from vigil.adapters.postgres.schema import (
    begin,
    check_schema,
    claim_events,
    claim_order,
    connection,
    reason,
    recovery_cursor,
    recovery_deposits,
    where,
)
from vigil.adapters.sqlite_claims import deposit_of_row, deposit_row, entry_of_row
from vigil.errors import Conflict, StorageError
from vigil.model.claims import ClaimEvent, UncreditedDeposit

_d = recovery_deposits.c
_e = claim_events.c
_DEPOSIT_COLUMNS = (
    "event_id", "account_id", "region", "ts_us", "chain", "tx_hash", "asset", "amount", "fiat_value",
    "source_address", "reason", "deposit_address", "memo",
)  # fmt: skip
_SELECT_DEPOSITS = select(*(_d[c] for c in _DEPOSIT_COLUMNS))
_BY_TX = _SELECT_DEPOSITS.where(_d.tx_hash == bindparam("tx")).order_by(_d.n)
_OPEN = (
    _SELECT_DEPOSITS.where(_d.reason.is_not(None))
    .order_by(_d.n)
    .limit(bindparam("lim"))
    .offset(bindparam("off"))
)
_ADD = (
    pg_insert(recovery_deposits).on_conflict_do_nothing(index_elements=[_d.event_id]).returning(_d.event_id)
)
_cur = pg_insert(recovery_cursor)
_SET_CURSOR = _cur.on_conflict_do_update(
    index_elements=[recovery_cursor.c.one], set_={"journal": _cur.excluded.journal}
)
_LAST = (
    select(_e.claim_id, func.max(_e.seq))
    .where(_e.claim_id.in_(bindparam("ids", expanding=True)))
    .group_by(_e.claim_id)
)
_APPEND = insert(claim_events)
_FILED = pg_insert(claim_order).on_conflict_do_nothing(index_elements=[claim_order.c.claim_id])
_ENTRIES = select(_e.claim_id, _e.seq, _e.at_us, _e.actor, _e.kind, _e.data, _e.system)
_HISTORY = _ENTRIES.where(_e.claim_id == bindparam("claim_id")).order_by(_e.seq)
_ALL = _ENTRIES.join(claim_order, claim_order.c.claim_id == _e.claim_id).order_by(claim_order.c.n, _e.seq)


class PostgresClaimStore:
    def __init__(self, engine: Engine) -> None:
        check_schema(engine)
        self.engine = engine

    def add_deposits(self, deposits: Sequence[UncreditedDeposit], cursor: int | None = None) -> int:
        rows = [dict(zip(_DEPOSIT_COLUMNS, deposit_row(d), strict=True)) for d in deposits]
        with connection(self.engine, "add deposits to the recovery desk", write=True) as conn:
            added = 0
            for start in range(0, len(rows), 1000):
                added += len(conn.execute(_ADD, rows[start : start + 1000]).all())  # the rows inserted
            if cursor is not None:
                conn.execute(_SET_CURSOR, {"one": 1, "journal": cursor})
        return added

    def deposits(self, tx_hash: str) -> list[UncreditedDeposit]:
        with connection(self.engine, "read deposits") as conn:
            return [deposit_of_row(r) for r in conn.execute(_BY_TX, {"tx": tx_hash})]

    def uncredited(self, limit: int = 100, offset: int = 0) -> list[UncreditedDeposit]:
        with connection(self.engine, "read uncredited deposits") as conn:
            return [deposit_of_row(r) for r in conn.execute(_OPEN, {"lim": limit, "off": offset})]

    def cursor(self) -> int:
        with connection(self.engine, "read the recovery cursor") as conn:
            value = conn.execute(select(recovery_cursor.c.journal)).scalar()
        return int(value) if value is not None else 0

    def append(self, events: Sequence[ClaimEvent]) -> None:
        rows: list[dict[str, Any]] = [
            {"claim_id": e.claim_id, "seq": e.seq, "at_us": e.at_us, "actor": e.actor, "kind": e.kind.value,
             "data": json.dumps(e.data, sort_keys=True), "system": e.system}
            for e in events
        ]  # fmt: skip
        if not rows:
            return
        filed = [{"claim_id": e.claim_id} for e in events if e.seq == 1]
        try:
            with begin(self.engine) as conn:
                ids = sorted({e.claim_id for e in events})
                last = {claim_id: int(n) for claim_id, n in conn.execute(_LAST, {"ids": ids})}
                check_next(events, last)  # Conflict: the transaction rolls back, nothing is stored
                conn.execute(_APPEND, rows)
                if filed:
                    conn.execute(_FILED, filed)
        except IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) != "23505":
                raise StorageError(
                    f"cannot append to a claim's history (PostgreSQL {where(self.engine)}): {reason(exc)}"
                ) from exc
            raise Conflict(f"claim history changed meanwhile: {reason(exc)}") from None
        except SQLAlchemyError as exc:
            raise StorageError(
                f"cannot append to a claim's history (PostgreSQL {where(self.engine)}): {reason(exc)}"
            ) from exc

    def history(self, claim_id: str) -> list[ClaimEvent]:
        with connection(self.engine, f"read the history of claim {claim_id!r}") as conn:
            return [entry_of_row(r) for r in conn.execute(_HISTORY, {"claim_id": claim_id})]

    def all_events(self) -> Iterator[ClaimEvent]:
        with connection(self.engine, "read the claim histories") as conn:
            for row in conn.execution_options(yield_per=1000).execute(_ALL):
                yield entry_of_row(row)

    def claims(self) -> int:
        with connection(self.engine, "count claims") as conn:
            return int(conn.execute(select(func.count()).select_from(claim_order)).scalar_one())

    def close(self) -> None:
        """The engine's pool belongs to whoever made it (``bootstrap`` disposes of it)."""
