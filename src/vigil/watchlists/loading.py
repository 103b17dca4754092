"""Building the screener the engine and the CLI use from the latest snapshot of every source."""

from __future__ import annotations

from vigil.ports import ListStore
from vigil.screening.entries import AddressEntry, NameEntry
from vigil.screening.index import AddressIndex
from vigil.screening.policy import Policy
from vigil.screening.screener import Screener


def load_screener(lists: ListStore, policy: Policy) -> Screener:
    """Indexes over the latest snapshot of each source; ``lists_version`` names them for decisions."""
    latest = {}
    for info in lists.snapshots():
        latest[info.source] = info  # oldest first: the last one of a source wins
    addresses: list[AddressEntry] = []
    names: list[NameEntry] = []
    for source, info in sorted(latest.items()):
        if info.kind == "address":
            addresses.extend(lists.address_entries(source))
        else:
            names.extend(lists.name_entries(source))
    version = ",".join(f"{s}@{i.version}" for s, i in sorted(latest.items()))
    return Screener(
        AddressIndex(addresses),
        policy,
        names=names,
        lists_version=version,
    )
