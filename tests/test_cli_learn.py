"""``vigil labels``, ``train``, ``models`` and ``drift`` as a new user runs them, and their bad input."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from tests.ml_stream import stream
from vigil.cli.main import main
from vigil.codec import encode_event


@cache
def _files(root: Path) -> tuple[Path, Path]:
    events, labels = stream(accounts=240, days=20)
    e, lab = root / "events.jsonl", root / "labels.jsonl"
    e.write_bytes(b"".join(encode_event(x) + b"\n" for x in events))
    rows = [
        {"event_id": x.event_id, "account_id": x.account_id, "typology": x.typology, "ring_id": "r",
         "role": "victim", "illicit_value": "100.00", "exit": True}
        for x in labels
    ]  # fmt: skip
    lab.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return e, lab


@pytest.fixture(scope="module")
def trained_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the stream decided, labelled and a global model promoted."""
    root = tmp_path_factory.mktemp("learn")
    events, labels = _files(root)
    db = root / "v.db"
    assert main(["replay", str(events), "--db", str(db), "-o", str(root / "d.jsonl")]) == 0
    assert main(["labels", "import", str(labels), "--db", str(db)]) == 0
    windows = ["--calibration-days", "5", "--holdout-days", "5", "--min-illicit", "5"]
    assert main(["train", "--db", str(db), "--promote", *windows]) == 0
    return db


def test_train_promotes_the_first_model_and_lists_it(
    trained_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["models", "list", "--json", "--db", str(trained_db)]) == 0
    listed = json.loads(capsys.readouterr().out)
    (model,) = listed["models"]
    assert model["region"] == "global" and model["serves"] == ["global"] and model["holdout_ap"] > 0.5
    (promotion,) = listed["promotions"]
    assert promotion["model_id"] == model["model_id"] and "no champion" in promotion["reason"]


def test_a_regional_challenger_needs_labels_and_is_compared(
    trained_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    windows = ["--calibration-days", "5", "--holdout-days", "5"]
    code = main(["train", "--db", str(trained_db), "--region", "EU", "--min-illicit", "500", *windows])
    assert code == 2 and "at least 500 are needed" in capsys.readouterr().err
    assert main(["train", "--db", str(trained_db), "--region", "NOWHERE", *windows]) == 2
    assert "'NOWHERE'" in capsys.readouterr().err
    assert main(["train", "--db", str(trained_db), "--region", "EU", "--min-illicit", "3", *windows]) == 0
    printed = capsys.readouterr().out
    challenger = printed.split()[1]
    assert challenger.startswith("EU-")
    assert main(["models", "compare", "EU", challenger, "--db", str(trained_db), *windows]) == 0
    out = capsys.readouterr().out
    assert f"challenger {challenger} AP" in out and "vs global-" in out
    # train, list and compare give the challenger one AP: on EU's held-out rows (issue 16)
    trained_ap = re.search(r"held-out AP (\d\.\d{4}) \(([\d,]+) held-out events of EU\)", printed)
    compared_ap = re.search(rf"challenger {challenger} AP (\d\.\d{{4}}) .*\(([\d,]+) events", out)
    assert trained_ap is not None and compared_ap is not None
    assert trained_ap.groups() == compared_ap.groups()
    assert main(["models", "list", "--db", str(trained_db)]) == 0
    listed = capsys.readouterr().out
    assert re.search(rf"{challenger} +EU +AP {trained_ap.group(1)} ", listed)
    assert main(["models", "list", "--json", "--db", str(trained_db)]) == 0
    (model,) = [m for m in json.loads(capsys.readouterr().out)["models"] if m["model_id"] == challenger]
    assert f"{model['holdout_ap']:.4f}" == trained_ap.group(1)
    assert f"{model['holdout_rows']:,}" == trained_ap.group(2)


def test_train_reports_each_region_at_its_own_cost_for_the_stated_budgets(
    trained_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    windows = ["--calibration-days", "5", "--holdout-days", "5", "--min-illicit", "5"]
    budget = ["--max-false-alerts", "2", "--budget", "SEA:max_false_alerts=0.5,max_held=0.01"]
    assert main(["train", "--db", str(trained_db), *windows, *budget]) == 0
    captured = capsys.readouterr()
    out, err = captured.out, captured.err
    assert "at most 2 false alerts per 1,000" in out and "SEA: hold at most 1.00%" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ") and "%" in line}
    assert set(lines) == {"SEA", "EU", "global"}
    # each region's figures are its own (they differed for none before issue 16)
    assert lines["EU"].split()[1:] != lines["SEA"].split()[1:]
    assert "replayed the journal" in err and "events in" in err and "fitted" in err and "calibrated" in err
    model_id = out.split()[1]
    assert main(["models", "list", "--json", "--db", str(trained_db)]) == 0
    (model,) = [m for m in json.loads(capsys.readouterr().out)["models"] if m["model_id"] == model_id]
    apac = model["thresholds"]["SEA"]
    assert apac["budget"] == {"max_held": 0.01, "max_false_alerts": 0.5}
    assert model["thresholds"]["EU"]["budget"]["max_false_alerts"] == 2.0
    assert apac["met"] == (apac["false_alerts"] * 1000 <= 0.5 * apac["account_days"])
    assert apac["account_days"] != model["thresholds"]["EU"]["account_days"]


def test_train_refuses_malformed_budgets_by_name(
    trained_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for flags, words in [
        (["--budget", "EU"], "REGION:KEY=VALUE"),
        (["--budget", "EU:max_alerts=1"], "unknown key 'max_alerts'"),
        (["--max-held", "2"], "max_held must be a share"),
        (["--max-false-alerts", "-1"], "max_false_alerts must be"),
    ]:
        assert main(["train", "--db", str(trained_db), *flags]) == 2
        assert words in capsys.readouterr().err


def test_an_exported_model_imports_elsewhere_and_a_broken_one_is_refused(
    trained_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    main(["models", "list", "--json", "--db", str(trained_db)])
    model_id = json.loads(capsys.readouterr().out)["models"][0]["model_id"]
    prefix = str(tmp_path / "m")
    assert main(["models", "export", model_id, prefix, "--db", str(trained_db)]) == 0
    other = str(tmp_path / "other.db")
    assert main(["models", "import", prefix, "--db", other, "--serve", "global"]) == 0
    assert f"{model_id} serves global" in capsys.readouterr().out
    assert main(["models", "import", prefix, "--db", other]) == 1  # the same id twice: a conflict
    assert f"model {model_id!r} is already in the registry" in capsys.readouterr().err
    side = json.loads(Path(prefix + ".json").read_text())
    side["catalog_hash"] = "0123456789abcdef"
    Path(prefix + ".json").write_text(json.dumps(side))
    assert main(["models", "import", prefix, "--db", str(tmp_path / "third.db")]) == 2
    assert "feature catalog '0123456789abcdef'" in capsys.readouterr().err
    Path(prefix + ".json").write_text("{not json")
    assert main(["models", "import", prefix, "--db", str(tmp_path / "third.db")]) == 2
    assert "not a model sidecar" in capsys.readouterr().err
    assert main(["models", "export", "no-such-model", prefix, "--db", str(trained_db)]) == 1
    assert "no model 'no-such-model'" in capsys.readouterr().err


def test_drift_reports_per_region_and_exits_3_on_an_alert(
    trained_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = main(
        ["drift", "--db", str(trained_db), "--days", "5", "--reference-days", "5", "--threshold", "0"]
    )
    out = capsys.readouterr().out
    assert code == 3 and "EU" in out and "SEA" in out and "score" in out and "ALERT" in out
    code = main(
        ["drift", "--db", str(trained_db), "--days", "5", "--reference-days", "5", "--threshold", "1e9"]
    )
    assert code == 0


def test_malformed_labels_and_options_are_refused_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "labels.jsonl"
    bad.write_text('{"event_id": "e1", "account_id": "a"}\n')
    assert main(["labels", "import", str(bad), "--db", str(tmp_path / "v.db")]) == 2
    err = capsys.readouterr().err
    assert "line 1" in err and "typology" in err
    assert main(["labels", "import", str(tmp_path / "missing.jsonl"), "--db", str(tmp_path / "v.db")]) == 1
    with pytest.raises(SystemExit):
        main(["train", "--db", str(tmp_path / "v.db"), "--until", "yesterday"])
    assert "not an ISO 8601 instant" in capsys.readouterr().err
    assert main(["train", "--db", str(tmp_path / "empty.db")]) == 2
    assert "no events" in capsys.readouterr().err
