"""What a worker tells its peers after each commit: it decided (and journaled) every event of its
partitions through stream sequence ``upto``, and these decisions flagged these accounts."""

from __future__ import annotations

import msgspec


class Note(msgspec.Struct, frozen=True, array_like=True):
    ordinal: int
    upto: int
    flags: list[tuple[int, str, int]] = []  # (sequence, account, event time in µs)


_ENCODE = msgspec.json.Encoder().encode
_DECODE = msgspec.json.Decoder(Note).decode


def encode_note(note: Note) -> bytes:
    return _ENCODE(note)


def decode_note(body: bytes) -> Note:
    return _DECODE(body)
