"""Generator 2: every hiding variant and honest look-alike appears and carries what it claims,
labels name the variant, the same seed gives the same bytes, and bad settings are named."""

from __future__ import annotations

import io
import itertools
import json
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LISTS
from vigil.cli.main import main
from vigil.codec import decode_event
from vigil.errors import InvalidInput
from vigil.sim import SimConfig, SimSummary, write_simulation
from vigil.sim.config import CLASSIC, VARIANTS, WALLET_LABELS
from vigil.sim.lists import load_illicit

Rows = list[dict[str, Any]]
RICH = SimConfig(accounts=3_000, days=4.0, seed=3, crime_scale=300.0, history_days=4.0)


def simulate(config: SimConfig) -> tuple[bytes, bytes, bytes]:
    return run(config)[:3]


def run(config: SimConfig) -> tuple[bytes, bytes, bytes, SimSummary]:
    files = io.BytesIO(), io.BytesIO(), io.BytesIO()
    summary = write_simulation(config, *files, lists=LISTS)
    return files[0].getvalue(), files[1].getvalue(), files[2].getvalue(), summary


class World:
    def __init__(self, events: bytes, labels: bytes, cut: frozenset[str] = frozenset()) -> None:
        self.cut = cut  # rings still under way when the run ended
        self.events: Rows = [json.loads(line) for line in events.splitlines()]
        self.labels: Rows = [json.loads(line) for line in labels.splitlines()]
        self.by_id = {e["event_id"]: e for e in self.events}
        self.labelled = {r["event_id"] for r in self.labels}
        self.by_account: dict[str, Rows] = defaultdict(list)
        for e in self.events:
            self.by_account[e["account_id"]].append(e)
        self.rings: dict[str, dict[str, Rows]] = defaultdict(lambda: defaultdict(list))
        for r in self.labels:
            self.rings[r.get("variant", "")][r["ring_id"]].append(r)
        self.start = datetime.fromisoformat("2026-01-05T00:00:00+00:00")

    def events_of(self, labels: Rows) -> Rows:
        return [self.by_id[r["event_id"]] for r in labels]

    def opened_before_start(self, account: str) -> bool:
        first = self.by_account[account][0]
        return first["type"] == "account_opened" and _ts(first) < self.start - timedelta(days=1)

    def honest(self, account: str) -> Rows:
        return [e for e in self.by_account[account] if e["event_id"] not in self.labelled]


def _ts(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def world() -> World:
    events, labels, _, summary = run(RICH)
    return World(events, labels, frozenset(summary.cut_rings))


def test_the_same_seed_gives_the_same_bytes_and_v2_differs_from_v1() -> None:
    small = SimConfig(accounts=300, days=1.0, seed=4, crime_scale=100.0, history_days=1.0)
    a, b = simulate(small), simulate(small)
    assert a == b and a[1]
    v1 = simulate(SimConfig(accounts=300, days=1.0, seed=4, crime_scale=100.0, generator=1))
    assert v1[0] != a[0]
    assert b'"variant"' not in v1[1] and b'"variant"' in a[1]


def test_every_event_decodes_in_the_wire_format_and_in_time_order() -> None:
    events, _, _ = simulate(SimConfig(accounts=1_000, days=2.0, seed=6, crime_scale=300.0, history_days=1.0))
    decoded = [decode_event(line) for line in events.splitlines()]
    assert len(decoded) > 5_000
    assert all(a.ts <= b.ts for a, b in itertools.pairwise(decoded))


def test_every_variant_of_every_typology_appears_in_the_labels(world: World) -> None:
    seen = {(r["typology"], r["variant"]) for r in world.labels}
    expected = {(t, v) for t, vs in VARIANTS.items() for v in vs}
    expected |= {(t, CLASSIC) for t in VARIANTS if t != "mistaken_deposit"}
    assert seen == expected


def test_value_is_conserved_in_every_laundering_variant(world: World) -> None:
    checked = cut = 0
    for rings in world.rings.values():
        for labels in rings.values():
            if labels[0]["typology"] in ("wash_trading", "account_takeover", "scam_victim", "bonus_abuse"):
                continue
            exits = [r for r in labels if r["exit"]]
            if not exits:
                continue
            entered = sum(
                Decimal(r["illicit_value"]) for r in labels if world.by_id[r["event_id"]]["type"] == "deposit"
            )
            out = sum(Decimal(r["illicit_value"]) for r in exits)
            if labels[0]["ring_id"] in world.cut:  # cut at the end: what is out so far came in first
                assert out <= entered, labels[0]["ring_id"]
                cut += 1
                continue
            assert entered == out, labels[0]["ring_id"]
            checked += 1
    assert checked >= 20
    assert cut >= 1  # the run is a window: some rings are still under way when it ends


def test_session_hijack_has_no_failed_login_and_the_victims_own_device(world: World) -> None:
    for labels in world.rings["session_hijack"].values():
        events = world.events_of(labels)
        victim = events[0]["account_id"]
        assert not any(e["type"] == "login" for e in events)
        own_devices = {e["device_id"] for e in world.honest(victim)}
        assert {e["device_id"] for e in events} <= own_devices
        assert all(e["network"]["country"] == e["country"] for e in events)
        assert not any(e["network"].get("is_vpn") for e in events)


def test_slow_drain_spreads_ordinary_withdrawals_over_days(world: World) -> None:
    spans = []
    for labels in world.rings["slow_drain"].values():
        events = world.events_of(labels)
        assert not any(e["type"] == "login" and not e["success"] for e in events)
        withdrawals = [e for e in events if e["type"] == "withdrawal"]  # none if the victim emptied it
        if len(withdrawals) >= 2:
            spans.append(_ts(withdrawals[-1]) - _ts(withdrawals[0]))
    assert spans and max(spans) >= timedelta(days=2)


def test_hidden_scams_pay_unlisted_addresses_from_aged_accounts(world: World) -> None:
    illicit = load_illicit(LISTS)
    listed = {a for pools in illicit.by_category.values() for pool in pools.values() for a in pool}
    for variant in ("crypto_funded", "long_con"):
        for labels in world.rings[variant].values():
            events = world.events_of(labels)
            assert world.opened_before_start(events[0]["account_id"])
            for e in events:
                assert e.get("destination_address", e.get("address")) not in listed


def test_recruited_mules_keep_their_honest_life_and_never_transfer_internally(world: World) -> None:
    for labels in world.rings["recruited_customers"].values():
        events = world.events_of(labels)
        assert not any(e["type"] == "internal_transfer" for e in events)
        for account in {e["account_id"] for e in events}:
            assert world.opened_before_start(account)
            assert world.honest(account), "a recruited mule has its own history"
            assert {e["device_id"] for e in events if e["account_id"] == account} <= {
                e["device_id"] for e in world.honest(account)
            } | {None}


def test_rented_and_bought_accounts_are_aged_and_keep_their_own_faces(world: World) -> None:
    for variant in ("rented_accounts", "bought_identities", "separate_devices", "one_hop", "varied_steps"):
        assert world.rings[variant], variant
        for labels in world.rings[variant].values():
            accounts = {r["account_id"] for r in labels}
            assert all(world.opened_before_start(a) for a in accounts), variant
            faces = [
                e["face_hash"] for a in accounts for e in world.by_account[a] if e["type"] == "kyc_submitted"
            ]
            assert len(faces) == len(set(faces)) == len(accounts)


def test_wash_trades_of_separate_devices_come_from_different_phones(world: World) -> None:
    for labels in world.rings["separate_devices"].values():
        devices = {e["device_id"] for e in world.events_of(labels)}
        accounts = {r["account_id"] for r in labels}
        if labels[0]["ring_id"] in world.cut and len(accounts) < 2:
            continue  # the run ended before the second account's first fill
        assert len(devices) >= len(accounts) >= 2


def test_clean_synthetic_identities_pass_kyc_with_distinct_faces(world: World) -> None:
    for labels in world.rings["clean_kyc"].values():
        events = world.events_of(labels)
        results = [e for e in events if e["type"] == "kyc_result"]
        assert results and all(e["status"] == "approved" and not e["deepfake_suspected"] for e in results)
        faces = [e["face_hash"] for e in events if e["type"] == "kyc_submitted"]
        assert len(faces) == len(set(faces))
        assert not any(e["network"].get("is_hosting") for e in events)


def test_hidden_exposure_comes_from_unlisted_intermediaries(world: World) -> None:
    illicit = load_illicit(LISTS)
    listed = {a for pools in illicit.by_category.values() for pool in pools.values() for a in pool}
    for variant in ("one_hop", "split_hops"):
        for labels in world.rings[variant].values():
            deposits = [e for e in world.events_of(labels) if e["type"] == "deposit"]
            if labels[0]["ring_id"] in world.cut and not deposits:
                continue  # the run ended between the login and the first deposit
            assert deposits and all(e["source_address"] not in listed for e in deposits)


def test_varied_structuring_is_not_clustered_under_the_threshold_and_smurfs_are_many(world: World) -> None:
    fractions = []
    for labels in world.rings["varied_steps"].values():
        for e in world.events_of(labels):
            if e["type"] == "deposit":
                fractions.append(Decimal(e["fiat_value"]))
    assert fractions and min(fractions) < max(fractions) / 2
    assert any(len({r["account_id"] for r in labels}) >= 2 for labels in world.rings["smurfs"].values())


def test_pass_through_variants_trade_or_wait(world: World) -> None:
    for labels in world.rings["with_trade"].values():
        events = world.events_of(labels)
        if labels[0]["ring_id"] in world.cut and not any(e["type"] == "withdrawal" for e in events):
            continue  # the run ended before the swap and the exit
        assert any(e["type"] == "trade" for e in events)
    for labels in world.rings["slow_layering"].values():
        events = world.events_of(labels)
        if labels[0]["ring_id"] in world.cut and not any(e["type"] == "withdrawal" for e in events):
            continue  # the run ended before the first piece left
        first_out = min(_ts(e) for e in events if e["type"] == "withdrawal")
        assert first_out - _ts(events[0]) >= timedelta(hours=12)


def test_residential_farms_avoid_hosting_ips_and_share_no_device(world: World) -> None:
    for labels in world.rings["residential_farm"].values():
        events = world.events_of(labels)
        assert not any(e["network"].get("is_hosting") for e in events)
        opened = [e for e in events if e["type"] == "account_opened"]
        assert len({e["device_id"] for e in opened}) == len(opened)
        assert len({e["referrer_account_id"] for e in opened}) >= min(2, len(opened))


def test_honest_look_alikes_appear_unlabelled(world: World) -> None:
    honest = [e for e in world.events if e["event_id"] not in world.labelled]
    assert any(e["type"] == "password_reset" for e in honest), "forgotten passwords"
    assert any(e["type"] == "login" and not e["success"] for e in honest)
    # arbitrage: a deposit withdrawn within 15 minutes with no trade between, unlabelled
    quick = 0
    for events in world.by_account.values():
        mine = [e for e in events if e["event_id"] not in world.labelled]
        for a, b in itertools.pairwise(mine):
            out = a["type"] == "deposit" and b["type"] in ("withdrawal", "address_book_changed")
            quick += out and _ts(b) - _ts(a) <= timedelta(minutes=16)
    assert quick >= 20
    # families: one device on several accounts with no label at all
    owners: dict[str, set[str]] = defaultdict(set)
    for e in honest:
        if e["device_id"]:
            owners[e["device_id"]].add(e["account_id"])
    shared = [d for d, accts in owners.items() if len(accts) >= 2 and not accts & _labelled_accounts(world)]
    assert shared
    # travellers and VPNs: honest sessions abroad and through VPNs
    assert any(e["network"]["country"] != e["country"] for e in honest)
    assert any(e["network"].get("is_vpn") for e in honest)


def _labelled_accounts(world: World) -> set[str]:
    return {r["account_id"] for r in world.labels}


def test_honest_accounts_have_weeks_of_history_and_salaries_arrive_on_schedule() -> None:
    events, labels, _ = simulate(SimConfig(accounts=300, days=0.5, seed=9, history_days=30.0))
    rows = [json.loads(line) for line in events.splitlines()]
    before = [r for r in rows if r["ts"] < "2026-01-05" and r["type"] in ("deposit", "trade", "withdrawal")]
    assert len(before) > 1000
    # The exchange is live before the run too: crime is already under way in the history.
    history_ids = {r["event_id"] for r in rows if r["ts"] < "2026-01-05"}
    assert any(json.loads(line)["event_id"] in history_ids for line in labels.splitlines())
    # payroll: one employer address pays one account the same amount again and again
    pay: dict[tuple[str, str, str], list[datetime]] = defaultdict(list)
    for e in rows:
        if e["type"] == "deposit" and e.get("source_address"):
            pay[e["account_id"], e["source_address"], e["fiat_value"]].append(_ts(e))
    salaries = [times for times in pay.values() if len(times) >= 3]
    assert salaries
    for times in salaries:
        gaps = {round((b - a) / timedelta(days=1)) for a, b in itertools.pairwise(times)}
        assert len(gaps) == 1 and gaps <= {7, 14, 30}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"generator": 3}, "generator version 3 does not exist"),
        ({"generator": 0}, "does not exist"),
        ({"variants": {"nope": {"x": 0.1}}}, "unknown typology 'nope'"),
        ({"variants": {"mule_ring": {"nope": 0.1}}}, "unknown variant mule_ring.nope"),
        ({"variants": {"mule_ring": {"rented_accounts": 0.8}}}, "sum to 1.2"),
        ({"variants": {"mule_ring": {"rented_accounts": -0.1}}}, "must be in [0, 1]"),
        ({"variants": {"mule_ring": {"rented_accounts": "half"}}}, "must be in [0, 1]"),
        ({"variants": {"mule_ring": {"rented_accounts": True}}}, "must be in [0, 1]"),
        ({"variants": {"mistaken_deposit": {"classic": 1.0}}}, "variants of mistaken_deposit: none"),
        ({"generator": 1, "variants": {"mule_ring": {"rented_accounts": 0.1}}}, "generator 2 only"),
        ({"history_days": -1}, "between 0 and 365"),
    ],
)
def test_bad_settings_are_named(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
        SimConfig(**changes)


def test_variant_shares_change_the_mix() -> None:
    config = SimConfig(
        accounts=400,
        days=2.0,
        seed=5,
        crime_scale=400.0,
        history_days=0.5,
        variants={"account_takeover": {"session_hijack": 1.0, "slow_drain": 0.0}},
    )
    _, labels, _ = simulate(config)
    takeover = {json.loads(x)["variant"] for x in labels.splitlines() if b"account_takeover" in x}
    assert takeover == {"session_hijack"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--generator", "7"], "generator version 7 does not exist"),
        (["--variant", "mule_ring"], "is not TYPOLOGY.VARIANT=SHARE"),
        (["--variant", "mule_ring.rented_accounts=lots"], "is not a number"),
        (["--variant", "mule_ring.rented_accounts=0.9"], "sum to 1.3"),
        (["--variant", "fraud.x=0.1"], "unknown typology 'fraud'"),
        (["--variant-shares", "{missing}"], "cannot read"),
        (["--variant-shares", "{bad}"], "is not JSON"),
        (["--variant-shares", "{list}"], "must be an object of objects"),
        (["--history-days", "400"], "between 0 and 365"),
    ],
)
def test_cli_rejects_bad_variant_settings_with_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "list.json").write_text('[["mule_ring", 0.1]]')
    args = [
        a.format(missing=tmp_path / "none.json", bad=tmp_path / "bad.json", list=tmp_path / "list.json")
        for a in args
    ]
    out = ["-o", str(tmp_path / "e"), "--labels", str(tmp_path / "l"), "--claims", str(tmp_path / "c")]
    code = main(["sim", *args, *out, "--lists", str(LISTS)])
    err = capsys.readouterr().err
    assert code == 2 and message in err, err


def test_cli_reads_variant_shares_from_a_file_and_runs_version_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shares = tmp_path / "shares.json"
    shares.write_text(json.dumps({"structuring": {"smurfs": 1.0, "varied_steps": 0.0}}))
    out = ["-o", str(tmp_path / "e"), "--labels", str(tmp_path / "l"), "--claims", str(tmp_path / "c")]
    common = ["--accounts", "300", "--days", "1", "--crime-scale", "300", "--history-days", "2"]
    common += ["--lists", str(LISTS)]
    assert main(["sim", *common, *out, "--variant-shares", str(shares)]) == 0
    rows = [json.loads(x) for x in (tmp_path / "l").read_bytes().splitlines()]
    assert {r["variant"] for r in rows if r["typology"] == "structuring"} <= {"smurfs"}
    assert main(["sim", *common, *out, "--sim-version", "1"]) == 0
    assert b'"variant"' not in (tmp_path / "l").read_bytes()
    capsys.readouterr()


def test_the_docs_list_every_variant_with_its_share() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "simulator.md").read_text()
    for typology, variants in VARIANTS.items():
        for name, share in variants.items():
            assert f"| {typology} | {name} | {share:.2f} |" in doc, (typology, name)


def test_honest_customers_transfer_internally_and_name_wallets_as_criminals_do(world: World) -> None:
    labelled = _labelled_accounts(world)
    honest = [e for e in world.events if e["account_id"] not in labelled]
    transfers = [e for e in honest if e["type"] == "internal_transfer"]
    assert len(transfers) >= 20 and all(e["counterparty_account_id"] != e["account_id"] for e in transfers)
    names = {name for name, _ in WALLET_LABELS}
    book = [e for e in world.events if e["type"] == "address_book_changed"]
    honest_names = {
        e["label"] for e in book if e["event_id"] not in world.labelled and e["account_id"] not in labelled
    }
    crime_names = {e["label"] for e in book if e["event_id"] in world.labelled}
    assert crime_names <= names and len(crime_names) >= 3
    assert names <= honest_names | {"client", "exchange"}  # every name shows up on honest entries too


_NEEDS_SESSION = frozenset({"withdrawal", "trade", "p2p_order", "internal_transfer", "address_book_changed"})


def test_criminals_move_money_in_sessions_as_customers_do(world: World) -> None:
    # Version 1's crime moved money with no login that day, and after long silences: a tell no
    # exchange would see. In version 2 every labelled move by a perpetrator, mule or collector comes
    # within half an hour of a login on that account (a stolen session excepted: it has no login).
    hijacked = {r["account_id"] for rs in world.rings["session_hijack"].values() for r in rs}
    checked = 0
    for r in world.labels:
        e = world.by_id[r["event_id"]]
        if e["type"] not in _NEEDS_SESSION or r["role"] == "victim" or e["account_id"] in hijacked:
            continue
        before = [x for x in world.by_account[e["account_id"]] if x["event_id"] < e["event_id"]]
        logins = [x for x in before if x["type"] == "login" and x["success"]]
        assert logins, (r["variant"], e["type"])
        assert _ts(e) - _ts(logins[-1]) <= timedelta(hours=2), (r["variant"], e["type"])
        checked += 1
    assert checked >= 100


def test_honest_customers_move_their_2fa_and_come_by_referral(world: World) -> None:
    labelled = _labelled_accounts(world)
    honest = [e for e in world.events if e["account_id"] not in labelled]
    moves = [e["action"] for e in honest if e["type"] == "twofa_changed"]
    assert "disabled" in moves and "enabled" in moves  # an authenticator moved to a new phone
    referred = [e for e in honest if e["type"] == "account_opened" and e.get("referrer_account_id")]
    assert referred
