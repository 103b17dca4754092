"""PostgreSQL screening store: customers, the addresses accounts used, clearances and alerts.

Customers are upserted (the latest profile wins); an address an account used is inserted with
``ON CONFLICT DO NOTHING`` (idempotent, safe from several processes); clearances and alerts are
appended, an alert at most once per key (``ON CONFLICT DO NOTHING`` again, so two processes racing
still raise one alert). Records are stored as msgspec JSON, as in SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import msgspec
from sqlalchemy import Engine, bindparam, exists, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from vigil.adapters.postgres.schema import (
    check_schema,
    connection,
    screening_addresses,
    screening_alerts,
    screening_clearances,
    screening_customers,
)
from vigil.screening.names import Customer
from vigil.screening.records import Clearance, ScreeningAlert

_upsert = pg_insert(screening_customers)
_PUT_CUSTOMER = _upsert.on_conflict_do_update(
    index_elements=[screening_customers.c.customer_id], set_={"body": _upsert.excluded.body}
)
_CUSTOMERS = select(screening_customers.c.body).order_by(screening_customers.c.customer_id)

_a = screening_addresses.c
_NOTE_ADDRESS = pg_insert(screening_addresses).on_conflict_do_nothing(index_elements=[_a.key, _a.account_id])
_ACCOUNTS = select(_a.account_id).where(_a.key == bindparam("key")).order_by(_a.account_id)

_c = screening_clearances.c
_CLEAR = insert(screening_clearances)
_CLEARANCES = select(_c.body).order_by(_c.seq)
_CLEARANCES_OF = _CLEARANCES.where(_c.customer_id == bindparam("customer_id"))
_IS_CLEARED = select(
    exists().where(
        _c.customer_id == bindparam("customer_id"),
        _c.entry_id == bindparam("entry_id"),
        _c.entry_digest == bindparam("entry_digest"),
        _c.approved_by != "",
    )
)

_l = screening_alerts.c
_ADD_ALERT = pg_insert(screening_alerts).on_conflict_do_nothing(index_elements=[_l.key]).returning(_l.seq)
_ALERTS = select(_l.body).order_by(_l.seq)
_ALERTS_OF = _ALERTS.where(_l.customer_id == bindparam("customer_id"))

_encode = msgspec.json.encode


class PostgresScreeningStore:
    def __init__(self, engine: Engine) -> None:
        check_schema(engine)
        self.engine = engine
        self._customer = msgspec.json.Decoder(Customer)
        self._clearance = msgspec.json.Decoder(Clearance)
        self._alert = msgspec.json.Decoder(ScreeningAlert)

    def put_customer(self, customer: Customer) -> None:
        row = {"customer_id": customer.customer_id, "body": _encode(customer)}
        with connection(self.engine, f"save customer {customer.customer_id!r}", write=True) as conn:
            conn.execute(_PUT_CUSTOMER, row)

    def customers(self) -> Iterator[Customer]:
        with connection(self.engine, "read customers") as conn:
            # A server-side cursor: every customer is read, never all held in memory at once.
            for body in conn.execution_options(yield_per=1000).execute(_CUSTOMERS).scalars():
                yield self._customer.decode(body)

    def note_address(self, account_id: str, key: str) -> None:
        with connection(self.engine, f"note address {key!r} of {account_id!r}", write=True) as conn:
            conn.execute(_NOTE_ADDRESS, {"key": key, "account_id": account_id})

    def record_usage(self, addresses: Sequence[tuple[str, str]], customers: Sequence[Customer]) -> None:
        latest = {c.customer_id: c for c in customers}  # one row per id in a statement
        rows = [{"customer_id": i, "body": _encode(c)} for i, c in latest.items()]
        pairs = [{"key": k, "account_id": a} for a, k in dict.fromkeys(addresses)]
        with connection(self.engine, "record screening usage", write=True) as conn:
            if pairs:
                conn.execute(_NOTE_ADDRESS, pairs)
            if rows:
                conn.execute(_PUT_CUSTOMER, rows)

    def accounts_for_address(self, key: str) -> list[str]:
        with connection(self.engine, f"read the accounts of address {key!r}") as conn:
            return list(conn.execute(_ACCOUNTS, {"key": key}).scalars())

    def clear(self, clearance: Clearance) -> None:
        row = {
            "customer_id": clearance.customer_id,
            "entry_id": clearance.entry_id,
            "entry_digest": clearance.entry_digest,
            "approved_by": clearance.approved_by,
            "body": _encode(clearance),
        }
        with connection(self.engine, f"save a clearance of {clearance.customer_id!r}", write=True) as conn:
            conn.execute(_CLEAR, row)

    def clearances(self, customer_id: str | None = None) -> list[Clearance]:
        with connection(self.engine, "read clearances") as conn:
            if customer_id is None:
                bodies = conn.execute(_CLEARANCES).scalars().all()
            else:
                bodies = conn.execute(_CLEARANCES_OF, {"customer_id": customer_id}).scalars().all()
        return [self._clearance.decode(b) for b in bodies]

    def is_cleared(self, customer_id: str, entry_id: str, entry_digest: str) -> bool:
        key = {"customer_id": customer_id, "entry_id": entry_id, "entry_digest": entry_digest}
        with connection(self.engine, "read clearances") as conn:
            return bool(conn.execute(_IS_CLEARED, key).scalar())

    def add_alert(self, alert: ScreeningAlert) -> bool:
        row = {"key": alert.key, "customer_id": alert.customer_id, "body": _encode(alert)}
        with connection(self.engine, f"save alert {alert.key!r}", write=True) as conn:
            return conn.execute(_ADD_ALERT, row).first() is not None  # no row back: the key existed

    def alerts(self, customer_id: str | None = None) -> list[ScreeningAlert]:
        with connection(self.engine, "read alerts") as conn:
            if customer_id is None:
                bodies = conn.execute(_ALERTS).scalars().all()
            else:
                bodies = conn.execute(_ALERTS_OF, {"customer_id": customer_id}).scalars().all()
        return [self._alert.decode(b) for b in bodies]

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller."""
