"""The bank of count and sum windows (features/bank.py): windows of one scope share a group whatever
order the catalog declares them in, and every window reads its own group's log."""

from __future__ import annotations

from array import array

from vigil.features.bank import Bank
from vigil.features.spec import HOUR, scope
from vigil.model import EventType

DEPOSITS = scope(EventType.DEPOSIT)
WITHDRAWALS = scope(EventType.WITHDRAWAL)


def test_windows_of_one_scope_declared_apart_share_their_group() -> None:
    # deposits, withdrawals, deposits again: the third window is the first group's, not the second's
    bank = Bank(
        [(0, DEPOSITS, None, HOUR, False), (1, WITHDRAWALS, None, HOUR, True), (2, DEPOSITS, None, 0, True)]
    )
    assert [w.group for w in (bank.windows[0], bank.windows[1], bank.windows[2])] == [0, 1, 0]
    assert [len(g.windows) for g in bank.groups] == [2, 1]
    a = bank.new_cells()
    values: list[float | None] = [None] * 3
    for t, fiat in ((1, 500), (2, 700)):
        bank.step(a, bank.groups[0], t, fiat, values)
    assert values[0] == 2.0 and values[2] == 12.0  # two deposits in the hour, 12.00 all time
    assert bank.value(a, bank.windows[1], 3) == 0.0  # no withdrawal
    assert bank.value(a, bank.windows[2], 3) == 12.0
    assert isinstance(a, array)
