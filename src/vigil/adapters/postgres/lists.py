"""PostgreSQL list store: screening list snapshots, append-only, as the SQLite one keeps them.

A row per snapshot in ``list_snapshots`` and a row per entry in ``list_entries`` (its position in the
snapshot and its content as msgspec JSON), written in one transaction. Two imports of the same source
at once cannot both take the next version: the second fails on the primary key and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec
from sqlalchemy import Connection, Engine, bindparam, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from vigil.adapters.postgres.schema import (
    check_schema,
    connection,
    list_entries,
    list_snapshots,
    reason,
    where,
)
from vigil.errors import StorageError
from vigil.ports import AnyEntry, ListKind
from vigil.screening.entries import AddressEntry, NameEntry
from vigil.screening.snapshot import SnapshotInfo

T = TypeVar("T", AddressEntry, NameEntry)

_s = list_snapshots.c
_INFO = select(
    _s.source, _s.kind, _s.version, _s.imported_at, _s.origin, _s.entries, _s.errors, _s.digest, _s.list_date
)
_ALL = _INFO.order_by(_s.imported_at, _s.source, _s.version)
_OF_SOURCE = _INFO.where(_s.source == bindparam("source")).order_by(_s.version)
_LATEST = _INFO.where(_s.source == bindparam("source")).order_by(_s.version.desc()).limit(1)
_EXISTS = select(_s.version).where(_s.source == bindparam("source"), _s.version == bindparam("version"))
_ENTRIES = (
    select(list_entries.c.body)
    .where(list_entries.c.source == bindparam("source"), list_entries.c.version == bindparam("version"))
    .order_by(list_entries.c.position)
)


def _info(row: Sequence[Any]) -> SnapshotInfo:
    source, kind, version, imported_at, *rest = row
    return SnapshotInfo(source, kind, version, imported_at.astimezone(UTC), *rest)


def _latest(conn: Connection, source: str) -> SnapshotInfo | None:
    row = conn.execute(_LATEST, {"source": source}).first()
    return None if row is None else _info(row)


class PostgresListStore:
    def __init__(self, engine: Engine) -> None:
        check_schema(engine)
        self.engine = engine

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
        encode = msgspec.json.encode
        version = 0
        try:
            with self.engine.begin() as conn:
                latest = _latest(conn, source)
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
                version = info.version
                conn.execute(
                    insert(list_snapshots),
                    {
                        "source": source,
                        "version": version,
                        "kind": kind,
                        "imported_at": imported_at,
                        "origin": origin,
                        "entries": info.entries,
                        "errors": errors,
                        "digest": info.digest,
                        "list_date": list_date,
                    },
                )
                if entries:
                    conn.execute(
                        insert(list_entries),
                        [
                            {"source": source, "version": version, "position": n, "body": encode(e)}
                            for n, e in enumerate(entries)
                        ],
                    )
        except IntegrityError:
            raise StorageError(
                f"snapshot {version} of {source!r} was saved by another import at the same time;"
                " this one was not saved"
            ) from None
        except SQLAlchemyError as exc:
            raise StorageError(
                f"cannot save a snapshot of {source!r} (PostgreSQL {where(self.engine)}): {reason(exc)}"
            ) from exc
        return info

    def snapshots(self, source: str | None = None) -> list[SnapshotInfo]:
        with connection(self.engine, "read list snapshots") as conn:
            rows = conn.execute(_ALL) if source is None else conn.execute(_OF_SOURCE, {"source": source})
            return [_info(r) for r in rows]

    def latest(self, source: str) -> SnapshotInfo | None:
        with connection(self.engine, "read list snapshots") as conn:
            return _latest(conn, source)

    def _get(self, source: str, version: int | None, kind: ListKind, type_: type[T]) -> tuple[T, ...]:
        with connection(self.engine, f"read list {source!r}") as conn:
            latest = _latest(conn, source)
            if latest is None:
                if version is not None:
                    raise StorageError(f"source {source!r} has no snapshot {version}")
                return ()
            if latest.kind != kind:
                raise StorageError(f"source {source!r} holds {latest.kind} entries, not {kind}")
            key = {"source": source, "version": latest.version if version is None else version}
            if version is not None and conn.execute(_EXISTS, key).first() is None:
                raise StorageError(f"source {source!r} has no snapshot {version}")
            bodies = conn.execute(_ENTRIES, key).scalars().all()
        decode = msgspec.json.Decoder(type_).decode
        return tuple(decode(b) for b in bodies)

    def address_entries(self, source: str, version: int | None = None) -> tuple[AddressEntry, ...]:
        return self._get(source, version, "address", AddressEntry)

    def name_entries(self, source: str, version: int | None = None) -> tuple[NameEntry, ...]:
        return self._get(source, version, "name", NameEntry)

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller."""
