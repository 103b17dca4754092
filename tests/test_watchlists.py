"""The list service: snapshots from real files, bad files refused, re-screening only what changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import LISTS
from vigil.adapters.list_files import DiskListFiles
from vigil.adapters.memory_screening import MemoryListStore, MemoryScreeningStore
from vigil.errors import InvalidInput, InvalidListFile
from vigil.screening.entries import NameEntry, SubjectKind
from vigil.screening.names import Customer
from vigil.screening.policy import default_policy
from vigil.screening.records import AlertKind, Clearance
from vigil.watchlists import ImportReport, import_list, load_screener

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
XBT = "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"


@pytest.fixture(autouse=True)
def _shared() -> None:
    assert LISTS.is_dir(), (
        f"../shared/data/lists not found at {LISTS}: the reference data must sit beside the repo"
    )


def run(
    source: str, path: Path, lists: MemoryListStore, store: MemoryScreeningStore | None = None, days: int = 0
) -> ImportReport:
    return import_list(
        source,
        str(path),
        files=DiskListFiles(),
        lists=lists,
        now=NOW + timedelta(days=days),
        screening=store,
        policy=default_policy(),
    )


def test_real_ofac_addresses_become_a_dated_snapshot_and_the_same_files_save_nothing() -> None:
    lists = MemoryListStore()
    first = run("ofac_addresses", LISTS / "ofac_crypto_addresses", lists)
    assert first.saved and first.info.version == 1 and first.info.entries > 600
    assert first.info.list_date.startswith("2024-09-27")  # from SOURCE.txt
    assert len(first.errors) == 2 and all(e.file.startswith("sanctioned_addresses_") for e in first.errors)
    again = run("ofac_addresses", LISTS / "ofac_crypto_addresses", lists, days=1)
    assert not again.saved and again.info == first.info and again.diff.is_empty
    assert [i.version for i in lists.snapshots()] == [1]


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_broken_row_is_skipped_and_reported(tmp_path: Path) -> None:
    folder = write(tmp_path / "ofac", "sanctioned_addresses_XBT.txt", f"{XBT}\nnot-an-address\n")
    report = run("ofac_addresses", folder, MemoryListStore())
    assert report.info.entries == 1
    (error,) = report.errors
    assert (error.file, error.line, error.field) == ("sanctioned_addresses_XBT.txt", 2, "address")


def test_a_broken_file_refuses_the_snapshot_and_keeps_the_previous_one(tmp_path: Path) -> None:
    lists = MemoryListStore()
    good = write(
        tmp_path / "good", "address.json", json.dumps(["0x43412801d29861ecc4c4d86e5becfd16af86a67b"])
    )
    run("scamsniffer", good, lists)
    broken = write(tmp_path / "broken", "address.json", '["0x4341280')
    with pytest.raises(InvalidListFile, match=r"address\.json"):
        run("scamsniffer", broken, lists, days=1)
    empty = write(tmp_path / "empty", "address.json", '["nope"]')
    with pytest.raises(InvalidListFile, match="no valid address entry"):
        run("scamsniffer", empty, lists, days=1)
    assert [i.version for i in lists.snapshots("scamsniffer")] == [1]
    assert len(lists.address_entries("scamsniffer")) == 1


@pytest.mark.parametrize(
    ("source", "path", "error", "message"),
    [
        ("nope", "x", InvalidInput, "unknown list source 'nope'"),
        ("un", "/does/not/exist", InvalidListFile, "no such file"),
        ("ofac_sdn", str(LISTS / "scamsniffer"), InvalidListFile, "none of this source's files"),
        ("ofac_addresses", str(LISTS / "scamsniffer" / "address.json"), InvalidListFile, "not one of this"),
    ],
)
def test_wrong_source_or_path_is_a_clear_error(source: str, path: str, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        run(source, Path(path), MemoryListStore())


def test_a_newly_listed_address_alerts_the_accounts_that_used_it_once(tmp_path: Path) -> None:
    lists, store = MemoryListStore(), MemoryScreeningStore()
    store.note_address("mallory", f"BTC:{XBT}")
    store.note_address("trent", "BTC:1BoatSLRHtKNngkdXEeobR76b53LETtpyT")
    v1 = write(tmp_path / "v1", "sanctioned_addresses_XBT.txt", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT\n")
    first = run("ofac_addresses", v1, lists, store)
    assert [a.customer_id for a in first.alerts] == ["trent"]
    v2 = write(
        tmp_path / "v2", "sanctioned_addresses_XBT.txt", f"1BoatSLRHtKNngkdXEeobR76b53LETtpyT\n{XBT}\n"
    )
    second = run("ofac_addresses", v2, lists, store, days=1)
    assert [(a.customer_id, a.kind, a.snapshot_version) for a in second.alerts] == [
        ("mallory", AlertKind.ADDRESS, 2)
    ]
    assert len(second.diff.added) == 1 and second.diff.removed == ()
    assert len(store.alerts()) == 2


def test_a_new_name_snapshot_alerts_matching_customers_except_cleared_ones(tmp_path: Path) -> None:
    lists, store = MemoryListStore(), MemoryScreeningStore()
    old = run("ofac_sdn", LISTS / "sanctions_names", lists, store)
    new_entries = [e for e in _sdn(LISTS / "sanctions_names" / "bench") if e.kind is SubjectKind.PERSON]
    known = {e.entry_id for e in lists.name_entries("ofac_sdn")}
    added = next(e for e in new_entries if e.entry_id not in known and len(e.name.split()) >= 2)
    store.put_customer(Customer("c-hit", added.name))
    store.put_customer(Customer("c-cleared", added.name))
    store.put_customer(Customer("c-other", "Zebulon Quartermaine"))
    reviewed = "reviewed: other person"
    store.clear(Clearance("c-cleared", added.entry_id, added.digest(), "ana", reviewed, NOW, "sam", NOW))
    new = run("ofac_sdn", LISTS / "sanctions_names" / "bench", lists, store, days=1)
    assert old.info.version == 1 and new.info.version == 2 and new.diff.added
    hit = {a.customer_id for a in new.alerts if a.entry_id == added.entry_id}
    assert hit == {"c-hit"}
    assert all(a.customer_id != "c-other" for a in new.alerts)
    assert all(a.kind is AlertKind.NAME and a.score >= default_policy().names.review for a in new.alerts)


def _sdn(folder: Path) -> list[NameEntry]:
    lists = MemoryListStore()
    run("ofac_sdn", folder, lists)
    return list(lists.name_entries("ofac_sdn"))


def test_the_screener_loads_the_latest_snapshot_of_every_source(tmp_path: Path) -> None:
    lists = MemoryListStore()
    run("ofac_addresses", write(tmp_path / "v1", "sanctioned_addresses_XBT.txt", f"{XBT}\n"), lists)
    run(
        "ofac_addresses",
        write(tmp_path / "v2", "sanctioned_addresses_XBT.txt", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT\n"),
        lists,
        days=1,
    )
    run("un", LISTS / "sanctions_names", lists)
    screener = load_screener(lists, default_policy())
    assert screener.lists_version == "ofac_addresses@2,un@1"
    assert f"BTC:{XBT}" not in screener.addresses  # removed in v2
    assert "BTC:1BoatSLRHtKNngkdXEeobR76b53LETtpyT" in screener.addresses
    assert screener.names is not None and len(screener.name_entries) > 900
