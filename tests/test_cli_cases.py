"""``vigil cases``: cases opened from a replayed journal, the queue, SLA checks; bad options refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Events
from vigil.cli.main import main
from vigil.codec import encode_event


def _replayed(tmp_path: Path) -> Path:
    events = Events()
    stream = [
        events.deposit(0, fiat="20000", account_id="alice"),
        events.withdrawal(5, fiat="19900", account_id="alice"),
        events.deposit(1, fiat="50", account_id="bob"),
    ]
    source = tmp_path / "events.jsonl"
    source.write_bytes(b"\n".join(encode_event(e) for e in stream) + b"\n")
    db = tmp_path / "vigil.db"
    assert main(["replay", str(source), "--db", str(db), "-o", str(tmp_path / "decisions.jsonl")]) == 0
    return db


def test_sync_opens_cases_once_and_list_shows_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _replayed(tmp_path)
    capsys.readouterr()
    assert main(["cases", "sync", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"alerts": 1}
    assert main(["cases", "sync", "--db", str(db), "--json"]) == 0  # nothing new: the cursor moved
    assert json.loads(capsys.readouterr().out) == {"alerts": 0}
    assert main(["cases", "list", "--db", str(db), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["total"] == 1 and listed["cases"][0]["account_id"] == "alice"
    assert main(["cases", "list", "--db", str(db), "--severity", "critical"]) == 0
    assert "0 of 0 open case(s)" in capsys.readouterr().out
    assert main(["cases", "tick", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"breached": []}  # opened just now: nothing is due


def test_bad_options_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _replayed(tmp_path)
    assert main(["cases", "list", "--db", str(db), "--limit", "0"]) == 2
    assert "limit" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["cases", "list", "--db", str(db), "--severity", "apocalyptic"])
    assert exited.value.code == 2
