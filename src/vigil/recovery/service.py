"""``Recovery``: claims for funds sent by mistake, from filing to credit, over the ``ClaimStore`` port.

Filing matches the claim to the uncredited deposit it names and checks its proof; a claim that
names no deposit, a credited one, another chain or amount, or whose proof fails is refused with an
error naming what is wrong, stores nothing, and the refusal is audited. A claim that passes is
filed, matched, proved (a signature: verified; withdrawal history: consistent, then confirmed by a
person with the sending platform) and screened: the sending address is screened again against the
lists, and a listed source refuses the claim to the security desk (a "mistake" can be laundering).
A recovery worth the four-eyes value or more waits for a second person; the credit screens again,
takes the fee and records what was recovered. Every step is a history entry; every act of a person
or key is audited in the same transaction (``Atomic``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from decimal import Decimal

from vigil.audit import AuditTrail
from vigil.errors import Conflict, Forbidden, InvalidInput, InvalidProof, NotFound, NotReady, UnsupportedProof
from vigil.model import Deposit, Event, Outcome, Rail
from vigil.model.claims import (
    ClaimData,
    ClaimEvent,
    ClaimKind,
    ClaimState,
    UncreditedDeposit,
    canonical_tx,
    claim_message,
)
from vigil.model.notify import Notice
from vigil.ports import Atomic, ClaimStore, EventStore
from vigil.recovery.fold import Claim, apply
from vigil.recovery.match import check_history, find_deposit
from vigil.recovery.policy import RecoveryPolicy
from vigil.recovery.proofs import signer_matches
from vigil.recovery.requests import ClaimRequest, HistoryProof, SignatureProof
from vigil.screening.chains.parse import parse_address
from vigil.screening.policy import Direction
from vigil.screening.screener import Screener
from vigil.tail import SafeTail

SYSTEM = "vigil"
Step = tuple[ClaimKind, ClaimData, bool]  # what is recorded, its details, and whether Vigil did it


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a person's username or an API key's id (``by_key``)."""

    name: str
    by_key: bool = False


def _now_us() -> int:
    return time.time_ns() // 1000


def deposit_of(event: Event) -> UncreditedDeposit | None:
    """What the recovery desk keeps of a crypto deposit with a tx hash (None for anything else)."""
    if (
        not isinstance(event, Deposit)
        or event.rail is not Rail.CRYPTO
        or event.chain is None
        or not event.tx_hash
    ):
        return None
    return UncreditedDeposit(
        event_id=event.event_id,
        account_id=event.account_id,
        region=event.region,
        ts_us=event.ts_us,
        chain=event.chain,
        tx_hash=canonical_tx(event.tx_hash),
        asset=event.asset,
        amount=event.amount,
        fiat_value=event.fiat_value,
        source_address=event.source_address,
        reason=event.uncredited,
        deposit_address=event.deposit_address,
        memo=event.memo,
    )


class Recovery:
    def __init__(
        self,
        store: ClaimStore,
        audit: AuditTrail,
        *,
        journal: EventStore | None = None,
        atomic: Atomic | None = None,
        policy: RecoveryPolicy | None = None,
        screener: Callable[[], Screener | None] = lambda: None,
        notify: Callable[[Notice], None] | None = None,
        clock: Callable[[], int] = _now_us,
    ) -> None:
        self.store, self.audit, self.journal = store, audit, journal
        self.tail = SafeTail()
        self.atomic = atomic
        self.policy = policy if policy is not None else RecoveryPolicy()
        self._screener, self._notify, self._clock = screener, notify, clock
        self._claims: dict[str, Claim] = {}
        self._nonces: dict[str, str] = {}  # nonce -> the claim that used it
        self._by_deposit: dict[str, list[str]] = {}  # deposit event id -> claim ids
        for e in store.all_events():
            self._index(e)

    # ---- deposits ------------------------------------------------------------------------------
    def catch_up(self) -> int:
        """Deposits added from the journal records read since the last call (an index range)."""
        if self.journal is None:
            return 0
        found: list[UncreditedDeposit] = []
        after = last = self.store.cursor()
        records = ((p, e) for p, e, _ in self.journal.tail(after, trace=False))
        for cursor, event in self.tail.read(after, records):  # never past a position still missing
            last = cursor
            d = deposit_of(event)
            if d is not None:
                found.append(d)
        if last == after and not found:
            return 0
        return self.store.add_deposits(found, cursor=last)  # a deposit read again is kept once

    def observe(self, events: Iterable[Event]) -> int:
        """Deposits added from ``events`` (a feed other than the journal: tests, the benchmark)."""
        return self.store.add_deposits([d for d in map(deposit_of, events) if d is not None])

    def uncredited(self, limit: int = 100, offset: int = 0) -> list[tuple[UncreditedDeposit, list[Claim]]]:
        """Uncredited deposits, oldest first, each with the claims on it."""
        return [
            (d, [self._claims[c] for c in self._by_deposit.get(d.event_id, [])])
            for d in self.store.uncredited(limit, offset)
        ]

    # ---- filing --------------------------------------------------------------------------------
    def file(self, req: ClaimRequest, actor: Actor) -> Claim:
        """File ``req``: matched, proved and screened, or refused with an error that names what is wrong."""
        self.catch_up()
        try:
            deposit = find_deposit(req, self.store.deposits(req.tx_hash), self.policy)
            self._check_proof(req, deposit)
        except (InvalidInput, Conflict) as exc:
            self._audit(
                actor,
                "recovery.claim_refused",
                f"tx:{req.chain.value}:{req.tx_hash}",
                {"claimant": req.claimant_account_id, "reason": str(exc)},
            )
            raise
        claim_id = f"cl-{self.store.claims() + 1:06d}"
        now = self._clock()
        others = [c for c in self._by_deposit.get(deposit.event_id, []) if self._claims[c].is_open]
        filed: ClaimData = {
            "claimant_account_id": req.claimant_account_id,
            "claimant": req.claimant.value,
            "on_behalf_of": req.on_behalf_of,
            "reference": req.reference,
            "chain": req.chain.value,
            "tx_hash": req.tx_hash,
            "asset": req.asset,
            "amount": None if req.amount is None else str(req.amount),
            "fiat_value": None if req.fiat_value is None else str(req.fiat_value),
            "proof": req.proof_kind.value,
        }
        steps: list[Step] = [(ClaimKind.FILED, filed, False)]
        steps.append(
            (
                ClaimKind.MATCHED,
                {
                    "deposit_event_id": deposit.event_id,
                    "reason": deposit.reason.value if deposit.reason else None,
                    "asset": deposit.asset,
                    "amount": str(deposit.amount),
                    "fiat_value": str(deposit.fiat_value),
                    "source_address": deposit.source_address,
                    "contested_by": ",".join(others) or None,
                },
                True,
            )
        )
        if isinstance(req.proof, SignatureProof):
            filed["nonce"] = req.proof.nonce
            filed["signer"] = req.proof.address
            steps.append((ClaimKind.PROOF_VERIFIED, {"address": req.proof.address}, True))
        else:
            p = req.proof
            filed.update({"platform": p.platform, "withdrawal_id": p.withdrawal_id})
            steps.append(
                (
                    ClaimKind.HISTORY_CONSISTENT,
                    {"platform": p.platform, "withdrawal_id": p.withdrawal_id},
                    True,
                )
            )
        screen = self._screen(deposit)
        steps.append((ClaimKind.SCREENED, screen, True))
        if screen["listed"]:
            steps.append(
                (
                    ClaimKind.REFUSED,
                    {"reason": f"the sending address is listed: {screen['hits']}", "to_desk": True},
                    True,
                )
            )
        elif isinstance(req.proof, SignatureProof):
            steps.extend(self._after_proof(deposit.fiat_value))
        entries = [
            ClaimEvent(claim_id, i + 1, now, SYSTEM if system else actor.name, kind, data, system=system)
            for i, (kind, data, system) in enumerate(steps)
        ]
        with self._transaction():
            self.store.append(entries)
            self._audit(
                actor,
                "recovery.claim_filed",
                f"claim:{claim_id}",
                {"tx": req.tx_hash, "chain": req.chain.value, "claimant": req.claimant_account_id},
            )
        for e in entries:
            self._index(e)
        claim = self._claims[claim_id]
        if claim.to_desk:
            self._tell_desk(claim, str(screen["hits"]))
        return claim

    def _check_proof(self, req: ClaimRequest, d: UncreditedDeposit) -> None:
        if isinstance(req.proof, HistoryProof):
            check_history(req.proof, d, self.policy)
            return
        p = req.proof
        used = self._nonces.get(p.nonce)
        if used is not None:
            raise InvalidProof(
                f"replayed: nonce {p.nonce!r} was already used by claim {used}", field="proof.nonce"
            )
        if d.source_address is None:
            raise UnsupportedProof(
                "the deposit's sending address is not known: prove the claim with the withdrawal history",
                field="proof.kind",
            )
        signer_matches(
            d.chain,
            p.address,
            claim_message(req.chain, req.tx_hash, req.claimant_account_id, p.nonce),
            p.signature,
        )
        if parse_address(d.chain, p.address).canonical != parse_address(d.chain, d.source_address).canonical:
            raise InvalidProof(
                f"the signing address {p.address} is not the deposit's sending address {d.source_address}",
                field="proof.address",
            )

    def _after_proof(self, value: Decimal) -> list[Step]:
        if value >= self.policy.four_eyes_value:
            return [
                (
                    ClaimKind.APPROVAL_REQUESTED,
                    {"value": str(value), "four_eyes_value": str(self.policy.four_eyes_value)},
                    True,
                )
            ]
        return [(ClaimKind.APPROVED, {"below_four_eyes": True}, True)]

    def _screen(self, d: UncreditedDeposit) -> ClaimData:
        """The sending address screened against the lists now in force."""
        screener = self._screener()
        if screener is None or d.source_address is None:
            why = "no list imported" if screener is None else "the sending address is unknown"
            return {"listed": False, "screened": False, "why": why}
        try:
            result = screener.screen_address(d.chain, d.source_address, Direction.DEPOSIT)
        except InvalidInput as exc:  # an address that does not parse cannot be cleared: fail closed
            return {"listed": True, "screened": True, "hits": f"address does not parse: {exc}"}
        listed = result.outcome >= Outcome.REVIEW
        hits = "; ".join(f"{r.code.value}: {r.detail}" for r in result.reasons)
        return {
            "listed": listed,
            "screened": True,
            "lists": screener.lists_version,
            "hits": hits or None,
            "outcome": result.outcome.name.lower(),
        }

    # ---- people's steps ------------------------------------------------------------------------
    def confirm(self, claim_id: str, note: str, actor: Actor) -> Claim:
        """A person confirmed a history claim with the sending platform (``note``: how, with whom)."""
        claim = self._person_step(claim_id, actor, "confirm")
        if claim.state is not ClaimState.NEEDS_CONFIRMATION:
            raise Conflict(
                f"claim {claim_id} is {claim.state.value}: only a history claim waiting for it is confirmed"
            )
        if not note.strip():
            raise InvalidInput("say how the sending platform confirmed the withdrawal", field="note")
        steps: list[Step] = [(ClaimKind.CONFIRMED, {"note": note[:2000]}, False)]
        if claim.value >= self.policy.four_eyes_value:
            steps += self._after_proof(claim.value)
        else:
            steps.append((ClaimKind.APPROVED, {"below_four_eyes": True}, False))
        return self._record(claim, steps, actor, "recovery.claim_confirmed")

    def approve(self, claim_id: str, actor: Actor) -> Claim:
        claim = self._person_step(claim_id, actor, "approve")
        if claim.state is not ClaimState.AWAITING_APPROVAL:
            raise Conflict(f"claim {claim_id} is {claim.state.value}, not awaiting approval")
        if actor.name in {claim.filed_by, claim.confirmed_by}:
            raise Forbidden("four eyes: a claim is approved by someone other than who filed or confirmed it")
        self._not_contested(claim)
        return self._record(claim, [(ClaimKind.APPROVED, {}, False)], actor, "recovery.claim_approved")

    def refuse(self, claim_id: str, reason: str, actor: Actor) -> Claim:
        claim = self._claim(claim_id)
        if not claim.is_open:
            raise Conflict(f"claim {claim_id} is {claim.state.value}: it can no longer be refused")
        if not reason.strip():
            raise InvalidInput("say why the claim is refused", field="reason")
        return self._record(
            claim,
            [(ClaimKind.REFUSED, {"reason": reason[:2000], "to_desk": False}, False)],
            actor,
            "recovery.claim_refused",
        )

    def credit(self, claim_id: str, actor: Actor) -> Claim:
        """Record the credit of an approved claim: screened once more, the fee taken, value recovered."""
        claim = self._claim(claim_id)
        if claim.state is not ClaimState.APPROVED:
            raise Conflict(f"claim {claim_id} is {claim.state.value}: only an approved claim is credited")
        self._not_contested(claim)
        deposit = next(d for d in self.store.deposits(claim.tx_hash) if d.event_id == claim.deposit_event_id)
        screen = self._screen(deposit)
        if not screen["screened"] and screen.get("why") == "no list imported":
            raise NotReady(
                "no screening list imported: a claim is credited only after its source is screened again"
            )
        if screen["listed"]:
            claim = self._record(
                claim,
                [
                    (ClaimKind.SCREENED, screen, True),
                    (
                        ClaimKind.REFUSED,
                        {"reason": f"the sending address is listed: {screen['hits']}", "to_desk": True},
                        True,
                    ),
                ],
                actor,
                "recovery.claim_refused",
            )
            self._tell_desk(claim, str(screen["hits"]))
            return claim
        fee, fee_value = self.policy.fee(deposit.amount, deposit.fiat_value)
        credited = deposit.amount - fee
        value = (deposit.fiat_value - fee_value).quantize(Decimal("0.01"))
        data: ClaimData = {
            "account_id": claim.claimant_account_id,
            "asset": deposit.asset,
            "amount": str(credited),
            "fee": str(fee),
            "fiat_value": str(value),
            "fee_value": str(fee_value),
        }
        return self._record(
            claim,
            [(ClaimKind.SCREENED, screen, True), (ClaimKind.CREDITED, data, False)],
            actor,
            "recovery.claim_credited",
        )

    # ---- reading -------------------------------------------------------------------------------
    def claim(self, claim_id: str, reader: Actor | None = None) -> Claim:
        claim = self._claim(claim_id)
        if reader is not None:
            self._audit(reader, "recovery.claim_read", f"claim:{claim_id}", {})
        return claim

    def deposit_of(self, claim: Claim) -> UncreditedDeposit | None:
        """The deposit the claim was matched to (None if the store no longer holds it)."""
        found = self.store.deposits(claim.tx_hash)
        return next((d for d in found if d.event_id == claim.deposit_event_id), None)

    def claims(
        self, state: ClaimState | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[Claim], int]:
        chosen = [c for c in self._claims.values() if state is None or c.state is state]
        return chosen[offset : offset + limit], len(chosen)

    def summary(self) -> dict[str, object]:
        """Claims by state, and the value recovered: credited to claimants, and fees, in fiat."""
        by_state = {s.value: 0 for s in ClaimState}
        credited, fees = Decimal(0), Decimal(0)
        for c in self._claims.values():
            by_state[c.state.value] += 1
            credited += c.credited_value
            fees += c.fee_value
        return {
            "claims": by_state,
            "recovered_value": str(credited),
            "fees": str(fees),
            "recovered_total": str(credited + fees),
        }

    # ---- internals -----------------------------------------------------------------------------
    def _claim(self, claim_id: str) -> Claim:
        claim = self._claims.get(claim_id)
        if claim is None:
            raise NotFound(f"no claim {claim_id}")
        return claim

    def _person_step(self, claim_id: str, actor: Actor, verb: str) -> Claim:
        claim = self._claim(claim_id)
        if actor.by_key:
            raise Forbidden(f"a person signed in must {verb} a claim, not an API key")
        return claim

    def _not_contested(self, claim: Claim) -> None:
        others = [
            c
            for c in self._by_deposit.get(claim.deposit_event_id, [])
            if c != claim.claim_id and self._claims[c].state is not ClaimState.REFUSED
        ]
        if others:
            raise Conflict(
                f"the deposit is also claimed by {', '.join(others)}: refuse the other claim first"
            )

    def _record(self, claim: Claim, steps: list[Step], actor: Actor, action: str) -> Claim:
        now = self._clock()
        entries = [
            ClaimEvent(
                claim.claim_id,
                claim.version + i + 1,
                now,
                SYSTEM if system else actor.name,
                kind,
                data,
                system=system,
            )
            for i, (kind, data, system) in enumerate(steps)
        ]
        with self._transaction():
            self.store.append(entries)
            self._audit(actor, action, f"claim:{claim.claim_id}", {k.value: True for k, _, _ in steps})
        for e in entries:
            self._index(e)
        return claim

    def _index(self, e: ClaimEvent) -> None:
        claim = self._claims.get(e.claim_id)
        if claim is None:
            claim = self._claims[e.claim_id] = Claim(e.claim_id)
        apply(claim, e)
        if e.kind is ClaimKind.FILED and claim.nonce:
            self._nonces[claim.nonce] = e.claim_id
        elif e.kind is ClaimKind.MATCHED:
            self._by_deposit.setdefault(claim.deposit_event_id, []).append(e.claim_id)

    def _transaction(self) -> AbstractContextManager[None]:
        return self.atomic.atomic() if self.atomic is not None else nullcontext()

    def _audit(self, actor: Actor, action: str, subject: str, detail: dict[str, object]) -> None:
        self.audit.record(actor.name, action, subject, {**detail, "by": "key" if actor.by_key else "person"})

    def _tell_desk(self, claim: Claim, hits: str) -> None:
        if self._notify is None:
            return
        self._notify(
            Notice(
                kind="recovery.listed_source",
                case_id="",
                title=f"Recovery claim {claim.claim_id} refused: the sending address is listed",
                text=f"Claim {claim.claim_id} on {claim.chain} tx {claim.tx_hash} for account"
                f" {claim.claimant_account_id}: {hits}",
                severity="high",
                at_us=self._clock(),
                link=f"/v1/recovery/claims/{claim.claim_id}",
            )
        )
