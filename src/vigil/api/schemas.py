"""OpenAPI schemas for what the hot routes read with msgspec (not pydantic), the error, and the helpers
that attach request bodies and answers to routes (the answers' schemas are ``views_schema``'s).

Events are the model's dataclasses plus a ``type`` tag (``codec``); their JSON schema comes from
msgspec, so the spec and the decoder cannot disagree. msgspec sees types only: what the model's
``__post_init__`` also checks (non-empty ids, country codes, tickers, positive amounts, bounded fiat
values) is added from ``_FIELDS``, so clients and generated tests see the real limits.
"""

from __future__ import annotations

from typing import Any

import msgspec

from vigil.model import EVENT_CLASSES, Rail
from vigil.model.events import FIAT_LIMIT, MRZ_LINE_LIMIT, MRZ_LINES

_REF = "#/components/schemas/{name}"


def event_components() -> dict[str, Any]:
    """Schemas of every event type and of ``Event``: one of them, chosen by ``type``."""
    types = list(EVENT_CLASSES.items())
    _, components = msgspec.json.schema_components([cls for _, cls in types], ref_template=_REF)
    for name, schema in components.items():
        for field, prop in schema.get("properties", {}).items():
            extra = _FIELDS.get((name, field)) or _FIELDS.get(("*", field))
            if extra is not None:
                for branch in prop.get("anyOf", [prop]):  # an optional field: the branch that is not null
                    if branch.get("type") != "null":
                        branch.update(extra)
    for name, needed in _CRYPTO_NEEDS.items():
        schema = components[name]
        present = {f: _not_null(schema["properties"][f]) for f in needed}
        schema["if"] = {"properties": {"rail": {"const": Rail.CRYPTO.value}}, "required": ["rail"]}
        schema["then"] = {"properties": present, "required": list(needed)}
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
    components["Error"] = ERROR
    return components


def _not_null(prop: dict[str, Any]) -> dict[str, Any]:
    """The schema of an optional field's value when it is present (the branch that is not null)."""
    branches: list[dict[str, Any]] = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
    return branches[0]


_NOT_EMPTY = {"minLength": 1}
_COUNTRY = {"pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2, upper case"}
_NON_NEGATIVE = {"pattern": r"^[0-9]+(\.[0-9]+)?$"}
_POSITIVE = {"pattern": r"^([0-9]*[1-9][0-9]*(\.[0-9]+)?|[0-9]*\.[0-9]*[1-9][0-9]*)$"}
# What the model's ``__post_init__`` checks, by (component or "*", field). A check the schema cannot
# state (a birth year not after the event's, a transfer to another account) stays the model's alone.
_FIELDS: dict[tuple[str, str], dict[str, Any]] = {
    ("*", "event_id"): _NOT_EMPTY,
    ("*", "account_id"): _NOT_EMPTY,
    ("*", "region"): _NOT_EMPTY,
    ("*", "country"): _COUNTRY,
    ("*", "document_country"): _COUNTRY,
    ("*", "nationality"): _COUNTRY,
    ("*", "ip"): {"anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]},
    ("*", "asset"): {"pattern": "^[A-Z0-9]+$", "description": "ticker: upper-case letters and digits"},
    ("*", "pair"): {"pattern": "^[A-Z0-9]+/[A-Z0-9]+$", "description": "base/quote, e.g. BTC/USDT"},
    ("*", "fiat_currency"): {"pattern": "^[A-Z]{3}$", "description": "ISO 4217"},
    ("*", "amount"): {"minimum": 1, "description": "in the asset's base units"},
    ("*", "quantity"): {"minimum": 1, "description": "in the base asset's base units"},
    ("*", "fiat_value"): {
        "pattern": rf"^[0-9]{{1,{FIAT_LIMIT.adjusted()}}}(\.[0-9]+)?$",
        "description": f"in the reporting currency, below 10^{FIAT_LIMIT.adjusted()}",
    },
    ("*", "price"): _POSITIVE,
    ("*", "declared_annual_income_fiat"): _NON_NEGATIVE,
    ("*", "expected_monthly_volume_fiat"): _NON_NEGATIVE,
    ("*", "address"): {"pattern": r"^\S+$"},
    ("*", "source_address"): {"pattern": r"^\S+$"},
    ("*", "destination_address"): {"pattern": r"^\S+$"},
    ("Geo", "lat"): {"minimum": -90, "maximum": 90},
    ("Geo", "lon"): {"minimum": -180, "maximum": 180},
    ("InternalTransfer", "counterparty_account_id"): _NOT_EMPTY,
    ("KycSubmitted", "level"): {"minimum": 0},
    ("KycSubmitted", "birth_year"): {"minimum": 1900},
    ("KycSubmitted", "full_name"): {"pattern": r"[^\W\d_]", "description": "as on the document; has letters"},
    ("KycSubmitted", "sex"): {"enum": ["M", "F", "X"], "description": "as on the document"},
    ("KycSubmitted", "mrz"): {
        "maxItems": MRZ_LINES,
        "items": {"type": "string", "maxLength": MRZ_LINE_LIMIT},
        "description": "the document's machine-readable zone, one string a line, as OCR read it"
        " (ICAO 9303; a line that does not read is reported, not refused: docs/identity.md)",
    },
}
# Fields a crypto deposit or withdrawal must have (they are optional on the fiat rail).
_CRYPTO_NEEDS = {"Deposit": ("chain",), "Withdrawal": ("chain", "destination_address")}

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


def returns(
    ref: str, description: str, *, status: int = 200, array: bool = False
) -> dict[int | str, dict[str, Any]]:
    """``responses`` for a route's success answer: one schema by reference (or an array of it), on
    ``status`` (201 for a route that creates); ``views_schema`` holds the schemas."""
    schema: dict[str, Any] = {"$ref": _REF.format(name=ref)}
    if array:
        schema = {"type": "array", "items": schema}
    return {
        status: {"description": description, "content": {"application/json": {"schema": schema}}},
        422: {
            "description": "invalid input; the error names the field",
            "content": {"application/json": {"schema": {"$ref": _REF.format(name="Error")}}},
        },
    }
