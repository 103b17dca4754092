"""Password checks off the event loop: a small, bounded pool of threads.

An Argon2id verification costs about a tenth of a second of CPU by design; on the event loop that
decides events it would stall every decision behind it. argon2-cffi releases the GIL while hashing,
so a thread does the work while the loop keeps deciding. The pool is bounded twice: ``workers``
threads hash at once (the CPU a flood of sign-ins may take), and at most ``queue`` more wait; past
that a sign-in is refused at once with ``TooManyAttempts`` rather than queued without end.

The threads run at the lowest CPU priority (``nice`` 19, on Linux, where niceness is per thread and
the hasher's own threads inherit it): on a busy machine a password check waits for the CPU, a decision
does not. Where the priority cannot be lowered the pool works the same, only without that preference.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from vigil.access import tokens
from vigil.errors import TooManyAttempts

LOWEST_PRIORITY = 19


def _lower_priority() -> None:
    """Make the calling thread (and the threads it starts) the last to get the CPU."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not permitted: plain priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_PRIORITY)


class PasswordPool:
    def __init__(self, workers: int = 1, queue: int = 16) -> None:
        if workers < 1 or queue < 0:
            raise ValueError("a password pool needs at least one worker and a queue of 0 or more")
        self.slots = workers + queue
        self._executor = ThreadPoolExecutor(
            workers, thread_name_prefix="vigil-password", initializer=_lower_priority
        )
        self._busy = 0  # touched on the event loop only

    async def check(self, password_hash: str | None, password: str) -> bool:
        """``tokens.check_password`` in a worker thread; refused when the pool is full."""
        if self._busy >= self.slots:
            raise TooManyAttempts("too many sign-ins at once: try again in a moment", retry_after=1)
        self._busy += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, tokens.check_password, password_hash, password)
        finally:
            self._busy -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
