"""JSON at the edges: events in, decisions out, with errors that name the field.

msgspec decodes straight into the model's dataclasses (their ``__post_init__`` checks run), so
the wire format is the model itself plus a ``type`` tag. Unknown fields are ignored; a missing,
mistyped or invalid field is an ``InvalidEvent`` naming it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from vigil.errors import InvalidEvent
from vigil.model import EVENT_CLASSES, Decision, Event, EventType, Outcome, Reason, Versions


class _Head(msgspec.Struct):
    type: str


_HEAD = msgspec.json.Decoder(_Head)
_DECODERS = {t: msgspec.json.Decoder(cls) for t, cls in EVENT_CLASSES.items()}
_ENCODER = msgspec.json.Encoder(decimal_format="string")
_DECISION_DECODER = msgspec.json.Decoder(Decision)
_KNOWN = ", ".join(t.value for t in EventType)
_AT = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?:\.(?P<path>[^`]*))?`)?$", re.S)
_FIELD_PREFIX = re.compile(r"^(?P<field>[a-z_][a-z0-9_.]*): (?P<msg>.*)$", re.S)
_MISSING = re.compile(r"Object missing required field `(?P<field>[^`]+)`")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _error(exc: msgspec.ValidationError) -> InvalidEvent:
    text = str(exc)
    m = _AT.match(text)
    message, path = (m.group("msg"), m.group("path")) if m else (text, None)
    missing = _MISSING.match(message)
    if missing is not None:
        field = missing.group("field") if path is None else f"{path}.{missing.group('field')}"
        return InvalidEvent("missing required field", field=field)
    prefixed = _FIELD_PREFIX.match(message)
    if prefixed is not None:
        field = prefixed.group("field")
        if path is not None and not field.startswith(path):
            field = f"{path}.{field}"
        return InvalidEvent(prefixed.group("msg"), field=field)
    return InvalidEvent(message, field=path)


def decode_event(data: bytes | str) -> Event:
    """One event from its JSON text; raises ``InvalidEvent`` naming what is wrong."""
    try:
        head = _HEAD.decode(data)
    except msgspec.ValidationError as exc:
        if "missing required field `type`" in str(exc):
            raise InvalidEvent(f"missing event type (one of: {_KNOWN})", field="type") from None
        raise _error(exc) from None
    except msgspec.DecodeError as exc:
        raise InvalidEvent(f"malformed JSON: {exc}") from None
    try:
        decoder = _DECODERS[EventType(head.type)]
    except ValueError:
        raise InvalidEvent(f"unknown event type {head.type!r} (one of: {_KNOWN})", field="type") from None
    try:
        return decoder.decode(data)
    except msgspec.ValidationError as exc:
        raise _error(exc) from None


def encode_event(event: Event) -> bytes:
    """The event's JSON, ``type`` tag first; ``decode_event`` gives back an equal event."""
    body = _ENCODER.encode(event)
    return b'{"type":"' + event.TYPE.value.encode() + b'",' + body[1:]


def encode_decision(decision: Decision) -> bytes:
    """Storage form: exact round trip through ``decode_decision``."""
    return _ENCODER.encode(decision)


def decode_decision(data: bytes, *, trace: bool = True) -> Decision:
    """The stored decision; ``trace=False`` skips its rule trace (``trace=()``), several times faster,
    for readers that show outcomes and reasons only (an analyst's timeline)."""
    if trace:
        return _DECISION_DECODER.decode(data)
    untraced = _UNTRACED.decode(data)
    return Decision(**{f: getattr(untraced, f) for f in _UNTRACED_FIELDS}, trace=())


class _Untraced(msgspec.Struct):
    """A stored decision's fields but its trace (msgspec skips the trace's bytes without building it)."""

    event_id: str
    account_id: str
    event_type: EventType
    region: str
    outcome: Outcome
    score: float
    reasons: tuple[Reason, ...]
    versions: Versions
    elapsed_us: float
    notices: tuple[str, ...] = ()
    model_id: str = ""
    probability: float | None = None
    delay_until_us: int | None = None
    input_digest: str = ""


_UNTRACED = msgspec.json.Decoder(_Untraced)
_UNTRACED_FIELDS = _Untraced.__struct_fields__


def decision_view(decision: Decision, *, full_trace: bool = False) -> dict[str, Any]:
    """The public, readable form: outcome names, ranked reasons, the trace of what fired or failed.

    ``full_trace`` includes every rule evaluated, not only those that matched or errored.
    """
    trace = [
        {
            "rule": t.rule_id,
            "matched": t.matched,
            "elapsed_ns": t.elapsed_ns,
            **({"error": t.error} if t.error else {}),
            **({"shadow": True} if t.shadow else {}),
        }
        for t in decision.trace
        if full_trace or t.matched or t.error
    ]
    return {
        "event_id": decision.event_id,
        "account_id": decision.account_id,
        "event_type": decision.event_type.value,
        "region": decision.region,
        "outcome": decision.outcome.label,
        "score": decision.score,
        "reasons": [
            {
                "code": r.code.value,
                "rule": r.rule_id,
                "score": r.score,
                "detail": r.detail,
                **({"outcome": r.outcome.label} if r.outcome is not None else {}),
                **({"delay_s": r.delay_s} if r.delay_s is not None else {}),
            }
            for r in decision.reasons
        ],
        "rules_evaluated": len(decision.trace),
        "trace": trace,
        "versions": {
            "engine": decision.versions.engine,
            "catalog": decision.versions.catalog,
            "rules": decision.versions.rules,
            **({"lists": decision.versions.lists} if decision.versions.lists else {}),
            **({"models": decision.versions.models} if decision.versions.models else {}),
        },
        **(
            {"model": {"id": decision.model_id, "probability": decision.probability}}
            if decision.model_id
            else {}
        ),
        **({"notices": list(decision.notices)} if decision.notices else {}),
        **(
            {"delay_until": rfc3339_us(decision.delay_until_us)}
            if decision.delay_until_us is not None
            else {}
        ),
        "elapsed_us": round(decision.elapsed_us, 1),
    }


def rfc3339_us(us: int) -> str:
    """UTC microseconds as RFC 3339 with a Z (whole seconds when there are no microseconds)."""
    t = _EPOCH + timedelta(microseconds=us)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{t.microsecond:06d}Z" if t.microsecond else f"{text}Z"


def encode_view(view: dict[str, Any]) -> bytes:
    return _ENCODER.encode(view)
