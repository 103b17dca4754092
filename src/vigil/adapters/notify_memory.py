"""The reference ``Notifier``: keeps what it is given, in memory, for tests and for a desk with no channel."""

from __future__ import annotations

from vigil.errors import ConfigError, NotifyError
from vigil.model.notify import Notice


class MemoryNotifier:
    """Appends every notice to ``sent``, in order; with ``keep``, only the last ``keep`` of them (a
    long-running process with no channel configured must not grow without bound).

    With ``fail_with`` set, ``send`` raises ``NotifyError`` with that reason and keeps nothing: what a
    caller sees when a real channel is down.
    """

    def __init__(
        self, *, fail_with: str | None = None, name: str = "memory", keep: int | None = None
    ) -> None:
        if keep is not None and keep < 1:
            raise ConfigError(f"a memory notifier keeps at least 1 notice, not {keep}")
        self.sent: list[Notice] = []
        self.fail_with = fail_with
        self.name = name
        self.keep = keep

    def send(self, notice: Notice) -> None:
        if self.fail_with is not None:
            raise NotifyError(f"{self.name}: {self.fail_with}")
        self.sent.append(notice)
        if self.keep is not None and len(self.sent) > self.keep:
            del self.sent[: len(self.sent) - self.keep]

    def __repr__(self) -> str:
        return f"MemoryNotifier(name={self.name!r}, sent={len(self.sent)})"
