"""What screening writes down: alerts for new hits, and clearances of reviewed false positives.

Both are appended, never edited. A clearance names the customer, the list entry and the entry's
digest at the time it was reviewed: when the list changes that entry, the digest no longer agrees
and the clearance stops applying, so a changed entry is reviewed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AlertKind(StrEnum):
    NAME = "name"  # a customer's name matches a listed party
    ADDRESS = "address"  # an address an account used is now listed


@dataclass(frozen=True, slots=True)
class Clearance:
    """A reviewed false positive: this customer is not that list entry (while the entry is unchanged).

    Four eyes: ``cleared_by`` asks, ``approved_by`` (another person) agrees. Only an approved clearance
    is in force; one without ``approved_by`` is a request waiting for a second person.
    """

    customer_id: str
    entry_id: str
    entry_digest: str
    cleared_by: str
    reason: str
    at: datetime
    approved_by: str = ""
    approved_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("customer_id", "entry_id", "entry_digest", "cleared_by", "reason"):
            if not getattr(self, name).strip():
                raise ValueError(f"{name}: must not be empty (a clearance records who, what and why)")
        if self.approved_by and self.approved_by == self.cleared_by:
            raise ValueError("approved_by: a clearance is approved by another person than who asked")

    @property
    def approved(self) -> bool:
        return bool(self.approved_by)


@dataclass(frozen=True, slots=True)
class ScreeningAlert:
    """A new hit found by screening or re-screening, for the desk to review.

    ``key`` identifies the pattern (customer, entry, entry digest): the same hit is alerted once.
    """

    kind: AlertKind
    customer_id: str
    entry_id: str
    entry_digest: str
    source: str
    score: float
    detail: str
    raised_at: datetime
    snapshot_version: int

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.customer_id}:{self.entry_id}:{self.entry_digest}"
