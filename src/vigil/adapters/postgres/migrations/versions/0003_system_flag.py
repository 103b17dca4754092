"""System steps marked by a flag, not by a name: ``case_events.system`` and ``audit_log.system``;
sanctions clearances need a second person: ``screening_clearances.approved_by``.

Clearances stored before this revision were one person's: they get ``approved_by`` ``''`` and are no
longer in force until a second person approves them (``POST /v1/screening/clearances/approve``).

Rows written before this revision were people's and services' acts, or the desk's own steps recorded
under the name "vigil"; they get ``false`` (the desk's old steps are told apart by their kind: opened,
alert, sla_breached, escalated by an SLA breach, notified).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("case_events", "audit_log"):
        op.add_column(table, sa.Column("system", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column(
        "screening_clearances", sa.Column("approved_by", sa.Text(), server_default="", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("screening_clearances", "approved_by")
    for table in ("case_events", "audit_log"):
        op.drop_column(table, "system")
