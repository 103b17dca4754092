"""``vigil serve`` with workers (``VIGIL_BUS``) tells them the security desk's freezes: the desk's act is
appended to the account's partition on JetStream as a control record (workers/controls.py), by the task
the app runs, whatever thread the act came from. What a worker does with it: ``test_workers.py`` and
``test_workers_nats.py``."""

from __future__ import annotations

import asyncio
import time

from starlette.testclient import TestClient

from tests.desk_kit import decided, withdrawal
from tests.nats import NATS_URL, drop, stream_name
from vigil.adapters.nats_bus import NatsBus
from vigil.api import create_app
from vigil.api.services import build
from vigil.desk import Change
from vigil.model.cases import ActionKind
from vigil.ports import LogRecord
from vigil.settings import Settings
from vigil.workers import partition_of
from vigil.workers.controls import FreezeControl, decode_control

RECORD = {"catalog": "c", "rules": "r", "partitions": "8", "flag_lag": "0", "workers": "1"}


async def _join(name: str) -> None:
    bus = NatsBus(NATS_URL, name)
    try:
        await bus.join(RECORD)  # a worker's part: the cluster's record says how many partitions
    finally:
        await bus.close()


async def _records(name: str, n: int) -> list[LogRecord]:
    bus = NatsBus(NATS_URL, name)
    got: list[LogRecord] = []
    try:
        async for batch in bus.read(0, idle=0.1):
            got += batch
            if len(got) >= n or not batch:
                return got
    finally:
        await bus.close()
    return got


def test_a_server_with_workers_puts_each_desk_freeze_on_the_accounts_partition() -> None:
    name = stream_name()
    try:
        asyncio.run(_join(name))
        services = build(Settings(db="memory", bus=NATS_URL, bus_stream=name, access_log=False))
        assert services.freezes is not None
        security = services.desk
        event = withdrawal(1, "acc-7")
        services.stores.journal.record(event, decided(event))  # type: ignore[union-attr]
        case = security.desk.ingest(event, decided(event))
        assert case is not None
        with TestClient(create_app(services=services)):
            freeze = security.actions.request(
                case.case_id, ActionKind.FREEZE_ACCOUNT, "mule", Change("ana")
            ).actions[-1]
            security.actions.request(case.case_id, ActionKind.UNFREEZE, "cleared", Change("ana"))
            deadline = time.monotonic() + 10
            while services.freezes.pending and time.monotonic() < deadline:
                time.sleep(0.05)
            assert services.freezes.pending == 0 and services.freezes.sent == 2
        services.close()
        records = asyncio.run(_records(name, 2))
        assert [r.control for r in records] == [True, True]
        assert {r.partition for r in records} == {partition_of("acc-7", 8)}
        told = [decode_control(r.body) for r in records]
        assert [(c.account_id, c.freeze) for c in told] == [("acc-7", freeze.action_id), ("acc-7", None)]
        assert told[0].at_us <= told[1].at_us
        assert isinstance(told[0], FreezeControl)
    finally:
        asyncio.run(drop(name))


def test_a_server_with_workers_reads_their_journalled_decisions_into_the_desk() -> None:
    """The workers journal their decisions in their own processes: the server's desk reads them every
    ``desk_follow_seconds`` (alerts and cases), not only at its start."""
    name = stream_name()
    try:
        asyncio.run(_join(name))
        settings = Settings(
            db="memory", bus=NATS_URL, bus_stream=name, access_log=False, desk_follow_seconds=0.05
        )
        services = build(settings)
        assert services.stores is not None
        journal = services.stores.journal
        with TestClient(create_app(services=services)):
            for n, account in enumerate(("acc-1", "acc-2"), start=1):
                event = withdrawal(n, account)
                journal.record(event, decided(event))  # as a worker's commit would
            journal.flush()
            deadline = time.monotonic() + 10
            while len(list(services.desk.desk.all_cases())) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert {c.account_id for c in services.desk.desk.all_cases()} == {"acc-1", "acc-2"}
        services.close()
    finally:
        asyncio.run(drop(name))
