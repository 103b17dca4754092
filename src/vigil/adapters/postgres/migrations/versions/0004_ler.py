"""Requests from authorities: ``ler_events`` (append-only histories), ``ler_order`` (the order received)
and ``ler_attachments`` (files by SHA-256). A trigger on ``ler_events`` and on ``ler_attachments``
refuses UPDATE, DELETE and TRUNCATE (``vigil_refuse_change``, from revision 0002).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.adapters.postgres.history import append_only

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APPEND_ONLY = {
    "ler_events": "law-enforcement request history is append-only: an entry cannot be changed or removed",
    "ler_attachments": "law-enforcement attachments are append-only: a file cannot be changed or removed",
}


def upgrade() -> None:
    op.create_table(
        "ler_events",
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("system", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("request_id", "seq", name="ler_events_pkey"),
    )
    op.create_table(
        "ler_order",
        sa.Column("n", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("n", name="ler_order_pkey"),
        sa.UniqueConstraint("request_id", name="ler_order_request_id_key"),
    )
    op.create_table(
        "ler_attachments",
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="ler_attachments_pkey"),
    )
    for table, message in _APPEND_ONLY.items():
        op.execute(append_only(table, message))


def downgrade() -> None:
    for table in _APPEND_ONLY:
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    op.drop_table("ler_attachments")
    op.drop_table("ler_order")
    op.drop_table("ler_events")
