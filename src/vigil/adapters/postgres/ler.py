"""PostgreSQL store of requests from authorities, as the SQLite one keeps them.

Triggers refuse UPDATE, DELETE and TRUNCATE on ``ler_events`` and ``ler_attachments``; the histories
are kept by ``PostgresHistoryStore``.
"""

from __future__ import annotations

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from vigil.adapters.memory_ler import check_attachment
from vigil.adapters.postgres.history import PostgresHistoryStore
from vigil.adapters.postgres.schema import connection, ler_attachments, ler_events, ler_order
from vigil.adapters.sqlite_ler import REQUESTS
from vigil.model.ler import LerEvent

_PUT = pg_insert(ler_attachments).on_conflict_do_nothing(index_elements=[ler_attachments.c.sha256])
_GET = select(ler_attachments.c.content).where(ler_attachments.c.sha256 == bindparam("sha256"))


class PostgresLerStore(PostgresHistoryStore[LerEvent]):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, REQUESTS, ler_events, ler_order)

    def requests(self) -> int:
        return self._count()

    def put_attachment(self, sha256: str, content: bytes) -> None:
        check_attachment(sha256, content)
        with connection(self.engine, "store an attachment", write=True) as conn:
            conn.execute(_PUT, {"sha256": sha256, "content": content})

    def attachment(self, sha256: str) -> bytes | None:
        with connection(self.engine, "read an attachment") as conn:
            found = conn.execute(_GET, {"sha256": sha256}).scalar()
        return None if found is None else bytes(found)
