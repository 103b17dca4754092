"""Learning (labels, models, promotions), the security desk (case histories, the journal cursor), audit.

``case_events`` and ``audit_log`` are append-only: a trigger on each refuses UPDATE, DELETE and
TRUNCATE (``vigil_refuse_change``, raising the message the trigger names).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.adapters.postgres.history import append_only

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFUSE_CHANGE = """
CREATE OR REPLACE FUNCTION vigil_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$
"""
_APPEND_ONLY = {  # table -> the trigger's message
    "case_events": "case history is append-only: an entry cannot be changed or removed",
    "audit_log": "audit_log is append-only: a record cannot be changed or removed",
}


def _seq() -> sa.Column[int]:
    return sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False)


def upgrade() -> None:
    op.create_table(
        "learning_labels",
        _seq(),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("illicit", sa.Boolean(), nullable=False),
        sa.Column("typology", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="learning_labels_pkey"),
    )
    op.create_table(
        "learning_models",
        _seq(),
        sa.Column("model_id", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.Column("catalog_hash", sa.Text(), nullable=False),
        sa.Column("model_text", sa.Text(), nullable=False),
        sa.Column("sidecar", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="learning_models_pkey"),
        sa.UniqueConstraint("model_id", name="learning_models_model_id_key"),
    )
    op.create_table(
        "learning_promotions",
        _seq(),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("model_id", sa.Text(), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.Column("promoted_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("previous", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="learning_promotions_pkey"),
        sa.ForeignKeyConstraint(
            ["model_id"], ["learning_models.model_id"], name="learning_promotions_model_id_fkey"
        ),
    )

    op.create_table(
        "case_events",
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "seq", name="case_events_pkey"),
    )
    op.create_table(
        "case_order",
        sa.Column("n", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("n", name="case_order_pkey"),
        sa.UniqueConstraint("case_id", name="case_order_case_id_key"),
    )
    op.create_table(
        "desk_cursor",
        sa.Column("one", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("journal", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("one", name="desk_cursor_pkey"),
        sa.CheckConstraint("one = 1", name="desk_cursor_one_check"),
    )

    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.Text(), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="audit_log_pkey"),
    )
    op.create_index("audit_log_subject", "audit_log", ["subject", "seq"])
    op.create_index("audit_log_actor", "audit_log", ["actor", "seq"])

    op.execute(_REFUSE_CHANGE)
    for table, message in _APPEND_ONLY.items():
        op.execute(append_only(table, message))


def downgrade() -> None:
    for table in ("audit_log", "case_events"):
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    op.execute("DROP FUNCTION vigil_refuse_change()")
    op.drop_table("audit_log")
    op.drop_table("desk_cursor")
    op.drop_table("case_order")
    op.drop_table("case_events")
    op.drop_table("learning_promotions")
    op.drop_table("learning_models")
    op.drop_table("learning_labels")
