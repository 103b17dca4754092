"""Snapshots while the service runs (engine/snapshotter.py), their settings, and ``vigil snapshot``.

The snapshotter forks after a commit, when the engine's state is the journal's: every snapshot it
writes resumes to the live engine's state, however the parent moved on while the child wrote. Stopping
the server writes one more, so a restart replays nothing.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from pydantic import ValidationError

from tests.api.conftest import api_settings, open_api
from tests.conftest import builtin_rules
from vigil import bootstrap
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.snapshot_files import DirectorySnapshots
from vigil.adapters.sqlite import SqliteJournal
from vigil.cli.main import main
from vigil.engine import Engine
from vigil.engine.snapshot import load, resume
from vigil.engine.snapshotter import Snapshotter
from vigil.errors import ConfigError, StorageError
from vigil.features import default_catalog
from vigil.model.access import Role
from vigil.ports import Journal
from vigil.settings import Settings
from vigil.sim.example import example_stream

STREAM = list(example_stream(n_accounts=60, days=10, seed=9))


def engine_on(journal: Journal) -> Engine:
    return Engine(default_catalog(), builtin_rules(), journal)


def test_every_forked_snapshot_resumes_to_the_live_state_while_the_parent_goes_on(tmp_path: Path) -> None:
    db = tmp_path / "vigil.db"
    live = engine_on(SqliteJournal(db, batch_size=10_000))
    store = DirectorySnapshots(tmp_path / "snaps", keep=10)
    snapshots = Snapshotter(live, store, every_decisions=200, every_seconds=0)
    for i, event in enumerate(STREAM[:900], start=1):
        live.decide(event)
        if i % 50 == 0:  # a group commit every 50 decisions; the children write while the engine goes on
            live.commit()
            snapshots.committed(50)
    snapshots.wait()
    live.commit()
    assert snapshots.forks >= 1 and snapshots.last_result is not None  # more when each child was quick
    assert snapshots.last_result.startswith("wrote"), snapshots.last_result
    assert snapshots.last_fork_ms is not None and snapshots.last_fork_ms < 5_000
    names = store.names()
    assert len(names) == snapshots.forks
    for name in names:  # each reflects the position it was forked at, plus the tail after it
        restarted = engine_on(SqliteJournal(db))
        header, tail = load(restarted, store, name)
        assert header.position + tail.records == 900 and header.position % 50 == 0
        assert restarted.catalog.state_digest() == live.catalog.state_digest()


def test_a_snapshot_is_due_by_count_or_by_time_with_something_new() -> None:
    now = [0.0]
    engine = engine_on(MemoryJournal())
    snapshots = Snapshotter(
        engine, DirectorySnapshots("/nonexistent"), every_decisions=0, every_seconds=60, clock=lambda: now[0]
    )
    assert not snapshots.due()
    now[0] = 120.0
    assert not snapshots.due()  # nothing uncovered: nothing to write
    snapshots.uncovered = 1
    assert snapshots.due()
    by_count = Snapshotter(engine, DirectorySnapshots("/nonexistent"), every_decisions=10, every_seconds=0)
    by_count.uncovered = 9
    assert not by_count.due()
    by_count.uncovered = 10
    assert by_count.due()


class FullDisk(DirectorySnapshots):
    def save(self, write: Any) -> str:
        def fail(out: BinaryIO) -> None:
            raise StorageError("no space left on device")

        return super().save(fail)


def test_a_failed_snapshot_is_logged_and_decisions_go_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    live = engine_on(SqliteJournal(tmp_path / "vigil.db", batch_size=1000))
    snapshots = Snapshotter(live, FullDisk(tmp_path / "snaps"), every_decisions=1, every_seconds=0)
    with caplog.at_level(logging.INFO, logger="vigil.engine"):
        live.decide(STREAM[0])
        live.commit()
        snapshots.committed(1)
        snapshots.wait()
    assert snapshots.last_result == "failed: StorageError: no space left on device"
    assert "snapshot failed: StorageError: no space left on device" in caplog.text
    live.decide(STREAM[1])  # the engine never noticed
    assert snapshots.close() is None  # the shutdown snapshot fails the same way: logged, not raised
    assert "could not write the shutdown snapshot" in caplog.text


def test_the_shutdown_snapshot_covers_what_is_new_and_only_then(tmp_path: Path) -> None:
    live = engine_on(SqliteJournal(tmp_path / "vigil.db", batch_size=1000))
    store = DirectorySnapshots(tmp_path / "snaps")
    quiet = Snapshotter(live, store, every_decisions=0, every_seconds=0)
    assert quiet.close() is None and store.names() == []  # nothing decided: nothing to cover
    for event in STREAM[:40]:
        live.decide(event)
    live.commit()
    off = Snapshotter(live, store, every_decisions=0, every_seconds=0, on_shutdown=False, uncovered=40)
    assert off.close() is None and store.names() == []
    on = Snapshotter(live, store, every_decisions=0, every_seconds=0, uncovered=40)
    saved = on.close()
    assert saved is not None and store.names() == [saved.name] and saved.position == 40


def test_the_server_snapshots_as_it_goes_and_at_shutdown_and_restarts_from_it(tmp_path: Path) -> None:
    settings = api_settings(tmp_path, snapshot_every_decisions=5, snapshot_every_minutes=0)
    before: dict[str, Any] = {}
    for api in open_api(settings):
        assert api.services.started is not None and api.services.started.snapshot is None
        for event in STREAM[:23]:
            assert api.post_event(event).status_code == 200
        assert api.services.snapshots is not None
        api.services.snapshots.wait()
        assert api.services.snapshots.forks >= 1
        before = api.client.get("/v1/admin/state", headers=api.headers(Role.AUDITOR)).json()
    store = bootstrap.snapshot_store(settings)
    assert store is not None and len(store.names()) == 2  # the newest two: one at shutdown
    for api in open_api(settings):
        started = api.services.started
        assert started is not None and started.snapshot == store.names()[0] and started.replayed == 0
        after = api.client.get("/v1/admin/state", headers=api.headers(Role.AUDITOR)).json()
        assert after["feature_state"] == before["feature_state"] and after["events"] == 23
        assert api.post_event(STREAM[23]).status_code == 200
        assert api.post_event(STREAM[5]).json()["event_id"] == STREAM[5].event_id  # a retry, known


# -- settings -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"snapshot_keep": 0},
        {"snapshot_keep": "two"},
        {"snapshot_every_decisions": -1},
        {"snapshot_every_minutes": -5},
        {"snapshot_every_minutes": math.nan},
        {"snapshots": "sometimes"},
    ],
)
def test_malformed_snapshot_settings_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match=next(iter(bad))):
        Settings(**bad)


def test_where_snapshots_are_kept(tmp_path: Path) -> None:
    sqlite = bootstrap.snapshot_store(Settings(db=str(tmp_path / "v.db")))
    assert isinstance(sqlite, DirectorySnapshots) and sqlite.directory == tmp_path / "v.db.snapshots"
    chosen = bootstrap.snapshot_store(Settings(db=str(tmp_path / "v.db"), snapshot_dir=tmp_path / "s"))
    assert isinstance(chosen, DirectorySnapshots) and chosen.directory == tmp_path / "s"
    postgres = "postgresql+psycopg://vigil@127.0.0.1/vigil"
    assert bootstrap.snapshot_store(Settings(db=postgres)) is None
    assert bootstrap.snapshot_store(Settings(db=postgres, snapshot_dir=tmp_path / "s")) is not None
    assert bootstrap.snapshot_store(Settings(db="memory", snapshot_dir=tmp_path / "s")) is None
    assert bootstrap.snapshot_store(Settings(db=str(tmp_path / "v.db"), snapshots=False)) is None
    (tmp_path / "a-file").write_text("")
    with pytest.raises(ConfigError, match="not a directory"):
        bootstrap.snapshot_store(Settings(db=str(tmp_path / "v.db"), snapshot_dir=tmp_path / "a-file"))


# -- vigil snapshot -------------------------------------------------------------------------------------


def test_vigil_snapshot_writes_one_and_the_next_starts_from_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "vigil.db"
    live = engine_on(SqliteJournal(db, batch_size=1000))
    for event in STREAM[:300]:
        live.decide(event)
    live.close()
    assert main(["snapshot", "--db", str(db), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["started_from"] is None and first["replayed"] == 300 and first["position"] == 300
    assert first["dir"] == f"{db}.snapshots" and first["bytes"] > 4096
    assert main(["snapshot", "--db", str(db), "--keep", "1"]) == 0
    out, err = capsys.readouterr()
    assert f"started from snapshot {first['snapshot']} + a tail of 0 journal records" in err
    assert "journal position 300" in out
    store = DirectorySnapshots(f"{db}.snapshots")
    assert len(store.names()) == 1
    restarted = engine_on(SqliteJournal(db))
    assert resume(restarted, store).replayed == 0
    assert restarted.catalog.state_digest() == live.catalog.state_digest()


def test_vigil_snapshot_needs_a_place_for_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["snapshot", "--db", "memory"]) == 1
    assert "no snapshot directory" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["snapshot", "--keep", "0"])
