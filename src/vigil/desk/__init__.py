"""The 24-hour security desk: alerts grouped into cases, SLA clocks and escalation, actions with four
eyes, appeals, dispositions that become labels. A service over the CaseStore port (docs/desk.md).

``service.py`` is the case index and the workflow, ``actions.py`` actions and approvals,
``appeals.py`` appeals, ``controls.py`` what is in force on an account, ``feed.py`` the link to the
journal; ``fold.py``, ``workflow.py``, ``alerts.py``, ``escalation.py`` and ``labels.py`` are pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.audit import AuditTrail
from vigil.desk.actions import Actions
from vigil.desk.appeals import Appeals
from vigil.desk.feed import Feed
from vigil.desk.policy import DeskPolicy
from vigil.desk.service import Change, Desk, QueueFilter


@dataclass
class SecurityDesk:
    """Everything the desk's entry points (API, console, CLI) call."""

    desk: Desk
    actions: Actions
    appeals: Appeals
    audit: AuditTrail
    feed: Feed


__all__ = ["Actions", "Appeals", "Change", "Desk", "DeskPolicy", "Feed", "QueueFilter", "SecurityDesk"]
