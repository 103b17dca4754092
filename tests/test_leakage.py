"""The leakage audit (``vigil sim audit``): the arithmetic on hand-built cases (a planted perfect input
scores 1.0, a random one about the base rate, categories are encoded on the reference world only), the
verdict and its exit codes, malformed inputs, and the gate: the audit of a small world of the simulator's
gated generator finds no unjustified artefact."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import LISTS
from vigil.cli.main import main
from vigil.errors import InvalidInput
from vigil.features import default_catalog
from vigil.leakage import (
    ALL,
    DEFAULT_JUSTIFIED,
    Direction,
    Report,
    Rows,
    ScopeAudit,
    TypologyAudit,
    audit_worlds,
    build_rows,
    category_rates,
    encode,
    load_justified,
    oriented_ap,
    parse_justified,
    read_world,
    with_generator,
)
from vigil.leakage.audit import CATALOG, RAW, InputScore, score_inputs
from vigil.leakage.rank import MISSING, RARE
from vigil.ml.dataset import columns
from vigil.sim import TYPOLOGIES, SimConfig, example_stream

# The generator the gate audits: the default, generator 2 (generator 1 keeps the artefacts listed in
# docs/simulator.md, "Leakage audit"; it is frozen, not gated).
GATE_GENERATOR = 2
# A small world where every labelled typology shows on both seeds (about 25 s per audit on two cores).
SMALL = ["--accounts", "2500", "--days", "3", "--crime-scale", "30", "--seed", "7", "--reference-seed", "6"]


# -- single-input AP ----------------------------------------------------------------------------------
def _labels(n: int, rate: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random(n) < rate).astype(np.int8)


def test_a_planted_perfect_input_scores_one_in_either_direction() -> None:
    y = _labels(5_000, 0.02)
    up = y + np.random.default_rng(2).random(len(y)) * 0.5
    assert oriented_ap(y, up) == (1.0, Direction.HIGH)
    assert oriented_ap(y, -up) == (1.0, Direction.LOW)


def test_a_random_input_scores_about_the_base_rate() -> None:
    y = _labels(40_000, 0.05)
    ap, _ = oriented_ap(y, np.random.default_rng(3).random(len(y)))
    assert abs(ap - y.mean()) < 0.015
    constant, _ = oriented_ap(y, np.ones(len(y)))  # ties are pessimistic: no better than the base rate
    assert constant <= y.mean()


def test_missing_values_rank_last_in_both_directions() -> None:
    y = np.array([1, 1, 0, 0, 0, 0], dtype=np.int8)
    x = np.array([np.nan, np.nan, 1.0, 2.0, 3.0, 4.0])
    ap, _ = oriented_ap(y, x)
    assert ap < 0.4  # missing never ranks first, whichever way the values point
    present = np.array([5.0, np.nan, 1.0, 2.0, 3.0, 4.0])
    assert oriented_ap(y, present)[1] is Direction.HIGH


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(InvalidInput, match="labels"):
        oriented_ap(np.zeros(3, dtype=np.int8), np.zeros(4))
    with pytest.raises(InvalidInput, match="labels"):
        category_rates(["a"], np.zeros(2, dtype=np.int8))
    with pytest.raises(InvalidInput, match="at least 1"):
        category_rates(["a"], np.zeros(1, dtype=np.int8), min_count=0)


def test_categories_take_their_reference_rate_rare_and_unseen_values_pooled() -> None:
    values = ["a"] * 10 + ["b"] * 10 + ["x", "y"]
    y = np.array([1] * 10 + [0] * 10 + [1, 0], dtype=np.int8)
    rates = category_rates(values, y, min_count=5)
    assert rates == {"a": 1.0, "b": 0.0, RARE: 0.5}
    encoded = encode(["a", "b", "never-seen", None], rates)
    assert encoded[:3].tolist() == [1.0, 0.0, 0.5]
    assert np.isnan(encoded[3])
    assert np.isnan(encode(["z"], {"a": 1.0})[0])  # no rare values on the reference: unknown is missing


# -- scoring rows -------------------------------------------------------------------------------------
def _rows(typology: np.ndarray, perfect: np.ndarray, category: list[str | None]) -> Rows:
    n = len(typology)
    noise = np.random.default_rng(4).random(n)
    return Rows(
        names=("planted", "noise"),
        x=np.column_stack([perfect, noise]),
        numeric_names=("raw.amount",),
        numeric=noise[:, None].copy(),
        categorical={"raw.type": ["deposit"] * n, "raw.asset": category},
        types=np.array(["deposit"] * n),
        typologies=typology,
    )


def test_score_inputs_finds_a_planted_input_and_encodes_categories_on_the_reference_only() -> None:
    n = 4_000
    y = _labels(n, 0.03, seed=5)
    kinds = np.where(y == 1, "structuring", "")
    # On the reference, asset "BAD" is the crime's; on the target the crime uses "OK", honest users "BAD".
    ref = _rows(kinds, y.astype(float), ["BAD" if v else "OK" for v in y.tolist()])
    target = _rows(kinds, y.astype(float), ["OK" if v else "BAD" for v in y.tolist()])
    scores = {s.name: s for s in score_inputs(target, ref, "structuring")}
    assert scores["planted"] == InputScore("planted", 1.0, Direction.HIGH, CATALOG)
    assert abs(scores["noise"].ap - y.mean()) < 0.03
    assert scores["raw.amount"].source == RAW
    # In-sample, raw.asset would be perfect; encoded on the reference it points the other way.
    asset = scores["raw.asset"]
    assert asset.direction is Direction.LOW and asset.ap == 1.0
    same = _rows(kinds, y.astype(float), ["BAD" if v else "OK" for v in y.tolist()])
    assert {s.name: s for s in score_inputs(same, ref, "structuring")}[
        "raw.asset"
    ].direction is Direction.HIGH


def test_the_contrast_is_the_typology_against_honest_events_of_its_types() -> None:
    rows = Rows(
        names=("f",),
        x=np.array([[1.0], [0.0], [0.0], [1.0], [0.0]]),
        numeric_names=(),
        numeric=np.zeros((5, 0)),
        categorical={"raw.type": ["login", "login", "deposit", "login", "login"]},
        types=np.array(["login", "login", "deposit", "login", "login"]),
        typologies=np.array(["account_takeover", "", "", "mule_ring", ""]),
    )
    assert rows.contrast("account_takeover").tolist() == [True, True, False, False, True]


def test_a_typology_with_too_few_labelled_events_is_skipped_with_why() -> None:
    y = _labels(500, 0.01, seed=6)
    kinds = np.where(y == 1, "collusion", "")
    rows = _rows(kinds, y.astype(float), ["a"] * 500)
    (audit,) = audit_worlds(rows, rows, typologies=["collusion"], min_positives=int(y.sum()) + 1)
    assert audit.skipped is not None and "at least" in audit.skipped
    assert audit.overall.inputs == () and audit.by_type == ()


def test_an_input_of_one_event_type_is_scored_in_that_types_contrast_too() -> None:
    # A field only KYC forms carry separates the crime's forms perfectly, but is missing on the other
    # event types: diluted in the whole contrast, caught in the kyc_submitted one.
    n = 6_000
    rng = np.random.default_rng(8)
    types = rng.choice(["kyc_submitted", "deposit"], size=n, p=[0.2, 0.8])
    y = (rng.random(n) < 0.05).astype(np.int8)
    field = np.where(types == "kyc_submitted", y + rng.random(n) * 0.5, np.nan)
    rows = Rows(
        names=("income",),
        x=field[:, None],
        numeric_names=(),
        numeric=np.zeros((n, 0)),
        categorical={"raw.type": types.tolist()},
        types=types,
        typologies=np.where(y == 1, "synthetic_identity", ""),
    )
    (audit,) = audit_worlds(rows, rows, typologies=["synthetic_identity"])
    assert [s.scope for s in audit.scopes()] == [ALL, "deposit", "kyc_submitted"]
    by_scope = {s.scope: {i.name: i.ap for i in s.inputs} for s in audit.scopes()}
    assert by_scope[ALL]["income"] < 0.5
    assert by_scope["kyc_submitted"]["income"] == 1.0
    flags = Report((audit,), 0.8).flags
    assert [(f.scope, f.input) for f in flags] == [("kyc_submitted", "income")]


def test_an_event_type_only_crime_sends_is_judged_by_the_type_alone() -> None:
    # Honest accounts never reset a password here: every input would rank that contrast perfectly, so the
    # finding is the type itself (precision 1.0 for flagging every reset), not a hundred perfect inputs.
    n = 3_000
    rng = np.random.default_rng(9)
    y = (rng.random(n) < 0.05).astype(np.int8)
    types = np.where((y == 1) & (rng.random(n) < 0.5), "password_reset", "login")
    rows = Rows(
        names=("noise",),
        x=rng.random(n)[:, None],
        numeric_names=(),
        numeric=np.zeros((n, 0)),
        categorical={"raw.type": types.tolist()},
        types=types,
        typologies=np.where(y == 1, "account_takeover", ""),
    )
    (audit,) = audit_worlds(rows, rows, typologies=["account_takeover"])
    reset = {s.scope: s for s in audit.by_type}["password_reset"]
    assert reset.negatives == 0 and reset.note is not None and "alone" in reset.note
    assert [(i.name, i.ap) for i in reset.inputs] == [("raw.type", 1.0)]
    flags = {(f.scope, f.input) for f in Report((audit,), 0.8).flags}
    assert ("password_reset", "raw.type") in flags and ("password_reset", "noise") not in flags


# -- rows from events ---------------------------------------------------------------------------------
def test_build_rows_replays_the_catalog_and_flattens_the_events() -> None:
    events = list(example_stream())
    labelled = events[-1]
    rows = build_rows(events, {labelled.event_id: "pass_through"})
    assert rows.names == columns(default_catalog())
    assert {"raw.geo.lat", "raw.network.is_vpn", "raw.fiat_value"} <= set(rows.numeric_names)
    assert {"raw.type", "raw.region", "raw.network.country"} <= set(rows.categorical)
    assert "raw.event_id" not in rows.categorical and "raw.account_id" not in rows.categorical
    kept = [e for e in events if e.account_id != labelled.account_id] + [labelled]
    assert len(rows) == len(kept)  # the labelled account's other events are neither crime nor honest
    assert int((rows.typologies == "pass_through").sum()) == 1
    opened = [
        v
        for v, t in zip(rows.categorical["raw.referrer_account_id"], rows.types, strict=True)
        if t == "account_opened"
    ]
    assert opened and set(opened) == {MISSING}  # an empty field is a category; other types have no field
    assert rows.categorical["raw.referrer_account_id"][rows.types.tolist().index("login")] is None


def test_build_rows_refuses_bad_input() -> None:
    events = list(example_stream())
    with pytest.raises(InvalidInput, match="earlier"):
        build_rows([events[1], events[0]], {})
    catalog = default_catalog()
    build_rows(events[:1], {}, catalog=catalog)
    with pytest.raises(InvalidInput, match="fresh"):
        build_rows(events, {}, catalog=catalog)
    with pytest.raises(InvalidInput, match="no events"):
        build_rows([], {})


def test_read_world_names_the_bad_label_line() -> None:
    with pytest.raises(InvalidInput, match="line 2 is not JSON"):
        read_world([], [b'{"event_id": "e1", "typology": "scam_victim"}', b"{nope"])
    with pytest.raises(InvalidInput, match="line 1 has no event_id"):
        read_world([], [b'{"typology": "scam_victim"}'])
    with pytest.raises(InvalidInput, match="line 1 has no typology"):
        read_world([], [b'{"event_id": "e1"}'])
    world = read_world([], [b'{"event_id": "e1", "typology": "scam_victim"}', b"  "])
    assert world.labels == {"e1": "scam_victim"}


def test_the_generator_is_passed_through_and_a_missing_one_is_the_simulators_error() -> None:
    config = SimConfig(accounts=100)
    assert with_generator(config, None) is config
    assert with_generator(config, 1).generator == 1
    assert with_generator(SimConfig(accounts=100, generator=1), 2).generator == 2
    for missing in (0, 3):
        with pytest.raises(InvalidInput, match="generator"):
            with_generator(config, missing)


# -- the justified list ------------------------------------------------------------------------------
KNOWN = frozenset(TYPOLOGIES)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("justified: [", "not YAML"),
        ("- a\n- b", "one key"),
        ("justified: {a: 1}", "list of entries"),
        ("justified: [plain]", "entry 1 is not a mapping"),
        ("justified: [{typology: collusion, input: x}]", "entry 1 needs a non-empty 'source'"),
        ("justified: [{typology: collusion, input: ' ', source: s}]", "needs a non-empty 'input'"),
        ("justified: [{typology: nope, input: x, source: s}]", "unknown typology 'nope'"),
        ("justified: [{typology: collusion, input: x, source: s, why: w}]", "unknown keys: why"),
        (
            "justified: [{typology: collusion, input: x, source: s},"
            " {typology: collusion, input: x, source: t}]",
            "entry 2 repeats",
        ),
    ],
)
def test_a_malformed_justified_list_is_refused_naming_the_entry(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_justified(text, known_typologies=KNOWN)


def test_the_shipped_justified_list_loads_and_a_missing_one_is_an_error(tmp_path: Path) -> None:
    assert isinstance(load_justified(DEFAULT_JUSTIFIED, known_typologies=KNOWN), dict)
    assert parse_justified("") == {}
    assert parse_justified("justified: [{typology: a, input: b, source: ' c '}]") == {("a", "b"): "c"}
    with pytest.raises(InvalidInput, match="cannot read"):
        load_justified(tmp_path / "nowhere.yaml")


# -- the verdict --------------------------------------------------------------------------------------
def _audit(typology: str, *scores: tuple[str, float]) -> TypologyAudit:
    inputs = tuple(InputScore(n, ap, Direction.HIGH, CATALOG) for n, ap in scores)
    overall = ScopeAudit(ALL, 50, 950, inputs, model_ap=0.9)
    return TypologyAudit(typology, ("deposit",), overall, (ScopeAudit("deposit", 50, 950, inputs, 0.9),))


def test_the_exit_code_is_one_only_for_an_unjustified_input_over_the_threshold() -> None:
    audits = (
        _audit("structuring", ("f.high", 0.95), ("f.edge", 0.8), ("f.low", 0.3)),
        TypologyAudit("collusion", ("p2p_order",), ScopeAudit(ALL, 3, 100, skipped="too few")),
    )
    report = Report(audits, 0.8)
    flagged = [(f.typology, f.scope, f.input) for f in report.flags]
    assert flagged == [
        ("structuring", ALL, "f.high"),
        ("structuring", "deposit", "f.high"),
    ]  # 0.8 is not over
    assert report.exit_code == 1
    justified = Report(audits, 0.8, {("structuring", "f.high"): "a source"})
    assert justified.exit_code == 0 and {f.source for f in justified.flags} == {"a source"}
    assert Report(audits, 0.96).exit_code == 0
    wrong_typology = Report(audits, 0.8, {("collusion", "f.high"): "a source"})
    assert wrong_typology.exit_code == 1  # a justification holds for its typology only
    view = report.view()
    assert view["exit_code"] == 1 and view["artefacts"] == 2
    best = {"input": "f.high", "ap": 0.95, "direction": "high", "source": "catalog"}
    assert view["typologies"][0]["best"] == best
    assert view["typologies"][0]["by_type"][0]["best"] == best
    assert view["typologies"][1]["skipped"] == "too few"
    assert "! 0.9500  f.high" in report.table() and "j 0.9500  f.high" in justified.table()


# -- the command, on a small world, and the gate -----------------------------------------------------
@pytest.fixture(scope="module")
def gate_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    out = tmp_path_factory.mktemp("audit") / "audit.json"
    argv = ["sim", "audit", *SMALL, "--generator", str(GATE_GENERATOR), "--trees", "60"]
    code = main([*argv, "--lists", str(LISTS), "--json", str(out)])
    return code, json.loads(out.read_text())


def test_the_command_reports_every_typology_and_exits_by_its_verdict(
    gate_run: tuple[int, dict[str, Any]],
) -> None:
    code, view = gate_run
    assert code == view["exit_code"] == (1 if view["artefacts"] else 0)
    assert [t["typology"] for t in view["typologies"]] == list(TYPOLOGIES)
    assert view["worlds"]["target"]["generator"] == view["worlds"]["reference"]["generator"] == GATE_GENERATOR
    audited = [t for t in view["typologies"] if "skipped" not in t]
    assert len(audited) >= 8  # every typology that labels events shows on both seeds of this world
    for t in audited:
        assert 0.0 <= t["reference_model_ap"] <= 1.0
        assert t["best"]["ap"] == max(t["inputs"].values())
        assert len(t["inputs"]) > 100  # every catalog input and every raw field
        assert [s["scope"] for s in t["by_type"]] == t["event_types"]


def test_gate_no_unjustified_artefact_on_the_gated_generator(gate_run: tuple[int, dict[str, Any]]) -> None:
    code, view = gate_run
    artefacts = [
        f"{f['typology']}: {f['input']} AP {f['ap']}" for f in view["flags"] if f["justified"] is None
    ]
    assert code == 0, "new artefacts: " + "; ".join(artefacts)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "3", "--reference-seed", "3"], "reference seed must differ"),
        (["--threshold", "1.5"], "between 0 and 1"),
        (["--generator", "0"], "generator version 0 does not exist"),
        (["--min-positives", "0"], "at least 1"),
        (["--accounts", "5"], "too few"),
        (["--justified", "/nonexistent/justified.yaml"], "cannot read the justified list"),
    ],
)
def test_bad_arguments_exit_two_naming_what_is_wrong(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sim", "audit", *args, "--lists", str(LISTS)]) == 2
    assert message in capsys.readouterr().err


def test_worlds_can_be_read_from_the_files_vigil_sim_writes(tmp_path: Path) -> None:
    files: dict[int, list[str]] = {}
    for seed in (6, 7):
        paths = [str(tmp_path / f"{name}{seed}.jsonl") for name in ("events", "labels", "claims")]
        argv = ["sim", "--accounts", "600", "--days", "2", "--crime-scale", "60", "--seed", str(seed)]
        assert (
            main([*argv, "-o", paths[0], "--labels", paths[1], "--claims", paths[2], "--lists", str(LISTS)])
            == 0
        )
        files[seed] = paths[:2]
    out = tmp_path / "audit.json"
    argv = ["sim", "audit", "--reference-files", *files[6], "--target-files", *files[7], "--trees", "20"]
    code = main([*argv, "--min-positives", "3", "--json", str(out)])
    view = json.loads(out.read_text())
    assert code == view["exit_code"]
    assert view["worlds"]["target"]["events_file"] == files[7][0]
    assert any("best" in t for t in view["typologies"])
    same = ["sim", "audit", "--reference-files", *files[6], "--target-files", *files[6]]
    assert main(same) == 2


def test_a_world_file_that_is_wrong_is_refused_naming_the_line(tmp_path: Path) -> None:
    events, labels = tmp_path / "e.jsonl", tmp_path / "l.jsonl"
    events.write_bytes(b"\n" + b'{"type": "login", "event_id": "e1"}\n')
    labels.write_bytes(b"")
    with pytest.raises(InvalidInput, match="line 2"):
        read_world(events.read_bytes().splitlines(), [])
    argv = ["sim", "audit", "--target-files", str(events), str(labels)]
    assert main([*argv, "--reference-files", str(tmp_path / "none.jsonl"), str(labels)]) == 2


def test_plain_sim_still_works_beside_its_audit_subcommand(tmp_path: Path) -> None:
    events = tmp_path / "e.jsonl"
    argv = ["sim", "--accounts", "50", "--days", "0.5", "-o", str(events), "--lists", str(LISTS)]
    argv += ["--labels", str(tmp_path / "l.jsonl"), "--claims", str(tmp_path / "c.jsonl")]
    assert main(argv) == 0
    assert io.BytesIO(events.read_bytes()).readline().startswith(b"{")
