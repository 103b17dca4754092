"""Recovery of funds sent by mistake (docs/recovery.md): the deposits claims name
(``recovery_deposits``, ``recovery_cursor``) and claim histories (``claim_events``, append-only,
and ``claim_order``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.adapters.postgres.history import append_only

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESSAGE = "claim history is append-only: an entry cannot be changed or removed"


def upgrade() -> None:
    op.create_table(
        "recovery_deposits",
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("n", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("ts_us", sa.BigInteger(), nullable=False),
        sa.Column("chain", sa.Text(), nullable=False),
        sa.Column("tx_hash", sa.Text(), nullable=False),
        sa.Column("asset", sa.Text(), nullable=False),
        sa.Column("amount", sa.Text(), nullable=False),
        sa.Column("fiat_value", sa.Text(), nullable=False),
        sa.Column("source_address", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("deposit_address", sa.Text(), nullable=True),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name="recovery_deposits_pkey"),
    )
    op.create_index("recovery_deposits_tx", "recovery_deposits", ["tx_hash"])
    op.create_index("recovery_deposits_n", "recovery_deposits", ["n"])
    op.create_table(
        "recovery_cursor",
        sa.Column("one", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("journal", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("one = 1", name="recovery_cursor_one_check"),
        sa.PrimaryKeyConstraint("one", name="recovery_cursor_pkey"),
    )
    op.create_table(
        "claim_events",
        sa.Column("claim_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("system", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("claim_id", "seq", name="claim_events_pkey"),
    )
    op.create_table(
        "claim_order",
        sa.Column("n", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("claim_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("n", name="claim_order_pkey"),
        sa.UniqueConstraint("claim_id", name="claim_order_claim_id_key"),
    )
    op.execute(append_only("claim_events", _MESSAGE))


def downgrade() -> None:
    op.execute("DROP TRIGGER claim_events_append_only ON claim_events")
    op.drop_table("claim_order")
    op.drop_table("claim_events")
    op.drop_table("recovery_cursor")
    op.drop_index("recovery_deposits_n", "recovery_deposits")
    op.drop_index("recovery_deposits_tx", "recovery_deposits")
    op.drop_table("recovery_deposits")
