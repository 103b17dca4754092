"""Which partition an account's events go to, and which partitions a worker owns."""

from __future__ import annotations

from vigil.engine.idempotency import id_digest


def partition_of(account_id: str, partitions: int) -> int:
    """The partition of an account: its stable digest (BLAKE2b-64, the same in every process) modulo the
    stream's partition count. All of an account's events, so all of its state, live in one partition."""
    return id_digest(account_id) % partitions


def owned(ordinal: int, workers: int, partitions: int) -> list[int]:
    """The partitions worker ``ordinal`` of ``workers`` owns: those p with p % workers == ordinal."""
    if not 0 <= ordinal < workers:
        raise ValueError(f"ordinal {ordinal} is not one of 0..{workers - 1}")
    return [p for p in range(partitions) if p % workers == ordinal]
