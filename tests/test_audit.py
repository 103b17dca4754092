"""The audit log's hash chain, the AuditTrail service, tampering with the SQLite file, and ``vigil audit``.

The port's own contract (append, filters, Conflict, triggers) is tests/contracts/test_audit_contract.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.adapters.memory_audit import MemoryAuditLog
from vigil.adapters.sqlite_audit import SqliteAuditLog
from vigil.audit import AuditTrail, Verification
from vigil.audit.chain import GENESIS, digest, next_record, verify
from vigil.cli.main import main
from vigil.errors import InvalidInput
from vigil.model.audit import AuditRecord

T0 = 1_793_534_400_000_000  # 2026-11-01 12:00 UTC, in µs


def chain(n: int, start: AuditRecord | None = None) -> list[AuditRecord]:
    out: list[AuditRecord] = []
    last = start
    for _ in range(n):
        k = (last.seq if last else 0) + 1
        last = next_record(
            last,
            at_us=T0 + 1000 * k,
            actor=f"analyst{k % 3}",
            action="account.read" if k % 2 else "case.freeze_requested",
            subject=f"account:a{k % 5:05d}",
            detail={"k": k, "why": "périmètre"},
        )
        out.append(last)
    return out


def rehashed(record: AuditRecord, **changes: Any) -> AuditRecord:
    """``record`` with ``changes`` and a hash recomputed over them (what a careful tamperer writes)."""
    r = replace(record, **changes)
    return replace(r, hash=digest(r.seq, r.at_us, r.actor, r.action, r.subject, r.detail, r.prev_hash))


# -- the chain --------------------------------------------------------------------------------------


def test_the_hash_is_sha256_of_the_canonical_json_list_of_fields() -> None:
    # Pinned: docs/audit.md gives this encoding, so that anyone can check a log without Vigil.
    encoded = '[1,2,"ana","case.read","case:c-000001","{\\"n\\":\\"é\\"}","' + "0" * 64 + '"]'
    expected = hashlib.sha256(encoded.encode("utf-8")).hexdigest()
    assert digest(1, 2, "ana", "case.read", "case:c-000001", '{"n":"é"}', GENESIS) == expected
    record = next_record(
        None, at_us=2, actor="ana", action="case.read", subject="case:c-000001", detail={"n": "é"}
    )
    assert (record.seq, record.prev_hash, record.detail, record.hash) == (1, GENESIS, '{"n":"é"}', expected)


def test_next_record_links_to_the_last_and_writes_canonical_detail() -> None:
    first, second = chain(2)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    third = next_record(
        second, at_us=T0, actor="bo", action="case.read", subject="case:c-1", detail={"b": [1, 2], "a": None}
    )
    assert third.detail == '{"a":null,"b":[1,2]}'  # keys sorted, no spaces


@pytest.mark.parametrize("detail", [{"when": object()}, {"x": float("nan")}], ids=["object", "nan"])
def test_detail_json_cannot_hold_is_invalid_input(detail: dict[str, object]) -> None:
    with pytest.raises(InvalidInput, match="not JSON"):
        next_record(None, at_us=T0, actor="ana", action="case.read", subject="case:c-1", detail=detail)


@pytest.mark.parametrize("field", ["actor", "action", "subject"])
def test_a_record_needs_an_actor_an_action_and_a_subject(field: str) -> None:
    fields: dict[str, str] = {"actor": "ana", "action": "case.read", "subject": "case:c-1", field: ""}
    with pytest.raises(ValueError, match=f"non-empty {field}"):
        next_record(
            None,
            at_us=T0,
            actor=fields["actor"],
            action=fields["action"],
            subject=fields["subject"],
            detail={},
        )
    with pytest.raises(ValueError, match="starts at 1"):
        replace(chain(1)[0], seq=0)


def test_an_intact_chain_of_1000_records_verifies_streaming() -> None:
    records = chain(1000)
    result = verify(iter(records))  # a one-pass iterator: verify never needs the list
    assert result == Verification(ok=True, records=1000, head=records[-1].hash)
    assert verify([]) == Verification(ok=True, records=0, head=GENESIS)


def test_verify_stops_at_the_first_problem_without_reading_further() -> None:
    records = chain(5)

    def stream() -> Iterator[AuditRecord]:
        yield from records[:2]
        yield replace(records[2], actor="mallory")
        raise AssertionError("verify read past the first problem")

    result = verify(stream())
    assert (result.ok, result.seq, result.records, result.head) == (False, 3, 2, records[1].hash)


def test_a_changed_detail_is_detected_at_its_record() -> None:
    records = chain(10)
    records[4] = replace(records[4], detail='{"k":5,"why":"nothing to see"}')
    result = verify(records)
    assert not result.ok and result.seq == 5 and result.records == 4
    assert result.problem == "record 5 was changed: its hash does not match its content"


def test_a_changed_actor_is_detected_at_its_record() -> None:
    records = chain(10)
    records[9] = replace(records[9], actor="someone-else")  # the last one too: its own hash covers it
    result = verify(records)
    assert (result.ok, result.seq) == (False, 10)
    assert result.problem is not None and "record 10 was changed" in result.problem


def test_a_changed_record_with_its_hash_recomputed_breaks_the_next_link() -> None:
    records = chain(6)
    records[2] = rehashed(records[2], actor="someone-else")
    result = verify(records)
    assert (result.ok, result.seq, result.records) == (False, 4, 3)
    assert result.problem is not None and "record 4 does not follow record 3" in result.problem


def test_a_deleted_middle_record_is_named() -> None:
    records = chain(8)
    del records[3]
    result = verify(records)
    assert (result.ok, result.seq, result.records) == (False, 4, 3)
    assert result.problem is not None and result.problem.startswith(
        "record 4 is missing: record 5 follows record 3"
    )


def test_a_deleted_record_with_the_rest_renumbered_and_rehashed_breaks_a_link() -> None:
    records = chain(6)
    renumbered = [rehashed(r, seq=r.seq - 1) for r in records[4:]]  # seq 4 deleted, 5 and 6 moved up
    result = verify([*records[:3], *renumbered])
    assert (result.ok, result.seq) == (False, 4)
    assert result.problem is not None and "its prev_hash is not record 3's hash" in result.problem


def test_swapped_records_are_detected() -> None:
    records = chain(6)
    swapped = [*records[:3], records[4], records[3], *records[5:]]
    result = verify(swapped)
    assert (result.ok, result.seq) == (False, 4)
    assert result.problem is not None and "out of order" in result.problem
    # The contents of two rows swapped, each keeping its seq (what an UPDATE of a table does):
    a, b = records[3], records[4]
    contents = [*records[:3], replace(b, seq=a.seq), replace(a, seq=b.seq), *records[5:]]
    assert verify(contents).seq == 4 and verify(contents).problem == (
        "record 4 was changed: its hash does not match its content"
    )


def test_a_duplicated_record_is_detected() -> None:
    records = chain(4)
    result = verify([*records[:3], records[2], records[3]])
    assert (result.ok, result.seq, result.records) == (False, 3, 3)
    assert result.problem == "record 3 comes after record 3: records are out of order or duplicated"


def test_a_bad_first_record_is_detected() -> None:
    records = chain(3)
    missing = verify(records[1:])
    assert (missing.ok, missing.seq, missing.records, missing.head) == (False, 1, 0, GENESIS)
    assert (
        missing.problem is not None and "record 1 is missing: record 2 follows the start" in missing.problem
    )
    unrooted = verify([rehashed(records[0], prev_hash="ab" * 32)])
    assert unrooted.seq == 1 and unrooted.problem is not None and "not the genesis" in unrooted.problem


def test_a_truncated_tail_is_detected_only_against_an_expected_head() -> None:
    records = chain(10)
    head = records[-1].hash
    assert verify(records[:7]).ok  # shorter, and intact: the chain alone cannot tell
    result = verify(records[:7], expect_head=head)
    assert (result.ok, result.records, result.head, result.seq) == (False, 7, records[6].hash, None)
    assert result.problem is not None and "records were cut off the end" in result.problem
    assert verify(records, expect_head=head) == Verification(ok=True, records=10, head=head)


def test_a_chain_extended_after_the_expected_head_says_how_many_records_followed() -> None:
    records = chain(10)
    result = verify(records, expect_head=records[5].hash)
    assert (result.ok, result.seq) == (False, 7)
    assert (
        result.problem is not None and "record 6's hash: 4 records were appended after it" in result.problem
    )
    from_nothing = verify(records, expect_head=GENESIS)
    assert from_nothing.seq == 1 and from_nothing.problem is not None and "10 records" in from_nothing.problem
    assert verify([], expect_head=GENESIS).ok


@pytest.mark.parametrize("head", ["abc", "g" * 64, "A" * 64, "0" * 65])
def test_an_expected_head_that_is_no_hash_is_invalid_input(head: str) -> None:
    with pytest.raises(InvalidInput, match="64 lowercase hex"):
        verify(chain(1), expect_head=head)


specs = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2**62),
        st.text(min_size=1, max_size=8),
        st.text(min_size=1, max_size=8),
        st.text(min_size=1, max_size=8),
        st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.booleans(), st.integers(), st.text())),
    ),
    min_size=1,
    max_size=12,
)
FIELDS = ("seq", "at_us", "actor", "action", "subject", "detail", "prev_hash", "hash")


def build(spec: list[tuple[int, str, str, str, dict[str, object]]]) -> list[AuditRecord]:
    out: list[AuditRecord] = []
    for at_us, actor, action, subject, detail in spec:
        last = out[-1] if out else None
        out.append(next_record(last, at_us=at_us, actor=actor, action=action, subject=subject, detail=detail))
    return out


def mutated(record: AuditRecord, field: str, bump: int) -> AuditRecord:
    """``record`` with one field changed (and still a valid record): ``bump`` says how."""
    value = getattr(record, field)
    if field == "seq":
        new: object = value + bump if value + bump >= 1 else value + 1
    elif field == "at_us":
        new = value + bump
    elif field in ("prev_hash", "hash"):
        new = hashlib.sha256(f"{value}{bump}".encode()).hexdigest()
    else:
        new = value + "x"
    changes: dict[str, Any] = {field: new}
    return replace(record, **changes)


@given(specs)
def test_any_chain_built_with_next_record_verifies(
    spec: list[tuple[int, str, str, str, dict[str, object]]],
) -> None:
    records = build(spec)
    assert verify(records) == Verification(ok=True, records=len(records), head=records[-1].hash)
    assert verify(records, expect_head=records[-1].hash).ok


@given(specs, st.data())
def test_any_single_field_mutation_is_detected_at_that_record(
    spec: list[tuple[int, str, str, str, dict[str, object]]], data: st.DataObject
) -> None:
    records = build(spec)
    i = data.draw(st.integers(min_value=0, max_value=len(records) - 1), label="record")
    field = data.draw(st.sampled_from(FIELDS), label="field")
    bump = data.draw(st.sampled_from([-3, -1, 1, 2, 7]), label="bump")
    records[i] = mutated(records[i], field, bump)
    result = verify(records)
    assert not result.ok and result.problem is not None and result.seq is not None
    assert result.records == i  # the records before it are intact, and only those


# -- the service --------------------------------------------------------------------------------------


class CountingLog(MemoryAuditLog):
    def __init__(self) -> None:
        super().__init__()
        self.reads_of_last = 0

    def last(self) -> AuditRecord | None:
        self.reads_of_last += 1
        return super().last()


def test_the_trail_records_with_its_clock_and_reads_the_last_record_once() -> None:
    log, ticks = CountingLog(), iter(range(T0, T0 + 100))
    trail = AuditTrail(log, clock=lambda: next(ticks))
    first = trail.record("ana", "case.read", "case:c-000001")
    second = trail.record("ana", "case.freeze_requested", "case:c-000001", {"amount": "1.5", "asset": "BTC"})
    third = trail.record("key:k-7", "account.read", "account:a00001")
    assert log.reads_of_last == 1
    assert (first.seq, first.at_us, first.detail, first.prev_hash) == (1, T0, "{}", GENESIS)
    assert (second.at_us, second.detail, second.prev_hash) == (
        T0 + 1,
        '{"amount":"1.5","asset":"BTC"}',
        first.hash,
    )
    assert list(log.records()) == [first, second, third]
    assert trail.verify() == Verification(ok=True, records=3, head=third.hash)
    assert trail.verify(expect_head=second.hash).seq == 3


def test_the_trail_filters_records() -> None:
    trail = AuditTrail(MemoryAuditLog(), clock=lambda: T0)
    made = [
        trail.record(a, "case.read", s) for a, s in [("ana", "case:1"), ("bo", "case:1"), ("ana", "case:2")]
    ]
    assert trail.records(subject="case:1") == made[:2]
    assert trail.records(actor="ana") == [made[0], made[2]]
    assert trail.records(actor="ana", subject="case:2") == [made[2]]
    assert trail.records(limit=1, since_seq=1) == [made[1]]
    assert trail.records() == made


def test_two_trails_on_one_log_interleave_without_breaking_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "vigil.db"
    a, b = SqliteAuditLog(path), SqliteAuditLog(path)
    ana, bo = AuditTrail(a, clock=lambda: T0), AuditTrail(b, clock=lambda: T0 + 1)
    ana.record("ana", "case.read", "case:1")
    bo.record("bo", "case.read", "case:2")  # bo read the last record after ana's
    ana.record("ana", "case.read", "case:3")  # ana's cached last is stale: refused, re-read, retried
    bo.record("bo", "case.read", "case:4")
    assert [(r.seq, r.actor) for r in a.records()] == [(1, "ana"), (2, "bo"), (3, "ana"), (4, "bo")]
    assert ana.verify().ok and ana.verify() == bo.verify()
    a.close()
    b.close()


def test_a_failed_record_appends_nothing() -> None:
    trail = AuditTrail(MemoryAuditLog(), clock=lambda: T0)
    trail.record("ana", "case.read", "case:1")
    with pytest.raises(ValueError, match="non-empty actor"):
        trail.record("", "case.read", "case:1")
    after = trail.record("ana", "case.read", "case:2")
    assert after.seq == 2 and trail.verify().ok


# -- tampering with the SQLite file, seen by the trail and by the CLI --------------------------------


@pytest.fixture
def audited_db(tmp_path: Path) -> Path:
    """A database file holding an audit log of six records."""
    path = tmp_path / "vigil.db"
    log = SqliteAuditLog(path)
    trail = AuditTrail(log, clock=iter(range(T0, T0 + 10)).__next__)
    for n in range(6):
        trail.record("ana" if n % 2 else "bo", "account.read", f"account:a{n % 2:05d}", {"n": n})
    log.close()
    return path


def tamper(path: Path, statement: str) -> None:
    """What someone with write access to the file can do: drop the triggers, then change the table."""
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("DROP TRIGGER audit_log_no_delete")
        db.execute(statement)


def verify_file(path: Path, expect_head: str | None = None) -> Verification:
    log = SqliteAuditLog(path)
    try:
        return AuditTrail(log).verify(expect_head)
    finally:
        log.close()


def head_of(path: Path) -> str:
    return verify_file(path).head


def test_cli_verify_says_ok_with_the_count_and_head(
    audited_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = head_of(audited_db)
    assert main(["audit", "verify", "--db", str(audited_db)]) == 0
    assert capsys.readouterr().out == f"ok: 6 records, head {head}\n"
    assert main(["audit", "verify", "--db", str(audited_db), "--head", head.upper(), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "ok": True, "records": 6, "head": head, "problem": None, "seq": None,
    }  # fmt: skip


def test_an_update_on_the_file_is_detected_by_the_trail_and_the_cli(
    audited_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(audited_db, """UPDATE audit_log SET detail = '{"n":99}' WHERE seq = 3""")
    result = verify_file(audited_db)
    assert (result.ok, result.seq, result.records) == (False, 3, 2)
    assert main(["audit", "verify", "--db", str(audited_db)]) == 3
    out = capsys.readouterr().out
    assert out.startswith("FAILED at record 3: record 3 was changed") and "2 records intact" in out


def test_a_delete_on_the_file_is_detected_by_the_trail_and_the_cli(
    audited_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(audited_db, "DELETE FROM audit_log WHERE seq = 4")
    result = verify_file(audited_db)
    assert (result.ok, result.seq) == (False, 4)
    assert main(["audit", "verify", "--db", str(audited_db), "--json"]) == 3
    shown = json.loads(capsys.readouterr().out)
    assert shown["ok"] is False and shown["seq"] == 4 and shown["problem"].startswith("record 4 is missing")


def test_a_truncated_file_is_detected_only_against_the_head_kept_elsewhere(
    audited_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = head_of(audited_db)
    tamper(audited_db, "DELETE FROM audit_log WHERE seq >= 5")
    assert verify_file(audited_db).ok  # four intact records
    assert not verify_file(audited_db, head).ok
    assert main(["audit", "verify", "--db", str(audited_db), "--head", head]) == 3
    assert "records were cut off the end" in capsys.readouterr().out


def test_a_row_emptied_on_the_file_stops_the_cli_naming_it(
    audited_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(audited_db, "UPDATE audit_log SET subject = '' WHERE seq = 2")
    assert main(["audit", "verify", "--db", str(audited_db)]) == 1
    assert "audit record 2" in capsys.readouterr().err


def test_cli_show_filters_and_writes_json_lines_that_verify_again(
    audited_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "show", "--db", str(audited_db), "--json"]) == 0
    records = [AuditRecord(**json.loads(line)) for line in capsys.readouterr().out.splitlines()]
    assert verify(records) == Verification(ok=True, records=6, head=head_of(audited_db))
    assert main(["audit", "show", "--db", str(audited_db), "--json", "--actor", "ana", "--limit", "2"]) == 0
    shown = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["seq"], r["actor"]) for r in shown] == [(2, "ana"), (4, "ana")]
    assert (
        main(["audit", "show", "--db", str(audited_db), "--subject", "account:a00000", "--since-seq", "1"])
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["3", "5"]
    assert "2026-11-01T12:00:00.000002+00:00  bo  account.read  account:a00000" in lines[0]
    assert lines[0].endswith('{"n":2}')


@pytest.mark.parametrize("head", ["abc", "z" * 64, "0" * 63])
def test_cli_verify_refuses_a_head_that_is_not_64_hex_digits(
    audited_db: Path, capsys: pytest.CaptureFixture[str], head: str
) -> None:
    assert main(["audit", "verify", "--db", str(audited_db), "--head", head]) == 2
    assert "a head is 64 hex digits" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["verify"], ["show"]])
def test_cli_refuses_a_database_that_does_not_exist_and_creates_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    missing = tmp_path / "typo" / "vigil.db"
    assert main(["audit", *command, "--db", str(missing)]) == 2
    assert f"there is no database at {missing}" in capsys.readouterr().err
    assert not missing.parent.exists()


def test_cli_show_refuses_a_negative_limit(audited_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "show", "--db", str(audited_db), "--limit", "-1"]) == 2
    assert "limit" in capsys.readouterr().err


def test_cli_verify_of_a_memory_database_is_an_empty_intact_log(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", "--db", "memory"]) == 0
    assert capsys.readouterr().out == f"ok: 0 records, head {GENESIS}\n"
