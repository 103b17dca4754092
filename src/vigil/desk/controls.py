"""What is in force on an account: the fold of the applied actions of all its cases (pure).

An account freeze stays until an applied unfreeze names it; an amount freeze likewise; a held
withdrawal stays held until an applied release names the same withdrawal; a step-up requirement stays
until the exchange reports it done (not modelled yet: it is listed as required).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from vigil.model.cases import Action, ActionKind, ActionStatus, Case


@dataclass(frozen=True, slots=True)
class Controls:
    account_id: str
    account_freeze: Action | None
    amount_freezes: tuple[Action, ...]
    held_withdrawals: tuple[Action, ...]
    step_ups: tuple[Action, ...]
    # When the account freeze in force (or its absence) was settled: the applied time of the last account
    # freeze or of the unfreeze that lifted it (0: never frozen). A later word on the freeze wins.
    account_freeze_at_us: int = 0

    @property
    def frozen(self) -> bool:
        return self.account_freeze is not None

    @property
    def value_frozen(self) -> Decimal:
        freezes = ((self.account_freeze,) if self.account_freeze else ()) + self.amount_freezes
        return sum((Decimal(a.value) for a in freezes), Decimal(0))

    def in_force(self, action_id: str) -> Action | None:
        for a in ((self.account_freeze,) if self.account_freeze else ()) + self.amount_freezes:
            if a.action_id == action_id:
                return a
        return None


def _applied_at(a: Action) -> tuple[int, str]:
    return (a.decided_us or a.requested_us, a.action_id)


def controls(account_id: str, cases: Iterable[Case]) -> Controls:
    applied = sorted(
        (a for c in cases for a in c.actions if a.status is ActionStatus.APPLIED), key=_applied_at
    )
    account: Action | None = None
    amounts: dict[str, Action] = {}
    held: dict[str, Action] = {}
    step_ups: list[Action] = []
    account_at = 0
    for a in applied:
        if a.kind is ActionKind.FREEZE_ACCOUNT:
            account, account_at = a, _applied_at(a)[0]
        elif a.kind is ActionKind.FREEZE_AMOUNT:
            amounts[a.action_id] = a
        elif a.kind is ActionKind.UNFREEZE:
            if account is not None and a.target == account.action_id:
                account, account_at = None, _applied_at(a)[0]
            amounts.pop(a.target, None)
        elif a.kind is ActionKind.HOLD_WITHDRAWAL:
            held[a.target] = a
        elif a.kind is ActionKind.RELEASE_WITHDRAWAL:
            held.pop(a.target, None)
        elif a.kind is ActionKind.REQUIRE_STEP_UP:
            step_ups.append(a)
    return Controls(
        account_id, account, tuple(amounts.values()), tuple(held.values()), tuple(step_ups), account_at
    )
