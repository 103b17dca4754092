"""The SnapshotStore contract (vigil.ports.SnapshotStore), run unchanged against every adapter."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from vigil.adapters.memory_snapshots import MemorySnapshots
from vigil.adapters.snapshot_files import DirectorySnapshots
from vigil.errors import ConfigError, StorageError
from vigil.ports import SnapshotStore


@pytest.fixture(params=["memory", "directory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> SnapshotStore:
    if request.param == "memory":
        return MemorySnapshots(keep=2)
    return DirectorySnapshots(tmp_path / "db.snapshots", keep=2)


def writer(data: bytes) -> Callable[[BinaryIO], None]:
    def write(out: BinaryIO) -> None:
        out.write(b"\0" * 8)
        out.write(data)
        out.seek(0)  # what the engine does: the header is written last, at the start
        out.write(b"HEADER!!")

    return write


def read(store: SnapshotStore, name: str) -> bytes:
    with store.open(name) as f:
        return f.read()


def test_an_empty_store_lists_nothing(store: SnapshotStore) -> None:
    assert store.names() == []
    with pytest.raises(StorageError):
        store.open("00000000000000000001-1.snapshot")


def test_saved_snapshots_read_back_whole_newest_first_and_only_the_newest_are_kept(
    store: SnapshotStore,
) -> None:
    names = [store.save(writer(b"payload 0"))]
    time.sleep(0.001)
    names.append(store.save(writer(b"payload 1")))
    assert store.names() == [names[1], names[0]]
    assert read(store, names[0]) == b"HEADER!!payload 0"
    time.sleep(0.001)
    names.append(store.save(writer(b"payload 2")))
    assert store.names() == [names[2], names[1]]  # keep=2: the oldest is gone
    with pytest.raises(StorageError):
        read(store, names[0])
    assert store.where


def test_a_write_that_fails_leaves_nothing(store: SnapshotStore) -> None:
    kept = store.save(writer(b"good"))

    def broken(out: BinaryIO) -> None:
        out.write(b"half a snapshot")
        raise RuntimeError("the disk filled up")

    with pytest.raises(RuntimeError, match="disk"):
        store.save(broken)
    assert store.names() == [kept]
    assert read(store, kept) == b"HEADER!!good"


def test_keep_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        MemorySnapshots(keep=0)
    with pytest.raises(ConfigError):
        DirectorySnapshots(tmp_path, keep=0)


def test_the_directory_hides_temporary_files_and_removes_stale_ones(tmp_path: Path) -> None:
    store = DirectorySnapshots(tmp_path / "snaps", keep=1)
    store.save(writer(b"x"))
    stale = tmp_path / "snaps" / ".00000000000000000001-1.snapshot.tmp"
    fresh = tmp_path / "snaps" / ".00000000000000000002-2.snapshot.tmp"  # a writer still at work
    stale.write_bytes(b"killed half way")
    fresh.write_bytes(b"writing")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    assert all(not n.startswith(".") for n in store.names())
    store.save(writer(b"y"))
    assert not stale.exists() and fresh.exists()
    assert len(store.names()) == 1
    with pytest.raises(StorageError, match="not a snapshot name"):
        store.open("../elsewhere.snapshot")


def test_a_file_where_the_directory_should_be_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(ConfigError, match="not a directory"):
        DirectorySnapshots(tmp_path / "file")
