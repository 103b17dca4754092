"""A notice: what Vigil tells the people on call (an SLA breach, an approval to give).

A notice carries only what an on-call person needs to act and a console link to the rest. It must
never carry customer data (names, addresses, documents): it leaves Vigil through webhooks and mail.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification, sent through a ``vigil.ports.Notifier``.

    ``kind`` is a stable dotted name receivers may branch on (``sla.breached``,
    ``approval.requested``, ``access.locked``); ``case_id`` is the case it is about, or empty for a
    notice about no case (a person's sign-in locked); ``title`` is one line (a mail subject, a pager
    summary); ``text`` is a few lines for the person on call; ``severity`` is one of ``SEVERITIES``;
    ``at_us`` is when it happened (µs since the epoch, UTC); ``link`` is a console path
    (``/console/cases/c-000001``), never customer data. ``__post_init__`` raises ``ValueError`` naming
    the field that is wrong.
    """

    kind: str
    case_id: str
    title: str
    text: str
    severity: str
    at_us: int
    link: str = ""

    def __post_init__(self) -> None:
        for name in ("kind", "title"):
            if not getattr(self, name).strip():
                raise ValueError(f"notice field {name!r} is empty")
        if self.case_id != self.case_id.strip():
            raise ValueError("notice field 'case_id' has surrounding spaces")
        if "\n" in self.title or "\r" in self.title:
            raise ValueError("notice field 'title' must be one line (it is a subject): no newline")
        if self.severity not in SEVERITIES:
            known = ", ".join(SEVERITIES)
            raise ValueError(f"notice field 'severity' is {self.severity!r}; use one of {known}")
        if self.at_us < 0:
            raise ValueError(f"notice field 'at_us' is negative: {self.at_us}")
        if "\n" in self.link or "\r" in self.link:
            raise ValueError("notice field 'link' must be one line")
