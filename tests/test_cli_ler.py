"""``vigil ler``: requests logged from JSON lines, verified, resolved, disclosed and checked; bad input
refused with the line and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Events
from vigil.cli.main import main
from vigil.codec import encode_event
from vigil.model import KycSubmitted

INTAKE = {
    "agency": "Europol",
    "officer": "Analyst K. Berg",
    "officer_email": "k.berg@europol.europa.eu",
    "legal_basis": "mlat",
    "legal_reference": "MLA-2026-77",
    "kind": "information",
    "subjects": [{"kind": "account", "value": "alice"}],
    "period_from": "2026-02-01",
    "period_until": "2026-03-02",
}


def _db(tmp_path: Path) -> Path:
    events = Events()
    kyc = KycSubmitted(**events._base(-60, full_name="Alice Liddell", level=2))
    stream = [kyc, events.deposit(0, fiat="200"), events.deposit(1, fiat="50", account_id="bob")]
    source = tmp_path / "events.jsonl"
    source.write_bytes(b"\n".join(encode_event(e) for e in stream) + b"\n")
    db = tmp_path / "vigil.db"
    assert main(["replay", str(source), "--db", str(db), "-o", str(tmp_path / "decisions.jsonl")]) == 0
    return db


def test_log_verify_resolve_disclose_and_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, key = str(_db(tmp_path)), tmp_path / "key.pem"
    assert main(["ler", "keygen", str(key)]) == 0
    public = capsys.readouterr().out.split("public key ")[1].split()[0]
    assert main(["ler", "keygen", str(key)]) == 1  # never overwritten
    monkeypatch.setenv("VIGIL_LER_SIGNING_KEY", str(key))
    (tmp_path / "in.jsonl").write_text(json.dumps(INTAKE) + "\n")
    assert main(["ler", "log", str(tmp_path / "in.jsonl"), "--db", db, "--json"]) == 0
    logged = json.loads(capsys.readouterr().out)
    assert logged["request_id"] == "L-000001" and logged["domain_flags"] == []
    assert (
        main(["ler", "disclose", "L-000001", "--out", str(tmp_path / "p.tar"), "--db", db]) == 1
    )  # not verified
    assert "not verified" in capsys.readouterr().err
    assert main(["ler", "step", "L-000001", "--method", "portal", "--db", db]) == 0
    assert main(["ler", "verify", "L-000001", "--db", db]) == 0
    assert main(["ler", "resolve", "L-000001", "--db", db, "--json"]) == 0
    capsys.readouterr()
    assert main(["ler", "disclose", "L-000001", "--out", str(tmp_path / "p.tar"), "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["files"]
    assert main(["ler", "check", str(tmp_path / "p.tar"), "--public-key", public]) == 0
    archive = (tmp_path / "p.tar").read_bytes()
    (tmp_path / "bad.tar").write_bytes(archive.replace(b"Alice", b"Alize"))
    assert main(["ler", "check", str(tmp_path / "bad.tar"), "--public-key", public]) == 3
    assert b"bob" not in archive
    capsys.readouterr()
    assert main(["ler", "list", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["requests"][0]["state"] == "verified"


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("{not json", "line 1: not JSON"),
        ('["a list"]', "JSON object"),
        (json.dumps({**INTAKE, "agency": "Interpol Bogus"}), "field 'agency'"),
        (json.dumps({k: v for k, v in INTAKE.items() if k != "officer"}), "field 'officer'"),
        (json.dumps({**INTAKE, "period_from": "yesterday"}), "line 1"),
    ],
)
def test_bad_lines_are_refused_naming_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, needle: str
) -> None:
    (tmp_path / "in.jsonl").write_text(line + "\n")
    assert main(["ler", "log", str(tmp_path / "in.jsonl"), "--db", str(tmp_path / "v.db")]) == 2
    assert needle in capsys.readouterr().err
