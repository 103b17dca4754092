"""``vigil lists`` and ``vigil screen`` as a user runs them, with their bad input and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import LISTS
from tests.test_cli import run
from vigil.cli.main import main

SANCTIONED_ETH = "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert LISTS.is_dir(), f"../shared/data/lists not found at {LISTS}"
    path = tmp_path_factory.mktemp("cli") / "v.db"
    for source, folder in (("ofac_addresses", "ofac_crypto_addresses"), ("un", "sanctions_names")):
        assert main(["lists", "import", source, str(LISTS / folder), "--db", str(path)]) == 0
    return path


def test_import_prints_the_snapshot_its_diff_and_the_skipped_rows(tmp_path: Path) -> None:
    out = run(
        "lists",
        "import",
        "ofac_addresses",
        str(LISTS / "ofac_crypto_addresses"),
        "--db",
        str(tmp_path / "a.db"),
    )
    text = out.stdout.decode()
    assert out.returncode == 0, out.stderr
    assert "imported ofac_addresses v1" in text and "652 added" in text
    assert "2 rows skipped" in text and "sanctioned_addresses_XBT.txt line 355" in text
    again = run(
        "lists",
        "import",
        "ofac_addresses",
        str(LISTS / "ofac_crypto_addresses"),
        "--db",
        str(tmp_path / "a.db"),
        "--json",
    )
    report = json.loads(again.stdout)
    assert report["saved"] is False and report["snapshot"]["version"] == 1
    assert len(report["rows_skipped"]) == 2 and report["rows_skipped"][0]["field"] == "address"


def test_a_broken_list_exits_2_and_keeps_the_previous_snapshot(tmp_path: Path) -> None:
    db = str(tmp_path / "b.db")
    folder = tmp_path / "scam"
    folder.mkdir()
    (folder / "address.json").write_text('["0x43412801d29861ecc4c4d86e5becfd16af86a67b"]')
    assert run("lists", "import", "scamsniffer", str(folder), "--db", db).returncode == 0
    (folder / "address.json").write_text('{"not": "a list"')
    out = run("lists", "import", "scamsniffer", str(folder), "--db", db)
    assert out.returncode == 2 and b"address.json" in out.stderr
    shown = json.loads(run("lists", "show", "--db", db, "--json").stdout)
    assert [(s["source"], s["version"]) for s in shown] == [("scamsniffer", 1)]


def test_screen_address_names_list_entry_and_category(db: Path) -> None:
    out = run("screen", "address", "bsc", SANCTIONED_ETH.lower(), "--db", str(db), "--json")
    assert out.returncode == 0, out.stderr
    view = json.loads(out.stdout)
    assert view["outcome"] == "block" and view["key"] == "EVM:" + SANCTIONED_ETH.lower()
    assert view["hits"][0]["source"] == "ofac_addresses" and view["hits"][0]["category"] == "sanctioned"
    assert view["reasons"][0]["code"] == "screening.address_sanctioned"
    deposit = json.loads(
        run(
            "screen", "address", "ETH", SANCTIONED_ETH, "--direction", "deposit", "--db", str(db), "--json"
        ).stdout
    )
    assert deposit["outcome"] == "hold"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["screen", "address", "BTC", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9j"], "bad checksum"),
        (["screen", "address", "DOGECOIN", "x"], "unknown chain 'DOGECOIN'"),
        (["screen", "name", "   "], "name"),
        (["screen", "name", "Ivan", "--dob", "last year"], "birth"),
        (["lists", "import", "nope", "x"], "unknown list source 'nope'"),
        (["lists", "diff", "forta"], "no snapshot of 'forta'"),
        (["lists", "diff", "un", "--to", "9"], "has no version 9"),
        (
            ["screen", "clear", "--customer", "c1", "--entry", "un:0", "--by", "ana", "--reason", "x"],
            "no name list entry",
        ),
    ],
)
def test_bad_input_exits_2_naming_what_is_wrong(db: Path, args: list[str], message: str) -> None:
    out = run(*args, "--db", str(db))
    assert out.returncode == 2, out.stderr
    assert message in out.stderr.decode()


def test_screening_without_lists_says_how_to_import_them(tmp_path: Path) -> None:
    out = run("screen", "address", "ETH", SANCTIONED_ETH, "--db", str(tmp_path / "empty.db"))
    assert out.returncode == 1 and b"vigil lists import" in out.stderr


def test_screen_name_explains_and_a_clearance_takes_it_out(db: Path) -> None:
    listed = json.loads(run("lists", "diff", "un", "--from", "0", "--db", str(db), "--json").stdout)["added"]
    person = next(e for e in listed if e["kind"] == "person" and len(e["name"].split()) == 3)
    out = run("screen", "name", person["name"], "--db", str(db), "--json")
    view = json.loads(out.stdout)
    assert out.returncode == 0, out.stderr
    assert view["matches"][0]["entry_id"] == person["entry_id"] and view["outcome"] in ("review", "hold")
    cleared = run(
        "screen",
        "clear",
        "--customer",
        "c1",
        "--entry",
        person["entry_id"],
        "--by",
        "ana",
        "--reason",
        "other DOB",
        "--db",
        str(db),
    )
    assert cleared.returncode == 0, cleared.stderr
    pending = json.loads(
        run("screen", "name", person["name"], "--customer", "c1", "--db", str(db), "--json").stdout
    )
    assert person["entry_id"] in [m["entry_id"] for m in pending["matches"]]  # one person is not enough
    approve = ["screen", "approve", "--customer", "c1", "--entry", person["entry_id"], "--db", str(db)]
    alone = run(*approve, "--by", "ana")
    assert alone.returncode != 0 and b"another person must approve" in alone.stderr
    assert run(*approve, "--by", "sam").returncode == 0
    after = json.loads(
        run("screen", "name", person["name"], "--customer", "c1", "--db", str(db), "--json").stdout
    )
    assert person["entry_id"] in [m["entry_id"] for m in after["cleared"]]
    assert person["entry_id"] not in [m["entry_id"] for m in after["matches"]]


def test_sources_lists_every_format() -> None:
    out = run("lists", "sources").stdout.decode()
    for name in (
        "ofac_addresses",
        "graphsense",
        "scamsniffer",
        "cryptoscamdb",
        "forta",
        "ofac_sdn",
        "un",
        "opensanctions",
    ):
        assert name in out
