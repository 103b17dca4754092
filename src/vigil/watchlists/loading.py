"""Building the screener the engine and the CLI use from the latest snapshot of every source."""

from __future__ import annotations

from vigil.ports import ListStore
from vigil.screening.entries import AddressEntry, NameEntry
from vigil.screening.index import AddressIndex
from vigil.screening.policy import Policy
from vigil.screening.screener import Screener
from vigil.screening.snapshot import SnapshotInfo


def latest_snapshots(lists: ListStore) -> dict[str, SnapshotInfo]:
    """The newest snapshot of each source, by source name (sorted)."""
    latest: dict[str, SnapshotInfo] = {}
    for info in lists.snapshots():
        latest[info.source] = info  # oldest first: the last one of a source wins
    return dict(sorted(latest.items()))


def name_entries(lists: ListStore) -> list[NameEntry]:
    """Every entry of the latest snapshot of every name source."""
    return [e for s, i in latest_snapshots(lists).items() if i.kind == "name" for e in lists.name_entries(s)]


def load_screener(lists: ListStore, policy: Policy) -> Screener:
    """Indexes over the latest snapshot of each source; ``lists_version`` names them for decisions."""
    latest = latest_snapshots(lists)
    addresses: list[AddressEntry] = [
        e for s, i in latest.items() if i.kind == "address" for e in lists.address_entries(s)
    ]
    version = ",".join(f"{s}@{i.version}" for s, i in latest.items())
    return Screener(AddressIndex(addresses), policy, names=name_entries(lists), lists_version=version)
