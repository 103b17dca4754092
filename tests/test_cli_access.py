"""``vigil users``, ``vigil keys`` and ``vigil db upgrade``: the commands that decide who may call Vigil."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from vigil.cli.main import main

PASSWORD = "correct horse battery"


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_users_are_added_listed_changed_and_disabled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "v.db")
    code, out, _ = run(
        capsys,
        monkeypatch,
        "users",
        "add",
        "ana",
        "--role",
        "analyst",
        "--role",
        "supervisor",
        "--password-stdin",
        "--db",
        db,
        stdin=PASSWORD + "\n",
    )
    assert code == 0 and "added ana with roles analyst, supervisor" in out
    code, out, _ = run(capsys, monkeypatch, "users", "roles", "ana", "--role", "auditor", "--db", db)
    assert code == 0 and out.strip() == "ana: auditor"
    code, out, _ = run(
        capsys, monkeypatch, "users", "passwd", "ana", "--password-stdin", "--db", db, stdin=PASSWORD + "2\n"
    )
    assert code == 0
    code, out, _ = run(capsys, monkeypatch, "users", "disable", "ana", "--db", db)
    assert code == 0
    code, out, _ = run(capsys, monkeypatch, "users", "list", "--json", "--db", db)
    (user,) = json.loads(out)
    assert user["username"] == "ana" and user["roles"] == ["auditor"] and user["disabled_at"]
    assert "argon2" not in out and PASSWORD not in out


def test_bad_user_input_exits_2_and_names_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "v.db")
    cases = [
        (
            ("users", "add", "ana", "--role", "analyst", "--password-stdin"),
            "short\n",
            "at least 12 characters",
        ),
        (("users", "add", "ana", "--role", "wizard", "--password-stdin"), PASSWORD, "unknown role 'wizard'"),
        (("users", "add", "ana", "--password-stdin"), PASSWORD, "at least one --role"),
        (("users", "add", "Ana Lyst", "--role", "analyst", "--password-stdin"), PASSWORD, "username"),
    ]
    for args, stdin, message in cases:
        code, _, err = run(capsys, monkeypatch, *args, "--db", db, stdin=stdin)
        assert code == 2 and message in err, (args, err)
    code, _, err = run(capsys, monkeypatch, "users", "disable", "nobody", "--db", db)
    assert code == 1 and "no user 'nobody'" in err


def test_keys_are_created_once_listed_and_revoked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "v.db")
    code, out, err = run(capsys, monkeypatch, "keys", "create", "withdrawals", "--db", db)
    assert code == 0 and "shown once" in err
    token = out.strip().splitlines()[-1]
    assert token.startswith("vk_")
    key_id = token[3:].split(".")[0]
    code, out, _ = run(capsys, monkeypatch, "keys", "list", "--json", "--db", db)
    (key,) = json.loads(out)
    assert key["key_id"] == key_id and key["roles"] == ["service"] and "token" not in key
    assert token.split(".")[1] not in out
    code, out, _ = run(capsys, monkeypatch, "keys", "revoke", key_id, "--db", db)
    assert code == 0 and f"key {key_id} revoked" in out
    code, out, _ = run(capsys, monkeypatch, "keys", "list", "--db", db)
    assert "revoked" in out
    code, _, err = run(capsys, monkeypatch, "keys", "revoke", "nope", "--db", db)
    assert code == 1 and "no API key 'nope'" in err


def test_db_upgrade_explains_that_sqlite_needs_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, "db", "upgrade", "--db", str(tmp_path / "v.db"))
    assert code == 1 and "not a PostgreSQL URL" in err


def test_graph_commands_expand_and_list_clusters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import Events
    from vigil.codec import encode_event

    ev = Events()
    lines = [ev.login(i, account_id=f"m{i}", device_id="ring-phone") for i in range(4)]
    events_file = tmp_path / "events.jsonl"
    events_file.write_bytes(b"\n".join(encode_event(e) for e in lines) + b"\n")
    db = str(tmp_path / "v.db")
    assert main(["replay", str(events_file), "--db", db, "-o", str(tmp_path / "d.jsonl")]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, monkeypatch, "graph", "expand", "m0", "--json", "--db", db)
    assert code == 0 and {f["account"] for f in json.loads(out)["found"]} == {"m1", "m2", "m3"}
    code, out, err = run(capsys, monkeypatch, "graph", "clusters", "--db", db)
    assert code == 0 and "4 accounts" in out and "shared devices" in out
    code, _, err = run(capsys, monkeypatch, "graph", "expand", "ghost", "--db", db)
    assert code == 2 and "'ghost'" in err
