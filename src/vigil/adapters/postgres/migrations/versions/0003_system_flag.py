"""System steps marked by a flag, not by a name: ``case_events.system`` and ``audit_log.system``.

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


def downgrade() -> None:
    for table in ("case_events", "audit_log"):
        op.drop_column(table, "system")
