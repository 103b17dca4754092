"""Generator 2's funds sent by mistake: uncredited deposits as events, genuine claims that Vigil files,
fraudulent ones it refuses (or sends to a person), all from the claims file through ``import_claims``;
generator 1 keeps its claims file without events or truth (its bytes are pinned in test_sim_v1.py)."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import LISTS
from vigil.adapters.memory_audit import MemoryAuditLog
from vigil.adapters.memory_claims import MemoryClaimStore
from vigil.audit import AuditTrail
from vigil.codec import decode_event
from vigil.errors import InvalidInput
from vigil.model import Deposit
from vigil.recovery import Actor, Recovery
from vigil.recovery.importer import import_claims
from vigil.screening.index import AddressIndex
from vigil.screening.policy import default_policy
from vigil.screening.screener import Screener
from vigil.sim import SimConfig, write_simulation
from vigil.sim.crime.claims import FALSE_CLAIM_KINDS

CONFIG = SimConfig(accounts=2_000, days=12.0, seed=5, claims_scale=60.0, history_days=1.0)


@pytest.fixture(scope="module")
def world() -> tuple[bytes, bytes]:
    events, labels, claims = io.BytesIO(), io.BytesIO(), io.BytesIO()
    write_simulation(CONFIG, events, labels, claims, lists=LISTS)
    return events.getvalue(), claims.getvalue()


def test_mistakes_arrive_as_uncredited_deposits_that_decode(world: tuple[bytes, bytes]) -> None:
    events, _ = world
    uncredited = [
        e for e in map(decode_event, events.splitlines()) if isinstance(e, Deposit) and e.uncredited
    ]
    assert len(uncredited) >= 30
    assert {e.uncredited.value for e in uncredited if e.uncredited} >= {"wrong_chain", "wrong_memo"}
    memo = [e for e in uncredited if e.chain is not None and e.chain.value in ("XRP", "XLM")]
    assert memo and all(e.account_id == "suspense" and e.device_id is None for e in memo)


def test_genuine_claims_are_filed_and_fraudulent_ones_are_not_credited_automatically(
    world: tuple[bytes, bytes],
) -> None:
    events, claims = world
    rows = claims.splitlines()
    truth = {json.loads(r)["claim_id"]: json.loads(r)["truth"] for r in rows}
    assert set(truth.values()) - {"genuine", "listed_source"} <= set(FALSE_CLAIM_KINDS)
    assert sum(1 for t in truth.values() if t != "genuine") >= 5
    recovery = Recovery(MemoryClaimStore(), AuditTrail(MemoryAuditLog()),
                        screener=lambda: Screener(AddressIndex(), default_policy()))  # fmt: skip
    recovery.observe(decode_event(line) for line in events.splitlines() if b'"type":"deposit"' in line)
    seen: Counter[tuple[str, str]] = Counter()
    for o in import_claims(recovery, rows, Actor("sim", by_key=True)):
        kind = truth[o["reference"]]
        state = o.get("state", "error")
        seen[kind, state] += 1
        if kind == "genuine":
            assert state in ("approved", "awaiting_approval", "needs_confirmation"), o
        elif kind in ("forged_signature", "inflated_amount", "credited_deposit", "unknown_tx"):
            assert state == "error", o  # refused at filing, nothing stored
        elif kind == "replayed_signature":
            assert state in ("error", "refused"), o
        elif kind == "copied_history":
            assert state == "needs_confirmation", o  # only the sending platform can tell: a person asks
    auto = [c for c in recovery.claims()[0] if c.state.value in ("approved", "awaiting_approval")]
    assert auto and all(truth[c.history[0].data["reference"]] == "genuine" for c in auto)


def test_the_claims_scale_is_generator_two_only() -> None:
    with pytest.raises(InvalidInput, match="generator 2"):
        SimConfig(generator=1, claims_scale=2.0)


def test_generator_two_parquet_keeps_the_uncredited_fields(tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    config = SimConfig(accounts=300, days=2.0, seed=2, claims_scale=200.0, history_days=0.5)
    events, labels, claims = io.BytesIO(), io.BytesIO(), io.BytesIO()
    write_simulation(config, events, labels, claims, parquet=path, lists=LISTS)
    table = pq.read_table(path)
    rows = [json.loads(line) for line in events.getvalue().splitlines()]
    assert set().union(*(r.keys() for r in rows)) <= set(table.column_names)
    marked = [v for v in table.column("uncredited").to_pylist() if v]
    assert marked and len(marked) == sum(1 for r in rows if r.get("uncredited"))
