"""Initial schema: journal, screening lists, screening memory, access.

Revision ID: 0001
Revises:
Create Date: 2026-11-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _seq() -> sa.Column[int]:
    return sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False)


def upgrade() -> None:
    op.create_table(
        "events",
        _seq(),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="events_pkey"),
        sa.UniqueConstraint("event_id", name="events_event_id_key"),
    )
    op.create_index("events_by_account", "events", ["account_id", "seq"])
    op.create_table(
        "decisions",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("outcome", sa.SmallInteger(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="decisions_pkey"),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name="decisions_seq_fkey"),
        sa.UniqueConstraint("event_id", name="decisions_event_id_key"),
    )
    op.create_index("decisions_by_account", "decisions", ["account_id", "seq"])

    op.create_table(
        "list_snapshots",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("list_date", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("source", "version", name="list_snapshots_pkey"),
    )
    op.create_table(
        "list_entries",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("source", "version", "position", name="list_entries_pkey"),
        sa.ForeignKeyConstraint(
            ["source", "version"],
            ["list_snapshots.source", "list_snapshots.version"],
            name="list_entries_source_version_fkey",
        ),
    )

    op.create_table(
        "screening_customers",
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name="screening_customers_pkey"),
    )
    op.create_table(
        "screening_addresses",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", "account_id", name="screening_addresses_pkey"),
    )
    op.create_table(
        "screening_clearances",
        _seq(),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("entry_id", sa.Text(), nullable=False),
        sa.Column("entry_digest", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="screening_clearances_pkey"),
    )
    op.create_index("clearances_by_customer", "screening_clearances", ["customer_id", "seq"])
    op.create_table(
        "screening_alerts",
        _seq(),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="screening_alerts_pkey"),
        sa.UniqueConstraint("key", name="screening_alerts_key_key"),
    )
    op.create_index("alerts_by_customer", "screening_alerts", ["customer_id", "seq"])

    for table in ("access_keys", "access_users", "access_sessions"):
        op.create_table(
            table,
            _seq(),
            sa.Column("id", sa.Text(), nullable=False),
            sa.Column("body", sa.LargeBinary(), nullable=False),
            sa.PrimaryKeyConstraint("seq", name=f"{table}_pkey"),
            sa.UniqueConstraint("id", name=f"{table}_id_key"),
        )


def downgrade() -> None:
    for table in ("access_sessions", "access_users", "access_keys"):
        op.drop_table(table)
    op.drop_table("screening_alerts")
    op.drop_table("screening_clearances")
    op.drop_table("screening_addresses")
    op.drop_table("screening_customers")
    op.drop_table("list_entries")
    op.drop_table("list_snapshots")
    op.drop_table("decisions")
    op.drop_table("events")
