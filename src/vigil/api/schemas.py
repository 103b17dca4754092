"""OpenAPI schemas for what the hot routes read and write with msgspec (not pydantic).

Events are the model's dataclasses plus a ``type`` tag (``codec``); their JSON schema comes from
msgspec, so the spec and the decoder cannot disagree.
"""

from __future__ import annotations

from typing import Any

import msgspec

from vigil.model import EVENT_CLASSES, Outcome

_REF = "#/components/schemas/{name}"


def event_components() -> dict[str, Any]:
    """Schemas of every event type and of ``Event``: one of them, chosen by ``type``."""
    types = list(EVENT_CLASSES.items())
    _, components = msgspec.json.schema_components([cls for _, cls in types], ref_template=_REF)
    mapping = {}
    for etype, cls in types:
        schema = components[cls.__name__]
        schema["properties"] = {"type": {"type": "string", "enum": [etype.value]}, **schema["properties"]}
        schema["required"] = ["type", *schema.get("required", [])]
        ts = schema["properties"].get("ts")
        if ts is not None and ts.get("type") == "string":
            ts["format"] = "date-time"
        mapping[etype.value] = _REF.format(name=cls.__name__)
    components["Event"] = {
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
    }
    components["Decision"] = DECISION
    components["Error"] = ERROR
    return components


_REASON = {
    "type": "object",
    "required": ["code", "rule", "score", "detail"],
    "properties": {
        "code": {"type": "string", "description": "stable reason code (docs/reason-codes.md)"},
        "rule": {"type": "string"},
        "score": {"type": "number"},
        "detail": {"type": "string", "description": "a sentence an analyst reads"},
        "outcome": {"type": "string", "description": "set when the rule forces an outcome"},
    },
}
DECISION: dict[str, Any] = {
    "type": "object",
    "required": ["event_id", "account_id", "event_type", "region", "outcome", "score", "reasons", "versions"],
    "properties": {
        "event_id": {"type": "string"},
        "account_id": {"type": "string"},
        "event_type": {"type": "string"},
        "region": {"type": "string"},
        "outcome": {"type": "string", "enum": [o.label for o in Outcome]},
        "score": {"type": "number"},
        "reasons": {"type": "array", "items": _REASON, "description": "most severe first"},
        "rules_evaluated": {"type": "integer"},
        "trace": {
            "type": "array",
            "items": {"type": "object"},
            "description": "rules that matched or failed",
        },
        "versions": {"type": "object", "additionalProperties": {"type": "string"}},
        "notices": {
            "type": "array",
            "items": {"type": "string"},
            "description": "show these to the customer",
        },
        "elapsed_us": {"type": "number"},
    },
}
ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "stable error code (docs/api.md)"},
                "message": {"type": "string"},
                "field": {"type": "string", "description": "the field that is wrong"},
            },
        }
    },
}


def body(ref: str, *, array: bool = False, max_items: int | None = None) -> dict[str, Any]:
    """An ``openapi_extra`` request body: one schema by reference (or an array of it)."""
    schema: dict[str, Any] = {"$ref": _REF.format(name=ref)}
    if array:
        schema = {"type": "array", "items": schema, "minItems": 1}
        if max_items is not None:
            schema["maxItems"] = max_items
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def returns(ref: str, description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": _REF.format(name=ref)}}},
        },
        422: {
            "description": "invalid input; the error names the field",
            "content": {"application/json": {"schema": {"$ref": _REF.format(name="Error")}}},
        },
    }
