"""What every command shares: files or ``-`` for stdin/stdout, and a status line on stderr."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import msgspec

from vigil.codec import parse_instant
from vigil.errors import ConfigError, InvalidInput
from vigil.settings import Settings


@contextlib.contextmanager
def open_input(path: str) -> Iterator[IO[bytes]]:
    """``path`` for reading in binary, or stdin for ``-``; a file that cannot be opened is a ConfigError."""
    if path == "-":
        yield sys.stdin.buffer
        return
    try:
        fh = Path(path).open("rb")  # noqa: SIM115 - closed by the with below; open errors need their own message
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    with fh:
        yield fh


@contextlib.contextmanager
def open_output(path: str) -> Iterator[IO[bytes]]:
    """``path`` for writing in binary, or stdout for ``-``; a file that cannot be created is a ConfigError."""
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    try:
        fh = Path(path).open("wb")  # noqa: SIM115 - closed by the with below; open errors need their own message
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
    with fh:
        yield fh


class StatusLine:
    """One line on stderr, rewritten at most five times a second, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.start = time.perf_counter()
        self._last = 0.0

    def show(self, text: str) -> None:
        now = time.perf_counter()
        if self.enabled and now - self._last >= 0.2:
            self._last = now
            sys.stderr.write(f"\r{text}")
            sys.stderr.flush()

    def rate(self, count: int) -> float:
        return count / max(time.perf_counter() - self.start, 1e-9)

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 60 + "\r")


def print_json(value: Any) -> None:
    """``value`` as indented JSON on stdout (the ``--json`` form of the list and screen commands)."""
    sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(value), indent=2) + b"\n")


def db_settings(db: str | None) -> Settings:
    """Settings from the environment, with ``--db`` overriding the database when given."""
    return Settings(db=db) if db else Settings()


def instant(text: str) -> int:
    """An argparse type: an ISO 8601 instant with a timezone, or a date (its midnight UTC), in µs since
    the epoch (``codec.parse_instant``; argparse names the option on error)."""
    try:
        return parse_instant(text, "instant")
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(exc.message) from None
