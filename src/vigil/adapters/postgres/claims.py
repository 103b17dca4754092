"""PostgreSQL claim store: the deposits claims name and claim histories, as the SQLite one keeps them.

``recovery_deposits`` holds one row per crypto deposit read from the journal (``event_id`` the key;
``n`` the order added); ``recovery_cursor`` one row (upserted), the journal position read up to.
``claim_events`` holds one row per history entry, primary key ``(claim_id, seq)``, and a trigger
refuses UPDATE, DELETE and TRUNCATE on it; ``claim_order`` numbers claims in filing order. The histories
are kept by ``PostgresHistoryStore``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from vigil.adapters.postgres.history import PostgresHistoryStore
from vigil.adapters.postgres.schema import (
    claim_events,
    claim_order,
    connection,
    recovery_cursor,
    recovery_deposits,
)
from vigil.adapters.sqlite_claims import CLAIMS, deposit_of_row, deposit_row
from vigil.model.claims import ClaimEvent, UncreditedDeposit

_d = recovery_deposits.c
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


class PostgresClaimStore(PostgresHistoryStore[ClaimEvent]):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, CLAIMS, claim_events, claim_order)

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

    def claims(self) -> int:
        return self._count()
