"""Requests from authorities (law enforcement): the vocabulary of the liaison desk.

A request's history is a sequence of ``LerEvent`` (numbered from 1, never changed, never removed), as a
desk case's is; what a request *is* now (verified or not, its clocks, the accounts in scope, its freeze
orders, what was disclosed) is a fold over that history (``vigil.ler.fold``). Contact details and
document numbers are kept only as the hashes the engine's events carry (``vigil.ler.subjects``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

Json = str | int | bool | None | list["Json"] | dict[str, "Json"]
LerData = dict[str, Json]  # a history entry's details: JSON


class RequestKind(StrEnum):
    INFORMATION = "information"  # disclose data
    PRESERVATION = "preservation"  # keep data, disclose nothing yet
    FREEZE = "freeze"  # freeze an account or an amount of an asset
    UNFREEZE = "unfreeze"  # release what an earlier freeze order froze
    EMERGENCY = "emergency_disclosure"  # danger to life: triaged within the hour, a supervisor verifies


class LegalBasis(StrEnum):
    """What the authority relies on; it bounds the kinds of data that may be disclosed (``ler.legal``)."""

    SUBPOENA = "subpoena"
    COURT_ORDER = "court_order"
    SEARCH_WARRANT = "search_warrant"
    MLAT = "mlat"  # a mutual legal assistance request between states
    FREEZE_ORDER = "freeze_order"
    PRESERVATION_LETTER = "preservation_letter"
    EMERGENCY = "emergency"  # an emergency disclosure request (imminent danger)


class DataKind(StrEnum):
    """What a disclosure package may hold."""

    KYC = "kyc"  # identity submissions and their results
    EVENTS = "events"  # the account's events in the period
    DECISIONS = "decisions"  # Vigil's decisions on those events, with reasons
    ADDRESSES = "addresses"  # crypto addresses used in the period
    LINKED = "linked_accounts"  # accounts a person confirmed as linked, and what links them


class SubjectKind(StrEnum):
    ACCOUNT = "account"
    EMAIL = "email"  # kept as its hash
    PHONE = "phone"  # kept as its hash
    DOCUMENT = "document"  # a document number, kept as its hash
    NAME = "name"
    ADDRESS = "address"  # a crypto address on a chain (canonical key)
    TX = "tx"  # a transaction hash


class LerState(StrEnum):
    RECEIVED = "received"  # logged, not verified: nothing leaves, nothing is frozen
    VERIFIED = "verified"
    REFUSED = "refused"  # the requester could not be verified, or the request is not honoured
    CLOSED = "closed"


class VerificationMethod(StrEnum):
    CALLBACK = "callback"  # a call to the number the agency directory gives (never one the request gives)
    EMAIL_REPLY = "email_reply"  # a reply sent to the official address, answered from it
    PORTAL = "portal"  # received through the agency's authenticated portal


class Step(StrEnum):
    """What a history entry records."""

    RECEIVED = "received"
    VERIFICATION = "verification"  # a step a person took to check the requester (call-back...)
    VERIFIED = "verified"
    REFUSED = "refused"
    ACKNOWLEDGED = "acknowledged"
    ATTACHED = "attached"
    RESOLVED = "resolved"  # subjects resolved to accounts; linked accounts offered
    ACCOUNT_ADDED = "account_added"  # a person confirmed an offered account into scope
    FREEZE_REQUESTED = "freeze_requested"
    FREEZE_RENEWED = "freeze_renewed"
    LAPSE_NOTICE = "lapse_notice"
    FREEZE_LAPSED = "freeze_lapsed"
    UNFREEZE_REQUESTED = "unfreeze_requested"
    DISCLOSED = "disclosed"
    BREACHED = "breached"  # a clock ran out
    NOTE = "note"
    CLOSED = "closed"


SYSTEM_ACTOR = "vigil"


@dataclass(frozen=True, slots=True)
class LerEvent:
    """One entry of a request's history; ``system`` marks the desk's own steps (clocks, lapses)."""

    request_id: str
    seq: int
    at_us: int
    actor: str
    kind: Step
    data: LerData = field(default_factory=dict)
    system: bool = False

    def __post_init__(self) -> None:
        if not self.request_id or not self.actor:
            raise ValueError("a request entry needs a request id and an actor")
        if self.seq < 1:
            raise ValueError(f"request entry seq must be >= 1, got {self.seq}")


@dataclass(frozen=True, slots=True)
class Subject:
    """Who or what the request is about. ``value`` is the hash for e-mails, phones and documents, the
    canonical key (``FAMILY:canonical``) for addresses, as given otherwise."""

    kind: SubjectKind
    value: str
    chain: str = ""  # addresses and transactions

    def label(self) -> str:
        return f"{self.kind.value}:{self.chain + ':' if self.chain else ''}{self.value}"


@dataclass(frozen=True, slots=True)
class Attachment:
    sha256: str
    name: str
    size: int
    media_type: str


@dataclass(frozen=True, slots=True)
class Verification:
    method: VerificationMethod
    actor: str
    at_us: int
    confirmed: bool  # the agency confirmed the request (False: it denied or could not be reached)
    contact: str  # the number called or the address written to
    note: str


@dataclass(frozen=True, slots=True)
class Match:
    """An account a subject resolved to, and how."""

    account_id: str
    subject: str  # the subject's label
    how: str  # "account id", "e-mail hash", "address", "name 93.1"...


@dataclass(frozen=True, slots=True)
class FreezeOrder:
    """A freeze the request ordered, carried out by the desk (``case_id``/``action_id``)."""

    account_id: str
    case_id: str
    action_id: str
    asset: str
    amount: int
    until_us: int  # the order's end (or the default period's): it lapses then unless renewed
    requested_by: str
    requested_us: int
    lapse_noticed: bool = False
    lapsed: bool = False
    released: bool = False  # an unfreeze was requested for it


@dataclass(frozen=True, slots=True)
class Disclosure:
    at_us: int
    actor: str
    sha256: str  # of the archive
    accounts: tuple[str, ...]
    kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LerRequest:
    """What a request is now: the fold of its history."""

    request_id: str
    received_us: int
    agency_id: str
    agency: str
    officer: str
    officer_email: str
    officer_phone: str
    jurisdiction: str
    legal_basis: LegalBasis
    legal_reference: str
    kind: RequestKind
    subjects: tuple[Subject, ...]
    data_kinds: tuple[DataKind, ...]
    period_from_us: int
    period_until_us: int
    deadline_us: int | None
    nondisclosure: bool
    nondisclosure_until_us: int | None  # None with ``nondisclosure``: until lifted
    domain_flags: tuple[str, ...]  # reason codes of the requester's e-mail domain (empty: official)
    state: LerState
    verifications: tuple[Verification, ...]
    verified_by: str
    verified_us: int | None
    acknowledged_us: int | None
    ack_due_us: int
    triage_due_us: int | None  # emergencies: verified or refused within the hour
    breaches: tuple[str, ...]
    attachments: tuple[Attachment, ...]
    matches: tuple[Match, ...]  # accounts in scope
    offered: tuple[Match, ...]  # linked or name-matched accounts offered for review (not in scope)
    unmatched: tuple[str, ...]  # subjects that resolved to nothing
    freezes: tuple[FreezeOrder, ...]
    releases: tuple[str, ...]  # desk freeze actions this (unfreeze) request asked to release
    disclosures: tuple[Disclosure, ...]
    closed_reason: str
    version: int
    nonces: frozenset[str]

    @property
    def accounts(self) -> tuple[str, ...]:
        """The accounts in scope, in the order they came into it."""
        return tuple(dict.fromkeys(m.account_id for m in self.matches))

    @property
    def emergency(self) -> bool:
        return self.kind is RequestKind.EMERGENCY

    @property
    def answered(self) -> bool:
        """Whether what the request asks for was done (its deadline no longer runs)."""
        if self.kind in (RequestKind.INFORMATION, RequestKind.EMERGENCY):
            return bool(self.disclosures)
        if self.kind is RequestKind.FREEZE:
            return bool(self.freezes)
        if self.kind is RequestKind.UNFREEZE:
            return bool(self.releases)
        return self.acknowledged_us is not None

    @property
    def open(self) -> bool:
        return self.state in (LerState.RECEIVED, LerState.VERIFIED)

    def nondisclosure_at(self, now_us: int) -> bool:
        """Whether a non-disclosure order is in force at ``now_us``."""
        return self.nondisclosure and (
            self.nondisclosure_until_us is None or now_us < self.nondisclosure_until_us
        )
