"""What the API serves from: the engine behind its group commit, access, the stores, the metrics.

Built once per app from ``Settings`` through ``bootstrap`` (the only place that knows adapters).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from vigil import bootstrap
from vigil.access import Access
from vigil.api.decider import Decider
from vigil.api.metrics import Metrics
from vigil.desk import SecurityDesk
from vigil.engine import Engine
from vigil.engine.snapshot import Resumed
from vigil.engine.snapshotter import Snapshotter
from vigil.errors import NotReady
from vigil.ler import LiaisonDesk
from vigil.model.access import Principal
from vigil.ports import ListStore, ScreeningStore
from vigil.recovery import Recovery
from vigil.screening.screener import Screener
from vigil.settings import Settings
from vigil.workers import ControlSender


@dataclass
class Services:
    settings: Settings
    engine: Engine
    decider: Decider
    access: Access
    lists: ListStore
    screening: ScreeningStore
    metrics: Metrics
    stores: bootstrap.Stores | None = None  # closed with the services when they opened them
    security: SecurityDesk | None = None  # build() always makes one; None only when built without it
    snapshots: Snapshotter | None = None  # writes snapshots of the engine's state (docs/operations.md)
    started: Resumed | None = None  # how the engine started: from which snapshot, how much replayed
    liaison: LiaisonDesk | None = None  # the law-enforcement desk (docs/ler.md)
    recovery: Recovery | None = None  # claims for funds sent by mistake (docs/recovery.md)
    freezes: ControlSender | None = None  # with workers: tells them the desk's freezes (app.py runs it)

    @property
    def claims(self) -> Recovery:
        if self.recovery is None:
            raise NotReady("this server runs without the recovery of funds sent by mistake")
        return self.recovery

    @property
    def desk(self) -> SecurityDesk:
        if self.security is None:
            raise NotReady("this server runs without the security desk")
        return self.security

    def audit_read(self, who: Principal, action: str, subject: str) -> None:
        """Record a read of customer data, by a person or with an API key (``detail`` says which)."""
        if self.security is not None:
            self.security.audit.record(who.name, action, subject, {"by": who.kind})

    @property
    def screener(self) -> Screener:
        if self.engine.screener is None:
            raise NotReady("no screening list imported: run `vigil lists import SOURCE PATH` first")
        return self.engine.screener

    def close(self) -> None:
        self.access.close()
        if self.security is not None:
            self.security.desk.outbox.close()
        self.engine.commit()
        if self.snapshots is not None:
            self.snapshots.close()  # the next start replays only what follows
        if self.stores is not None:
            self.stores.close()
        else:
            self.engine.journal.close()


NO_MODEL = "none promoted: rules and screening decide"


def services_of(request: Request) -> Services:
    """The services the app serves from (set at start-up)."""
    services: Services = request.app.state.services
    return services


def build(settings: Settings, metrics: Metrics | None = None) -> Services:
    """Open the stores, start the engine (the newest snapshot that fits plus the journal's tail, or the
    whole journal), wire the rest.

    The journal buffers without limit (``batch_size`` is ignored): the decider commits after every loop
    turn, and a decision is acknowledged only after that commit.
    """
    settings = settings.model_copy(update={"batch_size": 100_000})
    stores = bootstrap.stores(settings, serving=True)
    submitter = bootstrap.submitter(settings, stores.journal)
    freezes = bootstrap.freeze_sender(submitter)  # None in one process: the engine asks the desk
    started: Resumed | None = None
    snapshots: Snapshotter | None = None
    if submitter is None:
        engine, started = bootstrap.start_engine(settings, stores)
        snapshots = bootstrap.snapshotter(settings, engine, started)
    else:  # the workers decide and keep the state: this server only reads the journal
        engine = bootstrap.unstarted_engine(settings, stores)
    engine.defer_usage = True  # written with each group commit, not once per event
    if engine.screener is not None:
        engine.screener.names  # build the name index now, not on the first KYC event  # noqa: B018
    security = bootstrap.security_desk(
        settings, stores, background=True, freezes=freezes
    )  # notices off the loop
    security.feed.catch_up()  # alerts for what was decided while the desk was not listening
    engine.restrictions = security.desk.freeze_of  # money out of a frozen account is blocked
    liaison = bootstrap.liaison_desk(settings, stores, security, graph=lambda: engine.graph)
    access = bootstrap.access(settings, stores.access, security.audit, stores.atomic)
    access.notify = security.desk.notify  # a person's sign-in locked: the people on call are told
    recovery = bootstrap.recovery(
        settings, stores, lambda: engine.screener, security.audit, security.desk.notify
    )
    recovery.catch_up()  # the deposits decided while no one read them
    return Services(
        settings=settings,
        engine=engine,
        decider=Decider(engine, security.feed.committed, snapshots, submitter),
        access=access,
        lists=stores.lists,
        screening=stores.screening,
        metrics=metrics if metrics is not None else Metrics(),
        stores=stores,
        security=security,
        snapshots=snapshots,
        started=started,
        liaison=liaison,
        recovery=recovery,
        freezes=freezes,
    )
