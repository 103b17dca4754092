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

_blake2b = hashlib.blake2b


def id_digest(event_id: str) -> int:
    """A digest of an event id that is the same in every process (BLAKE2b, 64 bits).

    The engine keeps these for the ids its journal holds, so a new event costs no journal lookup;
    only a digest already present (a retry, or one collision in about 2^64 / ids held) asks the
    journal. Python's ``hash`` of a string changes with every process (PYTHONHASHSEED), so a snapshot
    of the engine's state could not carry it.
    """
    return int.from_bytes(_blake2b(event_id.encode(), digest_size=8).digest(), "little")


def input_digest(event: Event) -> str:
    return hashlib.sha256(encode_event(event)).hexdigest()[:32]


def _digests(event: Event) -> tuple[str, str]:
    """The event's digest, and that of the form with its late optional fields written as nulls (a deposit
    decided by the release of 2026-12-07 kept that one)."""
    late = hashlib.sha256(encode_event(event, late_nulls=True)).hexdigest()[:32]
    return input_digest(event), late


def check_retry(event: Event, stored: Decision) -> None:
    """Raise ``EventIdReused`` unless ``event`` is the event ``stored`` answered (a retry)."""
    if stored.account_id != event.account_id or stored.event_type != event.TYPE:
        what = f"a {stored.event_type.value} event of another account or type"
    elif stored.input_digest and stored.input_digest not in _digests(event):
        what = f"a {stored.event_type.value} event of this account with different fields"
    else:
        return
    raise EventIdReused(
        f"event id {event.event_id!r} was already used for {what}: a retry must send the same event,"
        " a new event needs a new id"
    )
