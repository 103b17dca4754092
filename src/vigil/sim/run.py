"""The simulation loop: a population, its history, then hour by hour honest visits and crime.

Time advances in hours. Each hour, numpy draws which accounts visit (Poisson, at the kind's rate
times the diurnal curve at the account's local hour) and which crime episodes start in each
region (Poisson at the region's typology rates, drifting if asked). Visits are run in time
order; crime episodes are generators that sleep between their steps in a heap. Events wait in
the output's heap until the clock passes them, so the output is in time order and memory holds
only what is still open.

Generator 2 (``SimConfig.generator``) runs the same loop with its own kinds of users
(``honest_kinds.py``), ``history_days`` of honest visits before the run (no crime, no sign-ups),
salaries on schedule, and crime episodes that draw a hiding variant (``crime/__init__.py``).
"""

from __future__ import annotations

import heapq
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from vigil.sim.config import DIURNAL, KINDS, KINDS_V2, RATE_SCALE_V2, TYPOLOGIES, SimConfig
from vigil.sim.crime import EPISODES, EPISODES_V2, Crime
from vigil.sim.honest import DAY, HOUR, MINUTE, home_country, login, opening, session, signup, ticket
from vigil.sim.honest_kinds import families, payroll, session_v2
from vigil.sim.lists import IllicitAddresses
from vigil.sim.output import BatchSink, Output
from vigil.sim.world import Account, World, between

Progress = Callable[[int, int], None]  # (events written, hours done)


@dataclass(slots=True)
class SimSummary:
    accounts: int = 0
    events: int = 0
    labels: int = 0
    claims: int = 0
    peak_pending: int = 0
    episodes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # Generator 2: rings whose episode was still under way when the run ended (their value need not
    # balance: the rest happens after the window the run observes).
    cut_rings: list[str] = field(default_factory=list)


class _Rates:
    """Per-account visit rates (per hour) and local-time offsets, grown as accounts open."""

    def __init__(self, capacity: int) -> None:
        self.rate = np.zeros(capacity)
        self.tz = np.zeros(capacity, dtype=np.int64)
        self.n = 0

    def on_account(self, acct: Account) -> None:
        self.add(_KIND_RATE.get(acct.kind, 0.0), acct.home.utc_offset)

    def add(self, rate_per_day: float, tz: float) -> None:
        if self.n == len(self.rate):
            self.rate = np.concatenate([self.rate, np.zeros(len(self.rate))])
            self.tz = np.concatenate([self.tz, np.zeros(len(self.tz), dtype=np.int64)])
        self.rate[self.n] = rate_per_day / 24.0
        self.tz[self.n] = round(tz)
        self.n += 1


_KIND_RATE = {name: rate for name, _, rate in KINDS_V2}  # version 1's kinds keep their rates
_DIURNAL24 = np.array(DIURNAL) * 24.0 / sum(DIURNAL)


def _population(config: SimConfig, w: World, rng: random.Random, gen: np.random.Generator) -> _Rates:
    regions = config.regions
    shares = np.array([r.share for r in regions])
    region_of = gen.choice(len(regions), size=config.accounts, p=shares / shares.sum())
    kinds = KINDS if config.generator == 1 else KINDS_V2
    kind_shares = np.array([s for _, s, _ in kinds])
    kind_of = gen.choice(len(kinds), size=config.accounts, p=kind_shares / kind_shares.sum())
    rates = _Rates(int(config.accounts * (1.2 + config.signups_per_day * config.days)) + 1024)
    w.on_account = rates.on_account
    for ri, ki in zip(region_of.tolist(), kind_of.tolist(), strict=True):
        region = regions[ri]
        acct = w.new_account(
            region, home_country(region, rng), kinds[ki][0], vpn=rng.random() < region.vpn_share
        )
        acct.balance = ticket(acct, rng) * between(rng, 1, 6)
    return rates


def _history(w: World, rng: random.Random, gen: np.random.Generator, start: int) -> None:
    """Each account's opening, KYC, an address-book entry and its last login before ``start``."""
    n = len(w.accounts)
    dormant = np.array([a.kind == "dormant" for a in w.accounts])
    last = start - np.where(dormant, gen.integers(200 * DAY, 900 * DAY, n), gen.integers(HOUR, 7 * DAY, n))
    opened = last - gen.integers(2 * DAY, 1000 * DAY, n)
    steps = np.concatenate([opened, last])
    who = np.concatenate([np.arange(n), np.arange(n)])
    kind = np.concatenate([np.zeros(n, dtype=np.int64), np.ones(n, dtype=np.int64)])
    order = np.lexsort((who, steps))
    out = w.out
    for t, i, k in zip(steps[order].tolist(), who[order].tolist(), kind[order].tolist(), strict=True):
        acct = w.accounts[i]
        w.now = t
        out.flush(t)
        if k == 0:
            end = opening(w, acct, t, rng)
            if rng.random() < 0.6:
                acct.book = 1
                chain = "BTC" if rng.random() < 0.4 else "TRON"
                when = end + between(rng, 1, 600) * MINUTE
                w.add_to_book(when, acct, w.usual(acct), chain, w.own_address(acct, chain, 0),
                              w.wallet_label(rng, "my wallet"))  # fmt: skip
        else:
            login(w, acct, t, w.usual(acct), rng)
    out.flush(start)


def crime_rates(config: SimConfig, progress: float) -> np.ndarray:
    """Episodes per 10,000 accounts per day, by region (rows) and typology (columns), at
    ``progress`` in [0, 1] through the run: the base mix moved towards the drift mix by
    ``config.drift * progress``, times ``config.crime_scale``."""
    base = np.array([[r.crime[t] for t in TYPOLOGIES] for r in config.regions])
    drifted = np.array([[r.drift[t] for t in TYPOLOGIES] for r in config.regions])
    scale = config.crime_scale * (1.0 if config.generator == 1 else RATE_SCALE_V2)
    rates: np.ndarray = (base + (drifted - base) * (config.drift * progress)) * scale
    if config.claims_scale != 1.0:  # generator 2 only (SimConfig refuses it for 1)
        rates[:, TYPOLOGIES.index("mistaken_deposit")] *= config.claims_scale
    return rates


class _Watched:
    """An episode that remembers the ring its first step opened (None if it opened none)."""

    __slots__ = ("_steps", "_w", "ring", "started")

    def __init__(self, w: World, steps: Iterator[int]) -> None:
        self._w = w
        self._steps = steps
        self.ring: str | None = None
        self.started = False

    def __iter__(self) -> Iterator[int]:
        return self

    def __next__(self) -> int:
        if self.started:
            return next(self._steps)
        self.started = True
        rings = self._w.rings
        delay = next(self._steps)  # an episode opens its ring, if any, before its first sleep
        if self._w.rings > rings:
            self.ring = self._w.last_ring
        return delay


Visit = Callable[[World, Account, int, random.Random, list[int]], None]


def _visits(
    w: World,
    rates: _Rates,
    gen: np.random.Generator,
    hour: int,
    h0: int,
    run_due: Callable[[int], None],
    visit: Visit,
    rng: random.Random,
    bots: list[int],
) -> None:
    """One hour of honest visits, in time order, with the episodes due between them."""
    n = rates.n
    local = (hour + rates.tz[:n]) % 24
    visits = gen.poisson(rates.rate[:n] * _DIURNAL24[local])
    idx = np.flatnonzero(visits)
    idx = np.repeat(idx, visits[idx])
    when = h0 + gen.integers(0, HOUR, size=len(idx))
    order = np.argsort(when, kind="stable")
    accounts, out = w.accounts, w.out
    for t, i in zip(when[order].tolist(), idx[order].tolist(), strict=True):
        run_due(t)
        w.now = t
        out.flush(t)
        visit(w, accounts[i], t, rng, bots)
    run_due(h0 + HOUR - 1)


def simulate(
    config: SimConfig,
    sink: BatchSink,
    illicit: IllicitAddresses,
    claims: Callable[[dict[str, object]], None],
    progress: Progress | None = None,
) -> SimSummary:
    """Run one simulation, streaming events and labels to ``sink`` and recovery claims to ``claims``."""
    began = time.perf_counter()
    rng = random.Random(config.seed)
    gen = np.random.Generator(np.random.PCG64(config.seed))
    out = Output(sink)
    w = World(config.seed, out)
    w.regions = config.regions
    w.generator = config.generator
    v2 = config.generator >= 2
    rates = _population(config, w, rng, gen)
    if v2:
        families(w, rng)
        for acct in w.accounts:  # a family member lives where the household does
            rates.tz[acct.idx] = round(acct.home.utc_offset)
    bots = [a.idx for a in w.accounts if a.kind == "bot"]
    crime = Crime(w, rng, illicit, claims, config.variant_table)
    start = config.start_us
    # Version 2 writes days of honest sessions before the run, so that baselines start warm.
    warm_hours = math.ceil(config.history_days * 24) if v2 else 0
    _history(w, rng, gen, start - warm_hours * HOUR)
    if warm_hours == 0 and progress is not None:
        progress(out.written, 0)  # the history is written: the run proper starts

    hours = math.ceil(config.days * 24)
    episodes = EPISODES_V2 if v2 else EPISODES
    visit = session_v2 if v2 else session
    end = start + int(config.days * DAY)
    regions = config.regions
    pop = np.array([r.share for r in regions]) / sum(r.share for r in regions) * config.accounts
    procs: list[tuple[int, int, Iterator[int]]] = []
    seq = 0
    summary = SimSummary()
    if v2:  # salaries in crypto arrive on schedule, through the warm history and the run
        first = start - warm_hours * HOUR
        for acct in w.accounts:
            if acct.kind == "payroll":
                heapq.heappush(procs, (first, seq, payroll(w, acct, first, end, rng)))
                seq += 1

    def run_due(until: int) -> None:
        nonlocal seq
        while procs and procs[0][0] <= until:
            t, _, episode = heapq.heappop(procs)
            w.now = t
            out.flush(t)
            delay = next(episode, None)
            if delay is not None:
                heapq.heappush(procs, (t + max(1, delay), seq, episode))
                seq += 1

    for hour in range(-warm_hours, hours):
        h0 = start + hour * HOUR
        if h0 >= end:
            break
        if hour == 0 and warm_hours and progress is not None:
            run_due(h0 - 1)
            out.flush(h0)
            progress(out.written, 0)  # the history is written: the run proper starts
        # Version 2's exchange is live before the run too: crime and sign-ups go on through the warm
        # history at the run's first rates, so that crime is under way when the run starts.
        lam = crime_rates(config, max(0, hour) / max(1, hours - 1)) * (pop / 10_000 / 24)[:, None]
        started = gen.poisson(lam)
        for ri, ti in zip(*np.nonzero(started), strict=True):
            for _ in range(int(started[ri, ti])):
                typology = TYPOLOGIES[ti]
                t0 = h0 + int(gen.integers(0, HOUR))
                episode = episodes[typology](crime, regions[ri])
                heapq.heappush(procs, (t0, seq, _Watched(w, episode) if v2 else episode))
                seq += 1
                summary.episodes[typology] = summary.episodes.get(typology, 0) + 1
        for _ in range(int(gen.poisson(config.signups_per_day * config.accounts / 24))):
            region = regions[int(gen.choice(len(regions), p=pop / pop.sum()))]
            signup(w, region, h0 + int(gen.integers(0, HOUR)), rng)
        _visits(w, rates, gen, hour, h0, run_due, visit, rng, bots)
        if progress is not None and hour >= 0:
            progress(out.written, hour + 1)
    if v2:
        # The run observes a window of a live exchange: what episodes would do after it ends is not
        # in the stream (honest customers stop visiting then too), and their rings are reported cut.
        run_due(end - 1)
        for _, _, episode in procs:
            if isinstance(episode, _Watched) and episode.ring is not None:
                summary.cut_rings.append(episode.ring)
    else:
        # Let open episodes finish (a ring may cash out after the last hour), then drain the output.
        run_due(1 << 62)
    out.close()
    summary.accounts = len(w.accounts)
    summary.events = out.written
    summary.labels = out.labelled
    summary.claims = crime.claims_written
    summary.peak_pending = out.peak_pending
    summary.seconds = time.perf_counter() - began
    return summary
