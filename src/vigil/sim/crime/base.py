"""What every crime episode needs: the world, randomness, real illicit addresses, labels, victims.

An episode is a generator: it writes its events at ``world.now`` and yields how long to sleep
(microseconds) before its next step. Its labels name the typology, the ring (one operation),
each event's role and the illicit value it carries; exits mark value leaving the exchange.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

from vigil.sim.config import CLASSIC, DIURNAL, Country, Region
from vigil.sim.honest import HOUR, MINUTE, SECOND, home_country, login
from vigil.sim.lists import IllicitAddresses
from vigil.sim.output import Label
from vigil.sim.world import Account, Ctx, World, between

Episode = Iterator[int]
ClaimSink = Callable[[dict[str, object]], None]
# Honest kinds whose accounts criminals recruit, rent, buy or take over in generator 2.
ORDINARY = ("saver", "trader", "traveller", "payroll", "family")
# Generator 2: a criminal's session stays open this long after its last step; a later move logs in
# again first (an honest visit is a login and a few steps minutes apart).
SESSION_IDLE = 30 * MINUTE
_CUMULATIVE_DIURNAL = tuple(sum(DIURNAL[: h + 1]) / sum(DIURNAL) for h in range(24))


class Crime:
    def __init__(
        self,
        w: World,
        rng: random.Random,
        illicit: IllicitAddresses,
        claims: ClaimSink,
        variants: dict[str, dict[str, float]] | None = None,
    ) -> None:
        self.w = w
        self.variants = variants or {}
        self.rng = rng
        self.illicit = illicit
        self._claims = claims
        self.claims_written = 0
        self._members: dict[str, list[int]] = {}
        self._sessions: dict[int, int] = {}  # account index -> time of its last step in a session
        for acct in w.accounts:
            self._members.setdefault(acct.region.name, []).append(acct.idx)

    def victim(
        self, region: Region, min_balance: int, kinds: tuple[str, ...] = ("saver", "trader")
    ) -> Account | None:
        """An existing customer of the region with at least ``min_balance`` cents (None if none found)."""
        members = self._members.get(region.name, [])
        for _ in range(40):
            if not members:
                return None
            acct = self.w.accounts[members[between(self.rng, 0, len(members))]]
            if acct.balance >= min_balance and acct.kind in kinds:
                return acct
        return None

    def controlled(self, region: Region) -> Account:
        """An existing account a perpetrator now controls (their own, or bought): from here on it
        does only what the episode does, so its honest visits stop."""
        acct = self.victim(region, 0) or self.member(region)
        acct.kind = "crime"
        return acct

    def handover(self) -> int:
        """How long taking control of an account takes (2-12 hours): a visit under way when the
        account changed hands ends before the episode's first move."""
        return between(self.rng, 2, 13) * HOUR

    def visit(self, acct: Account, ctx: Ctx, truth: Label | None) -> Episode:
        """Generator 2: the session a move needs. Unless ``acct`` took a step within
        ``SESSION_IDLE``, log in first (as a customer does, failures and resets included; labelled
        ``truth``, None when the customer acts for themself, a scam's victim) and wait the seconds
        a person takes to reach the move. Version 1 moves money without a session: nothing here."""
        w = self.w
        if w.generator < 2:
            return
        last = self._sessions.get(acct.idx)
        self._sessions[acct.idx] = w.now
        if last is not None and w.now - last < SESSION_IDLE:
            return
        t = login(w, acct, w.now, ctx, self.rng, truth=truth)
        yield t - w.now + between(self.rng, 10, 240) * SECOND
        self._sessions[acct.idx] = w.now

    def logged_in(self, acct: Account) -> None:
        """An episode's own login (a takeover's): the session is open from now."""
        self._sessions[acct.idx] = self.w.now

    def pick_variant(self, typology: str) -> str:
        """A variant of ``typology`` by its shares; the rest of the time the classic one."""
        r = self.rng.random()
        for name, share in self.variants.get(typology, {}).items():
            if r < share:
                return name
            r -= share
        return CLASSIC

    def ordinary(self, region: Region, min_balance: int = 0) -> Account:
        """An aged ordinary customer of the region (KYC'd, with a history), preferably with at
        least ``min_balance`` cents: whom criminals recruit, rent, buy or take over."""
        return (
            self.victim(region, min_balance, ORDINARY)
            or self.victim(region, 0, ORDINARY)
            or self.member(region)
        )

    def honest_hour(self, acct: Account, lo: int, hi: int) -> int:
        """A delay of about ``lo`` to ``hi`` microseconds that lands at a local hour drawn from the
        honest diurnal curve of ``acct``'s home: criminals keep the hours of the people they use."""
        rng = self.rng
        target = self.w.now + between(rng, lo, max(lo + 1, hi))
        local = (target // HOUR + round(acct.home.utc_offset)) % 24
        r = rng.random()
        want = next(h for h, c in enumerate(_CUMULATIVE_DIURNAL) if r <= c or h == 23)
        target += ((want - local) % 24) * HOUR - target % HOUR + between(rng, 0, 60) * MINUTE
        return max(1, target - self.w.now)

    def member(self, region: Region, rng: random.Random | None = None) -> Account:
        """A customer of the region, drawn with ``rng`` (the shared generator by default)."""
        members = self._members[region.name]
        return self.w.accounts[members[between(rng or self.rng, 0, len(members))]]

    def foreign_country(self, region: Region) -> Country:
        """A country of another region: where an attacker's residential proxy appears to be."""
        others = [r for r in self.w.regions if r.name != region.name]
        other = others[between(self.rng, 0, len(others))]
        return other.countries[between(self.rng, 0, len(other.countries))]

    def claim(self, record: dict[str, object]) -> None:
        self.claims_written += 1
        self._claims({"claim_id": f"c{self.claims_written:07d}", **record})

    def country(self, region: Region) -> Country:
        """Where a ring operates from: one of the region's countries, by weight."""
        return home_country(region, self.rng)

    def money(self, median: int, sigma: float, low: int = 1000) -> int:
        """A log-normal amount in cents around ``median``."""
        return max(low, int(self.rng.lognormvariate(0.0, sigma) * median))


def split(total: int, parts: int) -> list[int]:
    """``total`` cents in ``parts`` near-equal pieces that add up exactly (the remainder goes first)."""
    piece, rest = divmod(total, parts)
    return [piece + rest, *([piece] * (parts - 1))]


class Ring:
    """Labels for one operation: ``ring.label(role, cents, exit)``."""

    def __init__(self, w: World, typology: str, variant: str | None = None) -> None:
        self.typology = typology
        self.id = w.ring_id(typology)
        self.variant = variant  # generator 2 names how the operation hides; version 1 has none

    def label(self, role: str, cents: int = 0, exit: bool = False) -> Label:
        return Label(self.typology, self.id, role, cents, exit, self.variant)


__all__ = ["Crime", "Episode", "Ring", "split"]
