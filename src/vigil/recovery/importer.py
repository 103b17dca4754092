"""``import_claims``: file each claim of a JSON-lines file (the simulator's claims file, or the
exchange's own), one outcome per line: the claim filed, or the error that refused it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from vigil.errors import Conflict, InvalidInput
from vigil.recovery.requests import parse_claim
from vigil.recovery.service import Actor, Recovery

_ROW = msgspec.json.Decoder(dict[str, Any])


def import_claims(recovery: Recovery, lines: Iterable[bytes], actor: Actor) -> Iterator[dict[str, Any]]:
    """For each line: ``{"line", "reference", "claim_id", "state"}`` once filed, or ``{"line",
    "reference", "error", "field"}`` when refused (a line that is not a JSON object included)."""
    recovery.catch_up()
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        reference = None
        try:
            row = _ROW.decode(raw)
            reference = row.get("claim_id") or row.get("reference")
            claim = recovery.file(parse_claim(row), actor)
        except msgspec.DecodeError as exc:
            yield {"line": n, "reference": None, "error": f"not a JSON object: {exc}", "field": None}
        except msgspec.ValidationError:
            yield {"line": n, "reference": None, "error": "not a JSON object", "field": None}
        except (InvalidInput, Conflict) as exc:
            field = exc.field if isinstance(exc, InvalidInput) else None
            message = exc.message if isinstance(exc, InvalidInput) else str(exc)
            yield {"line": n, "reference": reference, "error": message, "field": field}
        else:
            yield {"line": n, "reference": reference, "claim_id": claim.claim_id, "state": claim.state.value}
