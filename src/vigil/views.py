"""Public JSON views of screening results, shared by the CLI (``--json``) and the API.

Decisions have theirs in ``codec.decision_view``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from vigil.model import Reason
from vigil.screening.screener import AddressScreen, NameScreen


def reasons_view(reasons: Iterable[Reason]) -> list[dict[str, Any]]:
    return [
        {"code": r.code.value, "detail": r.detail, **({"outcome": r.outcome.label} if r.outcome else {})}
        for r in reasons
    ]


def address_view(r: AddressScreen) -> dict[str, Any]:
    return {
        "chain": r.chain.value,
        "address": r.text,
        "canonical": r.address.canonical if r.address else None,
        "key": r.address.key if r.address else None,
        "direction": r.direction.value,
        "outcome": r.outcome.label,
        "warn_user": r.warn_user,
        "hits": msgspec.to_builtins(list(r.hits)),
        "reasons": reasons_view(r.reasons),
    }


def name_view(r: NameScreen) -> dict[str, Any]:
    return {
        "query": msgspec.to_builtins(r.query),
        "outcome": r.outcome.label,
        "matches": [m.to_dict() for m in r.matches],
        "cleared": [m.to_dict() for m in r.cleared],
        "reasons": reasons_view(r.reasons),
    }
