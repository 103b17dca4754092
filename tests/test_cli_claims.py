"""``vigil claims``: deposits from the journal ``vigil replay`` filled, claims imported and filed, read,
refused, approved by a second person; a bad line is refused naming its field, the rest go on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.recovery_kit import evm_of, key, signed_claim, uncredited
from vigil.cli.main import main
from vigil.codec import encode_event
from vigil.model import Chain

ALICE = key(1)


def test_import_list_show_refuse_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "v.db"
    now = datetime.now(UTC)
    deposits = [
        uncredited("u1", source=evm_of(ALICE), ts=now),
        uncredited("u2", tx="0x" + "cd" * 32, source=evm_of(ALICE), ts=now),
    ]
    (tmp_path / "events.jsonl").write_bytes(b"\n".join(encode_event(d) for d in deposits) + b"\n")
    assert main(["replay", str(tmp_path / "events.jsonl"), "--db", str(db)]) == 0
    good = signed_claim(
        ALICE, Chain.BSC, "0x" + "ab" * 32, "acc-1", "nonce-cli-1", evm_of(ALICE), amount=str(250 * 10**18)
    )
    forged = signed_claim(
        key(9), Chain.BSC, "0x" + "cd" * 32, "acc-9", "nonce-cli-2", evm_of(ALICE), fiat_value="250"
    )
    rows = [
        json.dumps({**good, "claim_id": "c1", "truth": "genuine"}),
        "{not json",
        json.dumps({**forged, "claim_id": "c2"}),
    ]
    (tmp_path / "claims.jsonl").write_text("\n".join(rows) + "\n")
    capsys.readouterr()
    assert main(["claims", "import", str(tmp_path / "claims.jsonl"), "--db", str(db), "--json"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[0]["claim_id"] == "cl-000001" and out[0]["state"] == "approved" and out[0]["reference"] == "c1"
    assert out[1]["line"] == 2 and "not a JSON object" in out[1]["error"]
    assert out[2]["field"] == "proof.signature" and "not by the sending address" in out[2]["error"]
    assert main(["claims", "list", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1
    assert main(["claims", "deposits", "--db", str(db)]) == 0
    shown = json.loads(capsys.readouterr().out)["deposits"]
    assert [(d["event_id"], [c["state"] for c in d["claims"]]) for d in shown] == [
        ("u1", ["approved"]),
        ("u2", []),
    ]
    assert (
        main(["claims", "refuse", "cl-000001", "--reason", "the customer withdrew it", "--db", str(db)]) == 0
    )
    assert "cl-000001 refused" in capsys.readouterr().out
    assert main(["claims", "show", "cl-000001", "--db", str(db)]) == 0
    history = json.loads(capsys.readouterr().out)["history"]
    assert [h["kind"] for h in history][-1] == "refused" and history[-1]["actor"].startswith("cli:")
    assert main(["claims", "summary", "--db", str(db)]) == 0
    assert json.loads(capsys.readouterr().out)["claims"]["refused"] == 1
    assert main(["claims", "approve", "cl-000001", "--db", str(db)]) != 0  # refused: no longer approvable
