"""docs/api.md keeps up with the code: every error code in the table, every route's roles in the spec."""

from __future__ import annotations

from pathlib import Path

from vigil.api.errors import HTTP_CODES, TABLE
from vigil.model.access import Role

DOC = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")


def test_every_error_code_is_documented_with_its_status() -> None:
    rows = {
        (int(cells[1]), cells[2].strip("` "))
        for line in DOC.splitlines()
        if line.startswith("| ")
        and len(cells := [c.strip() for c in line.split("|")]) > 3
        and cells[1].isdigit()
    }
    used = {(status, code) for _, status, code in TABLE} | set(HTTP_CODES.items())
    assert used - rows == set(), "undocumented error codes"
    assert {code for _, code in rows} <= {code for _, code in used}, "documented codes the API never sends"


def test_every_role_is_documented() -> None:
    for role in Role:
        assert f"| `{role.value}` |" in DOC
