"""Snapshots in memory: the reference ``SnapshotStore``, for tests (gone with the process)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO

from vigil.errors import ConfigError, StorageError


class MemorySnapshots:
    def __init__(self, keep: int = 2) -> None:
        if keep < 1:
            raise ConfigError(f"keep at least one snapshot, got {keep}")
        self.keep = keep
        self._saved: dict[str, bytes] = {}  # in the order saved: the newest last
        self._n = 0

    @property
    def where(self) -> str:
        return "memory"

    def save(self, write: Callable[[BinaryIO], None]) -> str:
        out = io.BytesIO()
        write(out)
        self._n += 1
        name = f"{self._n:020d}.snapshot"
        self._saved[name] = out.getvalue()
        for old in list(self._saved)[: -self.keep]:
            del self._saved[old]
        return name

    def names(self) -> list[str]:
        return list(reversed(self._saved))

    def open(self, name: str) -> BinaryIO:
        data = self._saved.get(name)
        if data is None:
            raise StorageError(f"no snapshot {name!r} in memory")
        return io.BytesIO(data)

    def replace(self, name: str, data: bytes) -> None:
        """Change a stored snapshot's bytes behind the engine's back (tests: corruption, truncation)."""
        if name not in self._saved:
            raise StorageError(f"no snapshot {name!r} in memory")
        self._saved[name] = data
