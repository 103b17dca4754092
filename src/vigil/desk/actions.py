"""Actions on an account, each recorded with who, when and why; four eyes above the configured value.

A request is validated against what it names (a withdrawal of this account, an asset and amount, a
freeze in force to lift) and recorded. Freezes and unfreezes whose value reaches
``DeskPolicy.four_eyes_value`` wait for a second person. The value is Vigil's, not the requester's: an
account freeze is worth at least the case's value at risk, a freeze of an amount at least the amount
at the asset's last fiat rate seen on the account (unknown: it waits for approval); a typed value
(bounded by ``MAX_VALUE``) can only raise it. Approvals and rejections are made by people signed in,
never with an API key, and never by the person who asked. Everything else applies at once.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from vigil.desk.controls import Controls, controls
from vigil.desk.service import Change, Desk, Steps
from vigil.desk.workflow import check
from vigil.errors import Conflict, Forbidden, InvalidInput, NotFound
from vigil.model import EventType
from vigil.model.cases import Action, ActionKind, Case, CaseData, Kind, StepUp
from vigil.model.notify import Notice
from vigil.ports import DecisionStore


def parse_kind(text: str) -> ActionKind:
    try:
        return ActionKind(text)
    except ValueError:
        known = ", ".join(k.value for k in ActionKind)
        raise InvalidInput(f"{text!r} is not an action; use one of: {known}", field="kind") from None


MAX_VALUE = Decimal(10) ** 15  # above any account's worth in any reporting currency
_HISTORY = 500  # an account's latest events searched for an asset's fiat rate


def _value(text: str | None, default: str) -> Decimal:
    try:
        value = Decimal(text if text not in (None, "") else default)
    except InvalidOperation:
        raise InvalidInput(f"{text!r} is not a number", field="value") from None
    if not value.is_finite() or not 0 <= value <= MAX_VALUE:
        raise InvalidInput(
            f"{text!r} must be a finite amount from 0 to {MAX_VALUE:,.0f} (a fiat value)", field="value"
        )
    return value


def _at_least(stated: Decimal, known: Decimal) -> str:
    """The value recorded: what Vigil knows, or the stated value when that is higher."""
    return str(max(stated, known))


class Actions:
    """Requests, approvals and rejections on a desk; ``decisions`` checks the withdrawals named."""

    def __init__(self, desk: Desk, decisions: DecisionStore | None = None) -> None:
        self.desk, self.decisions = desk, decisions

    def controls(self, account_id: str) -> Controls:
        return controls(account_id, self.desk.cases_of(account_id))

    def request(
        self,
        case_id: str,
        kind: ActionKind,
        reason: str,
        change: Change,
        *,
        asset: str = "",
        amount: int = 0,
        target: str = "",
        value: str | None = None,
        reference: str = "",
        four_eyes: bool = False,
    ) -> Case:
        """Request an action; ``four_eyes`` makes a freeze or unfreeze wait for a supervisor whatever its
        value, ``reference`` names the order it carries out (a law-enforcement request: its notices then
        carry no reason, since the order may be under non-disclosure)."""
        if not reason.strip():
            raise InvalidInput("say why: every action is recorded with its reason", field="reason")
        asked: list[str] = []  # the action that waits for a supervisor, if this request made one

        def build(case: Case) -> Steps:
            check(case, Kind.ACTION_REQUESTED)
            data = self._validate(case, kind, asset, amount, target, value)
            if kind is ActionKind.UNFREEZE and not reference:
                _check_order(self.controls(case.account_id), str(data["target"]))
            action_id = f"{case_id}/{len(case.actions) + 1}"
            needs = self.desk.policy.needs_approval(kind.four_eyes, Decimal(str(data["value"])))
            needs = needs or (kind.four_eyes and (data.get("value_known") is False or four_eyes))
            if needs:
                asked.append(action_id)
            data |= {
                "action": action_id,
                "kind": kind.value,
                "reason": reason.strip(),
                "needs_approval": needs,
            }
            if reference:
                data["reference"] = reference
            return [(Kind.ACTION_REQUESTED, data)]

        case = self.desk.apply(case_id, change, build)
        for action_id in asked:
            case = self._ask_supervisors(case, action_id)
        return case

    def _validate(
        self, case: Case, kind: ActionKind, asset: str, amount: int, target: str, value: str | None
    ) -> CaseData:
        in_force = self.controls(case.account_id)
        if kind is ActionKind.FREEZE_ACCOUNT:
            if in_force.account_freeze is not None:
                raise Conflict(
                    f"account {case.account_id} is already frozen ({in_force.account_freeze.action_id})"
                )
            known = Decimal(case.value_at_risk)
            return {"value": _at_least(_value(value, "0"), known), "target": case.account_id}
        if kind is ActionKind.FREEZE_AMOUNT:
            if not asset.strip() or amount <= 0:
                raise InvalidInput(
                    "a freeze of an amount names its asset and a positive amount", field="amount"
                )
            if value in (None, ""):
                raise InvalidInput("state the fiat value of the amount frozen", field="value")
            ticker = asset.strip().upper()
            rate = self._rate(case.account_id, ticker)
            stated = _value(value, "0")
            data: CaseData = {"asset": ticker, "amount": amount}
            if rate is None:  # no price seen: the value cannot be checked, so a second person looks
                return data | {"value": str(stated), "value_known": False}
            return data | {"value": _at_least(stated, (rate * amount).quantize(Decimal("0.01")))}
        if kind is ActionKind.UNFREEZE:
            lifted = in_force.in_force(target) if target else in_force.account_freeze
            if lifted is None:
                what = f"freeze {target}" if target else "account freeze"
                raise Conflict(f"there is no {what} in force on account {case.account_id} to lift")
            return {"value": lifted.value, "target": lifted.action_id}
        if kind in (ActionKind.HOLD_WITHDRAWAL, ActionKind.RELEASE_WITHDRAWAL):
            self._check_withdrawal(case, target)
            held = any(a.target == target for a in in_force.held_withdrawals)
            if kind is ActionKind.HOLD_WITHDRAWAL and held:
                raise Conflict(f"withdrawal {target} is already held")
            if kind is ActionKind.RELEASE_WITHDRAWAL and not held:
                raise Conflict(f"withdrawal {target} is not held by the desk")
            return {"value": str(_value(value, "0")), "target": target}
        try:
            step = StepUp(target)
        except ValueError:
            steps = ", ".join(s.value for s in StepUp)
            raise InvalidInput(f"{target!r} is not a step-up; use one of: {steps}", field="target") from None
        return {"value": "0", "target": step.value}

    def _rate(self, account_id: str, asset: str) -> Decimal | None:
        """Fiat value of one base unit of ``asset``, from the account's latest event in it (None: none
        seen, or no journal to read)."""
        if self.decisions is None:
            return None
        for event, _ in self.decisions.account_history(account_id, _HISTORY, trace=False):
            amount, fiat = getattr(event, "amount", None), getattr(event, "fiat_value", None)
            same = getattr(event, "asset", None) == asset
            if same and isinstance(amount, int) and amount > 0 and isinstance(fiat, Decimal):
                return fiat / amount
        return None

    def _check_withdrawal(self, case: Case, event_id: str) -> None:
        if not event_id:
            raise InvalidInput("name the withdrawal (its event id)", field="target")
        if self.decisions is None:
            return
        decision = self.decisions.get(event_id)
        if decision is None or decision.account_id != case.account_id:
            raise NotFound(f"no event {event_id!r} of account {case.account_id}")
        if decision.event_type is not EventType.WITHDRAWAL:
            raise InvalidInput(
                f"event {event_id} is a {decision.event_type.value}, not a withdrawal", field="target"
            )

    def _ask_supervisors(self, case: Case, action_id: str) -> Case:
        action = next(a for a in case.actions if a.action_id == action_id)
        notice = Notice(
            kind="approval.requested",
            case_id=case.case_id,
            title=f"{action.kind.value} on case {case.case_id} awaits a supervisor",
            text=f"{action.requested_by} asks for {action.kind.value} (value {action.value}):"
            f" {'an order on file (details in the console)' if action.reference else action.reason}",
            severity=case.severity.value,
            at_us=action.requested_us,
            link=f"/console/cases/{case.case_id}",
        )
        self.desk.notify(notice)
        return self.desk.case(case.case_id)

    def approve(self, case_id: str, action_id: str, reason: str, change: Change) -> Case:
        return self._decide(case_id, action_id, reason, change, Kind.ACTION_APPROVED)

    def reject(self, case_id: str, action_id: str, reason: str, change: Change) -> Case:
        if not reason.strip():
            raise InvalidInput("say why the action is rejected", field="reason")
        return self._decide(case_id, action_id, reason, change, Kind.ACTION_REJECTED)

    def _decide(self, case_id: str, action_id: str, reason: str, change: Change, kind: Kind) -> Case:
        if change.by_key:
            raise Forbidden("approvals and rejections are made by a person signed in, not with an API key")

        def build(case: Case) -> Steps:
            check(case, kind)
            _check_four_eyes(case, action_id, change.actor)
            return [(kind, {"action": action_id, "reason": reason.strip()})]

        return self.desk.apply(case_id, change, build)

    def pending(self) -> list[tuple[Case, Action]]:
        """Every action awaiting approval, oldest first (the approvals queue)."""
        waiting = [(c, a) for c in self.desk.all_cases() for a in c.pending]
        waiting.sort(key=lambda ca: ca[1].requested_us)
        return waiting


def _check_order(in_force: Controls, target: str) -> None:
    """A freeze that carries out an authority's order is lifted only by an unfreeze that carries out an
    order too (the law-enforcement desk's unfreeze order, or the order's lapse): never by a desk member's
    own unfreeze or a customer's appeal. The message names no order: the desk may not know its details."""
    lifted = in_force.in_force(target)
    if lifted is not None and lifted.reference:
        raise Conflict(
            f"freeze {target} carries out an order on file: only the law-enforcement desk lifts it"
            " (an unfreeze order, or the order's lapse)"
        )


def _check_four_eyes(case: Case, action_id: str, approver: str) -> None:
    """The action waits for approval, and the approver is not the one who asked for it."""
    action = next((a for a in case.pending if a.action_id == action_id), None)
    if action is None:
        if any(a.action_id == action_id for a in case.actions):
            raise Conflict(f"action {action_id} is not awaiting approval")
        raise NotFound(f"action {action_id} is not part of case {case.case_id}")
    if action.requested_by == approver:
        raise Forbidden(f"you requested {action_id}; another supervisor must approve or reject it")
