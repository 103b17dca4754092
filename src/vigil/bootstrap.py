"""The one place that reads settings and wires adapters into services."""

from __future__ import annotations

import functools
import gc
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from vigil.access import Access
from vigil.access.passwords import PasswordPool
from vigil.access.throttle import LoginLimits
from vigil.adapters.geoip_mmdb import MmdbGeoIp
from vigil.adapters.memory import MemoryJournal
from vigil.adapters.memory_access import MemoryAccessStore
from vigil.adapters.memory_atomic import NoTransaction
from vigil.adapters.memory_audit import MemoryAuditLog
from vigil.adapters.memory_cases import MemoryCaseStore
from vigil.adapters.memory_claims import MemoryClaimStore
from vigil.adapters.memory_learning import MemoryLabelStore, MemoryModelRegistry
from vigil.adapters.memory_ler import MemoryLerStore
from vigil.adapters.memory_screening import MemoryListStore, MemoryScreeningStore
from vigil.adapters.notify_email import EmailNotifier
from vigil.adapters.notify_fanout import FanoutNotifier
from vigil.adapters.notify_memory import MemoryNotifier
from vigil.adapters.notify_webhook import WebhookNotifier
from vigil.adapters.rule_files import BuiltinRules, DirectoryRules
from vigil.adapters.snapshot_files import DirectorySnapshots
from vigil.adapters.sqlite import SqliteJournal
from vigil.adapters.sqlite_access import SqliteAccessStore
from vigil.adapters.sqlite_audit import SqliteAuditLog
from vigil.adapters.sqlite_cases import SqliteCaseStore
from vigil.adapters.sqlite_claims import SqliteClaimStore
from vigil.adapters.sqlite_learning import SqliteLabelStore, SqliteModelRegistry
from vigil.adapters.sqlite_ler import SqliteLerStore
from vigil.adapters.sqlite_open import SqliteAtomic
from vigil.adapters.sqlite_open import connect as sqlite_connect
from vigil.adapters.sqlite_screening import SqliteListStore, SqliteScreeningStore
from vigil.audit import AuditTrail
from vigil.codec import Admission
from vigil.desk import Actions, Appeals, Desk, DeskPolicy, Feed, SecurityDesk
from vigil.desk.outbox import Outbox
from vigil.engine import Engine
from vigil.engine.snapshot import Resumed, Saved, resume, save
from vigil.engine.snapshotter import Snapshotter
from vigil.errors import ConfigError
from vigil.features import Catalog, default_catalog
from vigil.identity import DocumentPolicy
from vigil.identity import default_policy as default_document_policy
from vigil.identity import load_policy as load_document_policy
from vigil.learning.service import Learning
from vigil.ler import Disclosures, LerDesk, LerPolicy, LiaisonDesk, Orders, Signer, Sources, load_directory
from vigil.ml.artifact import load
from vigil.ml.dataset import columns, describer
from vigil.ml.scorer import Scorer
from vigil.model.notify import Notice
from vigil.ports import (
    AccessStore,
    Atomic,
    AuditLog,
    CaseStore,
    ClaimStore,
    EventBus,
    GeoIp,
    Journal,
    LabelStore,
    LerStore,
    ListStore,
    ModelRegistry,
    Notifier,
    RuleSourceReader,
    ScreeningStore,
    SnapshotStore,
)
from vigil.recovery import Recovery, RecoveryPolicy
from vigil.rules import RuleSet, load_rules
from vigil.screening.policy import Policy, default_policy, load_policy
from vigil.screening.screener import Screener
from vigil.settings import Settings
from vigil.watchlists import load_screener
from vigil.watchlists.clearances import Clearances
from vigil.workers import ControlSender, Submitter, Worker


def rule_source(settings: Settings) -> RuleSourceReader:
    return DirectoryRules(settings.rules_dir) if settings.rules_dir is not None else BuiltinRules()


def load_rule_set(source: RuleSourceReader) -> RuleSet:
    return load_rules(source.read(), default_catalog())


def _postgres(settings: Settings) -> Any:
    return _pg_engine(settings.db)


@functools.lru_cache(maxsize=8)
def _pg_engine(url: str) -> Any:
    """One SQLAlchemy engine (one connection pool) per PostgreSQL URL, shared by its stores.

    Imported here only: the SQLite default never loads SQLAlchemy.
    """
    from vigil.adapters import postgres

    return postgres.connect(url)


def journal(settings: Settings, *, serving: bool = False) -> Journal:
    """The journal; ``serving`` (vigil serve) checkpoints SQLite's WAL off the request path."""
    if settings.db == "memory":
        return MemoryJournal()
    if settings.is_postgres:
        from vigil.adapters.postgres import PostgresJournal

        return PostgresJournal(_postgres(settings), batch_size=settings.batch_size)
    path = Path(settings.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteJournal(
        path,
        batch_size=settings.batch_size,
        synchronous=settings.sqlite_synchronous,
        background_checkpoint=serving,
    )


def geoip(settings: Settings) -> GeoIp | None:
    if settings.geoip_country_db is None and settings.geoip_anonymous_db is None:
        return None
    return MmdbGeoIp(settings.geoip_country_db, settings.geoip_anonymous_db)


def _db_path(settings: Settings) -> Path:
    path = Path(settings.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def list_store(settings: Settings) -> ListStore:
    """Screening list snapshots, in the journal's database (memory for a memory journal)."""
    if settings.db == "memory":
        return MemoryListStore()
    if settings.is_postgres:
        from vigil.adapters.postgres import PostgresListStore

        return PostgresListStore(_postgres(settings))
    return SqliteListStore(_db_path(settings))


def screening_store(settings: Settings, shared: sqlite3.Connection | None = None) -> ScreeningStore:
    if settings.db == "memory":
        return MemoryScreeningStore()
    if settings.is_postgres:
        from vigil.adapters.postgres import PostgresScreeningStore

        return PostgresScreeningStore(_postgres(settings))
    return SqliteScreeningStore(shared if shared is not None else _db_path(settings))


def access_store(settings: Settings, shared: sqlite3.Connection | None = None) -> AccessStore:
    """API keys, people and sessions, in the journal's database."""
    if settings.db == "memory":
        return MemoryAccessStore()
    if settings.is_postgres:
        from vigil.adapters.postgres import PostgresAccessStore

        return PostgresAccessStore(_postgres(settings))
    return SqliteAccessStore(shared if shared is not None else _db_path(settings))


def label_store(settings: Settings) -> LabelStore:
    """Labels on events (the simulator's now, case dispositions later), in the journal's database."""
    if settings.db == "memory":
        return MemoryLabelStore()
    if settings.is_postgres:
        from vigil.adapters.postgres import PostgresLabelStore

        return PostgresLabelStore(_postgres(settings))
    return SqliteLabelStore(_db_path(settings))


def model_registry(settings: Settings) -> ModelRegistry:
    """Every trained model and which one serves each region, in the journal's database."""
    if settings.db == "memory":
        return MemoryModelRegistry()
    if settings.is_postgres:
        from vigil.adapters.postgres import PostgresModelRegistry

        return PostgresModelRegistry(_postgres(settings))
    return SqliteModelRegistry(_db_path(settings))


def audit_log(settings: Settings, shared: sqlite3.Connection | None = None) -> AuditLog:
    """The audit log (docs/audit.md), in the journal's database (memory for a memory journal)."""
    if settings.db == "memory":
        return MemoryAuditLog()
    if settings.is_postgres:
        from vigil.adapters.postgres import PostgresAuditLog

        return PostgresAuditLog(_postgres(settings))
    return SqliteAuditLog(shared if shared is not None else _db_path(settings))


def case_store(settings: Settings, shared: sqlite3.Connection | None = None) -> CaseStore:
    """The desk's case histories, in the journal's database."""
    if settings.db == "memory":
        return MemoryCaseStore()
    if settings.is_postgres:
        from vigil.adapters.postgres import PostgresCaseStore

        return PostgresCaseStore(_postgres(settings))
    return SqliteCaseStore(shared if shared is not None else _db_path(settings))


def ler_store(settings: Settings, shared: sqlite3.Connection | None = None) -> LerStore:
    """Requests from authorities and their attachments, in the journal's database."""
    if settings.db == "memory":
        return MemoryLerStore()
    if settings.is_postgres:
        from vigil.adapters.postgres import PostgresLerStore

        return PostgresLerStore(_postgres(settings))
    return SqliteLerStore(shared if shared is not None else _db_path(settings))


def liaison_desk(
    settings: Settings, opened: Stores, security: SecurityDesk, graph: Any = None
) -> LiaisonDesk:
    """The law-enforcement desk over one database's stores, beside the security desk whose actions carry
    out its freeze orders. ``graph`` returns the engine's entity graph (linked accounts offered)."""
    if opened.ler is None:
        raise ConfigError("the law-enforcement desk needs the database's request store (bootstrap.stores)")
    screening = opened.screening
    journal_ = opened.journal

    def region_of(account_id: str) -> str:
        latest = journal_.for_account(account_id, 1)
        return latest[0].region if latest else ""

    sources = Sources(
        journal=journal_,
        address_users=screening.accounts_for_address,
        graph=graph if graph is not None else (lambda: None),
        region_of=region_of,
    )
    signer = Signer.load(settings.ler_signing_key) if settings.ler_signing_key is not None else None
    policy = LerPolicy(
        freeze_days=settings.ler_freeze_days,
        lapse_notice_days=settings.ler_lapse_notice_days,
        exchange=settings.ler_exchange_name,
    )
    requests = LerDesk(
        opened.ler,
        security.audit,
        load_directory(settings.ler_agencies),
        security,
        sources=sources,
        signer=signer,
        policy=policy,
        atomic=opened.atomic,
    )
    return LiaisonDesk(requests, Orders(requests), Disclosures(requests))


def claim_store(settings: Settings, shared: sqlite3.Connection | None = None) -> ClaimStore:
    """Recovery claims and the deposits they name, in the journal's database."""
    if settings.db == "memory":
        return MemoryClaimStore()
    if settings.is_postgres:
        from vigil.adapters.postgres import PostgresClaimStore

        return PostgresClaimStore(_postgres(settings))
    return SqliteClaimStore(shared if shared is not None else _db_path(settings))


def recovery_policy(settings: Settings) -> RecoveryPolicy:
    return RecoveryPolicy(
        amount_tolerance=settings.recovery_amount_tolerance,
        history_hours=settings.recovery_history_hours,
        fee_share=settings.recovery_fee_share,
        fee_min=settings.recovery_fee_min,
        fee_max=settings.recovery_fee_max,
        four_eyes_value=settings.recovery_four_eyes_value,
    )


def recovery(
    settings: Settings,
    opened: Stores,
    screener_: Callable[[], Screener | None],
    audit: AuditTrail,
    notify: Callable[[Notice], None] | None = None,
) -> Recovery:
    """Recovery of funds sent by mistake over one database's stores: deposits read from its journal,
    claims in its claim store, each act audited in one transaction with its change; ``screener_`` gives
    the lists in force when a claim is screened; ``notify`` tells the desk of a listed source."""
    if opened.claims is None:
        raise ConfigError("recovery needs the database's claim store (bootstrap.stores)")
    return Recovery(
        opened.claims,
        audit,
        journal=opened.journal,
        atomic=opened.atomic,
        policy=recovery_policy(settings),
        screener=screener_,
        notify=notify,
    )


def together(settings: Settings) -> tuple[Atomic, sqlite3.Connection | None]:
    """One transaction over the stores of the database (``Atomic``), and on SQLite the connection that
    the case store, the audit log, the access store and the screening store share for it (the caller
    closes it)."""
    if settings.db == "memory":
        return NoTransaction(), None
    if settings.is_postgres:
        from vigil.adapters.postgres import PostgresAtomic

        return PostgresAtomic(_postgres(settings)), None
    path = _db_path(settings)
    shared = sqlite_connect(path)
    return SqliteAtomic(shared, str(path)), shared


def security_desk(
    settings: Settings,
    opened: Stores,
    notifier_: Notifier | None = None,
    *,
    background: bool = False,
    freezes: ControlSender | None = None,
) -> SecurityDesk:
    """The desk over one database's stores (which must hold cases, an audit log and labels).

    Notices go through an outbox with ``notify_tries`` attempts; with ``background`` (``vigil serve``)
    a worker thread delivers them, off the event loop; without, they are delivered where they are sent.
    With ``freezes`` (``vigil serve`` with workers), every change of an account's freeze is told to the
    workers through the event stream, and the state of every account the desk ever froze is told once now
    (what a previous server may not have told before it stopped).
    """
    if opened.cases is None or opened.audit is None:
        raise ConfigError(
            "the security desk needs the database's case store and audit log (bootstrap.stores)"
        )
    audit = AuditTrail(opened.audit)
    channels = notifier_ if notifier_ is not None else notifier(settings)
    outbox = Outbox(
        channels,
        capacity=settings.notify_queue,
        tries=settings.notify_tries,
        backoff_seconds=settings.notify_backoff_seconds,
    )
    if background:
        outbox.start()
    desk = Desk(
        opened.cases,
        audit,
        channels,
        atomic=opened.atomic,
        people=opened.access.user,
        labels=opened.labels,
        policy=DeskPolicy(four_eyes_value=settings.four_eyes_value),
        outbox=outbox,
        on_freeze=freezes.tell if freezes is not None else None,
    )
    if freezes is not None:
        for account_id, freeze, at_us in desk.freeze_states():
            freezes.tell(account_id, freeze, at_us)
    actions = Actions(desk, opened.journal)
    return SecurityDesk(desk, actions, Appeals(actions), audit, Feed(desk, opened.journal))


def scorer(registry: ModelRegistry, catalog: Catalog) -> Scorer | None:
    """The promoted models, ready to score (None when no region has one). A promoted model trained on
    another feature catalog stops the start with ``ArtifactMismatch``: retrain it, or demote it."""
    serving = registry.serving()
    if not serving:
        return None
    names = columns(catalog)
    loaded = {}
    for region, model_id in serving.items():
        version = registry.get(model_id)
        if version is None:
            raise ConfigError(
                f"region {region!r} is served by model {model_id!r}, which is not in the registry"
            )
        loaded[region] = load(version, catalog_hash=catalog.hash, columns=names)
    return Scorer(loaded, describer(catalog))


def learning(settings: Settings, journal_: Journal, labels: LabelStore, registry: ModelRegistry) -> Learning:
    """The learning loop over one database, replaying through the catalog the engine runs."""
    return Learning(
        journal_,
        labels,
        registry,
        lambda: default_catalog(graph=settings.graph, hub_limit=settings.graph_hub_limit),
    )


def notifier(settings: Settings) -> Notifier:
    """The notification channels configured (docs/notifications.md): a fan-out to the webhook and/or
    mail, each bounded by ``notify_timeout_seconds``.

    With neither configured, a ``MemoryNotifier`` (the last 1000 notices, in this process): notices
    then only show in the case history, where the desk records each one it sends. A half-configured
    channel (a secret without a URL, recipients without a relay, a relay without recipients) or a
    malformed URL or address is a ``ConfigError`` naming the setting, at start-up rather than at the
    first breach.
    """
    channels: list[Notifier] = []
    if settings.notify_webhook_url:
        channels.append(
            WebhookNotifier(
                settings.notify_webhook_url,
                timeout=settings.notify_timeout_seconds,
                secret=settings.notify_webhook_secret,
            )
        )
    elif settings.notify_webhook_secret:
        raise ConfigError("VIGIL_NOTIFY_WEBHOOK_SECRET is set without VIGIL_NOTIFY_WEBHOOK_URL")
    recipients = tuple(r.strip() for r in settings.notify_email_to.split(",") if r.strip())
    if settings.notify_smtp_host:
        if not recipients:
            raise ConfigError("VIGIL_NOTIFY_SMTP_HOST is set but VIGIL_NOTIFY_EMAIL_TO names no recipient")
        channels.append(
            EmailNotifier(
                settings.notify_smtp_host,
                settings.notify_smtp_port,
                settings.notify_email_from,
                recipients,
                timeout=settings.notify_timeout_seconds,
                starttls=settings.notify_smtp_starttls,
            )
        )
    elif recipients:
        raise ConfigError("VIGIL_NOTIFY_EMAIL_TO is set without VIGIL_NOTIFY_SMTP_HOST (the mail relay)")
    if not channels:
        return MemoryNotifier(keep=1000)
    return FanoutNotifier(channels)


def access(
    settings: Settings,
    store: AccessStore | None = None,
    audit: AuditTrail | None = None,
    atomic: Atomic | None = None,
) -> Access:
    """Keys, people and sign-in with its limits; with ``audit``, lockouts and every administrative act
    (keys created and revoked, people added, roles changed, people disabled) are recorded, each in one
    transaction (``atomic``) with its change."""
    limits = LoginLimits(
        user_failures=settings.login_user_failures,
        address_failures=settings.login_address_failures,
        backoff_seconds=settings.login_backoff_seconds,
        backoff_max_seconds=settings.login_backoff_max_seconds,
        lockout_failures=settings.login_lockout_failures,
        lockout_seconds=settings.login_lockout_minutes * 60,
        window_seconds=max(900.0, settings.login_lockout_minutes * 60),
    )
    return Access(
        store if store is not None else access_store(settings),
        session_ttl=timedelta(hours=settings.session_hours),
        cache_seconds=settings.auth_cache_seconds,
        limits=limits,
        passwords=PasswordPool(settings.login_workers, settings.login_queue),
        audit=audit,
        refusal_delay=settings.login_refusal_delay_seconds,
        atomic=atomic,
    )


def clearances(settings: Settings) -> Clearances:
    """Clearances of sanctions name matches (four eyes) for the command line: each step audited, in one
    transaction with it."""
    atomic, shared = together(settings)
    audit = AuditTrail(audit_log(settings, shared))
    return Clearances(screening_store(settings, shared), audit, atomic=atomic)


def admin_access(settings: Settings) -> Access:
    """Access for the command line's administration of people and keys: every act audited (actor
    ``cli:<login>``), in one transaction with its change."""
    atomic, shared = together(settings)
    return access(settings, access_store(settings, shared), AuditTrail(audit_log(settings, shared)), atomic)


def migrate(settings: Settings) -> str:
    """Bring a PostgreSQL database's schema to the release's (Alembic); SQLite creates its own tables."""
    if not settings.is_postgres:
        raise ConfigError(f"{settings.db} is not a PostgreSQL URL: SQLite databases need no migration")
    from vigil.adapters import postgres

    engine = _pg_engine(settings.db)
    postgres.migrate(engine)
    return str(postgres.current_revision(engine))


def policy(settings: Settings) -> Policy:
    if settings.screening_policy is None:
        return default_policy()
    try:
        text = settings.screening_policy.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read screening policy {settings.screening_policy}: {exc.strerror}"
        ) from None
    return load_policy(text, file=str(settings.screening_policy))


def document_policy(settings: Settings) -> DocumentPolicy:
    """The identity-document policy: the built-in file (or ``VIGIL_KYC_POLICY``) with the minimum age."""
    if settings.kyc_policy is None:
        return default_document_policy(settings.kyc_minimum_age)
    try:
        text = settings.kyc_policy.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read identity-document policy {settings.kyc_policy}: {exc.strerror}"
        ) from None
    return load_document_policy(text, file=str(settings.kyc_policy), minimum_age=settings.kyc_minimum_age)


def screener(settings: Settings, lists: ListStore) -> Screener | None:
    """The screener over the latest snapshots, or None while no list has been imported."""
    if not lists.snapshots():
        return None
    return load_screener(lists, policy(settings))


@dataclass
class Stores:
    """Every store of one database, opened together (a memory database is shared by them all)."""

    journal: Journal
    lists: ListStore
    screening: ScreeningStore
    access: AccessStore
    settings: Settings
    models: ModelRegistry | None = None  # these four: opened by stores() on every backend
    labels: LabelStore | None = None
    cases: CaseStore | None = None
    audit: AuditLog | None = None
    ler: LerStore | None = None
    claims: ClaimStore | None = None
    atomic: Atomic = field(default_factory=NoTransaction)  # one transaction over cases, audit, access
    shared: sqlite3.Connection | None = None  # on SQLite: the connection those three share

    def close(self) -> None:
        """Flush and close the journal; release the database connections."""
        self.journal.close()
        for store in (
            self.lists,
            self.screening,
            self.access,
            self.models,
            self.labels,
            self.cases,
            self.audit,
            self.ler,
            self.claims,
        ):
            if store is not None:
                store.close()
        if self.shared is not None:
            self.shared.close()
        if self.settings.is_postgres:
            _pg_engine(self.settings.db).dispose()


def stores(settings: Settings, *, serving: bool = False) -> Stores:
    atomic, shared = together(settings)
    return Stores(
        journal(settings, serving=serving),
        list_store(settings),
        screening_store(settings, shared),
        access_store(settings, shared),
        settings,
        model_registry(settings),
        label_store(settings),
        case_store(settings, shared),
        audit_log(settings, shared),
        ler_store(settings, shared),
        claim_store(settings, shared),
        atomic,
        shared,
    )


def snapshot_store(settings: Settings) -> SnapshotStore | None:
    """Where the engine's snapshots are kept (docs/operations.md, "Snapshots"): ``snapshot_dir``, or
    beside a SQLite database (``<db>.snapshots``); None when snapshots are off, for a memory database,
    and for PostgreSQL without a ``snapshot_dir``."""
    if not settings.snapshots or settings.db == "memory":
        return None
    if settings.snapshot_dir is not None:
        return DirectorySnapshots(settings.snapshot_dir, keep=settings.snapshot_keep)
    if settings.is_postgres:
        return None
    return DirectorySnapshots(Path(f"{settings.db}.snapshots"), keep=settings.snapshot_keep)


def snapshotter(settings: Settings, engine: Engine, resumed: Resumed) -> Snapshotter | None:
    """What writes snapshots while ``vigil serve`` runs (None when there is nowhere to keep them).
    The records start-up replayed count as not covered by a snapshot yet."""
    store = snapshot_store(settings)
    if store is None:
        return None
    return Snapshotter(
        engine,
        store,
        every_decisions=settings.snapshot_every_decisions,
        every_seconds=settings.snapshot_every_minutes * 60,
        on_shutdown=settings.snapshot_on_shutdown,
        uncovered=resumed.replayed,
    )


def build_engine(settings: Settings, opened: Stores | None = None) -> Engine:
    """A wired engine whose feature state is the journal's: from the newest snapshot that fits plus the
    journal's tail, or a replay of the whole journal (``start_engine``).

    Screening is on as soon as one list has been imported into the database (``vigil lists import``).
    """
    return start_engine(settings, opened)[0]


def start_engine(settings: Settings, opened: Stores | None = None) -> tuple[Engine, Resumed]:
    """``build_engine``, and how it started (which snapshot, how many journal records replayed)."""
    engine = unstarted_engine(settings, opened)
    return engine, resume(engine, snapshot_store(settings))


def unstarted_engine(settings: Settings, opened: Stores | None = None) -> Engine:
    """A wired engine whose state is not built yet (``start_engine`` resumes it; a worker restores its
    own snapshot and reads its log)."""
    source = rule_source(settings)
    catalog = default_catalog(graph=settings.graph, hub_limit=settings.graph_hub_limit)
    rules = load_rules(source.read(), catalog)
    if opened is not None:
        models = scorer(opened.models, catalog) if opened.models is not None else None
    else:
        registry = model_registry(settings)
        try:
            models = scorer(registry, catalog)
        finally:
            registry.close()
    engine = Engine(
        catalog,
        rules,
        opened.journal if opened is not None else journal(settings),
        geoip=geoip(settings),
        rule_source=source,
        screener=screener(settings, opened.lists if opened is not None else list_store(settings)),
        screening_store=opened.screening if opened is not None else screening_store(settings),
        scorer=models,
        full_trace=settings.full_trace,
        flag_lag=settings.flag_lag,
        documents=document_policy(settings),
    )
    return engine


def write_snapshot(settings: Settings) -> tuple[Resumed, Saved]:
    """``vigil snapshot``: start the engine (from the newest snapshot + tail, or in full) and write a new
    snapshot of the state it reached. Safe beside a running server (it reads the journal, writes a file)."""
    store = snapshot_store(settings)
    if store is None:
        raise ConfigError(
            "no snapshot directory: set VIGIL_SNAPSHOT_DIR (PostgreSQL, or any database), and leave"
            " VIGIL_SNAPSHOTS on; a memory database has no snapshots"
        )
    engine, resumed = start_engine(settings)
    try:
        return resumed, save(engine, store, resumed.position, resumed.anchor)
    finally:
        engine.close()


def tune_gc() -> None:
    """Long-lived engine state is mostly acyclic: freeze it and collect less often (see PERF-NOTES)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def admission(settings: Settings) -> Admission:
    """What the edges (the API, ``vigil replay`` and ``decide``) admit beyond the model's invariants: the
    configured regions and a window around now (docs/api.md, "What an event may contain")."""
    return Admission(
        regions=settings.regions,
        max_age_s=settings.event_max_age_days * 86_400,
        max_ahead_s=settings.event_max_ahead_days * 86_400,
    )


def bus(settings: Settings) -> EventBus:
    """The event bus of ``VIGIL_BUS`` (NATS JetStream); ``ConfigError`` when none is set."""
    if settings.bus is None:
        raise ConfigError("no event bus: set VIGIL_BUS=nats://host:port (docs/operations.md, 'Workers')")
    from vigil.adapters.nats_bus import NatsBus

    return NatsBus(settings.bus, settings.bus_stream, lease_seconds=settings.bus_lease_seconds)


def worker(settings: Settings, ordinal: int, workers: int) -> tuple[Worker, Stores]:
    """``vigil worker``: an engine on the database's stores (not replayed: the worker restores its own
    snapshot, kept in ``VIGIL_SNAPSHOT_DIR/worker-<i>-of-<n>``, and reads the stream), on the bus."""
    # The journal buffers without limit: the worker commits each batch itself (``Worker._commit``).
    settings = settings.model_copy(update={"batch_size": 100_000})
    opened = stores(settings)
    engine = unstarted_engine(settings, opened)
    snapshots = (
        DirectorySnapshots(
            settings.snapshot_dir / f"worker-{ordinal}-of-{workers}", keep=settings.snapshot_keep
        )
        if settings.snapshots and settings.snapshot_dir is not None
        else None
    )
    return (
        Worker(
            engine,
            bus(settings),
            ordinal=ordinal,
            workers=workers,
            partitions=settings.bus_partitions,
            commit_events=settings.worker_commit_events,
            snapshots=snapshots,
            snapshot_events=settings.worker_snapshot_events,
            lease_seconds=settings.bus_lease_seconds,
        ),
        opened,
    )


def submitter(settings: Settings, journal_: Journal) -> Submitter | None:
    """What ``vigil serve`` decides through when ``VIGIL_BUS`` is set (None: in its own process)."""
    if settings.bus is None:
        return None
    return Submitter(bus(settings), journal_, timeout=settings.bus_timeout_seconds)


def freeze_sender(submitter_: Submitter | None) -> ControlSender | None:
    """What tells the workers the desk's freezes (None in one process, where the engine asks the desk)."""
    if submitter_ is None:
        return None
    return ControlSender(submitter_.bus, submitter_.partition)
