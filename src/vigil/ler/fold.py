"""A request's current state as a fold over its history (pure): ``fold(history)`` reads the entries in
order and looks nowhere else, so a request at any point of its life is ``fold(history[:n])``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from vigil.model.ler import (
    Attachment,
    DataKind,
    Disclosure,
    FreezeOrder,
    Json,
    LegalBasis,
    LerData,
    LerEvent,
    LerRequest,
    LerState,
    Match,
    RequestKind,
    Step,
    Subject,
    SubjectKind,
    Verification,
    VerificationMethod,
)


def _s(d: LerData, key: str) -> str:
    v = d.get(key)
    return "" if v is None else str(v)


def _i(d: LerData, key: str) -> int | None:
    v = d.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _list(d: LerData, key: str) -> list[Any]:
    v = d.get(key)
    return v if isinstance(v, list) else []


def _match(raw: Json) -> Match:
    d = raw if isinstance(raw, dict) else {}
    return Match(_s(d, "account_id"), _s(d, "subject"), _s(d, "how"))


class Folding:
    """A fold kept open, so that appending one entry costs one step (the service's in-memory index)."""

    def __init__(self, history: Sequence[LerEvent]) -> None:
        if not history or history[0].kind is not Step.RECEIVED or history[0].seq != 1:
            raise ValueError("a request's history starts with 'received' at seq 1")
        first = history[0]
        d = first.data
        self.request_id = first.request_id
        self.received_us = first.at_us
        self.head = d
        self.state = LerState.RECEIVED
        self.verifications: list[Verification] = []
        self.verified_by = ""
        self.verified_us: int | None = None
        self.acknowledged_us: int | None = None
        self.breaches: list[str] = []
        self.attachments: dict[str, Attachment] = {}
        self.resolved: list[Match] = []
        self.added: list[Match] = []
        self.offered: list[Match] = []
        self.unmatched: list[str] = []
        self.freezes: dict[str, FreezeOrder] = {}
        self.releases: list[str] = []
        self.disclosures: list[Disclosure] = []
        self.closed_reason = ""
        self.version = 1
        self.nonces: set[str] = {_s(d, "nonce")} - {""}
        for e in history[1:]:
            self._step(e)
        self.request = self._request()

    def step(self, e: LerEvent) -> LerRequest:
        self._step(e)
        self.request = self._request()
        return self.request

    def _step(self, e: LerEvent) -> None:
        if e.seq != self.version + 1:
            raise ValueError(f"request {self.request_id}: history entry {e.seq} follows {self.version}")
        self.version = e.seq
        nonce = _s(e.data, "nonce")
        if nonce:
            self.nonces.add(nonce)
        handler = _HANDLERS.get(e.kind)
        if handler is not None:
            handler(self, e, e.data)

    # -- the steps -------------------------------------------------------------------------------
    def _verification(self, e: LerEvent, d: LerData) -> None:
        self.verifications.append(
            Verification(
                VerificationMethod(_s(d, "method")),
                e.actor,
                e.at_us,
                bool(d.get("confirmed")),
                _s(d, "contact"),
                _s(d, "note"),
            )
        )

    def _verified(self, e: LerEvent, d: LerData) -> None:
        self.state, self.verified_by, self.verified_us = LerState.VERIFIED, e.actor, e.at_us
        self._ack(e.at_us)

    def _refused(self, e: LerEvent, d: LerData) -> None:
        self.state, self.closed_reason = LerState.REFUSED, _s(d, "reason")
        self._ack(e.at_us)

    def _ack(self, at_us: int) -> None:
        if self.acknowledged_us is None:
            self.acknowledged_us = at_us

    def _acknowledged(self, e: LerEvent, d: LerData) -> None:
        self._ack(e.at_us)

    def _attached(self, e: LerEvent, d: LerData) -> None:
        sha = _s(d, "sha256")
        self.attachments[sha] = Attachment(sha, _s(d, "name"), _i(d, "size") or 0, _s(d, "media_type"))

    def _resolved(self, e: LerEvent, d: LerData) -> None:
        self.resolved = [_match(m) for m in _list(d, "matches")]
        self.offered = [_match(m) for m in _list(d, "offered")]
        self.unmatched = [str(u) for u in _list(d, "unmatched")]

    def _added(self, e: LerEvent, d: LerData) -> None:
        self.added.append(Match(_s(d, "account_id"), _s(d, "subject"), _s(d, "how")))

    def _freeze(self, e: LerEvent, d: LerData) -> None:
        action = _s(d, "action_id")
        self.freezes[action] = FreezeOrder(
            account_id=_s(d, "account_id"),
            case_id=_s(d, "case_id"),
            action_id=action,
            asset=_s(d, "asset"),
            amount=_i(d, "amount") or 0,
            until_us=_i(d, "until_us") or 0,
            requested_by=e.actor,
            requested_us=e.at_us,
        )

    def _renewed(self, e: LerEvent, d: LerData) -> None:
        action = _s(d, "action_id")
        old = self.freezes[action]
        self.freezes[action] = replace(old, until_us=_i(d, "until_us") or old.until_us, lapse_noticed=False)

    def _lapse_notice(self, e: LerEvent, d: LerData) -> None:
        action = _s(d, "action_id")
        self.freezes[action] = replace(self.freezes[action], lapse_noticed=True)

    def _lapsed(self, e: LerEvent, d: LerData) -> None:
        action = _s(d, "action_id")
        self.freezes[action] = replace(self.freezes[action], lapsed=True, released=True)

    def _unfreeze(self, e: LerEvent, d: LerData) -> None:
        action = _s(d, "action_id")
        self.releases.append(action)
        if action in self.freezes:
            self.freezes[action] = replace(self.freezes[action], released=True)

    def _disclosed(self, e: LerEvent, d: LerData) -> None:
        accounts = tuple(str(a) for a in _list(d, "accounts"))
        kinds = tuple(str(k) for k in _list(d, "kinds"))
        self.disclosures.append(Disclosure(e.at_us, e.actor, _s(d, "sha256"), accounts, kinds))

    def _breached(self, e: LerEvent, d: LerData) -> None:
        self.breaches.append(_s(d, "clock"))

    def _closed(self, e: LerEvent, d: LerData) -> None:
        self.state, self.closed_reason = LerState.CLOSED, _s(d, "reason")

    # -- the request as shown ----------------------------------------------------------------------
    def _request(self) -> LerRequest:
        d = self.head
        subjects = tuple(
            Subject(SubjectKind(_s(s, "kind")), _s(s, "value"), _s(s, "chain"))
            for s in _list(d, "subjects")
            if isinstance(s, dict)
        )
        return LerRequest(
            request_id=self.request_id,
            received_us=self.received_us,
            agency_id=_s(d, "agency_id"),
            agency=_s(d, "agency"),
            officer=_s(d, "officer"),
            officer_email=_s(d, "officer_email"),
            officer_phone=_s(d, "officer_phone"),
            jurisdiction=_s(d, "jurisdiction"),
            legal_basis=LegalBasis(_s(d, "legal_basis")),
            legal_reference=_s(d, "legal_reference"),
            kind=RequestKind(_s(d, "kind")),
            subjects=subjects,
            data_kinds=tuple(DataKind(str(k)) for k in _list(d, "data_kinds")),
            period_from_us=_i(d, "period_from_us") or 0,
            period_until_us=_i(d, "period_until_us") or 0,
            deadline_us=_i(d, "deadline_us"),
            nondisclosure=bool(d.get("nondisclosure")),
            nondisclosure_until_us=_i(d, "nondisclosure_until_us"),
            domain_flags=tuple(str(f) for f in _list(d, "domain_flags")),
            state=self.state,
            verifications=tuple(self.verifications),
            verified_by=self.verified_by,
            verified_us=self.verified_us,
            acknowledged_us=self.acknowledged_us,
            ack_due_us=_i(d, "ack_due_us") or self.received_us,
            triage_due_us=_i(d, "triage_due_us"),
            breaches=tuple(self.breaches),
            attachments=tuple(self.attachments.values()),
            matches=tuple(self.resolved + self.added),
            offered=tuple(m for m in self.offered if m.account_id not in {a.account_id for a in self.added}),
            unmatched=tuple(self.unmatched),
            freezes=tuple(self.freezes.values()),
            releases=tuple(self.releases),
            disclosures=tuple(self.disclosures),
            closed_reason=self.closed_reason,
            version=self.version,
            nonces=frozenset(self.nonces),
        )


_Handler = Callable[[Folding, LerEvent, LerData], None]
_HANDLERS: dict[Step, _Handler] = {
    Step.VERIFICATION: Folding._verification,
    Step.VERIFIED: Folding._verified,
    Step.REFUSED: Folding._refused,
    Step.ACKNOWLEDGED: Folding._acknowledged,
    Step.ATTACHED: Folding._attached,
    Step.RESOLVED: Folding._resolved,
    Step.ACCOUNT_ADDED: Folding._added,
    Step.FREEZE_REQUESTED: Folding._freeze,
    Step.FREEZE_RENEWED: Folding._renewed,
    Step.LAPSE_NOTICE: Folding._lapse_notice,
    Step.FREEZE_LAPSED: Folding._lapsed,
    Step.UNFREEZE_REQUESTED: Folding._unfreeze,
    Step.DISCLOSED: Folding._disclosed,
    Step.BREACHED: Folding._breached,
    Step.CLOSED: Folding._closed,
}


def fold(history: Sequence[LerEvent]) -> LerRequest:
    """The request its history describes (``ValueError`` on an empty or out-of-order history)."""
    return Folding(history).request
