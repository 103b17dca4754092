"""Re-screening after a list change: only what the change can affect, and an alert per new hit.

Addresses: an added or changed entry can only concern the accounts that used that address, which
the engine recorded (``ScreeningStore.note_address``). Names: an added or changed entry is matched
against an index of the customers (built once per re-screen), so a change of 1,000 entries looks
at the customers sharing a name token with them, not at every customer. A hit already cleared for
that customer and that entry digest, or already alerted, raises nothing new.
"""

from __future__ import annotations

from datetime import datetime

from vigil.model import Outcome
from vigil.ports import ScreeningStore
from vigil.screening.entries import AddressEntry, NameEntry
from vigil.screening.names import CustomerIndex, NameIndex
from vigil.screening.policy import Direction, Policy
from vigil.screening.records import AlertKind, ScreeningAlert
from vigil.screening.snapshot import SnapshotDiff


def rescreen_addresses(
    diff: SnapshotDiff[AddressEntry], store: ScreeningStore, policy: Policy, *, now: datetime
) -> tuple[ScreeningAlert, ...]:
    """Alerts for accounts that used an address the new snapshot lists (or lists differently).

    Entries whose category the policy lets through in every direction (attribution) raise nothing.
    """
    alerts = []
    for entry in diff.touched:
        effect = policy.effect(entry.category)
        if entry.confidence < policy.min_confidence or all(
            effect.outcome(d) is Outcome.ALLOW for d in Direction
        ):
            continue
        for account in store.accounts_for_address(entry.key):
            alert = ScreeningAlert(
                kind=AlertKind.ADDRESS,
                customer_id=account,
                entry_id=entry.entry_id,
                entry_digest=entry.digest(),
                source=entry.source,
                score=100.0,
                detail=f"account used {entry.key}, now listed: {entry.label} ({entry.category.value})",
                raised_at=now,
                snapshot_version=diff.new_version,
            )
            if store.add_alert(alert):
                alerts.append(alert)
    return tuple(alerts)


def rescreen_names(
    diff: SnapshotDiff[NameEntry], store: ScreeningStore, policy: Policy, names: NameIndex, *, now: datetime
) -> tuple[ScreeningAlert, ...]:
    """Alerts for customers whose name an added or changed entry matches at the review threshold.

    ``names`` is the index over every name list now in force: its token weights score the pairs,
    so a customer scores the same here as when screened directly.
    """
    touched = diff.touched
    if not touched:
        return ()
    customers = CustomerIndex.build(store.customers(), names.scorer)
    alerts = []
    for entry in touched:
        digest = entry.digest()
        for match in customers.affected(entry, threshold=policy.names.review):
            customer_id = match.customer_id
            if store.is_cleared(customer_id, entry.entry_id, digest):
                continue
            alert = ScreeningAlert(
                kind=AlertKind.NAME,
                customer_id=customer_id,
                entry_id=entry.entry_id,
                entry_digest=digest,
                source=entry.source,
                score=match.score,
                detail=f"{match.score:.0f}: " + "; ".join(match.match.explanation),
                raised_at=now,
                snapshot_version=diff.new_version,
            )
            if store.add_alert(alert):
                alerts.append(alert)
    return tuple(alerts)
