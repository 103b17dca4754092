"""The address index: every list's entries by canonical address key, for one dict lookup per address.

Built from the latest snapshot of every address source; the engine and ``vigil screen address``
both ask it. A lookup returns every entry that names the address, most severe first, so a
sanctioned address that is also attributed to an exchange shows both and the policy sees the worst.
"""

from __future__ import annotations

from collections.abc import Iterable

from vigil.screening.entries import AddressEntry


def _rank(entry: AddressEntry) -> tuple[int, int, str, str]:
    return (-entry.category.severity, -entry.confidence, entry.source, entry.entry_id)


class AddressIndex:
    """Address key -> entries. Immutable once built; build a new one for a new snapshot."""

    __slots__ = ("_by_key", "_size", "_sources")

    def __init__(self, entries: Iterable[AddressEntry] = ()) -> None:
        grouped: dict[str, list[AddressEntry]] = {}
        sources: set[str] = set()
        size = 0
        for entry in entries:
            grouped.setdefault(entry.key, []).append(entry)
            sources.add(entry.source)
            size += 1
        self._by_key: dict[str, tuple[AddressEntry, ...]] = {
            key: tuple(sorted(group, key=_rank)) for key, group in grouped.items()
        }
        self._sources = frozenset(sources)
        self._size = size

    def lookup(self, key: str) -> tuple[AddressEntry, ...]:
        """Every entry for the canonical key (``Address.key``), most severe first; () when unlisted."""
        return self._by_key.get(key, ())

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    @property
    def sources(self) -> frozenset[str]:
        return self._sources

    @property
    def addresses(self) -> int:
        """Distinct addresses."""
        return len(self._by_key)

    def __len__(self) -> int:
        """Entries (one address named by two lists counts twice)."""
        return self._size
