"""Configuration, read once from the environment (``VIGIL_*``) and validated; see ``.env.example``.

Tests and the CLI build ``Settings(...)`` with explicit values; nothing reads the environment at
import time.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIGIL_", extra="forbid", frozen=True)

    db: str = Field(
        default=".vigil/vigil.db",
        description=(
            "SQLite database path, 'memory' for in-process stores (gone when the process ends), or a"
            " PostgreSQL URL (postgresql+psycopg://user:password@host:port/database)"
        ),
    )
    rules_dir: Path | None = Field(default=None, description="rule files directory; unset = built-in packs")
    geoip_country_db: Path | None = Field(default=None, description="MaxMind-format country database")
    geoip_anonymous_db: Path | None = Field(default=None, description="MaxMind-format anonymous-IP database")
    batch_size: int = Field(default=1, ge=1, le=100_000, description="events per SQLite commit (1 = each)")
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(default="NORMAL")
    screening_policy: Path | None = Field(
        default=None, description="screening policy file (category -> effect); unset = the built-in default"
    )
    kyc_minimum_age: int = Field(
        default=18, ge=0, le=150, description="a KYC submission whose MRZ makes the customer younger is held"
    )
    kyc_policy: Path | None = Field(
        default=None,
        description="identity-document policy (check -> effect, issuing states per region); unset = built-in",
    )

    # -- what the edges admit (docs/api.md, "What an event may contain"): API, replay, decide ----------
    regions: frozenset[str] = Field(
        default=frozenset({"ID", "SEA", "SA", "CIS", "LATAM", "EU", "AF", "NA"}),
        description='the regions events may name, JSON: ["EU", "NA"]; an event of another region is refused',
    )
    event_max_age_days: float = Field(
        default=3650.0, gt=0, le=36_500, description="an event older than this (by its ts) is refused"
    )
    event_max_ahead_days: float = Field(
        default=1.0, gt=0, le=36_500, description="an event dated further ahead of the clock is refused"
    )

    full_trace: bool = Field(
        default=False,
        description=(
            "time and trace every rule of every decision (default: trace what matched, failed or could"
            " not say, and count the rest; GET /v1/decisions/{id} lists every rule either way)"
        ),
    )

    graph: bool = Field(
        default=True, description="keep the entity graph of accounts (network analysis) as events arrive"
    )
    graph_hub_limit: int = Field(
        default=50, ge=2, le=100_000, description="an identifier shared by more accounts links nobody more"
    )
    flag_lag: int = Field(
        default=0,
        ge=0,
        le=1_000_000,
        description=(
            "a hold or block flags its account for the graph features of events more than this many events"
            " later (0 = the next event; partitioned workers need a lag, docs/operations.md 'Workers')"
        ),
    )

    # -- partitioned workers on NATS JetStream (docs/operations.md, "Workers") -------------------------
    bus: str | None = Field(
        default=None,
        description="nats://host:port: vigil serve publishes events there and vigil worker decides them",
    )
    bus_stream: str = Field(
        default="VIGIL_EVENTS",
        pattern=r"^[A-Z][A-Z0-9_]{0,31}$",
        description="the JetStream stream of events (its feed, leases and cluster record are named after it)",
    )
    bus_partitions: int = Field(
        default=16, ge=1, le=4096, description="partitions of a new stream (fixed when the stream is created)"
    )
    bus_timeout_seconds: float = Field(
        default=5.0, gt=0, le=300, description="how long vigil serve waits for a worker's decision (then 504)"
    )
    bus_lease_seconds: float = Field(
        default=2.0, gt=0, le=300, description="a worker's lease on its partitions lasts this long unrenewed"
    )
    worker_commit_events: int = Field(
        default=512, ge=1, le=100_000, description="most events a worker decides between two journal commits"
    )
    worker_snapshot_events: int = Field(
        default=5000,
        ge=0,
        le=1_000_000_000,
        description="a worker snapshots after this many events (0 = never)",
    )

    # -- snapshots of the engine's state (docs/operations.md, "Snapshots") ------------------------------
    snapshots: bool = Field(
        default=True,
        description="start from the newest snapshot, replay only the journal's tail; vigil serve writes them",
    )
    snapshot_dir: Path | None = Field(
        default=None,
        description=(
            "where snapshots are kept; unset = beside a SQLite database (<db>.snapshots); PostgreSQL needs"
            " one to have snapshots; a memory database never has any"
        ),
    )
    snapshot_keep: int = Field(default=2, ge=1, le=100, description="the newest snapshots kept")
    snapshot_every_decisions: int = Field(
        default=250_000,
        ge=0,
        le=1_000_000_000,
        description="vigil serve writes a snapshot after this many decisions (0 = not by count)",
    )
    snapshot_every_minutes: float = Field(
        default=30.0,
        ge=0,
        le=7 * 24 * 60,
        description="...or after this many minutes with at least one decision (0 = not by time)",
    )
    snapshot_on_shutdown: bool = Field(
        default=True,
        description="vigil serve writes a snapshot when it stops cleanly (if it decided anything)",
    )

    # -- model thresholds (docs/ml.md): budgets vigil train chooses thresholds for ---------------------
    ml_max_held: float = Field(
        default=0.001, ge=0, le=1, description="share of legitimate withdrawals a model may hold"
    )
    ml_max_false_alerts: float = Field(
        default=1.0, ge=0, description="model false alerts per 1,000 active account-days"
    )
    ml_budgets: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description='per-region overrides, JSON: {"EU": {"max_false_alerts": 0.5, "max_held": 0.002}}',
    )

    # -- the service (vigil serve) -------------------------------------------------------------
    host: str = Field(default="127.0.0.1", description="address vigil serve listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="port vigil serve listens on")
    session_hours: float = Field(default=8.0, gt=0, le=24 * 30, description="how long a sign-in lasts")
    auth_cache_seconds: float = Field(
        default=2.0, ge=0, le=60, description="credentials are re-checked this often (revocation delay)"
    )
    # sign-in limits (docs/api.md, "Signing in under attack")
    login_user_failures: int = Field(
        default=5, ge=1, le=1000, description="failed sign-ins of one username before backoff starts"
    )
    login_address_failures: int = Field(
        default=20, ge=1, le=100_000, description="failed sign-ins from one address before backoff starts"
    )
    login_backoff_seconds: float = Field(
        default=1.0, ge=0, le=3600, description="the first backoff wait; it doubles with each failure"
    )
    login_backoff_max_seconds: float = Field(
        default=300.0, ge=0, le=86_400, description="the longest backoff"
    )
    login_lockout_failures: int = Field(
        default=10, ge=1, le=1000, description="failed sign-ins that lock a username (audited)"
    )
    login_lockout_minutes: float = Field(
        default=15.0, ge=0, le=24 * 60, description="how long a lockout lasts"
    )
    login_refusal_delay_seconds: float = Field(
        default=0.5, ge=0, le=10, description="a refused sign-in (429) is answered after this wait"
    )
    login_workers: int = Field(default=1, ge=1, le=64, description="threads that check passwords at once")
    login_queue: int = Field(
        default=16, ge=0, le=10_000, description="sign-ins that may wait for a thread; more get 429"
    )
    batch_limit: int = Field(default=1000, ge=1, le=100_000, description="most events in one batch request")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO")
    access_log: bool = Field(default=True, description="one JSON log line per request")
    four_eyes_value: Decimal = Field(
        default=Decimal(10_000),
        ge=0,
        description="freezes/unfreezes worth this much or more need a supervisor",
    )
    desk_tick_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="how often vigil serve checks the desk's SLA clocks"
    )
    desk_follow_seconds: float = Field(
        default=1.0,
        gt=0,
        le=3600,
        description="with workers (VIGIL_BUS): how often vigil serve reads their decisions into the desk",
    )
    reporting_currency: str = Field(
        default="USD",
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code of the currency every event's fiat_value is in (shown by the console)",
    )

    # -- the law-enforcement desk (docs/ler.md) -----------------------------------------------------
    ler_agencies: Path | None = Field(
        default=None, description="the agency directory (YAML); unset = the example shipped with Vigil"
    )
    ler_signing_key: Path | None = Field(
        default=None, description="Ed25519 private key that signs disclosure packages (vigil ler keygen)"
    )
    ler_freeze_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="a freeze order without an end date lapses after this many days",
    )
    ler_lapse_notice_days: int = Field(
        default=7, ge=0, le=365, description="notice this many days before a freeze order lapses"
    )
    ler_exchange_name: str = Field(
        default="the exchange", max_length=200, description="the sender named in disclosure packages"
    )
    # -- recovery of funds sent by mistake (docs/recovery.md) ----------------------------------------
    recovery_amount_tolerance: Decimal = Field(
        default=Decimal("0.01"),
        ge=0,
        lt=1,
        description="how far a claim's amount may be from the deposit's (share)",
    )
    recovery_history_hours: float = Field(
        default=72.0,
        gt=0,
        le=24 * 365,
        description="how long before arrival a withdrawal elsewhere may have left",
    )
    recovery_fee_share: Decimal = Field(
        default=Decimal("0.02"), ge=0, le=1, description="fee: share of the value"
    )
    recovery_fee_min: Decimal = Field(default=Decimal(10), ge=0, description="fee: at least this much (fiat)")
    recovery_fee_max: Decimal = Field(
        default=Decimal(500), ge=0, description="fee: at most this much (fiat; 0: none)"
    )
    recovery_four_eyes_value: Decimal = Field(
        default=Decimal(1000), ge=0, description="recoveries worth this much or more need a second person"
    )

    # -- notifications (docs/notifications.md): SLA breaches, approvals to give ----------------------
    notify_webhook_url: str | None = Field(
        default=None, description="POST each notice as JSON here (http or https); unset = no webhook"
    )
    notify_webhook_secret: str | None = Field(
        default=None, description="HMAC-SHA256 key: signs each webhook body (header Vigil-Signature)"
    )
    notify_smtp_host: str | None = Field(default=None, description="mail relay for notices; unset = no mail")
    notify_smtp_port: int = Field(default=25, ge=1, le=65535, description="the mail relay's port")
    notify_email_from: str = Field(default="vigil@localhost", description="sender address of notice mails")
    notify_email_to: str = Field(default="", description="comma-separated recipients of notice mails")
    notify_smtp_starttls: bool = Field(
        default=False, description="require STARTTLS with a valid certificate (no plaintext fallback)"
    )
    notify_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="bounds each network wait of a notification channel"
    )
    notify_tries: int = Field(default=5, ge=1, le=100, description="attempts per notice before it is failed")
    notify_backoff_seconds: float = Field(
        default=2.0, ge=0, le=3600, description="wait before the second attempt; it doubles with each"
    )
    notify_queue: int = Field(
        default=1000, ge=1, le=1_000_000, description="notices that may wait for a channel; more are failed"
    )

    @property
    def is_postgres(self) -> bool:
        return self.db.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))
