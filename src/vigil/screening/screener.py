"""Screening an address or an event: parse, look up every list, apply the policy, explain.

``Screener`` is pure: the engine and ``vigil screen`` give it an index built from the latest
snapshots and a policy, and get back the outcome the policy forces and a reason per hit that
names the list, the entry and the category. An address that does not parse fails closed on the
engine's path (``screening.address_unverifiable``, held) and raises ``InvalidAddress`` on the
explicit path (the CLI and the API report it to the caller).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vigil.errors import InvalidAddress
from vigil.model import (
    AddressBookAction,
    AddressBookChanged,
    Chain,
    Deposit,
    Event,
    KycSubmitted,
    Outcome,
    Reason,
    ReasonCode,
    Withdrawal,
)
from vigil.screening.chains import Address, parse_address
from vigil.screening.entries import AddressEntry, Category, NameEntry
from vigil.screening.index import AddressIndex
from vigil.screening.names import Customer, NameIndex, NameMatch, NameQuery
from vigil.screening.policy import Direction, Policy

_CODES = {
    Category.SANCTIONED: ReasonCode.SCREEN_ADDRESS_SANCTIONED,
    Category.TERRORISM: ReasonCode.SCREEN_ADDRESS_SANCTIONED,
    Category.CSAM: ReasonCode.SCREEN_ADDRESS_SANCTIONED,
    Category.STOLEN: ReasonCode.SCREEN_ADDRESS_ILLICIT,
    Category.RANSOMWARE: ReasonCode.SCREEN_ADDRESS_ILLICIT,
    Category.DARKNET: ReasonCode.SCREEN_ADDRESS_ILLICIT,
    Category.EXTORTION: ReasonCode.SCREEN_ADDRESS_ILLICIT,
    Category.EXTREMISM: ReasonCode.SCREEN_ADDRESS_ILLICIT,
    Category.SCAM: ReasonCode.SCREEN_ADDRESS_SCAM,
    Category.PHISHING: ReasonCode.SCREEN_ADDRESS_SCAM,
    Category.MIXER: ReasonCode.SCREEN_ADDRESS_MIXER,
}
_MAX_REASONS = 5  # an address tagged by many packs: the five most severe explain it
SCAM_NOTICE = (
    "This address is reported as belonging to a scam. If someone you met online or an 'investment "
    "platform' asked you to send funds here, stop: it is very likely a fraud. Contact support."
)


def reason_code(category: Category) -> ReasonCode:
    return _CODES.get(category, ReasonCode.SCREEN_ADDRESS_ATTRIBUTED)


@dataclass(frozen=True, slots=True)
class AddressScreen:
    """The result of screening one address in one direction."""

    chain: Chain
    text: str
    direction: Direction
    address: Address | None  # None when it did not parse
    hits: tuple[AddressEntry, ...]
    outcome: Outcome
    reasons: tuple[Reason, ...]
    warn_user: bool = False
    error: str | None = None


@dataclass(frozen=True, slots=True)
class EventScreen:
    """What screening adds to one event's decision."""

    outcome: Outcome
    reasons: tuple[Reason, ...]
    notices: tuple[str, ...]
    address: Address | None  # the counterparty address screened, for the account-address index


NOTHING = EventScreen(Outcome.ALLOW, (), (), None)

Cleared = Callable[[str, str, str], bool]
"""(customer id, entry id, entry digest) -> a reviewed false positive: ``ScreeningStore.is_cleared``."""


@dataclass(frozen=True, slots=True)
class NameScreen:
    """The result of screening one name: matches at or above the review threshold, best first."""

    query: NameQuery
    matches: tuple[NameMatch, ...]
    cleared: tuple[NameMatch, ...]  # matches a reviewer cleared for this customer (entry unchanged)
    outcome: Outcome
    reasons: tuple[Reason, ...]


class Screener:
    def __init__(
        self,
        addresses: AddressIndex,
        policy: Policy,
        *,
        names: Iterable[NameEntry] = (),
        lists_version: str = "",
    ) -> None:
        self.addresses = addresses
        self.policy = policy
        self.name_entries = {e.entry_id: e for e in names}
        self._names: NameIndex | None = None
        self.lists_version = lists_version

    @property
    def names(self) -> NameIndex | None:
        """The name index, built on first use: seconds for the full lists, and addresses never need it."""
        if self._names is None and self.name_entries:
            self._names = NameIndex.build(self.name_entries.values())
        return self._names

    def screen_name(
        self,
        query: NameQuery,
        *,
        customer_id: str | None = None,
        cleared: Cleared | None = None,
        limit: int = 10,
    ) -> NameScreen:
        """Name matches at or above the policy's review score; the customer's cleared ones are kept apart
        and do not act."""
        if self.names is None:
            return NameScreen(query, (), (), Outcome.ALLOW, ())
        found = self.names.search(query, limit=limit, threshold=self.policy.names.review)
        active: list[NameMatch] = []
        done: list[NameMatch] = []
        for match in found:
            entry = self.name_entries[match.entry_id]
            is_cleared = (
                cleared is not None
                and customer_id is not None
                and cleared(customer_id, match.entry_id, entry.digest())
            )
            (done if is_cleared else active).append(match)
        outcome = max((self.policy.names.outcome(m.score) for m in active), default=Outcome.ALLOW)
        reasons = tuple(_name_reason(m, self.policy.names.outcome(m.score)) for m in active[:_MAX_REASONS])
        return NameScreen(query, tuple(active), tuple(done), outcome, reasons)

    def screen_address(self, chain: Chain, text: str, direction: Direction) -> AddressScreen:
        """Screen one address; raises ``InvalidAddress`` when it is not an address of ``chain``."""
        return self._screen(parse_address(chain, text), text, direction)

    def _screen(self, address: Address, text: str, direction: Direction) -> AddressScreen:
        hits = self.addresses.lookup(address.key)
        outcome = Outcome.ALLOW
        warn = False
        reasons: list[Reason] = []
        for entry in hits:
            effect = self.policy.effect(entry.category)
            acts = entry.confidence >= self.policy.min_confidence
            forced = effect.outcome(direction) if acts else Outcome.ALLOW
            outcome = max(outcome, forced)
            warn = warn or (acts and effect.warn_user and direction is not Direction.DEPOSIT)
            if len(reasons) < _MAX_REASONS:
                reasons.append(_reason(entry, address, direction, forced, acts))
        reasons.sort(key=lambda r: r.severity, reverse=True)
        return AddressScreen(address.chain, text, direction, address, hits, outcome, tuple(reasons), warn)

    def screen_event(self, event: Event, *, cleared: Cleared | None = None) -> EventScreen:
        """Screening for the engine: the counterparty address of a transfer or an address-book entry,
        and the customer's name on a KYC submission (``cleared`` filters reviewed false positives)."""
        if isinstance(event, KycSubmitted):
            if event.full_name is None or self.names is None:
                return NOTHING
            query = NameQuery(
                event.full_name,
                birth_date=event.birth_date.isoformat() if event.birth_date is not None else None,
                countries=tuple(c for c in (event.nationality, event.document_country) if c is not None),
                kind=None,
            )
            name = self.screen_name(query, customer_id=event.account_id, cleared=cleared)
            return EventScreen(name.outcome, name.reasons, (), None)
        target = _target(event)
        if target is None:
            return NOTHING
        chain, text, direction = target
        try:
            address = parse_address(chain, text)
        except InvalidAddress as exc:
            reason = Reason(
                code=ReasonCode.SCREEN_ADDRESS_UNVERIFIABLE,
                rule_id="screening",
                score=0.0,
                detail=f"{direction.value} address cannot be screened: {exc}",
                outcome=Outcome.HOLD,
            )
            return EventScreen(Outcome.HOLD, (reason,), (), None)
        screen = self._screen(address, text, direction)
        notices = (SCAM_NOTICE,) if screen.warn_user else ()
        return EventScreen(screen.outcome, screen.reasons, notices, address)


def _target(event: Event) -> tuple[Chain, str, Direction] | None:
    if isinstance(event, Withdrawal):
        if event.chain is not None and event.destination_address is not None:
            return event.chain, event.destination_address, Direction.WITHDRAWAL
    elif isinstance(event, Deposit):
        if event.chain is not None and event.source_address is not None:
            return event.chain, event.source_address, Direction.DEPOSIT
    elif isinstance(event, AddressBookChanged) and event.action is AddressBookAction.ADD:
        return event.chain, event.address, Direction.ADDRESS_BOOK
    return None


def _reason(
    entry: AddressEntry, address: Address, direction: Direction, forced: Outcome, acts: bool
) -> Reason:
    who = f"{entry.label}" + (f" (actor {entry.actor})" if entry.actor and entry.actor != entry.label else "")
    note = "" if acts else f"; confidence {entry.confidence} is below the policy's minimum, information only"
    return Reason(
        code=reason_code(entry.category),
        rule_id=f"screening:{entry.source}",
        score=0.0,
        detail=(
            f"{direction.value} address {address.canonical} is listed by {entry.source} entry "
            f"{entry.entry_id}: {who}, category {entry.category.value}{note}"
        ),
        outcome=forced if forced > Outcome.ALLOW else None,
    )


def _name_reason(match: NameMatch, outcome: Outcome) -> Reason:
    return Reason(
        code=ReasonCode.SCREEN_NAME_MATCH,
        rule_id=f"screening:{match.entry_id.split(':', 1)[0]}",
        score=0.0,
        detail=f"name matches {match.entry_id} '{match.matched_name}' (score {match.score:.0f}): "
        + "; ".join(match.explanation),
        outcome=outcome if outcome > Outcome.ALLOW else None,
    )


def customer_of(event: Event) -> Customer | None:
    """The customer profile name screening keeps, from a KYC submission that gives a name."""
    if not isinstance(event, KycSubmitted) or event.full_name is None:
        return None
    return Customer(
        customer_id=event.account_id,
        name=event.full_name,
        birth_date=event.birth_date.isoformat() if event.birth_date is not None else None,
        country=event.nationality or event.document_country,
    )
