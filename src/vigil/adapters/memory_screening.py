"""In-memory list store and screening store: the reference implementations of their contracts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from vigil.errors import StorageError
from vigil.ports import AnyEntry, ListKind
from vigil.screening.entries import AddressEntry, NameEntry
from vigil.screening.names import Customer
from vigil.screening.records import Clearance, ScreeningAlert
from vigil.screening.snapshot import SnapshotInfo


class MemoryListStore:
    def __init__(self) -> None:
        self._infos: list[SnapshotInfo] = []
        self._entries: dict[tuple[str, int], tuple[AnyEntry, ...]] = {}

    def save(
        self,
        source: str,
        kind: ListKind,
        origin: str,
        imported_at: datetime,
        entries: Sequence[AnyEntry],
        errors: int = 0,
        list_date: str = "",
    ) -> SnapshotInfo:
        latest = self.latest(source)
        if latest is not None and latest.kind != kind:
            raise StorageError(f"source {source!r} holds {latest.kind} entries, not {kind}")
        info = SnapshotInfo.following(
            latest,
            source=source,
            kind=kind,
            origin=origin,
            imported_at=imported_at,
            entries=entries,
            errors=errors,
            list_date=list_date,
        )
        self._infos.append(info)
        self._entries[(source, info.version)] = tuple(entries)
        return info

    def snapshots(self, source: str | None = None) -> list[SnapshotInfo]:
        return [i for i in self._infos if source is None or i.source == source]

    def latest(self, source: str) -> SnapshotInfo | None:
        infos = self.snapshots(source)
        return infos[-1] if infos else None

    def _get(self, source: str, version: int | None, kind: ListKind) -> tuple[AnyEntry, ...]:
        latest = self.latest(source)
        if latest is None:
            if version is not None:
                raise StorageError(f"source {source!r} has no snapshot {version}")
            return ()
        if latest.kind != kind:
            raise StorageError(f"source {source!r} holds {latest.kind} entries, not {kind}")
        key = (source, latest.version if version is None else version)
        if key not in self._entries:
            raise StorageError(f"source {source!r} has no snapshot {version}")
        return self._entries[key]

    def address_entries(self, source: str, version: int | None = None) -> tuple[AddressEntry, ...]:
        return tuple(e for e in self._get(source, version, "address") if isinstance(e, AddressEntry))

    def name_entries(self, source: str, version: int | None = None) -> tuple[NameEntry, ...]:
        return tuple(e for e in self._get(source, version, "name") if isinstance(e, NameEntry))

    def close(self) -> None:
        """Nothing to release."""


class MemoryScreeningStore:
    def __init__(self) -> None:
        self._customers: dict[str, Customer] = {}
        self._addresses: dict[str, set[str]] = {}
        self._clearances: list[Clearance] = []
        self._alerts: list[ScreeningAlert] = []
        self._alert_keys: set[str] = set()

    def put_customer(self, customer: Customer) -> None:
        self._customers[customer.customer_id] = customer

    def customers(self) -> Iterator[Customer]:
        return iter(list(self._customers.values()))

    def note_address(self, account_id: str, key: str) -> None:
        self._addresses.setdefault(key, set()).add(account_id)

    def record_usage(self, addresses: Sequence[tuple[str, str]], customers: Sequence[Customer]) -> None:
        for account_id, key in addresses:
            self.note_address(account_id, key)
        for customer in customers:
            self.put_customer(customer)

    def accounts_for_address(self, key: str) -> list[str]:
        return sorted(self._addresses.get(key, ()))

    def clear(self, clearance: Clearance) -> None:
        self._clearances.append(clearance)

    def clearances(self, customer_id: str | None = None) -> list[Clearance]:
        return [c for c in self._clearances if customer_id is None or c.customer_id == customer_id]

    def is_cleared(self, customer_id: str, entry_id: str, entry_digest: str) -> bool:
        return any(
            c.entry_id == entry_id and c.entry_digest == entry_digest and c.approved
            for c in self.clearances(customer_id)
        )

    def add_alert(self, alert: ScreeningAlert) -> bool:
        if alert.key in self._alert_keys:
            return False
        self._alert_keys.add(alert.key)
        self._alerts.append(alert)
        return True

    def alerts(self, customer_id: str | None = None) -> list[ScreeningAlert]:
        return [a for a in self._alerts if customer_id is None or a.customer_id == customer_id]

    def close(self) -> None:
        """Nothing to release."""
