"""Ports: every kind of I/O the services use, as Protocols. Each has a memory adapter and a real one.

A backend is done when it passes the contract suite for its port (``tests/contracts``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Literal, Protocol

from vigil.chain.source import ChainSource as ChainSource  # issue 21; defined in its room
from vigil.model import Decision, Event, NetworkOrigin
from vigil.model.access import ApiKey, Session, User
from vigil.model.audit import AuditRecord
from vigil.model.cases import CaseEvent
from vigil.model.claims import ClaimEvent, UncreditedDeposit
from vigil.model.learning import Label, ModelVersion, Promotion
from vigil.model.ler import LerEvent
from vigil.model.notify import Notice
from vigil.rules import Source
from vigil.screening.entries import AddressEntry, NameEntry
from vigil.screening.names import Customer
from vigil.screening.records import Clearance, ScreeningAlert
from vigil.screening.snapshot import SnapshotInfo

ListKind = Literal["address", "name"]
AnyEntry = AddressEntry | NameEntry


class EventStore(Protocol):
    """Events in arrival order.

    Contract: ``events()`` yields every recorded event once, in the order recorded; ``decided()`` the
    same, each with its decision (``decided(start)`` skips the first ``start`` records); an ``event_id``
    is recorded at most once; ``count()`` is the number of events recorded.

    Every record has a *position*: an integer, positive, increasing in the order recorded, never
    reused, not necessarily consecutive (PostgreSQL's sequence skips the numbers of a failed batch).
    ``position()`` is the last record's (0 when there is none); ``tail(after)`` yields
    ``(position, event, decision)`` for every record after position ``after``, in order, reading only
    those (an index range, not a scan of what comes before), so that a snapshot of the engine's state
    plus the journal's tail rebuilds it (docs/operations.md, "Snapshots"); with ``trace=False`` the
    decisions come without their rule trace (``trace=()``), several times cheaper to read. Both see
    every record ``record`` accepted, flushed or not. One writer per journal: with several, a record
    could get a lower position than one already read.
    """

    def events(self) -> Iterator[Event]: ...

    def decided(self, start: int = 0) -> Iterator[tuple[Event, Decision]]: ...

    def tail(self, after: int = 0, *, trace: bool = True) -> Iterator[tuple[int, Event, Decision]]: ...

    def position(self) -> int: ...

    def count(self) -> int: ...


class DecisionStore(Protocol):
    """Decisions by event id and by account.

    Contract: ``get`` returns the decision recorded for an event id, equal field for field to the
    one recorded, or None; ``for_account`` returns an account's decisions newest first;
    ``account_history`` the same with each decision's event (an analyst's timeline); with
    ``trace=False`` the decisions come without their rule trace (``trace=()``), which is cheaper to read.
    """

    def get(self, event_id: str) -> Decision | None: ...

    def for_account(self, account_id: str, limit: int = 50) -> list[Decision]: ...

    def account_history(
        self, account_id: str, limit: int = 50, *, trace: bool = True
    ) -> list[tuple[Event, Decision]]: ...


class Journal(EventStore, DecisionStore, Protocol):
    """Events and their decisions, recorded together.

    Contract: ``record`` stores the event and its decision atomically: after it returns (and,
    for buffering adapters, after ``flush``), both are durable, or neither is. Recording an
    ``event_id`` that is already stored raises ``StorageError`` and changes nothing. ``get``
    sees recorded decisions at once, flushed or not. ``close`` flushes.
    """

    def record(self, event: Event, decision: Decision) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class SnapshotStore(Protocol):
    """Snapshots of the engine's state: files only Vigil writes and reads (docs/operations.md, "Snapshots").

    Contract: ``save(write)`` calls ``write(out)`` with a new, empty, seekable binary file open for
    writing; when ``save`` returns, the snapshot is durable, listed whole under the name it returns,
    and only the newest ``keep`` snapshots remain. If ``write`` raises, nothing is listed and the
    exception propagates. A reader never sees part of a snapshot: ``names()`` lists complete ones,
    newest first. ``open(name)`` returns a snapshot to read (the caller closes it), or raises
    ``StorageError`` when it is gone or cannot be read. ``where`` names the place, for log lines.
    """

    @property
    def where(self) -> str: ...

    def save(self, write: Callable[[BinaryIO], None]) -> str: ...

    def names(self) -> list[str]: ...

    def open(self, name: str) -> BinaryIO: ...


class GeoIp(Protocol):
    """Network origin of an IP address from a database the exchange provides.

    Contract: ``lookup`` returns the origin (country, Tor/VPN/hosting flags) or None when the
    address is not in the database; it never raises for a well-formed address.
    """

    def lookup(self, ip: str) -> NetworkOrigin | None: ...


class RuleSourceReader(Protocol):
    """Where rule files come from (a directory, the built-in packs).

    Contract: ``read`` returns every rule file (name and text), ready for ``load_rules``;
    ``fingerprint`` changes whenever any file changes, so a caller can reload only then.
    """

    def read(self) -> list[Source]: ...

    def fingerprint(self) -> str: ...


class ListStore(Protocol):
    """Screening list snapshots, append-only: every import is kept with where and when it came from.

    Contract: ``save`` appends a snapshot of one source and returns its info with ``version`` one
    more than the source's latest (1 for the first); earlier snapshots are never changed.
    ``snapshots`` lists infos oldest first (one source, or all); ``latest`` is the newest of a source
    or None. ``address_entries``/``name_entries`` return a snapshot's entries equal field for field to
    those saved (latest when ``version`` is None; () when the source has no snapshot) and raise
    ``StorageError`` for an unknown version or a source of the other kind.
    """

    def save(
        self,
        source: str,
        kind: ListKind,
        origin: str,
        imported_at: datetime,
        entries: Sequence[AnyEntry],
        errors: int = 0,
        list_date: str = "",
    ) -> SnapshotInfo: ...

    def snapshots(self, source: str | None = None) -> list[SnapshotInfo]: ...

    def latest(self, source: str) -> SnapshotInfo | None: ...

    def address_entries(self, source: str, version: int | None = None) -> tuple[AddressEntry, ...]: ...

    def name_entries(self, source: str, version: int | None = None) -> tuple[NameEntry, ...]: ...

    def close(self) -> None: ...


class ListFiles(Protocol):
    """Where list files come from (a directory or a single file on disk).

    Contract: ``read(path, patterns)`` returns ``{relative path: text}`` for every file under
    ``path`` matching one of the glob patterns (for a single file: itself, when its name matches),
    sorted by name. It raises ``InvalidListFile`` naming the path when it does not exist, when no
    file matches, or when a file is not UTF-8 text. ``list_date`` returns the list's own date when a
    ``SOURCE.txt`` beside the files gives one, else "".
    """

    def read(self, path: str, patterns: tuple[str, ...]) -> dict[str, str]: ...

    def list_date(self, path: str) -> str: ...


class ScreeningStore(Protocol):
    """What screening remembers between events: customers, the addresses accounts used, clearances, alerts.

    Contract: ``put_customer`` keeps the latest profile per customer id; ``customers`` yields each once.
    ``note_address`` records that an account used an address key (idempotent); ``record_usage`` does
    both for many, in one transaction (addresses as (account id, key) pairs; customers in order, the
    last profile of an id winning);
    ``accounts_for_address`` returns those accounts sorted. ``clear`` appends; ``is_cleared`` is true
    only for a clearance of that customer, entry id *and* entry digest. ``add_alert`` appends and
    returns True, or returns False and changes nothing when an alert with the same ``key`` exists;
    ``alerts`` lists them oldest first.
    """

    def put_customer(self, customer: Customer) -> None: ...

    def customers(self) -> Iterator[Customer]: ...

    def note_address(self, account_id: str, key: str) -> None: ...

    def record_usage(self, addresses: Sequence[tuple[str, str]], customers: Sequence[Customer]) -> None: ...

    def accounts_for_address(self, key: str) -> list[str]: ...

    def clear(self, clearance: Clearance) -> None: ...

    def clearances(self, customer_id: str | None = None) -> list[Clearance]: ...

    def is_cleared(self, customer_id: str, entry_id: str, entry_digest: str) -> bool: ...

    def add_alert(self, alert: ScreeningAlert) -> bool: ...

    def alerts(self, customer_id: str | None = None) -> list[ScreeningAlert]: ...

    def close(self) -> None: ...


class AccessStore(Protocol):
    """API keys, people and their sessions (secrets only as digests or password hashes).

    Contract: ``add_key``/``add_user``/``add_session`` store a new record; one whose id (key id,
    username, token hash) exists raises ``StorageError`` and changes nothing. ``key``/``user``/``session``
    return the stored record, equal field for field, or None. ``keys``/``users`` list every record,
    oldest first, revoked and disabled ones included. ``replace_key``/``replace_user``/``replace_session``
    store a new version of an existing record (revocation, a new password, other roles) and return
    False, changing nothing, when no record has its id. ``close`` releases the store's connection.
    """

    def add_key(self, key: ApiKey) -> None: ...

    def key(self, key_id: str) -> ApiKey | None: ...

    def keys(self) -> list[ApiKey]: ...

    def replace_key(self, key: ApiKey) -> bool: ...

    def add_user(self, user: User) -> None: ...

    def user(self, username: str) -> User | None: ...

    def users(self) -> list[User]: ...

    def replace_user(self, user: User) -> bool: ...

    def add_session(self, session: Session) -> None: ...

    def session(self, token_hash: str) -> Session | None: ...

    def replace_session(self, session: Session) -> bool: ...

    def close(self) -> None: ...


class CaseStore(Protocol):
    """Case histories of the security desk: entries appended, never changed or removed.

    ``append`` stores a batch atomically (all or nothing) and refuses with ``Conflict`` an entry whose
    ``seq`` is not the next of its case (1 for a new case): two writers working from the same version
    cannot both win. ``history`` is one case's entries in seq order (empty for an unknown case);
    ``all_events`` every entry, grouped by case in opening order, each case in seq order (to rebuild
    the desk's index); ``cases`` the number of cases. ``cursor``/``set_cursor`` keep the journal
    position (``EventStore.position``) up to which the desk has turned records into alerts
    (``set_cursor`` in the same transaction as ``append`` when both are given to ``append``).
    """

    def append(self, events: Sequence[CaseEvent], cursor: int | None = None) -> None: ...

    def history(self, case_id: str) -> list[CaseEvent]: ...

    def all_events(self) -> Iterator[CaseEvent]: ...

    def cases(self) -> int: ...

    def cursor(self) -> int: ...

    def set_cursor(self, cursor: int) -> None: ...

    def close(self) -> None: ...


class LerStore(Protocol):
    """Histories of requests from authorities, and their attachments: appended, never changed or removed.

    ``append`` stores a batch atomically (all or nothing) and refuses with ``Conflict`` an entry whose
    ``seq`` is not the next of its request (1 for a new request). ``history`` is one request's entries
    in seq order (empty for an unknown request); ``all_events`` every entry, grouped by request in the
    order requests were received, each in seq order; ``requests`` the number of requests.
    ``put_attachment`` stores a file under its SHA-256 (lower-case hex of ``content``: anything else is
    ``InvalidInput``), idempotently: the same content again changes nothing; ``attachment`` returns it,
    or None.
    """

    def append(self, events: Sequence[LerEvent]) -> None: ...

    def history(self, request_id: str) -> list[LerEvent]: ...

    def all_events(self) -> Iterator[LerEvent]: ...

    def requests(self) -> int: ...

    def put_attachment(self, sha256: str, content: bytes) -> None: ...

    def attachment(self, sha256: str) -> bytes | None: ...

    def close(self) -> None: ...


class ClaimStore(Protocol):
    """Recovery of funds sent by mistake: the crypto deposits claims may name, and claim histories.

    Deposits: ``add_deposits`` stores the deposits given (credited ones too, ``reason`` None, so that a
    claim on one is refused), ignoring an ``event_id`` already held, and returns how many it added;
    with ``cursor`` it also sets the journal position up to which deposits were read, in the same
    transaction. ``deposits(tx_hash)`` is every deposit of that canonical hash, on any chain, in the
    order added; ``uncredited`` the deposits with a reason, oldest first, ``limit`` from ``offset``.
    ``cursor`` is the position set last (0 at first).

    Claims: entries appended, never changed or removed. ``append`` stores a batch atomically and
    refuses with ``Conflict`` an entry whose ``seq`` is not the next of its claim (1 for a new claim):
    two writers working from the same version cannot both win. ``history`` is one claim's entries in
    seq order (empty for an unknown claim); ``all_events`` every entry, grouped by claim in filing
    order, each in seq order; ``claims`` the number of claims.
    """

    def add_deposits(self, deposits: Sequence[UncreditedDeposit], cursor: int | None = None) -> int: ...

    def deposits(self, tx_hash: str) -> list[UncreditedDeposit]: ...

    def uncredited(self, limit: int = 100, offset: int = 0) -> list[UncreditedDeposit]: ...

    def cursor(self) -> int: ...

    def append(self, events: Sequence[ClaimEvent]) -> None: ...

    def history(self, claim_id: str) -> list[ClaimEvent]: ...

    def all_events(self) -> Iterator[ClaimEvent]: ...

    def claims(self) -> int: ...

    def close(self) -> None: ...


class LabelStore(Protocol):
    """Labels on events, append-only: the simulator fills it now, case dispositions later.

    Contract: ``add`` appends every label given, in order, and returns how many (the same label twice
    is kept twice: it is history); ``labels`` returns them in the order added, from ``since_us`` (their
    ``at_us``) on; ``current`` maps each labelled event id to its latest label (the last added wins);
    ``count`` is the number of labels held, repeats included.
    """

    def add(self, labels: Sequence[Label]) -> int: ...

    def labels(self, since_us: int | None = None) -> list[Label]: ...

    def current(self) -> dict[str, Label]: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


class ModelRegistry(Protocol):
    """Every trained model version, and which one serves each region.

    Contract: ``add`` refuses a model id it holds (``Conflict``), and keeps the version unchanged;
    ``versions`` lists them in the order added (of exactly one region when given); ``promote``
    refuses an unknown model (``NotFound``) or one trained for another region (``InvalidInput``; a
    GLOBAL model may serve any region) and appends to the history; ``serving`` is the last recorded
    promotion's model per region; ``promotions`` is the history, in the order recorded.
    """

    def add(self, version: ModelVersion) -> None: ...

    def get(self, model_id: str) -> ModelVersion | None: ...

    def versions(self, region: str | None = None) -> list[ModelVersion]: ...

    def promote(self, promotion: Promotion) -> None: ...

    def serving(self) -> dict[str, str]: ...

    def promotions(self, region: str | None = None) -> list[Promotion]: ...

    def close(self) -> None: ...


class Atomic(Protocol):
    """One transaction over the stores of one database (cases, the audit log, access, clearances).

    Contract: every write made through those stores inside ``with atomic.atomic():`` is committed at
    the end, or none of it is when the body raises (the exception propagates); a use inside another
    joins it. This is what keeps a change and its audit record together: a failure between them keeps
    neither. The memory database has no transactions (``NoTransaction``): its writes cannot fail half
    way on I/O, and nothing of it survives the process anyway.
    """

    def atomic(self) -> AbstractContextManager[None]: ...


class AuditLog(Protocol):
    """The audit log: records appended in seq order, never changed or removed (docs/audit.md).

    Contract: ``append`` stores a record that extends the chain, and refuses (``Conflict``, storing
    nothing) one whose seq is not the last seq + 1 (1 for an empty log) or whose prev_hash is not the
    last record's hash (``GENESIS`` for an empty log): the log stays a chain. It does not recompute
    hashes: ``vigil.audit.chain.verify`` does. ``last`` is the record with the highest seq, or None;
    ``records`` yields the records with a seq above ``since_seq``, in seq order, of exactly that
    ``subject`` and ``actor`` when given, at most ``limit`` of them (the first ones; a negative limit
    is ``InvalidInput``), lazily, so that a whole log can be read in constant memory; each is equal
    field for field to the one appended. ``count`` is the number of records held.
    """

    def append(self, record: AuditRecord) -> None: ...

    def last(self) -> AuditRecord | None: ...

    def records(
        self,
        since_seq: int = 0,
        subject: str | None = None,
        actor: str | None = None,
        limit: int | None = None,
    ) -> Iterator[AuditRecord]: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


class Notifier(Protocol):
    """A channel that tells people on call (a webhook, mail, later a paging tool).

    Contract: ``send(notice)`` delivers the notice once and returns, or raises ``NotifyError``
    naming the channel and why (status, reason, timeout); a delivery failure is never any other
    exception type, so a caller can record it and carry on. It never hangs: every network wait is
    bounded by the adapter's timeout. It does not retry (a retry could deliver twice); the caller
    decides. A receiver may still see a notice twice if its answer is lost, so it should
    de-duplicate on ``(kind, case_id, at_us)``.
    """

    def send(self, notice: Notice) -> None: ...


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One event in the partitioned log: its stream sequence (1, 2, 3...), partition, the event's JSON as
    received, and where its decision is awaited (None when nobody waits). With ``control``, not an event
    but a control record for the partition's worker (``workers/controls.py``: the desk's freezes)."""

    seq: int
    partition: int
    body: bytes
    reply: str | None
    control: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """What a worker answered: the decision's JSON (``codec.encode_decision``) and whether it was made
    now; or, for an event id the log already holds (``duplicate``), nothing: read it from the journal."""

    body: bytes
    made: bool
    duplicate: bool = False


class EventBus(Protocol):
    """The partitioned event log between ``vigil serve`` and the workers (NATS JetStream; docs/operations.md,
    "Workers"), with the workers' feed of decisions, their leases and the cluster's record.

    Contract: ``join(record)`` stores the cluster's record (catalog, rules, partitions, flag lag, workers:
    strings) and creates the log if absent, or returns the record already stored, unchanged (the caller
    compares); ``record()`` is the stored one or None. ``submit(partition, event_id, body, timeout)``
    appends the event (an event id already appended within the dedup window is not appended again: the
    answer says ``duplicate``) and waits at most ``timeout`` seconds for ``answer`` to be called for it:
    ``DecisionTimeout`` then, ``BusUnavailable`` when the log cannot be reached (nothing appended). Every
    wait is bounded. ``read(after)`` yields, in sequence order, batches of the records after sequence
    ``after``, waiting for new ones (an empty batch at least every ``idle`` seconds, so a reader can do
    its periodic work); ``last()`` is the last sequence (0 when empty). ``control(partition, key, body)``
    appends a control record to the partition (read back with ``control`` set; a key already appended
    within the dedup window is not appended again) and returns once the log holds it: nobody answers it;
    ``BusUnavailable`` when the log cannot be reached. ``note(body)`` appends to the
    workers' feed; ``notes(after)`` yields ``(position, body)`` after a position, in order, waiting, like
    ``read``. ``renew(ordinal, holder)`` holds ordinal's lease for the lease time; ``owners()`` maps the
    ordinals of the record's workers (0 to workers - 1) whose lease is held to their holder.
    ``close`` releases the connection.
    """

    async def join(self, record: dict[str, str]) -> dict[str, str]: ...

    async def record(self) -> dict[str, str] | None: ...

    async def submit(self, partition: int, event_id: str, body: bytes, timeout: float) -> Answer: ...

    def read(self, after: int, *, batch: int = 512, idle: float = 0.2) -> AsyncIterator[list[LogRecord]]: ...

    async def last(self) -> int: ...

    async def control(self, partition: int, key: str, body: bytes) -> None: ...

    async def answer(self, reply: str, body: bytes, made: bool) -> None: ...

    async def note(self, body: bytes) -> None: ...

    def notes(self, after: int, *, idle: float = 0.2) -> AsyncIterator[list[tuple[int, bytes]]]: ...

    async def renew(self, ordinal: int, holder: str) -> None: ...

    async def owners(self) -> dict[int, str]: ...

    async def close(self) -> None: ...
