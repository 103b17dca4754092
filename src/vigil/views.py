"""Public JSON views shared by the CLI (``--json``) and the API: screening, network analysis, access.

Decisions have theirs in ``codec.decision_view``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from vigil.graph import EntityGraph
from vigil.graph.communities import Cluster
from vigil.graph.expand import Expansion
from vigil.model import Reason
from vigil.model.access import ApiKey, User
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


def expansion_view(result: Expansion) -> dict[str, Any]:
    return {
        "seeds": list(result.seeds),
        "considered": result.considered,
        "found": [
            {
                "account": f.account,
                "score": f.score,
                "hops": f.hops,
                "flagged": f.flagged,
                "path": [
                    {
                        "from": s.from_account,
                        "to": s.to_account,
                        "links": [{"kind": k.value, "shared": v} for k, v in s.kinds],
                    }
                    for s in f.path
                ],
            }
            for f in result.found
        ],
    }


def cluster_view(c: Cluster) -> dict[str, Any]:
    return {
        "id": c.id,
        "size": c.size,
        "score": c.score,
        "reasons": list(c.reasons),
        "signals": {
            "shared_identity_per_account": c.shared_identity_per_account,
            "new_kyc_share": c.new_kyc_share,
            "fan_in": c.fan_in,
            "cash_out_share": c.cash_out_share,
            "cycle_members": c.cycle_members,
            "self_trades": c.self_trades,
            "flagged": c.flagged,
        },
        "members": list(c.members),
    }


def links_view(graph: EntityGraph, account_id: str, limit: int) -> dict[str, Any]:
    a = graph.index[account_id]
    neighbours = sorted(graph.adjacency[a].items(), key=lambda kv: (-kv[1], graph.names[kv[0]]))[:limit]
    return {
        "account": account_id,
        "cluster_size": graph.component_size(a),
        "flagged": a in graph.flagged,
        "links": [
            {
                "account": graph.names[b],
                "weight": w / 1000,
                "flagged": b in graph.flagged,
                "kinds": [
                    {
                        "kind": k.value,
                        "count": e.count,
                        "first_seen_us": e.first_us,
                        "last_seen_us": e.last_us,
                    }
                    for k, e in graph.kinds_between(a, b).items()
                ],
            }
            for b, w in neighbours
        ],
    }


def key_view(key: ApiKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "name": key.name,
        "roles": sorted(r.value for r in key.roles),
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def user_view(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "roles": sorted(r.value for r in user.roles),
        "created_at": user.created_at.isoformat(),
        "disabled_at": user.disabled_at.isoformat() if user.disabled_at else None,
    }
