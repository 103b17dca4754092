"""Which step a case allows in which state (pure). Every refusal says why and what to do instead.

new -> assigned | investigating | escalated | resolved; assigned, investigating, escalated and reopened
move among themselves and to resolved; resolved -> reopened only. Actions, notes and appeals need an
open case (an appeal reopens a resolved one); a case with an action awaiting approval cannot be
resolved until it is approved or rejected.
"""

from __future__ import annotations

from vigil.errors import Conflict
from vigil.model.cases import Case, CaseState, Kind

OPEN = frozenset(CaseState) - {CaseState.RESOLVED}
_FROM: dict[Kind, frozenset[CaseState]] = {
    Kind.ASSIGNED: OPEN,
    Kind.INVESTIGATING: OPEN - {CaseState.INVESTIGATING},
    Kind.ESCALATED: OPEN - {CaseState.ESCALATED},
    Kind.RESOLVED: OPEN,
    Kind.REOPENED: frozenset({CaseState.RESOLVED}),
    Kind.ACTION_REQUESTED: OPEN,
    Kind.ACTION_APPROVED: OPEN,
    Kind.ACTION_REJECTED: OPEN,
    Kind.APPEAL_KYC_DONE: OPEN,
    Kind.APPEAL_DECIDED: OPEN,
}
_WHAT = {
    Kind.ASSIGNED: "assign it",
    Kind.INVESTIGATING: "start investigating it",
    Kind.ESCALATED: "escalate it",
    Kind.RESOLVED: "resolve it",
    Kind.REOPENED: "reopen it",
    Kind.ACTION_REQUESTED: "act on it",
    Kind.ACTION_APPROVED: "approve its actions",
    Kind.ACTION_REJECTED: "reject its actions",
    Kind.APPEAL_KYC_DONE: "record KYC for its appeals",
    Kind.APPEAL_DECIDED: "decide its appeals",
}


def check(case: Case, kind: Kind) -> None:
    """Raise ``Conflict`` naming the case's state when it does not allow ``kind``."""
    allowed = _FROM.get(kind)
    if allowed is None or case.state in allowed:
        if kind is Kind.RESOLVED and case.pending:
            ids = ", ".join(a.action_id for a in case.pending)
            raise Conflict(
                f"case {case.case_id} has actions awaiting approval ({ids}): approve or reject them first"
            )
        return
    hint = " (reopen it first)" if case.state is CaseState.RESOLVED else ""
    raise Conflict(f"case {case.case_id} is {case.state.value}: you cannot {_WHAT[kind]}{hint}")
