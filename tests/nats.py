"""NATS JetStream for the tests: streams of a fresh name per test on the server of ``VIGIL_TEST_NATS_URL``.

Tests that need NATS fail (never skip) when it cannot be reached: ``scripts/ensure-nats.sh`` installs and
starts Debian's nats-server with JetStream for the default URL. The streams and buckets a test made are
deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import nats.errors
import nats.js.errors
import pytest

import nats
from vigil.adapters.nats_bus import NatsBus

NATS_URL = os.environ.get("VIGIL_TEST_NATS_URL", "nats://127.0.0.1:4222")


def stream_name() -> str:
    return f"VIGIL_T{uuid.uuid4().hex[:12].upper()}"


async def drop(stream: str) -> None:
    """Delete a test's streams and buckets (whatever of them exists)."""
    nc = await nats.connect(NATS_URL, connect_timeout=2)
    try:
        js = nc.jetstream()
        for name in (stream, f"{stream}_NOTES", f"KV_{stream}_LEASES", f"KV_{stream}_CLUSTER"):
            with suppress(nats.js.errors.NotFoundError):
                await js.delete_stream(name)
    finally:
        await nc.close()


@asynccontextmanager
async def nats_bus(*, lease_seconds: float = 2.0, stream: str | None = None) -> AsyncIterator[NatsBus]:
    name = stream or stream_name()
    try:
        nc = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
        await nc.close()
    except (nats.errors.Error, OSError) as exc:
        pytest.fail(
            f"NATS for the tests is not available at {NATS_URL} ({exc}).\n"
            "Run `bash scripts/ensure-nats.sh` (as root on Debian: installs and starts nats-server with"
            " JetStream), or point VIGIL_TEST_NATS_URL at a server with JetStream.",
            pytrace=False,
        )
    bus = NatsBus(NATS_URL, name, lease_seconds=lease_seconds)
    try:
        yield bus
    finally:
        await bus.close()
        await drop(name)
