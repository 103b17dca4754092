"""The desk's SLA clocks and notices: a tick looks only at due clocks, notices leave off the loop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from tests.desk_kit import MINUTE, T0, Kit
from vigil.desk import escalation, service
from vigil.desk.outbox import Outbox
from vigil.desk.service import Change, Desk
from vigil.errors import NotifyError
from vigil.model import Outcome
from vigil.model.cases import Case, CaseState, Kind
from vigil.model.notify import Notice


def _with_outbox(kit: Kit, outbox: Outbox) -> Kit:
    kit.desk = Desk(kit.store, kit.audit, kit.notifier, policy=kit.policy, clock=kit.clock, outbox=outbox)
    return kit


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    looked: list[str] = []

    def breaches(case: Case, now_us: int) -> list[str]:
        looked.append(case.case_id)
        return escalation.breaches(case, now_us)

    monkeypatch.setattr(service, "breaches", breaches)
    return looked


def test_a_tick_looks_only_at_the_clocks_that_ran_out(monkeypatch: pytest.MonkeyPatch) -> None:
    kit = Kit()
    urgent = [kit.flag(i, account=f"u{i}", outcome=Outcome.BLOCK) for i in range(20)]
    calm = [kit.flag(100 + i, account=f"c{i}", outcome=Outcome.REVIEW) for i in range(200)]
    assert {kit.desk.case(c).ack_due_us for c in urgent} == {T0 + 15 * MINUTE}
    assert min(kit.desk.case(c).ack_due_us for c in calm) > T0 + 16 * MINUTE
    kit.desk.step(urgent[0], Kind.INVESTIGATING, Change("ana"))  # acknowledged: its ack clock stops
    looked = _counting(monkeypatch)
    assert kit.desk.tick(T0 + 10 * MINUTE) == [] and looked == []
    breached = kit.desk.tick(T0 + 16 * MINUTE)
    assert sorted(c.case_id for c in breached) == sorted(urgent[1:])
    assert sorted(looked) == sorted(urgent[1:])  # not the 200 calm ones, not the acknowledged one
    looked.clear()
    assert kit.desk.tick(T0 + 17 * MINUTE) == [] and looked == []


def test_a_reopened_case_gets_its_resolve_clock_back_and_a_rebuilt_desk_keeps_the_clocks() -> None:
    kit = Kit()
    cid = kit.flag(1, outcome=Outcome.BLOCK)
    kit.desk.step(cid, Kind.INVESTIGATING, Change("ana"))
    kit.desk.resolve(cid, "false_positive", "known customer", Change("ana"))
    resolve_due = kit.desk.case(cid).resolve_due_us
    assert kit.desk.tick(resolve_due + 1) == []  # resolved: no clock runs
    kit.desk.step(cid, Kind.REOPENED, Change("ana"))
    (late,) = kit.desk.tick(resolve_due + 2)
    assert late.breaches == ("resolve",)
    other = kit.flag(2, account="acc-2", outcome=Outcome.BLOCK)
    rebuilt = Desk(kit.store, kit.audit, kit.notifier, clock=kit.clock)  # from the stored histories
    assert [c.case_id for c in rebuilt.tick(T0 + 16 * MINUTE)] == [other]


class SlowFlaky:
    """A channel that takes ``delay`` seconds and fails its first ``failures`` sends."""

    def __init__(self, delay: float, failures: int) -> None:
        self.delay, self.failures, self.calls = delay, failures, 0
        self.sent: list[Notice] = []

    def send(self, notice: Notice) -> None:
        self.calls += 1
        time.sleep(self.delay)
        if self.calls <= self.failures:
            raise NotifyError(f"webhook: 503 on try {self.calls}")
        self.sent.append(notice)


def _wait(until: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not until():
        assert time.monotonic() < deadline, "the outbox did not settle in time"
        time.sleep(0.01)


def test_a_slow_failing_channel_neither_slows_the_tick_nor_loses_the_notice() -> None:
    channel = SlowFlaky(delay=0.3, failures=2)
    outbox = Outbox(channel, tries=3, backoff_seconds=0.01)
    outbox.start()
    kit = _with_outbox(Kit(), outbox)
    try:
        cid = kit.flag(1, outcome=Outcome.BLOCK)
        started = time.perf_counter()
        (case,) = kit.desk.tick(T0 + 16 * MINUTE)
        assert time.perf_counter() - started < 0.2  # three tries of 0.3 s happen on the worker
        assert case.state is CaseState.ESCALATED
        _wait(lambda: len(channel.sent) == 1)
        _wait(lambda: kit.desk.record_deliveries() == 1 or kit.store.history(cid)[-1].kind is Kind.NOTIFIED)
        last = kit.store.history(cid)[-1]
        assert last.kind is Kind.NOTIFIED
        assert last.data == {"kind": "sla.breached", "error": None, "tries": 3}
    finally:
        outbox.close()


def test_a_notice_that_fails_every_try_is_recorded_as_failed() -> None:
    kit = Kit()
    kit.notifier.fail_with = "SMTP down"
    naps: list[float] = []
    kit = _with_outbox(kit, Outbox(kit.notifier, tries=4, backoff_seconds=0.5, sleep=naps.append))
    cid = kit.flag(1, outcome=Outcome.BLOCK)
    kit.desk.tick(T0 + 16 * MINUTE)  # no worker: delivered (and retried) in the caller's thread
    last = kit.store.history(cid)[-1]
    assert last.kind is Kind.NOTIFIED and last.data["tries"] == 4
    assert last.data["error"] == "failed after 4 tries: memory: SMTP down"
    assert naps == [0.5, 1.0, 2.0]  # the backoff doubles


def test_a_full_outbox_fails_the_notice_at_once_and_says_so() -> None:
    gate = threading.Event()

    class Stuck:
        def send(self, notice: Notice) -> None:
            gate.wait(10)

    outbox = Outbox(Stuck(), capacity=1)
    outbox.start()
    kit = _with_outbox(Kit(), outbox)
    try:
        ids = [kit.flag(i, account=f"a{i}", outcome=Outcome.BLOCK) for i in range(4)]
        kit.desk.tick(T0 + 16 * MINUTE)
        full = [c for c in ids if kit.store.history(c)[-1].kind is Kind.NOTIFIED]
        assert full  # one in the worker's hands, one queued, the others refused
        assert all("outbox is full" in str(kit.store.history(c)[-1].data["error"]) for c in full)
    finally:
        gate.set()
        outbox.close()


def test_an_outbox_refuses_nonsense() -> None:
    for bad in ({"capacity": 0}, {"tries": 0}, {"backoff_seconds": -1.0}):
        with pytest.raises(ValueError, match="outbox"):
            Outbox(Kit().notifier, **bad)
