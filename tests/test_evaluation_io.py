"""Reading the evaluation's three files, bad input at every boundary, and ``vigil eval`` end to end.

Every error must be an ``InvalidInput`` whose message names the file and the line (or, for a
whole-file problem, the file and what is missing).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pytest
from matplotlib.image import imread

from vigil.cli.evaluate import add_parser
from vigil.errors import ConfigError, InvalidInput
from vigil.evaluation import (
    NO_DELAY,
    EventRecord,
    InvalidRecord,
    Ratio,
    codes,
    encode_report,
    evaluate,
    load,
    write_charts,
)
from vigil.evaluation.jsonl import read_blocks

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def jsonl(rows: Sequence[dict[str, Any] | str]) -> str:
    return "".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows)


def ev(
    eid: str, account: str = "a1", minute: int = 0, kind: str = "withdrawal", region: str = "ID"
) -> dict[str, Any]:
    return {
        "type": kind,
        "event_id": eid,
        "account_id": account,
        "ts": f"2026-01-05T10:{minute:02d}:00.000000Z",
        "region": region,
        "country": region,
        "device_id": "d-1",
        "ip": "10.0.0.1",
        "geo": {"lat": 1.0, "lon": 2.0},
        "rail": "crypto",
        "asset": "USDT",
        "amount": 1_500_000_000,
        "fiat_value": 1500.0 if minute % 2 else "1500.00",  # a number or a string: both arrive
    }


def dec(eid: str, account: str = "a1", outcome: str = "allow", score: float = 1.0) -> dict[str, Any]:
    return {
        "event_id": eid,
        "account_id": account,
        "event_type": "withdrawal",
        "region": "ID",
        "outcome": outcome,
        "score": score,
        "reasons": [{"code": "velocity.burst", "rule": "r", "score": 1.0, "detail": "x"}],
        "rules_evaluated": 3,
        "trace": [],
        "versions": {"engine": "0.1", "catalog": "c", "rules": "r"},
        "elapsed_us": 12.5,
    }


def lab(eid: str, account: str = "a1", value: Any = "100.00", exit: bool = True) -> dict[str, Any]:
    return {
        "event_id": eid,
        "account_id": account,
        "typology": "account_takeover",
        "ring_id": "ato-1",
        "role": "victim",
        "illicit_value": value,
        "exit": exit,
    }


class Run:
    """Three files in a temporary directory; ``load()`` reads them."""

    def __init__(self, root: Path) -> None:
        self.events, self.decisions, self.labels = (
            root / "events.jsonl",
            root / "decisions.jsonl",
            root / "labels.jsonl",
        )
        self.write(
            events=[ev("e1", "a1", 0), ev("e2", "a2", 1), ev("e3", "a1", 2)],
            decisions=[dec("e1", "a1", "hold", 80), dec("e2", "a2"), dec("e3", "a1")],
            labels=[lab("e1", "a1")],
        )

    def write(
        self,
        *,
        events: Sequence[dict[str, Any] | str] | None = None,
        decisions: Sequence[dict[str, Any] | str] | None = None,
        labels: Sequence[dict[str, Any] | str] | None = None,
    ) -> None:
        for path, rows in ((self.events, events), (self.decisions, decisions), (self.labels, labels)):
            if rows is not None:
                path.write_text(jsonl(rows))

    def load_error(self) -> InvalidRecord:
        with pytest.raises(InvalidRecord) as caught:
            load(self.events, self.decisions, self.labels)
        assert isinstance(caught.value, InvalidInput)
        return caught.value


@pytest.fixture
def files(tmp_path: Path) -> Run:
    return Run(tmp_path)


def test_good_files_load_with_extra_fields_blank_lines_and_crlf(files: Run) -> None:
    text = files.events.read_text()
    files.events.write_text("\n" + text.replace("\n", "\r\n", 1) + "\n   \n")
    data = load(files.events, files.decisions, files.labels)
    assert (data.n_events, data.n_labels) == (3, 1)
    assert data.accounts == ("a1", "a2")
    assert data.outcome.tolist() == [3, 0, 0]
    assert data.withdrawal.all()


def test_malformed_json_names_the_file_and_the_line(files: Run) -> None:
    files.write(events=[ev("e1"), "", '{"type": "login", "event_id": ', ev("e3")])
    err = files.load_error()
    assert err.file == str(files.events) and err.line == 3
    assert str(err).startswith(f"{files.events} line 3: malformed JSON")


def test_a_missing_field_is_named(files: Run) -> None:
    row = ev("e2")
    del row["ts"]
    files.write(events=[ev("e1"), row])
    err = files.load_error()
    assert (err.line, err.field) == (2, "ts")
    assert "line 2, field 'ts': missing required field" in str(err)


def test_a_timestamp_without_timezone_is_refused(files: Run) -> None:
    files.write(events=[{**ev("e1"), "ts": "2026-01-05T10:00:00"}])
    err = files.load_error()
    assert (err.line, err.field) == (1, "ts") and "timezone" in str(err)


def test_an_unknown_outcome_lists_the_allowed_ones(files: Run) -> None:
    files.write(decisions=[dec("e1"), dec("e2", "a2"), dec("e3", outcome="deny")])
    err = files.load_error()
    assert err.file == str(files.decisions) and (err.line, err.field) == (3, "outcome")
    assert "unknown outcome 'deny' (expected one of: allow, challenge, review, hold, block)" in str(err)


def test_delay_until_is_read_vectorised_and_optional(files: Run) -> None:
    # e1: no key (a file written before delays); e2: a delay with microseconds; e3: null.
    files.write(
        decisions=[
            dec("e1", "a1", "hold", 80),
            {**dec("e2", "a2", "challenge"), "delay_until": "2026-01-05T11:01:00.250000Z"},
            {**dec("e3"), "delay_until": None},
        ]
    )
    data = load(files.events, files.decisions, files.labels)
    assert data.delay_until_us[1] - data.ts_us[1] == 3_600_250_000
    assert data.delay_until_us[[0, 2]].tolist() == [NO_DELAY, NO_DELAY]
    assert evaluate(data).friction.withdrawals_delayed == Ratio(1, 2)


def test_delay_until_with_an_offset_is_the_same_instant(files: Run) -> None:
    files.write(
        decisions=[
            dec("e1", "a1"),
            {**dec("e2", "a2"), "delay_until": "2026-01-05T13:01:00+02:00"},
            dec("e3"),
        ]
    )
    data = load(files.events, files.decisions, files.labels)
    assert data.delay_until_us[1] - data.ts_us[1] == 3_600_000_000


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tomorrow", "not an RFC 3339 timestamp"),
        ("2026-01-05T11:00:00", "a timestamp without timezone"),
        (3600, "Expected `datetime | null`, got `int`"),
        ("2026-01-05T10:00:59Z", "delay_until 2026-01-05 10:00:59+00:00 is not after its event's ts"),
        ("2026-01-05T10:01:00Z", "is not after its event's ts 2026-01-05 10:01:00+00:00 (event 'e2')"),
    ],
)
def test_a_bad_delay_until_names_the_file_line_and_field(files: Run, value: Any, message: str) -> None:
    files.write(decisions=[dec("e1", "a1", "hold", 80), {**dec("e2", "a2"), "delay_until": value}, dec("e3")])
    err = files.load_error()
    assert err.file == str(files.decisions) and (err.line, err.field) == (2, "delay_until")
    assert message in str(err)


def test_a_bad_delay_until_is_found_in_decisions_out_of_order(files: Run) -> None:
    late = {**dec("e2", "a2"), "delay_until": "2026-01-05T09:00:00Z"}
    files.write(decisions=[dec("e3"), dec("e1", "a1", "hold", 80), late])
    err = files.load_error()
    assert (err.line, err.field) == (3, "delay_until") and "'e2'" in str(err)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12,50", "not a decimal number"),
        ("-5", "finite amount >= 0"),
        ("NaN", "finite amount >= 0"),
        (True, "Expected `decimal`"),
    ],
)
def test_a_bad_illicit_value_is_refused(files: Run, value: Any, message: str) -> None:
    files.write(labels=[lab("e1", value="1"), lab("e3", value=value)])
    err = files.load_error()
    assert err.file == str(files.labels) and (err.line, err.field) == (2, "illicit_value")
    assert message in str(err)


def test_an_illicit_value_may_be_a_json_number(files: Run) -> None:
    files.write(labels=[lab("e1", value=12.5)])
    report = evaluate(load(files.events, files.decisions, files.labels))
    assert str(report.overall.value_stopped.stopped) == "12.5"


def test_a_duplicate_event_id_names_both_lines(files: Run) -> None:
    files.write(events=[ev("e1"), ev("e2", "a2"), "", ev("e1")])
    err = files.load_error()
    assert err.file == str(files.events) and (err.line, err.field) == (4, "event_id")
    assert "duplicate event_id 'e1' (first on line 1)" in str(err)


def test_a_duplicate_decision_is_refused(files: Run) -> None:
    files.write(decisions=[dec("e1"), dec("e2", "a2"), dec("e3"), dec("e2", "a2")])
    err = files.load_error()
    assert (
        err.file == str(files.decisions) and err.line == 4 and "duplicate decision for event 'e2'" in str(err)
    )


def test_a_duplicate_label_is_refused(files: Run) -> None:
    files.write(labels=[lab("e1"), lab("e1")])
    err = files.load_error()
    assert err.file == str(files.labels) and err.line == 2 and "duplicate label for event 'e1'" in str(err)


def test_a_decision_for_an_unknown_event_names_it(files: Run) -> None:
    files.write(decisions=[dec("e1"), dec("e9"), dec("e2", "a2")])
    err = files.load_error()
    assert err.file == str(files.decisions) and err.line == 2
    assert "decision for event 'e9', which is not in the events file" in str(err)


def test_a_decision_naming_another_account_is_refused(files: Run) -> None:
    files.write(decisions=[dec("e1"), dec("e2", "a1"), dec("e3")])
    err = files.load_error()
    assert (err.line, err.field) == (2, "account_id")
    assert "names account 'a1', the event 'a2'" in str(err)


def test_a_label_for_an_unknown_event_names_it(files: Run) -> None:
    files.write(labels=[lab("e1"), lab("nope")])
    err = files.load_error()
    assert err.file == str(files.labels) and err.line == 2
    assert "label for event 'nope', which is not in the events file" in str(err)


def test_a_label_naming_another_account_is_refused(files: Run) -> None:
    files.write(labels=[lab("e2", "a1")])
    err = files.load_error()
    assert (err.file, err.line, err.field) == (str(files.labels), 1, "account_id")


def test_labelled_events_without_decision_are_counted_and_named(files: Run) -> None:
    files.write(decisions=[dec("e2", "a2")], labels=[lab("e1"), lab("e3")])
    err = files.load_error()
    assert err.file == str(files.labels)
    assert f"2 labelled events have no decision in {files.decisions} (first: 'e1', 'e3')" in str(err)


def test_unlabelled_events_without_decision_are_allowed_and_counted(files: Run) -> None:
    files.write(decisions=[dec("e1", "a1", "hold", 80), dec("e3")])
    report = evaluate(load(files.events, files.decisions, files.labels))
    assert report.counts.undecided_events == 1
    assert report.friction.withdrawals_stopped.total == 1  # e2 has no decision: not counted


@pytest.mark.parametrize(
    ("which", "message"), [("events", "no events"), ("decisions", "no decisions"), ("labels", "no labels")]
)
def test_an_empty_file_is_an_error(files: Run, which: str, message: str) -> None:
    files.write(**{which: ["", "  "]})
    err = files.load_error()
    assert err.file == str(getattr(files, which)) and err.line is None
    assert str(err).startswith(f"{getattr(files, which)}: {message} in the file")


def test_a_missing_file_is_a_config_error(files: Run) -> None:
    with pytest.raises(ConfigError, match=r"cannot read .*nowhere\.jsonl"):
        load(files.events.parent / "nowhere.jsonl", files.decisions, files.labels)


def test_decisions_in_any_order_give_the_same_report(tmp_path: Path) -> None:
    rng = random.Random(5)
    events = [ev(f"e{i}", f"a{i % 7}", i % 60, rng.choice(["login", "withdrawal"])) for i in range(300)]
    outcomes = ["allow", "challenge", "review", "hold", "block"]
    decisions = [dec(e["event_id"], e["account_id"], rng.choice(outcomes), rng.random()) for e in events]
    labels = [lab(e["event_id"], e["account_id"], "10.00", e["type"] == "withdrawal") for e in events[::9]]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    ordered, shuffled = Run(tmp_path / "a"), Run(tmp_path / "b")
    ordered.write(events=events, decisions=decisions, labels=labels)
    shuffled.write(events=events, decisions=rng.sample(decisions, len(decisions)), labels=labels)
    a = encode_report(evaluate(load(ordered.events, ordered.decisions, ordered.labels)))
    b = encode_report(evaluate(load(shuffled.events, shuffled.decisions, shuffled.labels)))
    assert a == b


def test_blocks_cut_at_newlines_and_count_lines_across_blocks(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    rows: list[dict[str, Any] | str] = [ev(f"e{i}", minute=i) for i in range(40)]
    rows[5] = {**ev("e5"), "note": "x" * 2000}  # a line longer than a block
    rows.insert(20, "")
    rows.insert(31, '{"type": "login"')  # line 32, in a later block
    path.write_text(jsonl(rows))
    decoder = msgspec.json.Decoder(EventRecord)
    blocks = read_blocks(path, decoder, block_bytes=256)
    first = next(blocks)
    assert first.records[0].event_id == "e0"
    with pytest.raises(InvalidRecord) as caught:
        list(blocks)
    assert caught.value.line == 32
    rows.pop(31)
    path.write_text(jsonl(rows))
    seen = [r.event_id for block in read_blocks(path, decoder, block_bytes=256) for r in block.records]
    assert seen == [f"e{i}" for i in range(40)]
    assert (
        next(iter(read_blocks(path, decoder, block_bytes=256))).lines.line_of(25) == 27
    )  # past the blank line 21


def test_the_event_index_survives_hash_collisions(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every id of the same length gets the same "hash": lookups must still find the right rows.
    monkeypatch.setattr(codes, "hashes", lambda names: np.array([len(n) for n in names], np.int64))
    index = codes.EventIndex()
    index.extend(["aa", "bb", "c"])
    index.extend(["dd", "eee"])
    assert index.freeze() is None
    assert index.rows(["dd", "c", "aa", "zz", "eee", "bb", "xxxxx"]).tolist() == [3, 2, 0, -1, 4, 1, -1]
    again = codes.EventIndex()
    again.extend(["aa", "bb", "cc", "bb", "aa"])
    assert again.freeze() == (1, 3)  # the earliest repeat: 'bb' on rows 1 and 3


def test_names_are_coded_in_order_of_first_sight_across_blocks() -> None:
    names = codes.HashedNames()
    assert names.encode(["b", "a", "b"]).tolist() == [0, 1, 0]
    assert names.encode(["c", "a", "d", "c"]).tolist() == [2, 1, 3, 2]
    assert names.names == ["b", "a", "c", "d"]


# The command -------------------------------------------------------------------------------------


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="vigil")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def world(root: Path, regions: Sequence[str] = ("ID", "EU")) -> Run:
    """A run with two typologies, a spread of scores and ``regions``, for the command's outputs."""
    rng = random.Random(11)
    files = Run(root)
    events, decisions, labels = [], [], []
    for i in range(400):
        account, region = f"a{i % 40}", regions[i % 40 % len(regions)]
        kind = rng.choice(["login", "deposit", "withdrawal"])
        events.append(ev(f"e{i}", account, i % 60, kind, region))
        illicit = i % 5 == 0  # accounts a0, a5, ... a35: one in each of up to 8 regions
        score = rng.uniform(20, 100) if illicit else rng.uniform(0, 70)
        outcome = "block" if score > 85 else "hold" if score > 70 else "review" if score > 55 else "allow"
        decisions.append(dec(f"e{i}", account, outcome, round(score, 2)))
        if illicit:
            typology = "mule_ring" if i % 40 < 15 else "account_takeover"
            labels.append(
                {
                    **lab(f"e{i}", account, "250.00", kind == "withdrawal"),
                    "typology": typology,
                    "ring_id": f"{typology}-{i % 3}",
                }
            )
    files.write(events=events, decisions=decisions, labels=labels)
    return files


def test_eval_prints_the_tables_and_writes_json_and_charts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = world(tmp_path)
    report, charts = tmp_path / "out" / "report.json", tmp_path / "charts"
    argv = [
        "eval",
        "--events",
        str(files.events),
        "--decisions",
        str(files.decisions),
        "--labels",
        str(files.labels),
    ]
    assert run([*argv, "--json", str(report), "--charts", str(charts)]) == 0
    out, err = capsys.readouterr()
    assert (
        "Detection by typology" in out and "Detection by region" in out and "Friction to honest users" in out
    )
    assert "account_takeover" in out and "mule_ring" in out
    assert "read 880 lines in" in err and "judged 400 events, 400 decisions and 80 labels" in err
    data = json.loads(report.read_text())
    assert data["format"] == "vigil-evaluation/2"
    assert set(data) == {
        "format",
        "definitions",
        "counts",
        "overall",
        "typologies",
        "regions",
        "friction",
        "curves",
    }
    assert set(data["typologies"]) == {"account_takeover", "mule_ring"} and set(data["regions"]) == {
        "EU",
        "ID",
    }
    assert data["counts"]["labelled_events"] == 80
    assert set(data["curves"]["precision_recall"]) == {"account_takeover", "mule_ring"}
    for name in ("precision_recall.png", "value_vs_friction.png"):
        png = (charts / name).read_bytes()
        assert png.startswith(PNG_SIGNATURE) and len(png) > 10_000
        assert imread(charts / name).shape[:2] == (600, 800)
    first = {
        p: p.read_bytes() for p in (report, charts / "precision_recall.png", charts / "value_vs_friction.png")
    }
    assert run([*argv, "--json", str(report), "--charts", str(charts)]) == 0
    assert {p: p.read_bytes() for p in first} == first  # the same input gives the same bytes


def test_many_regions_are_drawn_as_small_multiples(tmp_path: Path) -> None:
    files = world(tmp_path, regions=[f"R{i}" for i in range(7)])
    report = evaluate(load(files.events, files.decisions, files.labels))
    assert len(report.curves.value_vs_friction_by_region) == 7
    _, value_chart = write_charts(report, tmp_path / "charts")
    assert value_chart.read_bytes().startswith(PNG_SIGNATURE)
    assert imread(value_chart).shape[:2] == (900, 1000)  # 3 x 3 panels: overall and 7 regions


def test_eval_raises_invalid_input_for_bad_files(tmp_path: Path) -> None:
    files = world(tmp_path)
    files.write(decisions=[dec("e0", "a0", "maybe")])
    argv = [
        "eval",
        "--events",
        str(files.events),
        "--decisions",
        str(files.decisions),
        "--labels",
        str(files.labels),
    ]
    with pytest.raises(
        InvalidInput, match=r"decisions.jsonl line 1, field 'outcome': unknown outcome 'maybe'"
    ):
        run(argv)


def test_eval_reports_an_unwritable_json_path_as_a_config_error(tmp_path: Path) -> None:
    files = world(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("")
    argv = [
        "eval",
        "--events",
        str(files.events),
        "--decisions",
        str(files.decisions),
        "--labels",
        str(files.labels),
    ]
    with pytest.raises(ConfigError, match="cannot write"):
        run([*argv, "--json", str(blocker / "report.json")])


def test_eval_judges_a_window_and_groups_cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = world(tmp_path)  # minutes 0..59 after 10:00
    report = tmp_path / "report.json"
    argv = [
        "eval",
        "--events",
        str(files.events),
        "--decisions",
        str(files.decisions),
        "--labels",
        str(files.labels),
    ]
    window = ["--since", "2026-01-05T10:30:00Z", "--until", "2026-01-05T10:45:00+00:00"]
    assert run([*argv, *window, "--case-gap-days", "0", "--json", str(report)]) == 0
    out, err = capsys.readouterr()
    data = json.loads(report.read_text())
    counts = data["counts"]
    # 400 events at minute i % 60: minutes 0-39 seven times, 40-59 six times; [30, 45) holds 70 + 30.
    assert counts["events"] == 100
    assert counts["window"]["since"] == "2026-01-05T10:30:00Z" and not counts["window"]["since_detected"]
    assert (counts["window"]["before"]["events"], counts["window"]["after"]["events"]) == (210, 90)
    assert data["definitions"]["case_gap_days"] == 0
    friction = data["friction"]
    assert friction["cases"] <= friction["alerts"] and friction["false_alerts"] <= friction["alerts"]
    assert "window: from 2026-01-05T10:30Z until 2026-01-05T10:45Z" in out
    assert "300 events outside the window left out" in err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--since", "last week"], "field '--since': not an ISO 8601 instant or date: 'last week'"),
        (["--until", "2026-01-05T10:00"], "field '--until': '2026-01-05T10:00' has no timezone"),
        (["--since", "2026-01-06", "--until", "2026-01-05"], "must be before --until"),
        (["--case-gap-days", "-2"], "field 'case_gap_days': must be a number of days >= 0, not -2.0"),
    ],
)
def test_eval_refuses_a_bad_window_or_case_gap(tmp_path: Path, option: list[str], message: str) -> None:
    files = world(tmp_path)
    argv = [
        "eval",
        "--events",
        str(files.events),
        "--decisions",
        str(files.decisions),
        "--labels",
        str(files.labels),
    ]
    with pytest.raises(InvalidInput, match=message):
        run([*argv, *option])
