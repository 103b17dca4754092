"""One entry of the audit log: who did or read what, when, chained to the entry before it by hash.

Records are appended, never changed: ``seq`` numbers them 1, 2, 3... without gaps, ``prev_hash`` is
the hash of the record before (``GENESIS`` for the first) and ``hash`` covers every other field and
``prev_hash``, so changing or removing a record breaks the chain (``vigil.audit.chain`` computes and
checks the hashes; docs/audit.md gives the exact encoding).
"""

from __future__ import annotations

from dataclasses import dataclass

GENESIS = "0" * 64  # the prev_hash of the first record


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """Who (``actor``: a username or an API key id) did ``action`` (dotted: ``case.read``,
    ``case.freeze_requested``) on ``subject`` (``case:c-000001``, ``account:a00001``), when (``at_us``,
    µs since the epoch), with what details (``detail``: canonical JSON text of an object).
    ``system`` marks what Vigil did by itself (a lockout): the flag, never the actor's name, says so.

    ``__post_init__`` refuses (``ValueError``) an empty actor, action or subject and a seq below 1.
    """

    seq: int
    at_us: int
    actor: str
    action: str
    subject: str
    detail: str
    prev_hash: str
    hash: str
    system: bool = False

    def __post_init__(self) -> None:
        if self.seq < 1:
            raise ValueError(f"an audit record's seq starts at 1, not {self.seq}")
        for name in ("actor", "action", "subject"):
            if not getattr(self, name):
                raise ValueError(f"audit record {self.seq} needs a non-empty {name}")
