"""The command line as a user runs it: replay, decide, rules check, catalog; and its bad input."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, Events
from vigil.cli.main import main
from vigil.codec import encode_event

EXAMPLES = ROOT / "examples" / "events.jsonl"


def lines(events: Events, n: int) -> list[bytes]:
    return [encode_event(events.deposit(minutes=i, fiat=str(10 + i))) for i in range(n)]


def run(*args: str, stdin: bytes = b"", cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        check=False,
    )


def stored_ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT event_id FROM events ORDER BY seq")]


def test_replay_writes_one_decision_per_event_and_a_summary(tmp_path: Path, events: Events) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines(events, 5)) + b"\n\n")
    db = tmp_path / "j.db"
    out = run("replay", str(src), "--db", str(db))
    assert out.returncode == 0, out.stderr
    decisions = [json.loads(x) for x in out.stdout.splitlines()]
    assert [d["event_id"] for d in decisions] == [f"e{i}" for i in range(1, 6)]
    assert all(d["outcome"] in {"allow", "challenge", "review", "hold", "block"} for d in decisions)
    assert b"decided 5 events" in out.stderr
    assert stored_ids(db) == [f"e{i}" for i in range(1, 6)]
    again = run("replay", str(src), "--db", str(db))
    assert again.returncode == 0
    assert b"decided 0 events" in again.stderr and b"5 already decided" in again.stderr
    assert [json.loads(x)["outcome"] for x in again.stdout.splitlines()] == [d["outcome"] for d in decisions]


def test_replay_decides_a_window_then_the_rest_on_the_same_journal(tmp_path: Path, events: Events) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines(events, 6)) + b"\n")  # one a minute from 2026-03-01T12:00Z
    db = tmp_path / "j.db"
    first = run("replay", str(src), "--db", str(db), "--until", "2026-03-01T12:03:00Z")
    assert first.returncode == 0, first.stderr
    assert b"decided 3 events" in first.stderr and b"3 outside the window" in first.stderr
    rest = run("replay", str(src), "--db", str(db), "--since", "2026-03-01T12:03:00+00:00")
    assert rest.returncode == 0, rest.stderr
    assert [json.loads(x)["event_id"] for x in rest.stdout.splitlines()] == ["e4", "e5", "e6"]
    assert stored_ids(db) == [f"e{i}" for i in range(1, 7)]
    bad = run("replay", str(src), "--db", str(db), "--since", "yesterday")
    assert bad.returncode == 2 and b"--since" in bad.stderr and b"not an ISO 8601 instant" in bad.stderr
    naive = run("replay", str(src), "--db", str(db), "--until", "2026-03-01T12:03:00")
    assert naive.returncode == 2 and b"has no timezone" in naive.stderr


def test_replay_stops_at_the_first_bad_line_having_lost_nothing(tmp_path: Path, events: Events) -> None:
    good = lines(events, 4)
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join([good[0], good[1], b'{"type": "deposit", "event_id": "x"}', good[2]]) + b"\n")
    db = tmp_path / "j.db"
    out = run("replay", str(src), "--db", str(db))
    assert out.returncode == 2
    assert b"line 3" in out.stderr and b"field 'account_id'" in out.stderr
    assert stored_ids(db) == ["e1", "e2"]


def test_skip_invalid_writes_rejects_with_their_error_and_goes_on(tmp_path: Path, events: Events) -> None:
    good = lines(events, 3)
    bad = [
        b"not json",
        b'{"type": "teleport"}',
        encode_event(events.deposit()).replace(b'"amount":100000000', b'"amount":-1'),
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join([good[0], bad[0], good[1], bad[1], bad[2], good[2]]) + b"\n")
    rejects = tmp_path / "rejects.jsonl"
    out = run("replay", str(src), "--memory", "--skip-invalid", "--rejects", str(rejects))
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 3
    rows = [json.loads(x) for x in rejects.read_text().splitlines()]
    assert [r["line"] for r in rows] == [2, 4, 5]
    assert [r["field"] for r in rows] == [None, "type", "amount"]
    assert rows[0]["input"] == "not json"
    assert b"3 rejected" in out.stderr


def test_replay_reads_stdin_and_refuses_a_missing_file(tmp_path: Path, events: Events) -> None:
    out = run("replay", "-", "--memory", stdin=b"\n".join(lines(events, 2)))
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 2
    missing = run("replay", str(tmp_path / "nope.jsonl"), "--memory")
    assert missing.returncode == 1 and b"nope.jsonl" in missing.stderr


def test_decide_one_event_from_stdin_with_its_full_trace(tmp_path: Path, events: Events) -> None:
    out = run("decide", "--db", str(tmp_path / "j.db"), stdin=encode_event(events.withdrawal(fiat="50")))
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["event_id"] == "e1" and d["rules_evaluated"] == len(d["trace"]) > 0
    bad = run("decide", "--memory", stdin=b'{"type": "login"}')
    assert bad.returncode == 2 and b"invalid input" in bad.stderr and b"field 'event_id'" in bad.stderr


def test_rules_check_accepts_the_builtin_packs_and_names_errors(tmp_path: Path) -> None:
    ok = run("rules", "check", str(ROOT / "src" / "vigil" / "rules" / "packs"))
    assert ok.returncode == 0 and b"fatf_va_2020" in ok.stdout
    (tmp_path / "mine.yaml").write_text(
        "pack: mine\nrules:\n  - {id: m1, when: 'account.nope > 1', reason: memo.illicit_terms}\n"
    )
    bad = run("rules", "check", str(tmp_path))
    assert bad.returncode == 2
    assert b"mine.yaml, rule 'm1', field 'when': unknown feature 'account.nope'" in bad.stderr
    missing = run("rules", "check", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and b"does not exist" in missing.stderr


def test_catalog_and_functions_list_every_name(capsys: pytest.CaptureFixture[str]) -> None:
    from vigil.features import default_catalog

    assert main(["catalog"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in default_catalog().names)
    assert main(["rules", "functions"]) == 0
    assert "contains_any" in capsys.readouterr().out


def test_the_example_stream_replays_with_every_outcome_family(tmp_path: Path) -> None:
    out = run("replay", str(EXAMPLES), "--db", str(tmp_path / "demo.db"))
    assert out.returncode == 0, out.stderr
    outcomes = {json.loads(x)["outcome"] for x in out.stdout.splitlines()}
    assert {"allow", "challenge", "review", "hold"} <= outcomes


def test_skip_invalid_sends_every_hostile_line_to_the_rejects_file(tmp_path: Path) -> None:
    """Issue 17: no hostile line crashes replay with a traceback; each is a reject naming the problem."""
    from tests import hostile

    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join([hostile.line(200)] + [raw for _, raw, _, _ in hostile.ALL]) + b"\n")
    rejects = tmp_path / "rejects.jsonl"
    out = run("replay", str(src), "--memory", "--skip-invalid", "--rejects", str(rejects))
    assert out.returncode == 0, out.stderr
    assert b"Traceback" not in out.stderr
    assert len(out.stdout.splitlines()) == 1
    rows = [json.loads(x) for x in rejects.read_text().splitlines()]
    assert [r["line"] for r in rows] == list(range(2, 2 + len(hostile.ALL)))
    for row, (name, _, field, needle) in zip(rows, hostile.ALL, strict=True):
        assert row["field"] == field and needle in row["error"], name
    assert f"{len(hostile.ALL)} rejected".encode() in out.stderr


def test_help_lists_every_command_without_importing_any() -> None:
    """Issue 17: `vigil --help` took 1.7 s importing numpy, LightGBM and FastAPI; it imports none now."""
    import argparse

    from vigil.cli.main import COMMANDS, full_parser

    sub = next(a for a in full_parser()._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in sub._choices_actions}
    assert {name: text for name, (_, text) in COMMANDS.items()} == helps  # the lazy table is the truth
    for name, sp in sub.choices.items():
        func = sp.get_default("func")
        if func is not None:
            assert func.__module__ == COMMANDS[name][0], name
    heavy = ("numpy", "lightgbm", "fastapi", "msgspec", "vigil.engine", "vigil.settings")
    probe = "\n".join(
        [
            "import sys",
            "from vigil.cli.main import main",
            "try:",
            "    main(['--help'])",
            "except SystemExit:",
            "    pass",
            f"print('HEAVY', sorted(m for m in {heavy!r} if m in sys.modules))",
        ]
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True, cwd=ROOT)
    assert b"HEAVY []" in out.stdout, out.stdout
    assert b"replay" in out.stdout and b"cases" in out.stdout


def test_the_readme_example_decision_is_what_replay_gives(tmp_path: Path) -> None:
    """Issue 17: the README's example decision is reproducible with the commands it gives."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme.split("This `example.jsonl`", 1)[1]
    events = after.split("```json\n", 1)[1].split("```", 1)[0]
    shown = after.split("A decision says what to do and why", 1)[1]
    shown = shown.split("```json\n", 1)[1].split("```", 1)[0]
    src = tmp_path / "example.jsonl"
    src.write_text(events, encoding="utf-8")
    out = run("replay", str(src), "--memory")
    assert out.returncode == 0, out.stderr
    decision = json.loads(out.stdout.splitlines()[-1])
    for key in ("event_id", "outcome", "score", "delay_until", "notices", "rules_evaluated"):
        assert f'"{key}": {json.dumps(decision[key])}' in " ".join(shown.split()), key
    reason = decision["reasons"][0]
    assert len(decision["reasons"]) == 1 and f'"code": "{reason["code"]}"' in shown
    assert reason["detail"] in shown
