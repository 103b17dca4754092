"""Kill the server (SIGKILL) in the middle of a stream of requests, restart it, and prove nothing was lost
or counted twice: every acknowledged event is stored exactly once, retries return the stored decision,
and the restarted server's feature state equals a fresh replay of its journal.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import make_engine
from tests.postgres import postgres_url
from tests.serving import Server, free_port, vigil_cli
from vigil import bootstrap
from vigil.codec import encode_event
from vigil.model import Event
from vigil.settings import Settings
from vigil.sim.example import example_stream

pytestmark = pytest.mark.slow
ACK_DEADLINE_S = (
    120.0  # the server acknowledges 150 accounts' events in seconds; a hang must not wait forever
)


@dataclass
class Client:
    port: int
    token: str
    acked: dict[str, dict[str, object]] = field(default_factory=dict)
    replayed: dict[str, dict[str, object]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, conn: http.client.HTTPConnection, event: Event) -> tuple[int, dict[str, object], bool]:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        conn.request("POST", "/v1/events", body=encode_event(event), headers=headers)
        r = conn.getresponse()
        body = json.loads(r.read())
        return r.status, body, r.getheader("Vigil-Replayed") == "true"

    def worker(self, work: queue.Queue[Event | None]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            while (event := work.get()) is not None:
                try:
                    status, body, replayed = self.send(conn, event)
                except (OSError, http.client.HTTPException):
                    with self.lock:
                        self.failed.append(event.event_id)
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                    continue
                assert status == 200, body
                with self.lock:
                    (self.replayed if replayed else self.acked)[event.event_id] = body
        finally:
            conn.close()

    def stream(
        self, events: list[Event], *, threads: int = 4, until: int | None = None
    ) -> list[threading.Thread]:
        """Send ``events`` over ``threads`` connections; with ``until``, return once that many are acked."""
        work: queue.Queue[Event | None] = queue.Queue()
        for e in events:
            work.put(e)
        for _ in range(threads):
            work.put(None)
        pool = [threading.Thread(target=self.worker, args=(work,), daemon=True) for _ in range(threads)]
        for t in pool:
            t.start()
        if until is not None:
            deadline = time.monotonic() + ACK_DEADLINE_S
            while len(self.acked) < until:
                if not any(t.is_alive() for t in pool):
                    raise AssertionError(f"every sender stopped with {len(self.acked)} of {until} acked")
                if time.monotonic() > deadline:
                    raise AssertionError(f"{len(self.acked)} of {until} acked after {ACK_DEADLINE_S} s")
                time.sleep(0.002)
            return pool
        for t in pool:
            t.join()
        return pool


def _stream() -> list[Event]:
    return list(example_stream(n_accounts=150, days=10, seed=11))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """A server on SQLite, and on PostgreSQL (a fresh schema)."""
    with contextlib.ExitStack() as stack:
        sqlite = request.param == "sqlite"
        db = str(tmp_path / "vigil.db") if sqlite else stack.enter_context(postgres_url())
        s = Server(db=db, port=free_port(), log=tmp_path / "server.log")
        stack.callback(s.stop)
        yield s


@pytest.mark.timeout(300)  # pytest-timeout: a server that hangs fails the test instead of the suite
def test_sigkill_mid_stream_loses_no_acknowledged_event_and_counts_none_twice(server: Server) -> None:
    events = _stream()
    assert len(events) > 1500
    token = json.loads(vigil_cli("keys", "create", "crash-test", "--json", db=server.db))["token"]
    server.start()
    client = Client(server.port, token)
    senders = client.stream(events, until=400)
    server.kill()  # requests are in flight on four connections
    for t in senders:
        t.join()  # the senders see their connections fail, and give up on what is left
    acked_before_kill = dict(client.acked)
    assert 400 <= len(acked_before_kill) < len(events)

    server.start()
    # The exchange retries what was not acknowledged, and (to be sure) some that were; then goes on.
    by_id = {e.event_id: e for e in events}
    sent_before = set(acked_before_kill) | set(client.failed)
    retry = [e for e in events if e.event_id in acked_before_kill][:100]
    rest = [e for e in events if e.event_id not in acked_before_kill]
    client.failed.clear()
    client.stream(retry, threads=2)
    client.stream(rest, threads=4)
    assert not client.failed

    # Retries of acknowledged events got the stored decision, unchanged.
    assert set(client.replayed) >= {e.event_id for e in retry}
    for event_id, body in client.replayed.items():
        if event_id in acked_before_kill:
            before = acked_before_kill[event_id]
            assert {k: v for k, v in body.items() if k != "elapsed_us"} == {
                k: v for k, v in before.items() if k != "elapsed_us"
            }
    assert sent_before <= set(by_id)

    admin = json.loads(vigil_cli("keys", "create", "auditor", "--role", "auditor", "--json", db=server.db))[
        "token"
    ]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", "/v1/admin/state", headers={"Authorization": f"Bearer {admin}"})
    state = json.loads(conn.getresponse().read())
    conn.close()
    server.stop()

    # Every event stored exactly once (the journal's order is the order they were decided in).
    stores = bootstrap.stores(Settings(db=server.db))
    try:
        stored = list(stores.journal.events())
    finally:
        stores.close()
    ids = [e.event_id for e in stored]
    assert len(ids) == len(set(ids)) == len(events) == state["events"]
    assert set(acked_before_kill) <= set(ids)
    fresh = make_engine()
    for e in stored:
        fresh.decide(e)
    assert state["feature_state"] == fresh.catalog.state_digest()
