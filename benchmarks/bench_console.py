"""The console's pages under a full desk: 10,000 open cases and an account with a 5,000-event timeline.

Run ``.venv/bin/python benchmarks/bench_console.py [--cases 10000] [--timeline 5000] [--requests 200]``.

Set-up (not timed): a SQLite database where one account (``whale``) has ``--timeline`` events decided
by the full engine (deposits and withdrawals, some passed straight through, so it has a case), and
``--cases`` other accounts each have one open case (ingested by the desk from a held decision, with
severities and regions spread). Then ``vigil serve`` as a subprocess, a person signs in, and each
page is requested ``--requests`` times over one keep-alive connection on loopback, one request at a
time: the time from sending the request to reading the whole body, which is the server's time plus
loopback. Printed per page: p50, p95, max and the size of the page. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.serving import Server, free_port, vigil_cli

from vigil import bootstrap
from vigil.model import Chain, Decision, Outcome, Rail, Reason, Versions
from vigil.model.events import Deposit, Withdrawal
from vigil.model.reasons import ReasonCode
from vigil.settings import Settings

PASSWORD = "correct horse battery"
REGIONS = ("EU", "LATAM", "SEA", "ID", "NA", "MENA", "AFRICA", "SA")
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _whale(n: int) -> list[Deposit | Withdrawal]:
    """One busy account: a deposit, then a withdrawal of most of it a few minutes later, repeated."""
    out: list[Deposit | Withdrawal] = []
    for i in range(n):
        ts = T0 + timedelta(minutes=7 * i)
        common: dict[str, Any] = {
            "event_id": f"w{i}",
            "account_id": "whale",
            "ts": ts,
            "region": "EU",
            "country": "DE",
            "device_id": f"dev-{i % 3}",
            "ip": f"192.0.2.{i % 50 + 1}",
            "rail": Rail.CRYPTO,
        }
        if i % 2 == 0:
            value, source = Decimal(1000 + i), "TSrc1"
            out.append(
                Deposit(
                    **common,
                    asset="USDT",
                    amount=10**9,
                    fiat_value=value,
                    chain=Chain.TRON,
                    source_address=source,
                )
            )
        else:
            value, to = Decimal(990 + i), "0x" + f"{i % 7:02x}" * 20
            out.append(
                Withdrawal(
                    **common,
                    asset="ETH",
                    amount=10**17,
                    fiat_value=value,
                    chain=Chain.ETH,
                    destination_address=to,
                )
            )
    return out


def build(db: str, cases: int, timeline: int) -> str:
    settings = Settings(db=db, access_log=False)
    stores = bootstrap.stores(settings)
    engine = bootstrap.build_engine(settings, stores)
    security = bootstrap.security_desk(settings, stores)
    began = time.perf_counter()
    for event in _whale(timeline):
        decision, _ = engine.decide_once(event)
        security.desk.ingest(event, decision)
    engine.commit()
    print(f"timeline: {timeline} events decided in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    began = time.perf_counter()
    versions = Versions(engine="bench", catalog="c", rules="r")
    outcomes = (Outcome.REVIEW, Outcome.HOLD, Outcome.BLOCK)
    codes = (
        ReasonCode.VELOCITY_HIGH_VALUE_BURST,
        ReasonCode.NETWORK_SHARED_DEVICE,
        ReasonCode.PASSTHROUGH_DEPOSIT_WITHDRAW,
    )
    for i in range(cases):
        value = Decimal(i % 5000 + 1)
        event = Withdrawal(
            event_id=f"c{i}",
            account_id=f"acct-{i:06d}",
            ts=T0,
            region=REGIONS[i % len(REGIONS)],
            rail=Rail.FIAT,
            asset="EUR",
            amount=int(value) * 100,
            fiat_value=value,
        )
        reason = Reason(codes[i % 3], "r", 50.0, f"synthetic alert {i}")
        decision = Decision(event.event_id, event.account_id, event.type, event.region, outcomes[i % 3], 50.0,
                            (reason,), (), versions, 1.0)  # fmt: skip
        security.desk.ingest(event, decision)
    print(f"cases: {cases} opened in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    whale_case = security.desk.cases_of("whale")[-1].case_id
    stores.close()
    return whale_case


def _time(conn: http.client.HTTPConnection, path: str, cookie: str, n: int) -> dict[str, float]:
    took, size = [], 0
    for _ in range(n):
        began = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        answer = conn.getresponse()
        body = answer.read()
        took.append((time.perf_counter() - began) * 1000)
        assert answer.status == 200, (path, answer.status, body[:300])
        size = len(body)
    took.sort()
    p95 = took[int(0.95 * (len(took) - 1))]
    return {"p50_ms": statistics.median(took), "p95_ms": p95, "max_ms": took[-1], "kb": size / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--timeline", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="vigil-console-"))
    db = str(tmp / "vigil.db")
    whale_case = build(db, args.cases, args.timeline)
    vigil_cli("users", "add", "ana", "--role", "analyst", "--password-stdin", db=db, stdin=PASSWORD + "\n")
    server = Server(db=db, port=free_port(), log=tmp / "server.log")
    server.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        body = urlencode({"username": "ana", "password": PASSWORD})
        conn.request("POST", "/console/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        answer = conn.getresponse()
        answer.read()
        cookie = answer.getheader("set-cookie", "").split(";")[0]
        pages = {
            "queue (first page, 50 of all open)": "/console/queue",
            "queue filtered (critical, one region)": "/console/queue?severity=critical&region=SEA",
            "queue, page 100": "/console/queue?page=100",
            f"case page, {args.timeline}-event account (newest 500 shown)": f"/console/cases/{whale_case}",
            f"case page, {args.timeline}-event account (all shown)": f"/console/cases/{whale_case}?all=1",
            "case page, one-alert account": "/console/cases/c-000100",
            "approvals": "/console/approvals",
            "dashboard": "/console/dashboard",
        }
        results = {}
        for name, path in pages.items():
            _time(conn, path, cookie, 5)  # warm
            results[name] = _time(conn, path, cookie, args.requests)
            r = results[name]
            print(
                f"{name:<55} p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms"
                f"  max {r['max_ms']:7.1f} ms  {r['kb']:7.0f} KB"
            )
    finally:
        server.stop()
    print(
        f"machine: {platform.machine()}, Python {platform.python_version()},"
        f" cases {args.cases}, timeline {args.timeline}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
