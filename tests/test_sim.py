"""The simulator: determinism, valid events in time order, consistent labels, every typology with
the signals it claims, streaming memory, Parquet, and clear errors for bad settings."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from tests.conftest import LISTS
from vigil.cli.main import main
from vigil.codec import decode_event
from vigil.errors import ConfigError, InvalidInput
from vigil.model import Chain, KycSubmitted, address_key
from vigil.screening.chains import parse_address
from vigil.sim import TYPOLOGIES, SimConfig, write_simulation
from vigil.sim.addresses import base58check_ok, bech32_checksum_ok
from vigil.sim.lists import load_illicit
from vigil.sim.run import crime_rates

if not LISTS.is_dir():  # pragma: no cover - the CI layout always has ../shared
    pytest.fail(f"the shared reference data is missing: expected {LISTS}", pytrace=False)


@dataclass
class Run:
    events: bytes
    labels: bytes
    claims: bytes

    def event_rows(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.events.splitlines()]

    def label_rows(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.labels.splitlines()]

    def claim_rows(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.claims.splitlines()]


def simulate(config: SimConfig, parquet: Path | None = None) -> Run:
    events, labels, claims = io.BytesIO(), io.BytesIO(), io.BytesIO()
    write_simulation(config, events, labels, claims, parquet=parquet, lists=LISTS)
    return Run(events.getvalue(), labels.getvalue(), claims.getvalue())


SMALL = SimConfig(generator=1, accounts=400, days=1.0, seed=7, crime_scale=40.0)
# Enough crime that every typology appears: 3,000 accounts, four days, rates times 60.
RICH = SimConfig(generator=1, accounts=3_000, days=4.0, seed=11, crime_scale=60.0)


@pytest.fixture(scope="module")
def rich() -> Run:
    return simulate(RICH)


@pytest.fixture(scope="module")
def rich_events(rich: Run) -> list[dict[str, Any]]:
    return rich.event_rows()


@pytest.fixture(scope="module")
def rings(rich: Run) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """typology -> ring id -> labels, in file order."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in rich.label_rows():
        out[row["typology"]][row["ring_id"]].append(row)
    return out


@pytest.fixture(scope="module")
def by_id(rich_events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["event_id"]: e for e in rich_events}


def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not() -> None:
    a, b = simulate(SMALL), simulate(SMALL)
    assert a.events == b.events and a.labels == b.labels and a.claims == b.claims
    assert len(a.events) > 100_000 and a.labels
    other = simulate(SimConfig(generator=1, accounts=400, days=1.0, seed=8, crime_scale=40.0))
    assert other.events != a.events


def test_every_event_decodes_and_the_stream_is_in_time_order_with_unique_ids(
    rich_events: list[dict[str, Any]],
) -> None:
    decoded = [decode_event(json.dumps(e)) for e in rich_events]
    stamps = [e.ts_us for e in decoded]
    assert stamps == sorted(stamps)
    assert len({e.event_id for e in decoded}) == len(decoded)
    assert {e.type.value for e in decoded} >= {
        "account_opened", "kyc_submitted", "kyc_result", "login", "password_reset", "twofa_changed",
        "address_book_changed", "deposit", "withdrawal", "trade", "internal_transfer", "p2p_order",
    }  # fmt: skip


def test_the_population_spans_every_region_kind_and_chain(rich_events: list[dict[str, Any]]) -> None:
    assert {e["region"] for e in rich_events} == {"ID", "SEA", "SA", "CIS", "LATAM", "EU", "AF", "NA"}
    chains = {e.get("chain") for e in rich_events if e["type"] in ("deposit", "withdrawal")}
    assert {"BTC", "ETH", "TRON", "BSC"} <= chains
    logins = [e for e in rich_events if e["type"] == "login"]
    assert any(e["method"] == "api" and e["network"].get("is_hosting") for e in logins)  # bots on servers
    assert any(e["network"].get("is_vpn") for e in logins) and any(e["network"].get("is_tor") for e in logins)
    hours = {int(e["ts"][11:13]) for e in logins}
    assert len(hours) == 24


def test_every_simulated_address_parses_with_its_checksum(rich_events: list[dict[str, Any]]) -> None:
    """Screening parses every counterparty: a simulated one that failed would be held as unverifiable."""
    for e in rich_events:
        for key in ("source_address", "destination_address", "address"):
            if e.get(key) and e.get("chain"):
                parse_address(Chain(e["chain"]), e[key])


def test_kyc_submissions_carry_a_name_and_a_date_of_birth(rich_events: list[dict[str, Any]]) -> None:
    kyc = [e for e in rich_events if e["type"] == "kyc_submitted"]
    assert kyc
    for e in kyc:
        assert len(e["full_name"].split()) >= 2
        assert e["birth_date"].startswith(f"{e['birth_year']:04d}-")
    assert len({e["full_name"] for e in kyc}) > len(kyc) / 20  # pools, but not one name for all


def test_addresses_are_valid_for_their_chain(rich_events: list[dict[str, Any]]) -> None:
    seen = defaultdict(set)
    for e in rich_events:
        for key in ("source_address", "destination_address", "address"):
            if e.get(key) and e.get("chain"):
                seen[e["chain"]].add(e[key])
    illicit = load_illicit(LISTS)
    listed = {a for pools in illicit.by_category.values() for pool in pools.values() for a in pool}
    for address in seen["BTC"] - listed:
        assert address.startswith("bc1q") and bech32_checksum_ok(address), address
    for address in seen["TRON"] - listed:
        assert address.startswith("T") and len(address) == 34 and base58check_ok(address), address
    for chain in ("ETH", "BSC"):
        for address in seen[chain] - listed:
            assert len(address) == 42 and int(address[2:], 16) >= 0
            assert address_key(Chain(chain), address) == f"{chain}:{address}"  # already canonical


def test_every_label_names_an_event_of_its_account_and_never_travels_inside_events(
    rich: Run, by_id: dict[str, dict[str, Any]]
) -> None:
    assert b"typology" not in rich.events and b"ring_id" not in rich.events
    for row in rich.label_rows():
        event = by_id[row["event_id"]]
        assert event["account_id"] == row["account_id"]
        value = Decimal(row["illicit_value"])
        assert value >= 0
        if value:
            assert value <= Decimal(event["fiat_value"])
        if row["exit"]:
            assert event["type"] in ("withdrawal", "p2p_order") and value > 0


def test_illicit_value_adds_up_what_a_ring_takes_in_its_exits_take_out(
    rings: dict[str, dict[str, list[dict[str, Any]]]], by_id: dict[str, dict[str, Any]]
) -> None:
    checked = 0
    for typology in ("mule_ring", "illicit_exposure", "structuring", "pass_through", "synthetic_identity"):
        for labels in rings[typology].values():
            entered = sum(
                Decimal(r["illicit_value"]) for r in labels if by_id[r["event_id"]]["type"] == "deposit"
            )
            left = sum(Decimal(r["illicit_value"]) for r in labels if r["exit"])
            if any(r["exit"] for r in labels):
                assert entered == left, (typology, labels[0]["ring_id"])
                checked += 1
    assert checked >= 10


def test_every_typology_appears(rings: dict[str, dict[str, list[dict[str, Any]]]], rich: Run) -> None:
    labelled = set(rings)
    assert labelled == set(TYPOLOGIES) - {"mistaken_deposit"}
    assert rich.claim_rows(), "mistaken deposits come back as recovery claims"


def _events(labels: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [by_id[r["event_id"]] for r in labels]


def test_account_takeover_signals(
    rings: dict[str, dict[str, list[dict[str, Any]]]],
    by_id: dict[str, dict[str, Any]],
    rich_events: list[dict[str, Any]],
) -> None:
    for labels in rings["account_takeover"].values():
        events = _events(labels, by_id)
        victim = events[0]["account_id"]
        first = events[0]["ts"]
        known = {e["device_id"] for e in rich_events if e["account_id"] == victim and e["ts"] < first}
        attacker = {e["device_id"] for e in events}
        assert len(attacker) == 1 and not attacker & known, "a device the account never used"
        added = [e for e in events if e["type"] == "address_book_changed"]
        drains = [e for e in events if e["type"] == "withdrawal"]
        assert added and drains and all(d["destination_address"] == added[0]["address"] for d in drains)
        assert any(e["type"] == "login" and e["success"] for e in events)


def test_scam_victims_pay_real_scam_addresses(
    rings: dict[str, dict[str, list[dict[str, Any]]]], by_id: dict[str, dict[str, Any]]
) -> None:
    scam = set(load_illicit(LISTS).by_category["scam"]["ETH"])
    for labels in rings["scam_victim"].values():
        payments = [e for e in _events(labels, by_id) if e["type"] == "withdrawal"]
        assert payments and all(p["destination_address"] in scam for p in payments)
        assert all(r["role"] == "victim" for r in labels)


def test_mule_rings_share_devices_and_fan_in_to_one_collector(
    rings: dict[str, dict[str, list[dict[str, Any]]]], by_id: dict[str, dict[str, Any]]
) -> None:
    for labels in rings["mule_ring"].values():
        events = _events(labels, by_id)
        accounts = {e["account_id"] for e in events}
        devices = {e["device_id"] for e in events}
        assert len(accounts) >= 6 and len(devices) <= 3
        transfers = [e for e in events if e["type"] == "internal_transfer"]
        assert len({t["counterparty_account_id"] for t in transfers}) == 1
        deposits = [e for e in events if e["type"] == "deposit"]
        assert len(deposits) > len(transfers)


def test_collusive_and_synthetic_accounts_reuse_faces_or_documents(
    rings: dict[str, dict[str, list[dict[str, Any]]]], by_id: dict[str, dict[str, Any]]
) -> None:
    for typology in ("collusion", "synthetic_identity"):
        for labels in rings[typology].values():
            kyc = [e for e in _events(labels, by_id) if e["type"] == "kyc_submitted"]
            if len(kyc) < 2:
                continue
            faces = [k["face_hash"] for k in kyc]
            documents = [k["document_hash"] for k in kyc]
            assert len(set(faces)) < len(faces) or len(set(documents)) < len(documents)
    results = [e for r in rings["synthetic_identity"].values() for e in _events(r, by_id)]
    assert any(
        e["type"] == "kyc_result" and (not e["liveness_passed"] or e["deepfake_suspected"]) for e in results
    )
    for labels in rings["collusion"].values():
        events = _events(labels, by_id)
        members = {e["account_id"] for e in events}
        inside = [
            e for e in events if e["type"] == "p2p_order" and e.get("counterparty_account_id") in members
        ]
        assert inside


def test_exposure_deposits_come_from_listed_illicit_addresses(
    rings: dict[str, dict[str, list[dict[str, Any]]]], by_id: dict[str, dict[str, Any]]
) -> None:
    illicit = load_illicit(LISTS)
    listed = {a for pools in illicit.by_category.values() for pool in pools.values() for a in pool}
    for labels in rings["illicit_exposure"].values():
        deposits = [e for e in _events(labels, by_id) if e["type"] == "deposit"]
        assert len(deposits) == 1 and deposits[0]["source_address"] in listed


def test_structuring_stays_just_under_the_threshold(
    rings: dict[str, dict[str, list[dict[str, Any]]]], by_id: dict[str, dict[str, Any]]
) -> None:
    thresholds = {r.name: Decimal(r.reporting_threshold_cents) / 100 for r in RICH.regions}
    for labels in rings["structuring"].values():
        deposits = [e for e in _events(labels, by_id) if e["type"] == "deposit"]
        assert len(deposits) >= 3
        for d in deposits:
            limit = thresholds[d["region"]]
            assert Decimal("0.85") * limit <= Decimal(d["fiat_value"]) < limit


def test_pass_through_has_no_trade_between_deposit_and_withdrawal(
    rings: dict[str, dict[str, list[dict[str, Any]]]],
    by_id: dict[str, dict[str, Any]],
    rich_events: list[dict[str, Any]],
) -> None:
    for labels in rings["pass_through"].values():
        events = _events(labels, by_id)
        account = events[0]["account_id"]
        for deposit, withdrawal in zip(events[::2], events[1::2], strict=False):
            assert deposit["type"] == "deposit" and withdrawal["type"] == "withdrawal"
            assert deposit["fiat_value"] == withdrawal["fiat_value"]
            trades = [e for e in rich_events if e["account_id"] == account and e["type"] == "trade"]
            between = [e for e in trades if deposit["ts"] < e["ts"] < withdrawal["ts"]]
            assert not between


def test_wash_trades_are_between_linked_accounts(
    rings: dict[str, dict[str, list[dict[str, Any]]]], by_id: dict[str, dict[str, Any]]
) -> None:
    for labels in rings["wash_trading"].values():
        trades = [e for e in _events(labels, by_id) if e["type"] == "trade"]
        members = {e["account_id"] for e in _events(labels, by_id)}
        assert len(trades) >= 10
        assert all(t["counterparty_account_id"] in members for t in trades)
        assert len({t["device_id"] for t in trades}) == 1


def test_bonus_farms_share_a_referrer_and_a_consolidation_address(
    rings: dict[str, dict[str, list[dict[str, Any]]]], by_id: dict[str, dict[str, Any]]
) -> None:
    for labels in rings["bonus_abuse"].values():
        events = _events(labels, by_id)
        openings = [e for e in events if e["type"] == "account_opened"]
        assert len(openings) >= 10 and len({e["referrer_account_id"] for e in openings}) == 1
        assert all(e["network"].get("is_hosting") for e in openings)
        payouts = {e["destination_address"] for e in events if e["type"] == "withdrawal"}
        assert len(payouts) == 1


def test_recovery_claims_describe_the_mistaken_deposit(rich: Run) -> None:
    for claim in rich.claim_rows():
        assert claim["reason"] in ("wrong_memo", "wrong_chain")
        assert claim["tx_hash"] and claim["sent_at"] < claim["ts"]
        assert Decimal(claim["fiat_value"]) > 0
        if claim["reason"] == "wrong_chain":
            assert claim["chain"] != claim["chain_expected"]


def test_indonesia_is_the_collusion_hotspot_and_drift_moves_the_mix() -> None:
    rates = crime_rates(SimConfig(generator=1), 0.0)
    names = [r.name for r in SimConfig().regions]
    collusion = list(TYPOLOGIES).index("collusion")
    assert names[int(np.argmax(rates[:, collusion]))] == "ID"
    drifting = SimConfig(drift=1.0, generator=1)
    start, middle, end = (crime_rates(drifting, p) for p in (0.0, 0.5, 1.0))
    assert np.allclose(start, rates)
    assert np.allclose(end, [[r.drift[t] for t in TYPOLOGIES] for r in drifting.regions])
    assert np.allclose(middle, (start + end) / 2)
    assert not np.allclose(start, end)


def test_memory_is_bounded_by_open_sessions_not_by_the_run() -> None:
    sink_rows: list[int] = []
    short, long_ = (SimConfig(generator=1, accounts=500, days=d, seed=3) for d in (2.0, 8.0))
    peaks = []
    for config in (short, long_):
        events, labels, claims = io.BytesIO(), io.BytesIO(), io.BytesIO()
        summary = write_simulation(config, events, labels, claims, lists=LISTS)
        sink_rows.append(summary.events)
        peaks.append(summary.peak_pending)
    assert sink_rows[1] > 2 * sink_rows[0]
    assert peaks[1] < 3 * max(peaks[0], 50), peaks  # grows with open episodes, not with events


def test_parquet_holds_the_same_events_with_every_field(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    run = simulate(SMALL, parquet=path)
    table = pq.read_table(path)
    rows = run.event_rows()
    assert table.num_rows == len(rows)
    columns = set(table.column_names)
    assert set().union(*(r.keys() for r in rows)) <= columns
    sample = table.slice(len(rows) // 2, 1).to_pylist()[0]
    original = rows[len(rows) // 2]
    assert sample["event_id"] == original["event_id"] and sample["type"] == original["type"]
    for key in ("amount", "quantity"):
        if key in original:
            assert int(sample[key]) == original[key]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accounts": 3}, "accounts"),
        ({"days": 0}, "days"),
        ({"days": -1}, "days"),
        ({"drift": 1.5}, "drift"),
        ({"crime_scale": -1}, "crime_scale"),
        ({"seed": -2}, "seed"),
    ],
)
def test_bad_settings_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        SimConfig(**changes)
    assert err.value.field == field


def test_missing_reference_lists_are_a_clear_setup_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="reference lists not found"):
        write_simulation(SMALL, io.BytesIO(), io.BytesIO(), io.BytesIO(), lists=tmp_path / "nowhere")
    (tmp_path / "ofac_crypto_addresses").mkdir()
    with pytest.raises(ConfigError, match="cannot read the reference list"):
        write_simulation(SMALL, io.BytesIO(), io.BytesIO(), io.BytesIO(), lists=tmp_path)


def _outputs(d: Path) -> list[str]:
    return ["-o", str(d / "e.jsonl"), "--labels", str(d / "l.jsonl"), "--claims", str(d / "c.jsonl")]


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().err


def test_cli_writes_the_three_files_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path
    code, err = _cli(
        ["sim", "--accounts", "300", "--days", "1", "--crime-scale", "30", "-o", str(out / "e.jsonl"),
         "--labels", str(out / "l.jsonl"), "--claims", str(out / "c.jsonl"), "--lists", str(LISTS)],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert "events" in err and "labelled events" in err
    lines = (out / "e.jsonl").read_bytes().splitlines()
    assert lines and all(decode_event(line) for line in lines[:500])
    assert (out / "l.jsonl").stat().st_size > 0


def test_cli_puts_unnamed_labels_and_claims_beside_the_events_not_in_the_working_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    out.mkdir()
    monkeypatch.chdir(work)
    argv = ["sim", "--accounts", "50", "--days", "0.5", "-o", str(out / "e.jsonl"), "--lists", str(LISTS)]
    code, err = _cli(argv, capsys)
    assert code == 0, err
    assert (out / "labels.jsonl").exists() and (out / "claims.jsonl").exists()
    assert list(work.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--accounts", "5"], "too few"),
        (["--start", "yesterday"], "not an ISO 8601 time"),
        (["--drift", "2"], "between 0 and 1"),
    ],
)
def test_cli_rejects_bad_arguments_with_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _cli(["sim", *args, *_outputs(tmp_path), "--lists", str(LISTS)], capsys)
    assert code == 2 and message in err


def test_cli_without_lists_exits_1_and_says_where_it_looked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _cli(["sim", *_outputs(tmp_path), "--lists", str(tmp_path / "none")], capsys)
    assert code == 1 and "reference lists not found" in err and "--lists" in err


def test_a_run_in_another_year_still_gives_valid_identities() -> None:
    # Birth years follow the event's own year, so an early start cannot produce a future birth year.
    early = simulate(
        SimConfig(generator=1, accounts=200, days=0.5, seed=2, start=datetime(2001, 3, 1, tzinfo=UTC))
    )
    submissions = [decode_event(line) for line in early.events.splitlines() if b'"kyc_submitted"' in line]
    assert submissions
    for s in submissions:
        assert isinstance(s, KycSubmitted) and s.birth_year is not None
        assert s.birth_year <= s.ts.year - 18
