"""JSON at the edges: events in, decisions out, with errors that name the field.

msgspec decodes straight into the model's dataclasses (their ``__post_init__`` checks run), so
the wire format is the model itself plus a ``type`` tag. A missing, mistyped, invalid or unknown field
is an ``InvalidEvent`` naming it (an unknown field is refused, not ignored: a misspelt optional field
would otherwise drop a signal silently). Whatever the bytes, ``decode_event`` returns an event or
raises ``InvalidEvent``: invalid UTF-8, JSON nested too deeply, numbers out of range included.

``Admission`` is what an edge accepts beyond the model's invariants: regions from a configured
vocabulary and timestamps within a window around now (``VIGIL_REGIONS``, ``VIGIL_EVENT_MAX_AGE_DAYS``,
``VIGIL_EVENT_MAX_AHEAD_DAYS``; docs/api.md).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from vigil.errors import InvalidEvent, InvalidInput
from vigil.model import (
    EVENT_CLASSES,
    Decision,
    Deposit,
    Event,
    EventType,
    KycSubmitted,
    Outcome,
    Reason,
    Versions,
)

_HEAD = msgspec.json.Decoder(dict[str, msgspec.Raw])
_TYPE = msgspec.json.Decoder(str)
_FIELDS = {
    t: frozenset(f.name for f in dataclasses.fields(cls)) | {"type"} for t, cls in EVENT_CLASSES.items()
}
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


@dataclass(frozen=True, slots=True)
class Admission:
    """What an edge admits beyond the model's invariants. ``regions``: the vocabulary (None: any well-formed
    code); ``max_age_s``/``max_ahead_s``: how far before/after now an event's time may be (None: no bound)."""

    regions: Collection[str] | None = None
    max_age_s: float | None = None
    max_ahead_s: float | None = None

    def check(self, event: Event, now_us: int | None = None) -> None:
        if self.regions is not None and event.region not in self.regions:
            known = ", ".join(sorted(self.regions))
            raise InvalidEvent(
                f"{event.region!r} is not a configured region (one of: {known})", field="region"
            )
        if self.max_age_s is None and self.max_ahead_s is None:
            return
        now = time.time_ns() // 1000 if now_us is None else now_us
        ts = event.ts_us
        if self.max_age_s is not None and ts < now - int(self.max_age_s * 1e6):
            raise InvalidEvent(
                f"{rfc3339_us(ts)} is more than {_span(self.max_age_s)} before now ({rfc3339_us(now)})",
                field="ts",
            )
        if self.max_ahead_s is not None and ts > now + int(self.max_ahead_s * 1e6):
            raise InvalidEvent(
                f"{rfc3339_us(ts)} is more than {_span(self.max_ahead_s)} after now ({rfc3339_us(now)})",
                field="ts",
            )


_NESTED = {
    "geo": frozenset({"lat", "lon"}),
    "network": frozenset({"country", "is_tor", "is_vpn", "is_hosting"}),
}
_OBJECT = msgspec.json.Decoder(dict[str, msgspec.Raw] | None)


def _check_nested(name: str, known: frozenset[str], raw: msgspec.Raw) -> None:
    try:
        inner = _OBJECT.decode(raw)
    except msgspec.ValidationError:
        raise InvalidEvent("expected an object", field=name) from None
    unknown = sorted(set(inner or ()) - known)
    if unknown:
        shown = unknown[0] if len(unknown[0]) <= 60 else unknown[0][:60] + "..."
        raise InvalidEvent(f"unknown field {shown!r} (unknown fields are refused)", field=name)


def _span(seconds: float) -> str:
    return f"{seconds / 86_400:g} days" if seconds >= 86_400 else f"{seconds:g} seconds"


def decode_event(data: bytes | str, admission: Admission | None = None) -> Event:
    """One event from its JSON text; raises ``InvalidEvent`` naming what is wrong, and nothing else."""
    if isinstance(data, str):
        try:
            data = data.encode()
        except UnicodeEncodeError as exc:  # a lone surrogate in a str
            raise InvalidEvent(f"not valid Unicode: {exc.reason} at character {exc.start}") from None
    try:
        head = _HEAD.decode(data)
        type_raw = head.get("type")
        if type_raw is None:
            raise InvalidEvent(f"missing event type (one of: {_KNOWN})", field="type")
        try:
            type_name = _TYPE.decode(type_raw)
        except msgspec.ValidationError:
            raise InvalidEvent(f"the event type must be a string (one of: {_KNOWN})", field="type") from None
        try:
            event_type = EventType(type_name)
        except ValueError:
            shown = repr(type_name) if len(type_name) <= 40 else f"of {len(type_name):,} characters"
            raise InvalidEvent(f"unknown event type {shown} (one of: {_KNOWN})", field="type") from None
        allowed = _FIELDS[event_type]
        if len(head) > len(allowed) or not allowed.issuperset(head):
            unknown = sorted(set(head) - allowed)
            name = unknown[0] if len(unknown[0]) <= 60 else unknown[0][:60] + "..."
            raise InvalidEvent(
                f"unknown field {name!r} for a {event_type.value} event (unknown fields are refused)",
                field=name if name.isprintable() else None,
            )
        for nested, known in _NESTED.items():
            raw = head.get(nested)
            if raw is not None and raw != b"null":
                _check_nested(nested, known, raw)
        event = _DECODERS[event_type].decode(data)
    except msgspec.ValidationError as exc:
        raise _error(exc) from None
    except msgspec.DecodeError as exc:
        raise InvalidEvent(f"malformed JSON: {exc}") from None
    except RecursionError:
        raise InvalidEvent("malformed JSON: nested too deeply (an event is at most 3 levels deep)") from None
    if admission is not None:
        admission.check(event)
    return event


# Optional fields added to an event type after decisions began keeping the digest of the event's canonical
# JSON (``engine.idempotency``), last in their class: written only when one is set, so the canonical form,
# and the digest, of an event that sets none is what it was before they existed (a retry of an event decided
# by an older release is still a retry).
# The deposit's three (issue 18) were first written as nulls by the release of 2026-12-07: its digests
# are accepted too (``engine.idempotency``, ``late_nulls``).
_LATE_FIELDS: dict[type[Event], bytes] = {
    KycSubmitted: b',"sex":null,"mrz":null}',
    Deposit: b',"uncredited":null,"deposit_address":null,"memo":null}',
}


def encode_event(event: Event, *, late_nulls: bool = False) -> bytes:
    """The event's JSON, ``type`` tag first; ``decode_event`` gives back an equal event. ``late_nulls``
    keeps the late optional fields that are unset as nulls (the form one release digested)."""
    body = _ENCODER.encode(event)
    late = None if late_nulls else _LATE_FIELDS.get(type(event))
    if late is not None and body.endswith(late):
        body = body[: -len(late)] + b"}"
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
    rules_evaluated: int = 0


_UNTRACED = msgspec.json.Decoder(_Untraced)
_UNTRACED_FIELDS = _Untraced.__struct_fields__


def decision_view(decision: Decision, *, full_trace: bool = False) -> dict[str, Any]:
    """The public, readable form: outcome names, ranked reasons, the trace of what fired or failed.

    ``full_trace`` includes every rule the decision's trace holds, not only those that matched or
    errored (``Engine.explain`` completes a compact trace first); ``elapsed_ns`` only where timed.
    """
    trace = [
        {
            "rule": t.rule_id,
            "matched": t.matched,
            **({"elapsed_ns": t.elapsed_ns} if t.elapsed_ns is not None else {}),
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
        "rules_evaluated": decision.evaluated,
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


def parse_instant(text: str, option: str) -> int:
    """An ISO 8601 instant with a timezone (``2026-01-06T12:00:00Z``), or a date (its midnight UTC),
    as microseconds since the epoch; ``InvalidInput`` naming ``option`` otherwise."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        example = "e.g. 2026-01-06T12:00:00Z or 2026-01-06"
        raise InvalidInput(f"not an ISO 8601 instant or date: {text!r} ({example})", field=option) from None
    if "T" not in value.upper() and " " not in value and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # a bare date: the day starts at midnight UTC
    if moment.tzinfo is None:
        raise InvalidInput(f"{text!r} has no timezone; add one (e.g. {value}Z)", field=option)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def rfc3339_us(us: int) -> str:
    """UTC microseconds as RFC 3339 with a Z (whole seconds when there are no microseconds)."""
    t = _EPOCH + timedelta(microseconds=us)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{t.microsecond:06d}Z" if t.microsecond else f"{text}Z"


def encode_view(view: dict[str, Any]) -> bytes:
    return _ENCODER.encode(view)


_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]|,|[^"\[\]{},]+', re.S)
ITEM_DEPTH_LIMIT = 32


def split_array(data: bytes) -> list[bytes | InvalidEvent]:
    """The items of a JSON array as raw bytes, found without a recursive parser: the fallback for a batch
    that msgspec cannot read whole (an item nested thousands deep, a lone surrogate escape), so one bad item
    does not fail the others. An item nested deeper than ``ITEM_DEPTH_LIMIT`` is an ``InvalidEvent`` in
    its place. Raises ``InvalidEvent`` when ``data`` is not an array at all (unbalanced, unterminated).
    Linear in the size of ``data``, but in Python: callers bound the size."""
    body = data.strip()
    if not body.startswith(b"[") or not body.endswith(b"]"):
        raise InvalidEvent("expected a JSON array of events", field="body")
    items: list[bytes | InvalidEvent] = []
    depth = 0
    deepest = 0
    start = 1
    end = len(body) - 1
    for m in _TOKEN.finditer(body, 1, end):
        token = m.group()
        first = token[:1]
        if first in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif first in (b"]", b"}"):
            depth -= 1
            if depth < 0:
                raise InvalidEvent(
                    f"malformed JSON: unbalanced {token.decode()} at byte {m.start()}", field="body"
                )
        elif token == b"," and depth == 0:
            items.append(_item(body[start : m.start()], deepest))
            start, deepest = m.end(), 0
        elif first == b'"' and (len(token) < 2 or not token.endswith(b'"')):
            raise InvalidEvent(f"malformed JSON: unterminated string at byte {m.start()}", field="body")
    if depth != 0:
        raise InvalidEvent("malformed JSON: unbalanced brackets", field="body")
    last = body[start:end]
    if items or last.strip():
        items.append(_item(last, deepest))
    return items


def _item(raw: bytes, deepest: int) -> bytes | InvalidEvent:
    if deepest > ITEM_DEPTH_LIMIT:
        return InvalidEvent(f"malformed JSON: nested too deeply ({deepest:,} levels; an event has at most 3)")
    if not raw.strip():
        return InvalidEvent("malformed JSON: an empty item")
    return raw
