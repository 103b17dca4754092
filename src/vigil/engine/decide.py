"""The decision engine: the hot path every user action goes through.

``decide(event)``: return the stored decision if the event was seen (idempotency), else look up
the network origin, step the feature catalog, evaluate the rules, screen the counterparty address
against the lists, check a KYC submission against its document's MRZ (``documents``, the identity
policy: its reasons force outcomes and add to the score as a rule's do), score the event with its
region's model when one is promoted, combine the outcome (forced outcomes, the region's score
thresholds, the screening and document policies and the model's thresholds: the most severe wins),
block money leaving an account the security desk froze (``restrictions``, or in a partitioned worker
the freezes the stream told it: ``note_freeze``), record event and decision through the journal, and
return the decision. The same input on the same state gives the same decision; only ``elapsed_us``
differs.

Every event the engine is given has a *sequence*: 1, 2, 3... in the order given (a partitioned worker
passes the event's stream sequence instead). A decision that holds or blocks flags its account in the
entity graph; with ``flag_lag`` L the flag of the event at sequence s is visible to the events at
sequences above s + L (L = 0: from the next event on, the one process's behaviour). Workers on several
machines cannot see each other's decisions at once; a stated lag makes their graph features equal to
one process run with the same L (docs/operations.md, "Workers").
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from time import perf_counter_ns
from typing import TYPE_CHECKING

from vigil.engine.idempotency import id_digest, input_digest
from vigil.engine.known import KnownIds
from vigil.errors import StorageError
from vigil.features import Catalog, CatalogState, context_of
from vigil.graph import EntityGraph
from vigil.identity import PASSED, DocumentPolicy, check_document, judge
from vigil.ml.dataset import Evidence
from vigil.model import Decision, Event, EventType, KycSubmitted, NetworkOrigin, Outcome, Reason, Versions
from vigil.model.reasons import ReasonCode
from vigil.ports import GeoIp, Journal, RuleSourceReader, ScreeningStore
from vigil.rules import RuleSet, load_rules
from vigil.screening.names import Customer
from vigil.screening.screener import NOTHING, Cleared, Screener, customer_of
from vigil.version import __version__

if TYPE_CHECKING:
    from vigil.ml.scorer import Scorer

# What a frozen account may not do: move money out, or trade.
RESTRICTED = frozenset(
    {EventType.WITHDRAWAL, EventType.INTERNAL_TRANSFER, EventType.P2P_ORDER, EventType.TRADE}
)


def _beyond_review(reasons: tuple[Reason, ...]) -> Outcome:
    """The most severe outcome the rules forced, a forced review left to the model."""
    forced = Outcome.ALLOW
    for r in reasons:
        if r.outcome is not None and r.outcome is not Outcome.REVIEW and r.outcome > forced:
            forced = r.outcome
    return forced


@dataclass(frozen=True, slots=True)
class EngineState:
    """What the engine learned from its journal: the catalog's state and the digests of the event ids
    it holds (``idempotency.id_digest``). The live objects: what a snapshot pickles."""

    catalog: CatalogState
    known: KnownIds
    sequence: int = 0  # the last event's sequence
    flags: list[tuple[int, str, int]] = field(default_factory=list)  # a heap: flags not visible yet
    # The desk's freezes a worker was told through the stream: account -> (freeze action or None, desk time).
    freezes: dict[str, tuple[str | None, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Replayed:
    """What ``Engine.replay`` observed: how many records, and the last one's position and event id
    (``after`` and "" when there was none)."""

    records: int
    position: int
    event_id: str


class Engine:
    """Decides events. Not thread-safe: one engine per worker, fed in order."""

    def __init__(
        self,
        catalog: Catalog,
        rules: RuleSet,
        journal: Journal,
        *,
        geoip: GeoIp | None = None,
        rule_source: RuleSourceReader | None = None,
        screener: Screener | None = None,
        screening_store: ScreeningStore | None = None,
        defer_usage: bool = False,
        scorer: Scorer | None = None,
        full_trace: bool = False,
        flag_lag: int = 0,
        documents: DocumentPolicy | None = None,
    ) -> None:
        if flag_lag < 0:
            raise ValueError(f"flag_lag must be 0 or more, got {flag_lag}")
        self.catalog = catalog
        self.flag_lag = flag_lag
        self.sequence = 0  # the sequence of the last event given (module docstring)
        # Flags not visible yet: (sequence of the decision, account, event time), a heap by sequence.
        self._flags: list[tuple[int, str, int]] = []
        self._flag_seqs: set[int] = set()  # the sequences in ``_flags``
        self.journal = journal
        self.geoip = geoip
        self.rule_source = rule_source
        self.screener = screener
        self.screening_store = screening_store
        self._is_cleared: Cleared | None = screening_store.is_cleared if screening_store is not None else None
        self._rule_fingerprint = rule_source.fingerprint() if rule_source is not None else None
        self._stale = False
        # Digests of the event ids the journal holds (``id_digest``), so a new event costs no lookup (only
        # a digest that is present, a retry or a rare collision, asks the journal). None until known (the
        # state is not rebuilt yet): ask every time.
        self._known: KnownIds | None = KnownIds() if journal.position() == 0 else None
        # With ``defer_usage`` (the service), what screening remembers is written with the next
        # ``commit``, in one transaction, instead of once per event.
        self.defer_usage = defer_usage
        self._used_addresses: dict[tuple[str, str], None] = {}
        self._used_by: dict[str, Customer] = {}
        self.scorer = scorer
        # The identity-document policy: a KYC submission with an MRZ is checked against it (None: not).
        self.documents = documents
        # Time and trace every rule (False: trace what matched, failed or could not say; count the rest).
        self.full_trace = full_trace
        # The desk's freezes in force: account id -> the freeze action, or None (set by vigil serve).
        self.restrictions: Callable[[str], str | None] | None = None
        # Without ``restrictions``: the freezes told through the stream (``note_freeze``; a worker's).
        self._freezes: dict[str, tuple[str | None, int]] = {}
        self._set_rules(rules)

    def _set_rules(self, rules: RuleSet) -> None:
        self.rules = rules
        lists = self.screener.lists_version if self.screener is not None else ""
        models = self.scorer.version if self.scorer is not None else ""
        self.versions = Versions(
            engine=__version__, catalog=self.catalog.hash, rules=rules.version, lists=lists, models=models
        )

    def set_scorer(self, scorer: Scorer | None) -> None:
        """Serve these models from the next event on (None: rules and screening only)."""
        old, self.scorer = self.scorer, scorer
        self._set_rules(self.rules)
        if old is not None and old is not scorer:
            old.close()

    @property
    def rule_fingerprint(self) -> str | None:
        return self._rule_fingerprint

    def reload_rules(self, *, force: bool = False) -> bool:
        """Reload the rule files if they changed; keep the running rules if the new ones do not load.

        Returns True when new rules were installed. Raises ``InvalidRules`` (the old rules stay).
        A rule change never touches feature state: rules only read features.
        """
        if self.rule_source is None:
            return False
        fingerprint = self.rule_source.fingerprint()
        if not force and fingerprint == self._rule_fingerprint:
            return False
        rules = load_rules(self.rule_source.read(), self.catalog)
        self._set_rules(rules)
        self._rule_fingerprint = fingerprint
        return True

    def origin_of(self, event: Event) -> NetworkOrigin | None:
        if event.network is not None or event.ip is None or self.geoip is None:
            return event.network
        return self.geoip.lookup(event.ip)

    def explain(self, event_id: str) -> Decision | None:
        """The stored decision of ``event_id`` with the trace of every rule evaluated (None: unknown id).

        A compact trace (what matched, failed or could not say) is completed with the rules that did
        not match, untimed, when the decision was made by the rule set running now; after a rule
        change its trace is served as stored (``rules_evaluated`` still counts every rule).
        """
        decision = self.journal.get(event_id)
        if decision is None or len(decision.trace) >= decision.evaluated:
            return decision
        if decision.versions.rules != self.rules.version:
            return decision
        full = self.rules.explain(decision.event_type, decision.region, decision.trace)
        return replace(decision, trace=full) if len(full) == decision.evaluated else decision

    def decide(self, event: Event) -> Decision:
        """Decide one event (see the module docstring)."""
        return self.decide_once(event)[0]

    # -- sequences and flags (module docstring) ---------------------------------------------------
    def _advance(self, seq: int | None, flags_through: int | None) -> int:
        """The next event is at ``seq`` (None: the one after the last): make visible the flags of the
        decisions at sequences below ``seq - flag_lag``, in sequence order, those known up to
        ``flags_through`` (None: all the engine was told of)."""
        seq = self.sequence + 1 if seq is None else seq
        self.sequence = seq
        self._release(seq - self.flag_lag, flags_through)
        return seq

    def _release(self, before: int, through: int | None) -> None:
        flags = self._flags
        while flags and flags[0][0] < before and (through is None or flags[0][0] <= through):
            seq, account, ts_us = heapq.heappop(flags)
            self._flag_seqs.discard(seq)
            self.catalog.flag(account, ts_us)

    def note_flag(self, seq: int, account_id: str, ts_us: int) -> None:
        """The decision of the event at ``seq`` held or blocked ``account_id``: flag it once visible.
        A worker tells its engine of its peers' flags with this too (told twice: kept once)."""
        if seq not in self._flag_seqs:
            self._flag_seqs.add(seq)
            heapq.heappush(self._flags, (seq, account_id, ts_us))
        if self.flag_lag == 0 and seq <= self.sequence:
            self._release(self.sequence + 1, None)  # one process: visible from the next event on

    def note_freeze(self, account_id: str, freeze: str | None, at_us: int) -> None:
        """The desk's freeze in force on ``account_id`` is ``freeze`` (None: none) as of desk time ``at_us``
        (a worker told through the stream, ``workers/controls.py``); an older word than the one held is
        ignored. ``decide`` blocks what a frozen account may not do from the next event on."""
        held = self._freezes.get(account_id)
        if held is None or at_us >= held[1]:
            self._freezes[account_id] = (freeze, at_us)

    def freeze_of(self, account_id: str) -> str | None:
        """The desk's freeze in force on an account (its action id), or None: ``restrictions`` when set
        (``vigil serve`` asks its desk), else what the stream told (``note_freeze``)."""
        if self.restrictions is not None:
            return self.restrictions(account_id)
        told = self._freezes.get(account_id)
        return told[0] if told is not None else None

    @property
    def pending_flags(self) -> int:
        """Flags told but not visible yet (the lag)."""
        return len(self._flags)

    def settle_flags(self, through: int | None = None) -> None:
        """Make visible what the last event's ``_advance`` would have with every flag up to ``through``
        known (a worker that learned its peers' last decisions after its own last event)."""
        self._release(self.sequence - self.flag_lag, through)

    def observe_shared(
        self, event: Event, *, seq: int | None = None, flags_through: int | None = None
    ) -> bool:
        """An event another worker decides: step only the state that is not its account's own (shared
        keys, the graph's links) and remember its id. False, stepping nothing, for an id already seen."""
        self._advance(seq, flags_through)
        known = self._known
        if known is None:
            raise RuntimeError("observe_shared() needs a state to add to: rebuild() or restore() first")
        digest = id_digest(event.event_id)
        if digest in known:
            return False
        self.catalog.observe_shared(context_of(event, self.origin_of(event)))
        known.add(digest)
        return True

    def observe_decided(
        self, event: Event, decision: Decision, *, seq: int | None = None, flags_through: int | None = None
    ) -> None:
        """An event decided before (the journal holds it): step the state as its decision did, without
        deciding again (a worker taking its partitions back after a restart)."""
        seq = self._advance(seq, flags_through)
        self.catalog.observe(context_of(event, self.origin_of(event)))
        if self._known is not None:
            self._known.add(id_digest(event.event_id))
        if decision.outcome >= Outcome.HOLD:
            self.note_flag(seq, event.account_id, event.ts_us)

    def decide_once(
        self, event: Event, *, seq: int | None = None, flags_through: int | None = None
    ) -> tuple[Decision, bool]:
        """The decision, and whether it was made now (False: the stored one for a known event id).
        ``seq`` and ``flags_through``: see ``_advance`` (a worker's)."""
        seq = self._advance(seq, flags_through)
        known = self._known
        digest = id_digest(event.event_id)
        present = known is None or digest in known
        if present:
            stored = self.journal.get(event.event_id)
            if stored is not None:
                return stored, False
        if self._stale:
            self.rebuild()
        start = perf_counter_ns()
        received = input_digest(event)  # before the origin is filled in: the event as sent
        origin = self.origin_of(event)
        if origin is not event.network:
            # Keep the looked-up origin with the event, so a replay sees what this decision saw.
            event = replace(event, network=origin)
        ctx = context_of(event, origin)
        features = self.catalog.observe(ctx)
        evaluation = self.rules.evaluate(event, features, origin, trace=self.full_trace)
        thresholds = self.rules.thresholds_for(event.region)
        screen = (
            self.screener.screen_event(event, cleared=self._is_cleared)
            if self.screener is not None
            else NOTHING
        )
        # A KYC submission against its MRZ (docs/identity.md): read once, with the catalog's context.
        document = (
            judge(check_document(event, self.documents, ctx.reading), self.documents)
            if self.documents is not None and isinstance(event, KycSubmitted) and ctx.reading is not None
            else PASSED
        )
        score = evaluation.score + document.score
        reasons = evaluation.reasons
        scored = (
            self.scorer.score(
                features, event, Evidence(evaluation.score, int(evaluation.forced), int(screen.outcome))
            )
            if self.scorer is not None
            else None
        )
        if scored is None:
            outcome = max(evaluation.forced, thresholds.outcome(score), screen.outcome, document.outcome)
        else:
            # One policy over all the evidence: the rules' score and their forced reviews are inputs of
            # the model, whose thresholds were chosen for the region's budgets; what the rules force
            # beyond review (a hold for a person, a block) and below it (a step-up), and screening,
            # still apply as they are.
            outcome = max(
                _beyond_review(evaluation.reasons), screen.outcome, scored.outcome, document.outcome
            )
            reasons += scored.reasons
            if evaluation.waivable_delay_s is not None and scored.outcome is Outcome.ALLOW:
                # The whole picture says low risk: a trusted customer's delay becomes a step-up.
                evaluation = evaluation.waived()
                outcome = max(outcome, Outcome.CHALLENGE)
                detail = (
                    f"the model scored {scored.probability:.4g}, below review for this region: "
                    "a step-up instead of the delay"
                )
                reasons += (Reason(ReasonCode.PROTECT_DELAY_WAIVED, "model", 0.0, detail, Outcome.CHALLENGE),)
        if screen.reasons or document.reasons or scored is not None:
            reasons = tuple(
                sorted(screen.reasons + document.reasons + reasons, key=lambda r: r.severity, reverse=True)
            )
        if event.TYPE in RESTRICTED and (self.restrictions is not None or self._freezes):
            freeze = self.freeze_of(event.account_id)
            if freeze is not None:
                outcome = Outcome.BLOCK
                detail = f"the security desk froze this account ({freeze})"
                reasons = (
                    Reason(ReasonCode.DESK_ACCOUNT_FROZEN, "desk", 0.0, detail, Outcome.BLOCK),
                    *reasons,
                )
        decision = Decision(
            event_id=event.event_id,
            account_id=event.account_id,
            event_type=event.TYPE,
            region=event.region,
            outcome=outcome,
            score=score,
            reasons=reasons,
            trace=evaluation.trace,
            versions=self.versions,
            elapsed_us=(perf_counter_ns() - start) / 1000.0,
            notices=screen.notices + evaluation.notices + evaluation.waivable_notices,
            model_id=scored.model_id if scored is not None else "",
            probability=round(scored.probability, 6) if scored is not None else None,
            delay_until_us=(
                event.ts_us + round(delay_s * 1_000_000)
                if (delay_s := evaluation.delay_until_s) is not None
                else None
            ),
            input_digest=received,
            rules_evaluated=evaluation.rules_evaluated,
        )
        try:
            self.journal.record(event, decision)
        except StorageError:
            # The catalog has counted an event the journal does not hold: rebuild before the next one.
            self._stale = True
            raise
        if known is not None:
            if present:
                known.add(digest)  # a digest collision (or a retry the journal lost): never twice
            else:
                known.add_absent(digest)
        if outcome >= Outcome.HOLD:
            self.note_flag(seq, event.account_id, event.ts_us)  # later events' graph features see it
        if self.screening_store is not None:
            # Remembered so that a later list change can find what it affects: the accounts that used
            # an address, and the customers' names.
            if screen.address is not None:
                self._used_addresses[(event.account_id, screen.address.key)] = None
            customer = customer_of(event)
            if customer is not None:
                self._used_by[customer.customer_id] = customer
            if not self.defer_usage:
                self._write_usage()
        return decision, True

    def _write_usage(self) -> None:
        if self.screening_store is None or not (self._used_addresses or self._used_by):
            return
        addresses, customers = list(self._used_addresses), list(self._used_by.values())
        self.screening_store.record_usage(addresses, customers)
        self._used_addresses.clear()
        self._used_by.clear()

    @property
    def graph(self) -> EntityGraph | None:
        """The entity graph the catalog keeps up to date (network analysis), if it has one."""
        return self.catalog.graph

    def commit(self) -> None:
        """Make every decision recorded so far durable (the journal's group commit).

        On ``StorageError`` the engine rebuilds feature state from the journal before its next
        decision, so the state never counts an event that was not stored.
        """
        try:
            self.journal.flush()
        except Exception:  # whatever failed, the state may count events the journal does not hold
            self._stale = True
            raise
        self._write_usage()

    def close(self) -> None:
        """Commit what is pending and close the journal."""
        try:
            self.commit()
        finally:
            if self.scorer is not None:
                self.scorer.close()
            self.journal.close()

    @property
    def known_events(self) -> int | None:
        """How many event ids the engine knows: the journal's events once its state is built (None
        before). Free to read, where counting the journal's rows takes a scan."""
        return len(self._known) if self._known is not None else None

    @property
    def stale(self) -> bool:
        """True after a failed write, until the state is rebuilt from the journal."""
        return self._stale

    def forget(self) -> None:
        """Start from nothing, whatever the journal holds: a partitioned worker without a snapshot,
        which reads its log from the start instead of the journal."""
        self.catalog.reset()
        self._known = KnownIds()
        self.sequence = 0
        self._flags = []
        self._flag_seqs = set()
        self._freezes = {}
        self._stale = False

    def rebuild(self) -> int:
        """Rebuild feature state from the journal's records (start-up, or after a failed write); how many."""
        return self.replay_all().records

    def replay_all(self) -> Replayed:
        """``rebuild``, saying where the journal ended."""
        self.catalog.reset()
        self._known = KnownIds()
        self.sequence = 0
        self._flags = []
        self._flag_seqs = set()
        replayed = self.replay(0)
        self._stale = False
        return replayed

    def replay(self, after: int) -> Replayed:
        """Observe the journal's records after position ``after`` (all of them from 0; after a snapshot,
        its tail): features, the graph and the flags its decisions set, the known event ids."""
        known = self._known
        if known is None:
            raise RuntimeError("replay() needs a state to add to: rebuild() or restore() first")
        catalog = self.catalog
        flags = catalog.graph is not None  # the graph features need the flags the decisions set
        n, last, event_id = 0, after, ""
        for position, event, decision in self.journal.tail(after, trace=False):  # outcomes only
            seq = self._advance(None, None)
            catalog.observe(context_of(event))
            known.add(id_digest(event.event_id))
            if flags and decision.outcome >= Outcome.HOLD:
                self.note_flag(seq, event.account_id, event.ts_us)
            last, event_id = position, event.event_id
            n += 1
        return Replayed(n, last, event_id)

    def state(self) -> EngineState:
        """The state to snapshot (live objects: pickle them before the next decision). Raises
        ``RuntimeError`` when the state is not the journal's (not rebuilt yet, or a write failed)."""
        if self._known is None or self._stale:
            raise RuntimeError(
                "the engine's state is not its journal's (not rebuilt yet, or a write failed): no snapshot"
            )
        return EngineState(self.catalog.state(), self._known, self.sequence, self._flags, self._freezes)

    def restore(self, state: EngineState) -> None:
        """Take over a snapshot's state (then ``replay`` the journal after the snapshot's position).
        Raises ``ValueError``, changing nothing, when it does not fit this engine's catalog."""
        self.catalog.restore(state.catalog)
        self._known = state.known
        self.sequence = state.sequence
        self._flags = state.flags
        self._flag_seqs = {seq for seq, _, _ in state.flags}
        self._freezes = state.freezes
        self._stale = False
