"""A small asyncio HTTP/1.1 load generator for ``POST /v1/events``: closed loop, or open loop at a fixed rate.

Run ``.venv/bin/python benchmarks/loadgen.py EVENTS.jsonl --token TOKEN [--url URL] [--connections N]
[--duration S] [--rate R] [--skip K]``; ``--rate`` makes it an open loop, without it the loop is closed.

What it measures. Each request is one line of a JSON-lines events file, sent in file order through one
shared cursor (whichever connection is free takes the next line), so events reach the server in time
order as far as concurrency allows and every request carries a fresh ``event_id``. Requests are encoded
once, before any timing. Connections are kept alive; each has at most one request in flight (no
pipelining); a response is read by its status line and ``Content-Length``. Every response must be a
200: any other status, a lost connection, or a request unanswered (or still queued) at the end is an error.

- Closed loop (``rate=None``): N connections, each sends its next request as soon as the answer to the
  previous one arrives. Latency = answer time minus send time. Throughput = answers / elapsed.
- Open loop (``rate=R``): the requests are put on a timetable (request i at ``t0 + i/R``); at its time a
  request goes to a free connection, or waits in a queue until one is free. Latency is measured from
  the *scheduled* time, so a server that stalls shows as latency of every request it delayed (no
  coordinated omission). The timetable is served by a timer that wakes at most every ``TICK`` seconds
  (libuv's timers have millisecond resolution; a shorter wait would spin) and releases every request
  due before the next wake-up, so a request may leave up to ``TICK`` early; its latency then counts
  from the actual send. The service time (from the actual send) is reported as well.

Times are ``time.perf_counter()``; percentiles are nearest-rank over every answered request.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import sys
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

TICK = 0.001  # open loop: the timetable's timer period; a request may leave this much before its time
RECONNECT_DELAY = 0.1


@dataclass(frozen=True, slots=True)
class Target:
    host: str
    port: int
    path: str
    token: str

    @classmethod
    def from_url(cls, url: str, token: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"expected an http:// URL, got {url!r}")
        return cls(parts.hostname, parts.port or 80, parts.path or "/", token)


class Requests:
    """Pre-encoded ``POST`` requests, one per non-empty line of an events file, behind one cursor.

    The cursor is shared by every connection and every run that uses this object: consecutive runs
    continue where the previous one stopped, so no event id is sent twice.
    """

    def __init__(self, target: Target, bodies: list[bytes]) -> None:
        head = (
            f"POST {target.path} HTTP/1.1\r\nHost: {target.host}:{target.port}\r\n"
            f"Authorization: Bearer {target.token}\r\nContent-Type: application/json\r\n"
            "Content-Length: "
        ).encode()
        self.items = [b"%s%d\r\n\r\n%s" % (head, len(b), b) for b in bodies]
        self.cursor = 0

    @classmethod
    def from_file(cls, path: Path, target: Target) -> Requests:
        return cls(target, [line for line in path.read_bytes().split(b"\n") if line.strip()])

    @property
    def remaining(self) -> int:
        return len(self.items) - self.cursor

    def take(self) -> bytes | None:
        if self.cursor >= len(self.items):
            return None
        item = self.items[self.cursor]
        self.cursor += 1
        return item


def percentile(ordered: array[float] | list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an ascending sequence; NaN when empty."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Result:
    """One run's figures. Latencies are in seconds; ``latency`` counts from the scheduled time."""

    mode: str  # "closed" or "open"
    connections: int
    target_rate: float | None
    planned_seconds: float
    elapsed: float  # first send to last answer
    sent: int
    ok: int
    errors: dict[str, int]
    replayed: int  # 200s with Vigil-Replayed: an event id already stored (should be 0)
    exhausted: bool  # the events file ran out before the run's end
    cpu_seconds: float  # CPU time of this (the load generator's) process during the run
    latency: array[float] = field(repr=False)  # sorted
    service: array[float] = field(repr=False)  # sorted; from the actual send
    answered_at: array[float] = field(repr=False)  # seconds since the start, in answer order
    answer_latency: array[float] = field(repr=False)  # latency in answer order (for windows)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0

    def ms(self, q: float, *, service: bool = False) -> float:
        return 1000 * percentile(self.service if service else self.latency, q)

    @property
    def max_ms(self) -> float:
        return 1000 * self.latency[-1] if self.latency else math.nan

    def windows(self, seconds: float) -> list[tuple[float, float, int, float]]:
        """(start, length, answers, p99 ms) per window of ``seconds`` over the run.

        A last window shorter than half of ``seconds`` (the drain after the last send) joins the one before.
        """
        count = max(1, math.ceil(self.elapsed / seconds))
        if count > 1 and self.elapsed - (count - 1) * seconds < seconds / 2:
            count -= 1
        buckets: list[list[float]] = [[] for _ in range(count)]
        for at, lat in zip(self.answered_at, self.answer_latency, strict=True):
            buckets[min(int(at // seconds), count - 1)].append(lat)
        out = []
        for index, values in enumerate(buckets):
            values.sort()
            start = index * seconds
            length = (self.elapsed - start) if index == count - 1 else seconds
            out.append((start, length, len(values), 1000 * percentile(values, 99)))
        return out

    def summary(self) -> str:
        target = f" at {self.target_rate:,.0f}/s" if self.target_rate else ""
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "none"
        return (
            f"{self.mode} loop{target}, {self.connections} connections, {self.elapsed:.1f} s: "
            f"{self.ok:,} ok ({self.rate:,.0f}/s), errors {errors}, replayed {self.replayed}; latency ms "
            f"p50 {self.ms(50):.2f} p90 {self.ms(90):.2f} p99 {self.ms(99):.2f} p99.9 {self.ms(99.9):.2f} "
            f"max {self.max_ms:.2f}; service p99 {self.ms(99, service=True):.2f}"
            + (" (events exhausted)" if self.exhausted else "")
        )


class _Conn(asyncio.Protocol):
    """One keep-alive connection with at most one request in flight."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.need = -1  # bytes of the whole response once its head is parsed
        self.status = 0
        self.replayed = False
        self.busy = False
        self.scheduled = 0.0
        self.sent = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass it
        self.run.ready(self)

    def send(self, request: bytes, scheduled: float) -> None:
        assert self.transport is not None
        self.busy = True
        self.scheduled = scheduled
        self.sent = time.perf_counter()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if self.need < 0:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end]).lower()
            self.status = int(head[9:12])
            self.replayed = b"\r\nvigil-replayed:" in head
            at = head.find(b"\r\ncontent-length:")
            stop = head.find(b"\r\n", at + 2)  # -1: the last header of the head
            length = int(head[at + 17 : stop if stop >= 0 else len(head)]) if at >= 0 else 0
            self.need = end + 4 + length
        if len(buffer) < self.need:
            return
        done = time.perf_counter()
        del buffer[: self.need]
        self.need = -1
        self.busy = False
        self.run.answered(self, done)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.run.lost(self)


class _Run:
    """The state of one run; every callback happens on the event loop's thread."""

    def __init__(self, requests: Requests, connections: int, duration: float, rate: float | None) -> None:
        self.requests = requests
        self.connections = connections
        self.duration = duration
        self.rate = rate
        self.loop = asyncio.get_running_loop()
        self.conns: set[_Conn] = set()
        self.idle: deque[_Conn] = deque()
        self.queue: deque[tuple[float, bytes]] = deque()  # open loop: (scheduled time, request) due
        self.latency: array[float] = array("d")
        self.service: array[float] = array("d")
        self.answered_at: array[float] = array("d")
        self.errors: Counter[str] = Counter()
        self.sent = 0
        self.replayed = 0
        self.exhausted = False
        self.stopped = False  # no new request will be sent
        self.planned = int(rate * duration) if rate is not None else 0
        self.scheduled_count = 0  # open loop: requests put on the queue so far
        self.t0 = 0.0
        self.end = 0.0
        self.last = 0.0
        self.finished: asyncio.Future[None] = self.loop.create_future()
        self.timer: asyncio.TimerHandle | None = None
        self.address = ("", 0)

    # -- connections ---------------------------------------------------------------------------
    async def connect(self, host: str, port: int) -> None:
        while not self.stopped:
            try:
                await self.loop.create_connection(lambda: _Conn(self), host, port)
                return
            except OSError:
                self.errors["connect"] += 1
                await asyncio.sleep(RECONNECT_DELAY)

    def ready(self, conn: _Conn) -> None:
        self.conns.add(conn)
        if self.t0:  # a reconnection during the run
            self.next(conn)

    def lost(self, conn: _Conn) -> None:
        self.conns.discard(conn)
        if conn in self.idle:
            self.idle.remove(conn)
        if conn.busy:
            conn.busy = False
            self.errors["connection lost"] += 1
        if not self.stopped:
            self.loop.create_task(self.connect(*self.address))
        self.check_finished()

    # -- sending -------------------------------------------------------------------------------
    def start(self) -> None:
        self.t0 = time.perf_counter()
        self.end = self.t0 + self.duration
        if self.rate is None:
            for conn in list(self.conns):
                self.next(conn)
        else:
            self.idle.extend(self.conns)
            self.tick()

    def next(self, conn: _Conn) -> None:
        """Give a free connection its next request, or make it idle."""
        if self.rate is None:
            now = time.perf_counter()
            request = None if now >= self.end else self.requests.take()
            if request is None:
                self.exhausted = self.exhausted or now < self.end
                self.stop()
                return
            self.sent += 1
            conn.send(request, now)
        elif self.queue:
            scheduled, request = self.queue.popleft()
            self.sent += 1
            conn.send(request, scheduled)
        else:
            self.idle.append(conn)
            self.check_finished()

    def tick(self) -> None:
        """Open loop: queue every request due before the next tick, hand them to idle connections."""
        self.timer = None
        if self.stopped:
            return
        assert self.rate is not None
        now = time.perf_counter()
        interval = 1.0 / self.rate
        while self.scheduled_count < self.planned:
            due = self.t0 + self.scheduled_count * interval
            if due > now + TICK:
                break
            request = self.requests.take()
            if request is None:
                self.exhausted = True
                self.planned = self.scheduled_count
                break
            self.queue.append((due, request))
            self.scheduled_count += 1
        while self.queue and self.idle:
            self.next(self.idle.popleft())
        if self.scheduled_count >= self.planned:
            self.stop()
            return
        due = self.t0 + self.scheduled_count * interval
        self.timer = self.loop.call_later(max(TICK, due - TICK - time.perf_counter()), self.tick)

    def stop(self) -> None:
        self.stopped = True
        self.check_finished()

    # -- answers -------------------------------------------------------------------------------
    def answered(self, conn: _Conn, done: float) -> None:
        self.last = done
        if conn.status == 200:
            self.latency.append(done - min(conn.scheduled, conn.sent))
            self.service.append(done - conn.sent)
            self.answered_at.append(done - self.t0)
            if conn.replayed:
                self.replayed += 1
        else:
            self.errors[f"HTTP {conn.status}"] += 1
        self.next(conn)

    def check_finished(self) -> None:
        if self.finished.done() or not self.stopped:
            return
        if self.queue or any(c.busy for c in self.conns):
            return
        self.finished.set_result(None)


async def run(
    requests: Requests,
    target: Target,
    *,
    connections: int,
    duration: float,
    rate: float | None = None,
    drain: float = 10.0,
) -> Result:
    """One closed-loop (``rate=None``) or open-loop run of ``duration`` seconds; see the module docstring.

    After the last send, answers are awaited for up to ``drain`` seconds; any still missing are errors.
    """
    if connections < 1 or duration <= 0 or (rate is not None and rate <= 0):
        raise ValueError("connections, duration and rate must be positive")
    state = _Run(requests, connections, duration, rate)
    state.address = (target.host, target.port)
    await asyncio.gather(*(state.connect(target.host, target.port) for _ in range(connections)))
    if not state.conns:
        raise ConnectionError(f"cannot connect to {target.host}:{target.port}")
    cpu = time.process_time()
    state.start()
    try:
        await asyncio.wait_for(asyncio.shield(state.finished), timeout=duration + drain)
    except TimeoutError:
        state.stopped = True
        if state.timer is not None:
            state.timer.cancel()
        missing = {
            "unanswered": sum(1 for c in state.conns if c.busy),
            "never sent (queued behind a slow server)": len(state.queue),
            "not scheduled": max(0, state.planned - state.scheduled_count),
        }
        state.errors.update({k: v for k, v in missing.items() if v})
    cpu = time.process_time() - cpu
    for conn in list(state.conns):
        if conn.transport is not None:
            conn.busy = False
            conn.transport.close()
    await asyncio.sleep(0)
    answer_latency = array("d", state.latency)
    return Result(
        mode="closed" if rate is None else "open",
        connections=connections,
        target_rate=rate,
        planned_seconds=duration,
        elapsed=max(state.last - state.t0, 1e-9),
        sent=state.sent,
        ok=len(state.latency),
        errors=dict(state.errors),
        replayed=state.replayed,
        exhausted=state.exhausted,
        cpu_seconds=cpu,
        latency=array("d", sorted(state.latency)),
        service=array("d", sorted(state.service)),
        answered_at=state.answered_at,
        answer_latency=answer_latency,
    )


def event_loop_runner(use_uvloop: bool = True) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """``asyncio.run`` on uvloop when it is installed (and wanted), else on the default loop."""
    if use_uvloop:
        try:
            import uvloop
        except ImportError:  # the default loop works too, at a higher CPU cost per request
            pass
        else:

            def run_on_uvloop(coro: Coroutine[Any, Any, Any]) -> Any:
                with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                    return runner.run(coro)

            return run_on_uvloop
    return asyncio.run


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("events", type=Path, help="JSON-lines events file (one request per line, in order)")
    p.add_argument("--token", required=True, help="API key with the service role")
    p.add_argument("--url", default="http://127.0.0.1:8000/v1/events")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--duration", type=float, default=15.0, help="seconds of sending")
    p.add_argument("--rate", type=float, help="requests per second (open loop); unset = closed loop")
    p.add_argument("--skip", type=int, default=0, help="skip the first K events (already sent)")
    p.add_argument("--no-uvloop", action="store_true", help="use asyncio's default event loop")
    args = p.parse_args(argv)
    target = Target.from_url(args.url, args.token)
    requests = Requests.from_file(args.events, target)
    requests.cursor = args.skip
    gc.collect()
    gc.freeze()
    print(f"{requests.remaining:,} events to send", file=sys.stderr)
    result: Result = event_loop_runner(not args.no_uvloop)(
        run(requests, target, connections=args.connections, duration=args.duration, rate=args.rate)
    )
    print(result.summary())
    print(f"next --skip {requests.cursor}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
