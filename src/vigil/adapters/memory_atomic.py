"""The ``Atomic`` port for the memory database: there is no transaction to take.

Memory stores apply each write at once and cannot fail half way on I/O; what a body does before it
raises stays done (services build what they write, audit records included, before writing, so a bad
input fails first). Nothing of a memory database outlives the process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class NoTransaction:
    @contextmanager
    def atomic(self) -> Iterator[None]:
        yield
