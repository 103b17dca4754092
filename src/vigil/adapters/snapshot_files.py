"""Snapshots as files in a directory (beside the SQLite database by default): the real ``SnapshotStore``.

A snapshot is written to a hidden temporary file in the directory, flushed to disk (``fsync``), then
renamed to its name (atomic on POSIX) and the directory synced, so a crash leaves either the whole
snapshot or none of it, never a part under a snapshot's name. Names are
``<nanoseconds since the epoch>-<pid>.snapshot``: sorted by name, newest last. After a save, only the
newest ``keep`` remain; temporary files older than an hour (a writer that was killed) are removed.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from vigil.errors import ConfigError, StorageError

SUFFIX = ".snapshot"
_STALE_TEMP_S = 3600.0


class DirectorySnapshots:
    def __init__(self, directory: str | Path, keep: int = 2) -> None:
        if keep < 1:
            raise ConfigError(f"keep at least one snapshot, got {keep}")
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise ConfigError(f"snapshot directory {self.directory} is not a directory")
        self.keep = keep

    @property
    def where(self) -> str:
        return str(self.directory)

    def save(self, write: Callable[[BinaryIO], None]) -> str:
        directory = self.directory
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create snapshot directory {directory}: {exc.strerror}") from None
        name = self._new_name()
        temp = directory / f".{name}.tmp"
        try:
            with temp.open("xb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            temp.replace(directory / name)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                temp.unlink()
            if isinstance(exc, OSError):
                raise StorageError(f"cannot write snapshot {directory / name}: {exc.strerror}") from exc
            raise
        _sync_directory(directory)
        self._prune()
        return name

    def _new_name(self) -> str:
        now = time.time_ns()
        while True:
            name = f"{now:020d}-{os.getpid()}{SUFFIX}"
            if not (self.directory / name).exists():
                return name
            now += 1

    def _prune(self) -> None:
        """Keep the newest ``keep`` snapshots; drop temporary files a killed writer left behind."""
        for old in self.names()[self.keep :]:
            with contextlib.suppress(OSError):  # another process pruned it first
                (self.directory / old).unlink()
        horizon = time.time() - _STALE_TEMP_S
        for temp in self.directory.glob(f".*{SUFFIX}.tmp"):
            with contextlib.suppress(OSError):
                if temp.stat().st_mtime < horizon:
                    temp.unlink()

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        try:
            found = [p.name for p in self.directory.iterdir() if p.name.endswith(SUFFIX)]
        except OSError as exc:
            raise StorageError(f"cannot list snapshots in {self.directory}: {exc.strerror}") from None
        return sorted((n for n in found if not n.startswith(".")), reverse=True)

    def open(self, name: str) -> BinaryIO:
        path = self.directory / name
        if name != path.name or not name.endswith(SUFFIX):
            raise StorageError(f"{name!r} is not a snapshot name")
        try:
            return path.open("rb")
        except OSError as exc:
            raise StorageError(f"cannot read snapshot {path}: {exc.strerror}") from None


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); where a directory cannot be opened, the rename is what there is."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a directory: the rename itself is atomic
        pass
    finally:
        os.close(fd)
