"""Appeals of frozen customers: a task on the case that froze them.

A verified customer's appeal is on the fast track (open at once, due within
``DeskPolicy.appeal_fast_us``); an unverified customer's waits until KYC is completed (then due within
``appeal_kyc_us``), and nobody can decide it before. Granting an appeal requests the unfreeze, which
goes through four eyes like any other; a freeze that carries out an authority's order cannot be lifted
by an appeal (granting is refused: only the law-enforcement desk lifts it). An appeal on a resolved
case reopens it. A case holds one open appeal at a time, and a new one is taken at most once per
``DeskPolicy.appeal_interval_us`` (counted from the last one filed): more is refused with
``TooManyAttempts`` saying when to try again.
"""

from __future__ import annotations

from vigil.desk.actions import Actions
from vigil.desk.service import Change, Steps
from vigil.desk.workflow import check
from vigil.errors import Conflict, InvalidInput, NotFound, TooManyAttempts
from vigil.model.cases import ActionKind, Appeal, AppealState, AppealTrack, Case, CaseState, Kind

_UNDECIDED = frozenset({AppealState.OPEN, AppealState.AWAITING_KYC})


class Appeals:
    def __init__(self, actions: Actions) -> None:
        self.actions = actions
        self.desk = actions.desk

    def file(self, account_id: str, text: str, kyc_verified: bool, change: Change) -> tuple[Case, Appeal]:
        if not text.strip():
            raise InvalidInput("an appeal needs the customer's words", field="text")
        in_force = self.actions.controls(account_id)
        freeze = in_force.account_freeze or (in_force.amount_freezes[0] if in_force.amount_freezes else None)
        if freeze is None:
            raise Conflict(f"account {account_id} has no freeze in force to appeal")
        track = AppealTrack.FAST if kyc_verified else AppealTrack.KYC_FIRST

        def build(case: Case) -> Steps:
            pending = [a.appeal_id for a in case.appeals if a.state in _UNDECIDED]
            if pending:
                raise Conflict(f"appeal {pending[0]} is not decided yet: one open appeal per case")
            if case.appeals:
                wait_us = case.appeals[-1].filed_us + self.desk.policy.appeal_interval_us - self.desk.clock()
                if wait_us > 0:
                    raise TooManyAttempts(
                        f"an appeal on case {case.case_id} was filed recently: the next may be filed in"
                        f" {-(-wait_us // 60_000_000)} minutes",
                        retry_after=-(-wait_us // 1_000_000),
                    )
            appeal_id = f"{case.case_id}/appeal-{len(case.appeals) + 1}"
            steps: Steps = []
            if case.state is CaseState.RESOLVED:
                steps.append((Kind.REOPENED, {"reason": f"appeal {appeal_id} filed"}))
            steps.append(
                (Kind.APPEAL_FILED, {"appeal": appeal_id, "track": track.value, "text": text.strip()})
            )
            return steps

        case = self.desk.apply(freeze.action_id.rsplit("/", 1)[0], change, build)
        return case, case.appeals[-1]  # filed now, or by the first request with this nonce

    def kyc_done(self, case_id: str, appeal_id: str, change: Change) -> Case:
        def build(case: Case) -> Steps:
            check(case, Kind.APPEAL_KYC_DONE)
            if self._appeal(case, appeal_id).state is not AppealState.AWAITING_KYC:
                raise Conflict(f"appeal {appeal_id} is not waiting for KYC")
            return [(Kind.APPEAL_KYC_DONE, {"appeal": appeal_id})]

        return self.desk.apply(case_id, change, build)

    def decide(self, case_id: str, appeal_id: str, grant: bool, reason: str, change: Change) -> Case:
        if not reason.strip():
            raise InvalidInput("say why the appeal is granted or upheld", field="reason")
        decided: list[bool] = []

        def build(case: Case) -> Steps:
            check(case, Kind.APPEAL_DECIDED)
            appeal = self._appeal(case, appeal_id)
            if appeal.state is AppealState.AWAITING_KYC:
                raise Conflict(f"appeal {appeal_id} waits for the customer to complete KYC first")
            if appeal.state is not AppealState.OPEN:
                raise Conflict(f"appeal {appeal_id} is already {appeal.state.value}")
            if grant:
                lifted = self.actions.controls(case.account_id).account_freeze
                if lifted is not None and lifted.reference:
                    raise Conflict(
                        f"freeze {lifted.action_id} carries out an order on file: an appeal cannot lift it;"
                        " uphold the appeal and refer the customer's words to the law-enforcement desk"
                    )
            decided.append(True)
            return [(Kind.APPEAL_DECIDED, {"appeal": appeal_id, "grant": grant, "reason": reason.strip()})]

        case = self.desk.apply(case_id, change, build)
        if grant and decided:
            reason_ = f"appeal {appeal_id} granted: {reason.strip()}"
            case = self.actions.request(case_id, ActionKind.UNFREEZE, reason_, Change(change.actor))
        return case

    def open_appeals(self) -> list[tuple[Case, Appeal]]:
        """Appeals not decided yet, the earliest due first (awaiting KYC last)."""
        found = [
            (c, a)
            for c in self.desk.all_cases()
            for a in c.appeals
            if a.state in (AppealState.OPEN, AppealState.AWAITING_KYC)
        ]
        found.sort(key=lambda ca: (ca[1].due_us == 0, ca[1].due_us, ca[1].filed_us))
        return found

    @staticmethod
    def _appeal(case: Case, appeal_id: str) -> Appeal:
        for appeal in case.appeals:
            if appeal.appeal_id == appeal_id:
                return appeal
        raise NotFound(f"no appeal {appeal_id!r} on case {case.case_id}")
