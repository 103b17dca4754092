"""The building blocks of the response schemas (``views_schema``, ``desk_schema``): JSON Schema as
OpenAPI 3.1 reads it, written the way the views are built (a dict of keys, some always there)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from vigil.model import Outcome
from vigil.model.access import Role

REF = "#/components/schemas/{name}"
STRING: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer"}
NUMBER: dict[str, Any] = {"type": "number"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
TIME: dict[str, Any] = {"type": "string", "format": "date-time", "description": "UTC, RFC 3339"}
DECIMAL: dict[str, Any] = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "description": "a decimal"}
OUTCOME: dict[str, Any] = {"type": "string", "enum": [o.label for o in Outcome]}
ROLES: dict[str, Any] = {"type": "array", "items": {"type": "string", "enum": [r.value for r in Role]}}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": REF.format(name=name)}


def enum(values: type[Enum]) -> dict[str, Any]:
    return {"type": "string", "enum": [str(v.value) for v in values]}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def described(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {**schema, "description": description}


def obj(
    required: dict[str, Any], optional: dict[str, Any] | None = None, *, description: str = ""
) -> dict[str, Any]:
    """An object with these ``required`` keys (always written) and ``optional`` ones (sometimes)."""
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }
    if description:
        schema["description"] = description
    return schema
