"""The transfer-graph scorer: a planted fan-in ring found and explained, edge cases, refusals, and the
AMLSim figures of docs/benchmarks.md reproduced (slow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from benchmarks.bench_amlsim import average_precision, load, patterns, run

from tests.conftest import SHARED
from vigil.errors import InvalidInput, InvalidRecord
from vigil.graph.transfers import TransferScorer, TransferSignal, score_accounts

AMLSIM = SHARED / "data" / "amlsim" / "20K_fanin200"
HONEST = 300
TARGET = HONEST  # the ring: a beneficiary and five feeders, after the honest accounts
FEEDERS = list(range(HONEST + 1, HONEST + 6))
TIED = HONEST + 6  # an account that pays every member of the ring ordinary amounts
N = HONEST + 7

Columns = tuple[list[int], list[int], list[float], list[float]]


def honest(seed: int = 7, transfers: int = 3000) -> Columns:
    """Ordinary payments between the honest accounts: random pairs, amounts about 100 to 500, each
    pair at most once, over 100 steps."""
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, HONEST, transfers), rng.integers(0, HONEST, transfers)
    keep = src != dst
    pairs = np.unique(src[keep] * HONEST + dst[keep])
    value = np.round(np.exp(rng.uniform(np.log(100), np.log(500), pairs.size)), 2)
    time = rng.integers(0, 100, pairs.size).astype(float)
    return (pairs // HONEST).tolist(), (pairs % HONEST).tolist(), value.tolist(), time.tolist()


def copy(columns: Columns) -> Columns:
    return list(columns[0]), list(columns[1]), list(columns[2]), list(columns[3])


def with_ring(columns: Columns) -> Columns:
    """Each feeder is paid by an honest account, then sends the beneficiary four small amounts in one
    step; the tied account pays every ring member an ordinary amount."""
    src, dst, value, time = copy(columns)
    for i, feeder in enumerate(FEEDERS):
        step = 10.0 + 15 * i
        src.append(i)
        dst.append(feeder)
        value.append(300.0)
        time.append(step - 1)
        for j in range(4):
            src.append(feeder)
            dst.append(TARGET)
            value.append(3.0 + 0.2 * j)
            time.append(step)
    for member in [TARGET, *FEEDERS]:
        src.append(TIED)
        dst.append(member)
        value.append(250.0)
        time.append(90.0)
    return src, dst, value, time


def fit(columns: Columns, n: int = N, **parameters: float) -> TransferScorer:
    return TransferScorer(**parameters).fit(*columns, n=n)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def ringed() -> TransferScorer:
    return fit(with_ring(honest()))


def test_a_planted_fan_in_ring_scores_above_every_honest_account(ringed: TransferScorer) -> None:
    ring = [TARGET, *FEEDERS]
    assert ringed.flagged_[ring].all()
    assert ringed.scores_[ring].min() > ringed.scores_[:HONEST].max()
    assert ringed.flagged_[:HONEST].sum() == 0
    assert ringed.q_[ring].max() <= ringed.alpha
    members = ringed.structure_[ring]
    assert (members >= 0).all() and len(set(members.tolist())) == 1  # one structure


def test_the_beneficiary_is_explained_by_the_fan_in(ringed: TransferScorer) -> None:
    report = ringed.explain(TARGET)
    assert report.flagged and report.p == pytest.approx(10**-report.score)
    found = {e.signal: e for e in report.evidence}
    for signal in (TransferSignal.ODD_AMOUNTS, TransferSignal.SPLIT, TransferSignal.FAN_IN):
        assert found[signal].p < 1e-3, signal
    assert found[TransferSignal.ODD_AMOUNTS].observed == 20
    assert found[TransferSignal.SPLIT].observed == 15  # four in a step: three repeat the first
    assert found[TransferSignal.FAN_IN].observed == 5
    assert "5 distinct senders sent it odd or split transfers" in found[TransferSignal.FAN_IN].detail
    assert found[TransferSignal.FAN_IN].expected < 0.5
    assert [e.p for e in report.evidence] == sorted(e.p for e in report.evidence)


def test_a_feeder_is_explained_by_its_partner(ringed: TransferScorer) -> None:
    found = {e.signal: e for e in ringed.explain(FEEDERS[0]).evidence}
    assert f"account {TARGET}" in found[TransferSignal.PARTNER].detail
    assert found[TransferSignal.PARTNER].p < 1e-6
    assert int(ringed.partner_[FEEDERS[0]]) == TARGET


def test_ordinary_ties_to_every_member_of_a_flagged_structure(ringed: TransferScorer) -> None:
    found = {e.signal: e for e in ringed.explain(TIED).evidence}
    tie = found[TransferSignal.TIES]
    assert tie.observed == 6 and tie.p < 1e-6
    assert f"structure {int(ringed.structure_[TARGET])}" in tie.detail
    assert ringed.structure_[TIED] == -1


def test_an_honest_account_explains_nothing_strong(ringed: TransferScorer) -> None:
    report = ringed.explain(0)
    assert not report.flagged
    assert all(e.p > 1e-3 for e in report.evidence)


def test_forwarding_counts_only_at_a_fan_in() -> None:
    # 2 passes on at once what 1 sends it, many times: a pass-through with a single sender.
    src, dst, value, time = honest()
    for step in range(20):
        src += [1, 2]
        dst += [2, 3]
        value += [200.0, 200.0]
        time += [float(step), float(step)]
    scorer = fit((src, dst, value, time), n=HONEST)
    assert scorer.observed_[TransferSignal.QUICK_FORWARD][2] >= 20
    assert scorer.p_values_[TransferSignal.QUICK_FORWARD][2] > 0.05
    assert not scorer.flagged_[2]


def test_self_loops_are_dropped_and_change_nothing() -> None:
    plain = with_ring(honest())
    src, dst, value, time = copy(plain)
    src += [5, 5, TARGET]
    dst += [5, 5, TARGET]
    value += [1.0, 1.0, 2.0]
    time += [3.0, 3.0, 4.0]
    looped = fit((src, dst, value, time))
    assert looped.self_loops_ == 3
    np.testing.assert_array_equal(looped.scores_, fit(plain).scores_)


def test_duplicate_transfers_count_once_as_senders_and_as_split() -> None:
    src, dst, value, time = honest()
    src += [7, 7, 7]
    dst += [8, 8, 8]
    value += [150.0, 150.0, 150.0]
    time += [50.0, 50.0, 50.0]
    scorer = fit((src, dst, value, time), n=HONEST)
    senders = len({s for s, d in zip(src, dst, strict=True) if d == 8})
    assert scorer.observed_[TransferSignal.MANY_SENDERS][8] == senders
    assert scorer.observed_[TransferSignal.SPLIT][8] == 2
    assert scorer.observed_[TransferSignal.SPLIT][7] == 2


def test_a_wider_burst_finds_repeats_a_step_apart() -> None:
    columns: Columns = ([0, 0, 1], [1, 1, 2], [10.0, 10.0, 10.0], [0.0, 1.0, 5.0])
    assert fit(columns, n=3).observed_[TransferSignal.SPLIT][0] == 0
    assert fit(columns, n=3, burst=1.0).observed_[TransferSignal.SPLIT][0] == 1


def test_an_empty_graph_scores_nobody() -> None:
    scorer = fit(([], [], [], []), n=4)
    assert scorer.scores_.tolist() == [0.0] * 4
    assert not scorer.flagged_.any()
    assert scorer.q_.tolist() == [1.0] * 4
    assert scorer.explain(2).evidence == ()
    scores, p = score_accounts([], [], [], [], 0)
    assert scores.size == 0 and all(v.size == 0 for v in p.values())


def test_identical_amounts_are_never_odd() -> None:
    columns: Columns = ([0, 1, 2, 3], [1, 2, 3, 0], [5.0] * 4, [0.0, 1.0, 2.0, 3.0])
    scorer = fit(columns, n=4)
    assert scorer.observed_[TransferSignal.ODD_AMOUNTS].sum() == 0
    assert not scorer.flagged_.any()


def test_the_same_input_gives_the_same_scores() -> None:
    columns = with_ring(honest(seed=3))
    a, b = fit(columns), fit(columns)
    np.testing.assert_array_equal(a.scores_, b.scores_)
    np.testing.assert_array_equal(a.structure_, b.structure_)


def test_q_values_are_benjamini_hochberg(ringed: TransferScorer) -> None:
    p, q = ringed.p_, ringed.q_
    assert (q >= p - 1e-15).all() and (q <= 1).all()
    order = np.argsort(p, kind="stable")
    assert (np.diff(q[order]) >= -1e-15).all()  # the ranking of p is kept
    rank = int(np.searchsorted(np.sort(p), p[TARGET], side="right"))
    assert q[TARGET] <= p[TARGET] * p.size / rank + 1e-15


@pytest.mark.parametrize(
    ("columns", "n", "field"),
    [
        (([0, 1], [1], [1.0, 2.0], [0.0, 1.0]), 3, "src"),
        (([0, 5], [1, 2], [1.0, 2.0], [0.0, 1.0]), 3, "src"),
        (([0, 1], [1, -1], [1.0, 2.0], [0.0, 1.0]), 3, "dst"),
        (([0, 1.5], [1, 2], [1.0, 2.0], [0.0, 1.0]), 3, "src"),
        (([0, 1], [1, 2], [1.0, -2.0], [0.0, 1.0]), 3, "value"),
        (([0, 1], [1, 2], [1.0, float("nan")], [0.0, 1.0]), 3, "value"),
        (([0, 1], [1, 2], [1.0, 2.0], [0.0, float("inf")]), 3, "time"),
        (([0, 1], [1, 2], ["a", "b"], [0.0, 1.0]), 3, "value"),
        (([[0, 1]], [[1, 2]], [[1.0, 2.0]], [[0.0, 1.0]]), 3, "src"),
        (([0], [1], [1.0], [0.0]), -1, "n"),
    ],
)
def test_malformed_input_is_refused_naming_the_field(columns: Columns, n: int, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        fit(columns, n=n)
    assert caught.value.field == field


def test_bad_parameters_and_accounts_are_refused(ringed: TransferScorer) -> None:
    for parameters, field in (
        ({"alpha": 0.0}, "alpha"),
        ({"window": -1.0}, "window"),
        ({"z_cut": 0.0}, "z_cut"),
    ):
        with pytest.raises(InvalidInput) as caught:
            fit(([0], [1], [1.0], [0.0]), n=2, **parameters)
        assert caught.value.field == field
    with pytest.raises(InvalidInput, match="no account 999"):
        ringed.explain(999)


# -- the benchmark's loader ------------------------------------------------------------------------
def _write(directory: Path, nodes: str, transactions: str) -> Path:
    (directory / "nodes.csv").write_text(nodes, encoding="utf-8")
    (directory / "transactions.csv").write_text(transactions, encoding="utf-8")
    return directory


NODES_OK = "nodeid,isFraud,init_balance,fraudStep\n0,0,1.0,-1\n1,1,2.0,3\n2,0,1.0,-1\n"
TX_HEADER = "sourceNodeId,targetNodeId,value,time\n"


def test_the_loader_reads_a_small_sample(tmp_path: Path) -> None:
    s = load(_write(tmp_path, NODES_OK, TX_HEADER + "1,0,4.5,3\n2,0,100,1\n"))
    assert s.n == 3 and s.laundering.tolist() == [False, True, False]
    assert s.src.tolist() == [1, 2] and s.value.tolist() == [4.5, 100.0]
    found = patterns(s)
    assert found.count == 0 and not found.beneficiaries.any()  # 0 is honest: no labelled payee


@pytest.mark.parametrize(
    ("nodes", "transactions", "file", "line", "message"),
    [
        (NODES_OK, TX_HEADER + "1,0,4.5,3\n1,9,4.5,3\n", "transactions.csv", 3, "no node '9'"),
        (NODES_OK, TX_HEADER + "1,0,abc,3\n", "transactions.csv", 2, "'abc' is not a number"),
        (NODES_OK, TX_HEADER + "1,0,4.5\n", "transactions.csv", 2, "3 fields where 4"),
        (NODES_OK, TX_HEADER + "1,0,-4.5,3\n", "transactions.csv", 2, "negative"),
        (NODES_OK, "source,target,value,time\n", "transactions.csv", 1, "the header must be"),
        (NODES_OK + "1,0,1.0,-1\n", TX_HEADER, "nodes.csv", 5, "appears twice"),
        (NODES_OK.replace("1,1,2.0", "1,yes,2.0"), TX_HEADER, "nodes.csv", 3, "not 0 or 1"),
    ],
)
def test_the_loader_names_the_file_and_line(
    tmp_path: Path, nodes: str, transactions: str, file: str, line: int, message: str
) -> None:
    with pytest.raises(InvalidRecord, match=message) as caught:
        load(_write(tmp_path, nodes, transactions))
    assert caught.value.file.endswith(file) and caught.value.line == line


def test_the_loader_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidRecord, match="missing") as caught:
        load(tmp_path)
    assert caught.value.file.endswith("nodes.csv")


# -- the real sample -------------------------------------------------------------------------------
@pytest.mark.slow
def test_the_amlsim_figures_of_the_benchmark_are_reproduced() -> None:
    r = run(AMLSIM)
    op = r.operating
    assert op.flagged == pytest.approx(670, abs=5)
    assert op.precision == pytest.approx(0.931, abs=0.005)
    assert op.recall == pytest.approx(0.654, abs=0.005)
    assert op.f1 == pytest.approx(0.768, abs=0.005)
    assert r.average_precision == pytest.approx(0.777, abs=0.005)
    truth = r.sample.laundering
    held = r.held_out
    assert average_precision(r.scorer.scores_[held], truth[held]) == pytest.approx(0.775, abs=0.01)
    assert r.patterns.count == 194
