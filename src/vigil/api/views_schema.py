"""OpenAPI schemas of every JSON view the API answers with, so that clients (and schemathesis, which
checks every answer against the spec) see what a success body holds.

Views that are dataclasses turned into JSON as they are (list snapshots, screening alerts, clearances,
address entries, name queries) take their schema from msgspec, like the events; views that are dicts
built by a ``*_view`` function (``vigil.views``, ``vigil.desk.views``, ``codec.decision_view``) or by a
route are written here (the desk's in ``desk_schema``). Every key a view always writes is required; a key
written only in some cases is optional; a value that can be null says so. Objects stay open
(``additionalProperties`` is not closed), so a view may grow a key without breaking a client.
"""

from __future__ import annotations

import typing
from datetime import datetime
from typing import Any

import msgspec

from vigil.api.desk_schema import DESK_VIEWS
from vigil.api.ler_schema import LER_VIEWS
from vigil.api.recovery_schema import RECOVERY_VIEWS
from vigil.api.shapes import (
    BOOLEAN,
    INTEGER,
    NUMBER,
    OUTCOME,
    REF,
    ROLES,
    STRING,
    TIME,
    array,
    described,
    enum,
    nullable,
    obj,
    ref,
)
from vigil.graph.links import LinkKind
from vigil.model import EventType, ReasonCode
from vigil.screening.entries import AddressEntry, SubjectKind
from vigil.screening.names.evidence import Fact, Verdict
from vigil.screening.names.results import NameQuery
from vigil.screening.policy import Direction
from vigil.screening.records import Clearance, ScreeningAlert
from vigil.screening.snapshot import SnapshotInfo

# --- decisions (codec.decision_view) and batches (routes/events.py) ---------------------------------

REASON = obj(
    {
        "code": described(enum(ReasonCode), "stable reason code (docs/reason-codes.md)"),
        "rule": STRING,
        "score": NUMBER,
        "detail": described(STRING, "a sentence an analyst reads"),
    },
    {
        "outcome": described(OUTCOME, "set when the rule forces an outcome"),
        "delay_s": described(NUMBER, "set when the rule delays the action (seconds)"),
    },
)
TRACE = obj(
    {"rule": STRING, "matched": described(nullable(BOOLEAN), "null when the rule failed or could not say")},
    {
        "elapsed_ns": described(INTEGER, "where the rule was timed (a full trace)"),
        "error": STRING,
        "shadow": described({"type": "boolean", "const": True}, "a shadow rule: never changes the outcome"),
    },
)
DECISION = obj(
    {
        "event_id": STRING,
        "account_id": STRING,
        "event_type": enum(EventType),
        "region": STRING,
        "outcome": OUTCOME,
        "score": NUMBER,
        "reasons": described(array(REASON), "most severe first"),
        "rules_evaluated": INTEGER,
        "trace": described(
            array(TRACE),
            "on POST: the rules that matched, failed or could not say (untimed; the others are counted "
            "in rules_evaluated); on GET /v1/decisions/{event_id}: every rule (docs/rules.md, The trace)",
        ),
        "versions": obj(
            {"engine": STRING, "catalog": STRING, "rules": STRING},
            {"lists": STRING, "models": STRING},
        ),
        "elapsed_us": NUMBER,
    },
    {
        "model": obj({"id": STRING, "probability": nullable(NUMBER)}, description="the model that scored it"),
        "notices": described(array(STRING), "show these to the customer"),
        "delay_until": described(TIME, "carry the action out at this instant, not before"),
    },
)
ITEM_ERROR = obj(
    {"code": described(STRING, "stable error code (docs/api.md)"), "status": INTEGER, "message": STRING},
    {"field": described(STRING, "the field that is wrong")},
)
BATCH = obj(
    {
        "decided": INTEGER,
        "rejected": INTEGER,
        "results": described(
            array(
                {
                    "oneOf": [
                        obj({"index": INTEGER, "replayed": BOOLEAN, "decision": ref("Decision")}),
                        obj({"index": INTEGER, "error": ITEM_ERROR}),
                    ]
                }
            ),
            "one per event, in the batch's order: its decision or its error",
        ),
    }
)
ACCOUNT_DECISIONS = obj(
    {"account_id": STRING, "decisions": described(array(ref("Decision")), "newest first")}
)

# --- screening (vigil.views: address_view, name_view; the rest are dataclasses) ---------------------

SCREENING_REASON = obj(
    {"code": enum(ReasonCode), "detail": STRING}, {"outcome": described(OUTCOME, "a forced outcome")}
)
ADDRESS_SCREENING = obj(
    {
        "chain": ref("Chain"),
        "address": described(STRING, "as sent"),
        "canonical": nullable(STRING),
        "key": described(nullable(STRING), "FAMILY:canonical, null when the address did not parse"),
        "direction": enum(Direction),
        "outcome": OUTCOME,
        "warn_user": BOOLEAN,
        "hits": array(ref("AddressEntry")),
        "reasons": array(ref("ScreeningReason")),
    }
)
NAME_MATCH = obj(
    {
        "entry_id": STRING,
        "source": STRING,
        "kind": enum(SubjectKind),
        "matched_name": STRING,
        "alias": BOOLEAN,
        "score": described(NUMBER, "0-100, evidence included"),
        "name_score": described(NUMBER, "0-100, names only"),
        "explanation": array(STRING),
        "pairs": array(
            obj(
                {
                    "query": nullable(STRING),
                    "listed": nullable(STRING),
                    "role": nullable(STRING),
                    "similarity": NUMBER,
                    "weight": NUMBER,
                }
            )
        ),
        "evidence": array(
            obj(
                {
                    "fact": enum(Fact),
                    "verdict": enum(Verdict),
                    "points": NUMBER,
                    "detail": STRING,
                    "decisive": BOOLEAN,
                }
            )
        ),
    }
)
NAME_SCREENING = obj(
    {
        "query": ref("NameQuery"),
        "outcome": OUTCOME,
        "matches": described(array(ref("NameMatch")), "best first"),
        "cleared": described(array(ref("NameMatch")), "matches cleared for this customer"),
        "reasons": array(ref("ScreeningReason")),
    }
)

# --- network analysis (vigil.views: expansion_view, cluster_view, links_view) -----------------------

EXPANSION = obj(
    {
        "seeds": array(STRING),
        "considered": described(INTEGER, "accounts within the hop bound"),
        "found": array(
            obj(
                {
                    "account": STRING,
                    "score": NUMBER,
                    "hops": INTEGER,
                    "flagged": BOOLEAN,
                    "path": described(
                        array(
                            obj(
                                {
                                    "from": STRING,
                                    "to": STRING,
                                    "links": array(obj({"kind": enum(LinkKind), "shared": STRING})),
                                }
                            )
                        ),
                        "from a seed to the account",
                    ),
                }
            )
        ),
    }
)
CLUSTER = obj(
    {
        "id": INTEGER,
        "size": INTEGER,
        "score": NUMBER,
        "reasons": array(STRING),
        "signals": obj(
            {
                "shared_identity_per_account": NUMBER,
                "new_kyc_share": NUMBER,
                "fan_in": INTEGER,
                "cash_out_share": NUMBER,
                "cycle_members": INTEGER,
                "self_trades": INTEGER,
                "flagged": INTEGER,
            }
        ),
        "members": array(STRING),
    }
)
CLUSTERS = obj(
    {
        "clusters": described(array(ref("Cluster")), "most suspicious first"),
        "communities": described(INTEGER, "communities found at or above min_size"),
    }
)
GRAPH_ACCOUNT = obj(
    {
        "account": STRING,
        "cluster_size": INTEGER,
        "flagged": BOOLEAN,
        "links": described(
            array(
                obj(
                    {
                        "account": STRING,
                        "weight": NUMBER,
                        "flagged": BOOLEAN,
                        "kinds": array(
                            obj(
                                {
                                    "kind": enum(LinkKind),
                                    "count": INTEGER,
                                    "first_seen_us": INTEGER,
                                    "last_seen_us": INTEGER,
                                }
                            )
                        ),
                    }
                )
            ),
            "strongest first",
        ),
    }
)

# --- access (vigil.views: key_view, user_view; routes/access.py) -------------------------------------

API_KEY = obj(
    {"key_id": STRING, "name": STRING, "roles": ROLES, "created_at": TIME, "revoked_at": nullable(TIME)}
)
NEW_API_KEY = {"allOf": [ref("ApiKey"), obj({"token": described(STRING, "shown once: vk_<id>.<secret>")})]}
USER = obj({"username": STRING, "roles": ROLES, "created_at": TIME, "disabled_at": nullable(TIME)})
SESSION = obj(
    {"token": described(STRING, "send it as a bearer token"), "username": STRING, "expires_at": TIME}
)
ME = obj(
    {
        "kind": {"type": "string", "enum": ["key", "user"]},
        "name": described(STRING, "the key id or the username"),
        "roles": ROLES,
    }
)

# --- operations (routes/ops.py) ----------------------------------------------------------------------

HEALTH = obj({"status": {"type": "string", "const": "ok"}})
READY = obj(
    {
        "ready": BOOLEAN,
        "models": described(STRING, "region=model_id,... or a sentence when none is promoted"),
    },
    {"error": described(ITEM_ERROR, "why not (on 503)")},
)
STATE = obj(
    {
        "events": described(INTEGER, "events in the journal"),
        "feature_state": described(STRING, "a digest of the feature state"),
        "versions": obj({"engine": STRING, "catalog": STRING, "rules": STRING, "lists": STRING}),
    }
)

_VIEWS: dict[str, dict[str, Any]] = {
    "Decision": DECISION,
    "BatchResult": BATCH,
    "AccountDecisions": ACCOUNT_DECISIONS,
    "ScreeningReason": SCREENING_REASON,
    "AddressScreening": ADDRESS_SCREENING,
    "NameMatch": NAME_MATCH,
    "NameScreening": NAME_SCREENING,
    "Expansion": EXPANSION,
    "Cluster": CLUSTER,
    "Clusters": CLUSTERS,
    "GraphAccount": GRAPH_ACCOUNT,
    "ApiKey": API_KEY,
    "NewApiKey": NEW_API_KEY,
    "User": USER,
    "Session": SESSION,
    "Me": ME,
    "Health": HEALTH,
    "Ready": READY,
    "State": STATE,
}
# Dataclasses that routes answer as they are (``msgspec.to_builtins``): their schema is msgspec's, with
# every field required (a dataclass is written whole) except those a route may leave out.
_STRUCTS = (SnapshotInfo, ScreeningAlert, Clearance, AddressEntry, NameQuery)
_LEFT_OUT = {"SnapshotInfo": {"origin"}}  # shown to admins only


def view_components() -> dict[str, Any]:
    """Schemas of every success body the API answers, by component name."""
    _, components = msgspec.json.schema_components(_STRUCTS, ref_template=REF)
    times = {cls.__name__: _datetimes(cls) for cls in _STRUCTS}
    for name, schema in components.items():
        if schema.get("type") != "object":
            continue
        schema["required"] = [p for p in schema["properties"] if p not in _LEFT_OUT.get(name, ())]
        for field, prop in schema["properties"].items():
            prop.pop("default", None)  # a default documents a request, not an answer
            if field in times.get(name, ()):  # msgspec writes a datetime as RFC 3339 but says "string"
                for branch in prop.get("anyOf", [prop]):
                    if branch.get("type") == "string":
                        branch["format"] = "date-time"
    return {**components, **_VIEWS, **DESK_VIEWS, **LER_VIEWS, **RECOVERY_VIEWS}


def _datetimes(cls: type) -> set[str]:
    """The fields of a dataclass that hold a datetime (or None)."""
    return {
        name
        for name, hint in typing.get_type_hints(cls).items()
        if hint is datetime or datetime in typing.get_args(hint)
    }
