"""Freeze and unfreeze orders, carried out through the security desk's actions (four eyes whatever the
value, the request id as the action's reference), and the lapse of freezes that are not renewed.

A freeze without an end date ends after ``LerPolicy.freeze_days``; ``lapse_notice_days`` before its end
the people on call are told (``ler.freeze_lapsing``); at its end the freeze is lifted by an unfreeze the
desk requests itself (four eyes still apply above the desk's value) and recorded as lapsed. A renewal
moves the end. An unfreeze order releases a freeze an order put in force.
"""

from __future__ import annotations

from vigil.desk import Change
from vigil.desk.controls import controls
from vigil.errors import Conflict, Forbidden, InvalidInput, NotFound
from vigil.ler.service import DAY_US, Act, LerDesk, Steps, verified
from vigil.model.access import Role
from vigil.model.cases import ActionKind, ActionStatus, Case
from vigil.model.ler import SYSTEM_ACTOR, LerData, LerRequest, RequestKind, Step


class Orders:
    def __init__(self, ler: LerDesk) -> None:
        self.ler = ler

    def freeze(
        self,
        request_id: str,
        account_id: str,
        act: Act,
        *,
        asset: str = "",
        amount: int = 0,
        until_us: int | None = None,
    ) -> LerRequest:
        """Carry out a freeze order on an account in scope: the desk's freeze (of the account, or of an
        amount of an asset), waiting for a supervisor whatever its value, referencing the request."""
        request = self.ler.request(request_id)
        verified(request)
        if request.kind is not RequestKind.FREEZE:
            raise Conflict(f"request {request_id} is a {request.kind.value} request, not a freeze order")
        if account_id not in request.accounts:
            raise InvalidInput(
                f"account {account_id!r} is not in the scope of request {request_id}", field="account_id"
            )
        now = self.ler.clock()
        if until_us is not None and until_us <= now:
            raise InvalidInput("the freeze's end is in the past", field="until")
        until = until_us if until_us is not None else now + self.ler.policy.freeze_days * DAY_US
        kind = ActionKind.FREEZE_AMOUNT if asset or amount else ActionKind.FREEZE_ACCOUNT
        region = self.ler.sources.region_of(account_id) if self.ler.sources.region_of else ""
        change = Change(act.actor, by_key=act.by_key)
        case = self.ler.security.desk.open_for(account_id, region or "unknown", f"ler:{request_id}", change)
        case = self.ler.security.actions.request(
            case.case_id,
            kind,
            _reason(request, now),
            change,
            asset=asset,
            amount=amount,
            value="0" if kind is ActionKind.FREEZE_AMOUNT else None,
            reference=request_id,
            four_eyes=True,
        )
        action = case.actions[-1]
        data: LerData = {
            "account_id": account_id,
            "case_id": case.case_id,
            "action_id": action.action_id,
            "asset": action.asset,
            "amount": action.amount,
            "until_us": until,
        }
        return self.ler.apply(request_id, act, lambda r: [(Step.FREEZE_REQUESTED, data)])

    def renew(self, request_id: str, action_id: str, until_us: int, act: Act) -> LerRequest:
        def build(r: LerRequest) -> Steps:
            order = next((f for f in r.freezes if f.action_id == action_id), None)
            if order is None:
                raise NotFound(f"request {request_id} ordered no freeze {action_id!r}")
            if order.released:
                raise Conflict(f"freeze {action_id} was released: order a new freeze instead")
            if until_us <= max(order.until_us, self.ler.clock()):
                raise InvalidInput("a renewal ends later than the freeze's current end", field="until")
            return [(Step.FREEZE_RENEWED, {"action_id": action_id, "until_us": until_us})]

        return self.ler.apply(request_id, act, build)

    def unfreeze(self, request_id: str, action_id: str, act: Act) -> LerRequest:
        """Carry out an unfreeze order: release a freeze an order put in force (four eyes)."""
        request = self.ler.request(request_id)
        verified(request)
        if request.kind is not RequestKind.UNFREEZE:
            raise Conflict(f"request {request_id} is a {request.kind.value} request, not an unfreeze order")
        case_id = action_id.rsplit("/", 1)[0]
        case = self.ler.security.desk.case(case_id)
        action = next((a for a in case.actions if a.action_id == action_id), None)
        if action is None or not action.reference:
            raise NotFound(f"no freeze {action_id!r} ordered by an authority")
        change = Change(act.actor, by_key=act.by_key)
        self.ler.security.actions.request(
            case_id,
            ActionKind.UNFREEZE,
            _reason(request, self.ler.clock()),
            change,
            target=action_id,
            reference=request_id,
            four_eyes=True,
        )
        return self.ler.apply(
            request_id, act, lambda r: [(Step.UNFREEZE_REQUESTED, {"action_id": action_id})]
        )

    def decide(self, request_id: str, action_id: str, approve: bool, reason: str, act: Act) -> Case:
        """A supervisor approves (or rejects) the desk action carrying out one of the request's orders:
        the second pair of eyes, never the person who requested it (the desk checks, and audits). The
        action must reference this request, whatever id the caller names."""
        self.ler.request(request_id)
        if Role.SUPERVISOR not in act.roles:
            raise Forbidden("an order's freeze or unfreeze is approved or rejected by a supervisor")
        case_id = action_id.rsplit("/", 1)[0]
        try:
            case = self.ler.security.desk.case(case_id)
        except NotFound:
            case = None
        action = next((a for a in case.actions if a.action_id == action_id), None) if case else None
        if action is None or action.reference != request_id:
            raise NotFound(f"request {request_id} put no action {action_id[:40]!r} in motion")
        change = Change(act.actor, nonce=act.nonce, by_key=act.by_key)
        actions = self.ler.security.actions
        if approve:
            return actions.approve(case_id, action_id, reason, change)
        return actions.reject(case_id, action_id, reason, change)

    def tick(self, now_us: int | None = None) -> list[str]:
        """Lapse notices and lapses due by now; returns what happened, one line each."""
        now = self.ler.clock() if now_us is None else now_us
        done: list[str] = []
        for r in self.ler.requests(open_only=False):
            for order in r.freezes:
                done += self._lapse(self.ler.request(r.request_id), order.action_id, now)
        return done

    def _lapse(self, r: LerRequest, action_id: str, now: int) -> list[str]:
        order = next(f for f in r.freezes if f.action_id == action_id)
        if order.released:
            return []
        case = self.ler.security.desk.case(order.case_id)
        action = next((a for a in case.actions if a.action_id == action_id), None)
        if action is None or action.status is not ActionStatus.APPLIED:
            return []
        in_force = controls(case.account_id, self.ler.security.desk.cases_of(case.account_id)).in_force(
            action_id
        )
        if in_force is None:
            return []
        system = Act(SYSTEM_ACTOR, system=True)
        if now >= order.until_us:
            lifting = any(
                a.kind is ActionKind.UNFREEZE and a.target == action_id and a.status is ActionStatus.PENDING
                for a in case.actions
            )
            if not lifting:
                self.ler.security.actions.request(
                    order.case_id,
                    ActionKind.UNFREEZE,
                    f"the order's freeze lapsed (ref {r.request_id})",
                    Change(SYSTEM_ACTOR, system=True),
                    target=action_id,
                    reference=r.request_id,
                )
            self.ler.apply(r.request_id, system, lambda _r: [(Step.FREEZE_LAPSED, {"action_id": action_id})])
            self.ler.notify(
                r, "ler.freeze_lapsed", f"freeze {action_id} of request {r.request_id} lapsed", now
            )
            return [f"{action_id} lapsed"]
        if not order.lapse_noticed and now >= order.until_us - self.ler.policy.lapse_notice_days * DAY_US:
            self.ler.apply(r.request_id, system, lambda _r: [(Step.LAPSE_NOTICE, {"action_id": action_id})])
            self.ler.notify(
                r, "ler.freeze_lapsing", f"freeze {action_id} of request {r.request_id} lapses soon", now
            )
            return [f"{action_id} lapses soon"]
        return []


def _reason(r: LerRequest, now: int) -> str:
    """The reason an action carries on the desk: the order's details, unless a non-disclosure order is
    in force (then only the request id, which means nothing outside the liaison desk)."""
    if r.nondisclosure_at(now):
        return f"restricted order, details on request {r.request_id}"
    return f"{r.kind.value} order {r.legal_reference} of {r.agency} (request {r.request_id})"
