"""``vigil replay`` and an event id used for two different events: an invalid line, never a decision."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from tests.conftest import Events
from vigil.codec import encode_event


def _replay(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", "replay", *args], capture_output=True, check=False
    )


def _stream(tmp_path: Path, events: Events) -> Path:
    first = events.withdrawal(0)
    lines = [
        encode_event(first),
        encode_event(events.deposit(1)),
        encode_event(first),  # the same event again: a duplicate, answered with its decision
        encode_event(replace(first, destination_address="0xAbC0000000000000000000000000000000000002")),
        encode_event(events.deposit(2)),
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    return src


def test_a_reused_id_goes_to_the_rejects_file_with_skip_invalid(tmp_path: Path, events: Events) -> None:
    src, rejects = _stream(tmp_path, events), tmp_path / "rejects.jsonl"
    out = _replay(str(src), "--memory", "--skip-invalid", "--rejects", str(rejects))
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 4  # three decided, one duplicate answered
    (row,) = [json.loads(x) for x in rejects.read_text().splitlines()]
    assert row["line"] == 4 and row["field"] == "event_id" and "already used" in row["error"]
    assert b"1 already decided, 1 rejected" in out.stderr


def test_a_reused_id_stops_a_replay_without_skip_invalid(tmp_path: Path, events: Events) -> None:
    db = tmp_path / "j.db"
    out = _replay(str(_stream(tmp_path, events)), "--db", str(db))
    assert out.returncode != 0
    assert b"line 4" in out.stderr and b"event_id" in out.stderr and b"already used" in out.stderr
    with sqlite3.connect(db) as conn:  # what was decided before line 4 is stored, nothing after
        stored = [r[0] for r in conn.execute("SELECT event_id FROM events ORDER BY seq")]
    assert stored == ["e1", "e2"]
