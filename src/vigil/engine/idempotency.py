"""Idempotency by event id: a retry gets the stored decision, a reused id gets ``EventIdReused``.

A decision keeps the digest of the event it answered, as received (before the engine fills in the
network origin): SHA-256 of the event's canonical JSON (``codec.encode_event`` of the decoded event,
so key order, spacing and equivalent timestamps do not matter), 128 bits in hex. A stored decision
answers an event with the same id only when the digests match; decisions stored before digests were
kept have none, and are compared by account and event type only, as they always were.
"""

from __future__ import annotations

import hashlib

from vigil.codec import encode_event
from vigil.errors import EventIdReused
from vigil.model import Decision, Event


def input_digest(event: Event) -> str:
    return hashlib.sha256(encode_event(event)).hexdigest()[:32]


def check_retry(event: Event, stored: Decision) -> None:
    """Raise ``EventIdReused`` unless ``event`` is the event ``stored`` answered (a retry)."""
    if stored.account_id != event.account_id or stored.event_type != event.TYPE:
        what = f"a {stored.event_type.value} event of another account or type"
    elif stored.input_digest and stored.input_digest != input_digest(event):
        what = f"a {stored.event_type.value} event of this account with different fields"
    else:
        return
    raise EventIdReused(
        f"event id {event.event_id!r} was already used for {what}: a retry must send the same event,"
        " a new event needs a new id"
    )
