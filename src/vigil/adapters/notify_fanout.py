"""A ``Notifier`` that sends each notice through several channels (webhook and mail, say)."""

from __future__ import annotations

from collections.abc import Iterable

from vigil.errors import NotifyError
from vigil.model.notify import Notice
from vigil.ports import Notifier


class FanoutNotifier:
    """Sends each notice through every notifier, in order.

    ``send`` tries every channel even when one fails, then raises one ``NotifyError`` that lists every
    failure (each one's own message names its channel); the channels that succeeded have delivered,
    and a caller that retries will reach them again. With no notifiers, ``send`` does nothing.
    Only ``NotifyError`` is collected: any other exception is a bug in an adapter and propagates.
    """

    def __init__(self, notifiers: Iterable[Notifier]) -> None:
        self.notifiers: tuple[Notifier, ...] = tuple(notifiers)

    def send(self, notice: Notice) -> None:
        failures: list[str] = []
        for notifier in self.notifiers:
            try:
                notifier.send(notice)
            except NotifyError as exc:
                failures.append(str(exc))
        if failures:
            delivered = len(self.notifiers) - len(failures)
            raise NotifyError(
                f"{len(failures)} of {len(self.notifiers)} channels failed"
                f" ({delivered} delivered): " + "; ".join(failures)
            )

    def __repr__(self) -> str:
        return f"FanoutNotifier({list(self.notifiers)!r})"
