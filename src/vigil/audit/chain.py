"""The hash chain of the audit log: how a record's hash is computed, and how a chain is verified.

Pure: no I/O. A record's hash is the SHA-256 (hex) of the UTF-8 bytes of the canonical JSON of the
list ``[seq, at_us, actor, action, subject, detail, prev_hash]`` (a system record's list ends with
``true`` as an eighth item, so the flag is covered and earlier records hash as they did), canonical JSON being
``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``. A JSON list of
strings and integers has one reading, so no two different records share an encoding.

The chain proves that records were not changed, removed or reordered *since the record after them was
written*. It is not a signature: whoever can write the store can rebuild a consistent chain from any
point, and can cut records off the end, and the chain alone cannot tell. Only a head (the last hash)
recorded elsewhere catches that: pass it as ``expect_head``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vigil.errors import InvalidInput
from vigil.model.audit import GENESIS, AuditRecord

__all__ = ["GENESIS", "Verification", "canonical", "digest", "next_record", "verify"]

_HEX = frozenset("0123456789abcdef")


def canonical(value: object) -> str:
    """``value`` as canonical JSON text: keys sorted, no spaces, non-ASCII kept (NaN refused)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def digest(
    seq: int,
    at_us: int,
    actor: str,
    action: str,
    subject: str,
    detail: str,
    prev_hash: str,
    system: bool = False,
) -> str:
    """The hex SHA-256 of the canonical JSON (UTF-8) of the list of the record's fields, in this order
    (and ``true`` last for a system record)."""
    fields: list[object] = [seq, at_us, actor, action, subject, detail, prev_hash]
    if system:
        fields.append(True)
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


def _digest_of(record: AuditRecord) -> str:
    r = record
    return digest(r.seq, r.at_us, r.actor, r.action, r.subject, r.detail, r.prev_hash, r.system)


def next_record(
    last: AuditRecord | None,
    *,
    at_us: int,
    actor: str,
    action: str,
    subject: str,
    detail: Mapping[str, object],
    system: bool = False,
) -> AuditRecord:
    """The record that follows ``last`` (or starts the chain): the next seq, ``last``'s hash as
    prev_hash, ``detail`` as canonical JSON, ``system`` (what Vigil did by itself), and its hash.
    ``detail`` that JSON cannot hold is ``InvalidInput``; an empty actor, action or subject is
    ``ValueError`` (the record's own check)."""
    try:
        text = canonical(dict(detail))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"the audit detail is not JSON: {exc}", field="detail") from None
    seq, prev_hash = (1, GENESIS) if last is None else (last.seq + 1, last.hash)
    return AuditRecord(
        seq=seq,
        at_us=at_us,
        actor=actor,
        action=action,
        subject=subject,
        detail=text,
        prev_hash=prev_hash,
        hash=digest(seq, at_us, actor, action, subject, text, prev_hash, system),
        system=system,
    )


def is_hash(text: str) -> bool:
    """Whether ``text`` is a hash as records hold them: 64 lowercase hex digits."""
    return len(text) == 64 and _HEX.issuperset(text)


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of ``verify``.

    ``records`` is how many records were found intact (all of them when ``ok``), ``head`` the hash of
    the last of them (``GENESIS`` for none), ``problem`` what is wrong (None when ``ok``) and ``seq``
    the first bad seq when one can be named (None when ``ok``, and for a head that is not the one
    expected while every record present is intact).
    """

    ok: bool
    records: int
    head: str
    problem: str | None = None
    seq: int | None = None


def _problem(record: AuditRecord, seq: int, prev_hash: str) -> tuple[int, str] | None:
    """What is wrong with ``record`` where record ``seq`` should follow a record hashed ``prev_hash``."""
    if record.seq > seq:
        after = "the start of the chain" if seq == 1 else f"record {seq - 1}"
        return seq, (
            f"record {seq} is missing: record {record.seq} follows {after}"
            " (records were deleted, or are out of order)"
        )
    if record.seq < seq:
        return record.seq, (
            f"record {record.seq} comes after record {seq - 1}: records are out of order or duplicated"
        )
    if _digest_of(record) != record.hash:
        return seq, f"record {seq} was changed: its hash does not match its content"
    if record.prev_hash != prev_hash:
        if seq == 1:
            return seq, "record 1 does not start the chain: its prev_hash is not the genesis (64 zeros)"
        return seq, (
            f"record {seq} does not follow record {seq - 1}: its prev_hash is not record {seq - 1}'s hash"
            f" (record {seq - 1} was replaced, or records before record {seq} were deleted and renumbered)"
        )
    return None


def verify(records: Iterable[AuditRecord], *, expect_head: str | None = None) -> Verification:
    """Check a chain, in seq order, and stop at the first problem (streaming: O(1) memory).

    Detected: a changed field (the record's hash no longer matches), a record deleted in the middle
    (a gap in seq, or a prev_hash that is not the previous record's hash), records reordered or
    duplicated, a first record that is not seq 1 on the genesis hash.

    Records cut off the end leave a shorter chain that is intact: only ``expect_head``, a head recorded
    elsewhere (``vigil audit verify --head``), detects that. When given, a chain ending on another head
    is a problem; the message says whether the expected head is an earlier record's hash (records were
    appended since it was taken) or absent (the tail was truncated, or the chain rewritten).
    ``expect_head`` that is not 64 lowercase hex digits is ``InvalidInput``.
    """
    if expect_head is not None and not is_hash(expect_head):
        raise InvalidInput("an expected head is 64 lowercase hex digits", field="expect_head")
    count, head = 0, GENESIS
    expected_at = 0 if expect_head == GENESIS else None  # the seq whose hash is expect_head, once seen
    for record in records:
        found = _problem(record, count + 1, head)
        if found is not None:
            seq, problem = found
            return Verification(ok=False, records=count, head=head, problem=problem, seq=seq)
        count, head = record.seq, record.hash
        if head == expect_head:
            expected_at = count
    if expect_head is None or head == expect_head:
        return Verification(ok=True, records=count, head=head)
    if expected_at is not None:
        problem = (
            f"the expected head is record {expected_at}'s hash: {count - expected_at} records were"
            f" appended after it (the chain ends at record {count}, head {head})"
        )
        return Verification(ok=False, records=count, head=head, problem=problem, seq=expected_at + 1)
    problem = (
        f"the chain ends at record {count} with head {head}, not the expected head {expect_head}:"
        " records were cut off the end, or the chain was rewritten"
    )
    return Verification(ok=False, records=count, head=head, problem=problem)
