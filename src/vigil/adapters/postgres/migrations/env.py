"""Alembic environment: runs the migrations on the connection ``migrate`` passes in.

Nothing is schema-qualified, ``alembic_version`` included: everything goes to the first schema of the
connection's ``search_path``. Offline (``--sql``) mode writes the SQL for ``sqlalchemy.url``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from vigil.adapters.postgres import connect
from vigil.adapters.postgres.schema import metadata

config = context.config


def run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is None:  # the alembic command line, with sqlalchemy.url set
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise SystemExit("set sqlalchemy.url, or run migrations with vigil.adapters.postgres.migrate")
        engine = connect(url)
        try:
            with engine.begin() as conn:
                run(conn)
        finally:
            engine.dispose()
    else:
        run(connection)
