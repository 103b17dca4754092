"""A seeded synthetic event stream for the entity graph: an exchange's population with planted rings.

``plan(accounts, seed)`` draws the population and every event's account, time, kind, counterparty and
money as numpy arrays (cheap to keep: about 25 bytes per event); ``batches(plan)`` turns them, in time
order, into what ``EntityGraph.add_links`` takes (account id, time, ``Link`` list), a batch at a time,
with fresh strings as a live feed would allocate them. Which device and IP each event carries is drawn
per batch from a generator seeded by the batch number, so the stream is the same on every run.

The population (every figure scales with ``accounts``):

* **households** (geometric sizes 1-6, mean 1.8) share a home IP; a quarter of the multi-member ones
  share a family device and a tenth a card. Everybody else's devices, cards, documents, faces, e-mails,
  phones and crypto addresses are their own.
* **offices**: 10% of accounts also log in from an office IP shared by 5-30 colleagues.
* **hubs**: one IP per 2,000 accounts is a cafe, campus or carrier NAT used by 60 to 20,000 accounts
  (Pareto sizes), and one crypto address per 10,000 accounts is a service's hot wallet many deposit
  from; ``EntityGraph``'s hub limit must cap both. Roaming IPs are drawn from a pool of 4 per account
  (a few strangers share one), and 5% of events come through VPN or Tor and link no IP.
* **activity** is lognormal (sigma 1): trades (2 per account on average) are matched against
  counterparties drawn by activity, internal transfers (0.6) go to one of each account's one or two
  contacts (often a household member); sessions, card and crypto deposits and withdrawals make up the
  rest, about 8.7 events per account in all.
* **rings** (2% of accounts, sizes 3-30, opened within a week of each other): the members send money to
  a collector (2-6 transfers each; half the rings also pass money round a cycle) which withdraws it, and
  most rings share some of: the operator's devices (80% of rings), IPs (60%), reused documents and
  faces (50%), cards (60%), a phone (30%). Members also trade and log in like everybody else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vigil.graph import Link, LinkKind

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

DAY_US = 86_400_000_000

# Event kinds, in the order they are generated (so an account's opening sorts before the rest at a tie).
OPEN, KYC, SESSION, CARD_DEPOSIT, CRYPTO_DEPOSIT, WITHDRAWAL, TRADE, TRANSFER = range(8)
KIND_NAMES = ("open", "kyc", "session", "card deposit", "crypto deposit", "withdrawal", "trade", "transfer")

# Per account, on average (times its activity): sessions, trades, transfers, card and crypto deposits,
# withdrawals. With the opening and KYC, about 8.7 events per account.
RATES = {SESSION: 2.5, TRADE: 2.0, TRANSFER: 0.6, CARD_DEPOSIT: 0.5, CRYPTO_DEPOSIT: 0.3, WITHDRAWAL: 0.5}

Item = tuple[str, int, list[Link], int, int]  # (account id, time µs, links, event kind, cents)


@dataclass(frozen=True, slots=True)
class Rings:
    """Planted rings: members of ring r are ``members[start[r]:start[r + 1]]``, the collector first."""

    members: I64
    start: I64
    shares_device: npt.NDArray[np.bool_]
    shares_ip: npt.NDArray[np.bool_]
    reuses_documents: npt.NDArray[np.bool_]
    shares_card: npt.NDArray[np.bool_]
    shares_phone: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.start) - 1

    def of(self, r: int) -> I64:
        return self.members[self.start[r] : self.start[r + 1]]


@dataclass(frozen=True, slots=True)
class Plan:
    accounts: int
    seed: int
    days: int
    # per account
    household: I64  # household id: the home IP (and the family device or card)
    family_device: npt.NDArray[np.bool_]
    family_card: npt.NDArray[np.bool_]
    second_device: npt.NDArray[np.bool_]
    office: I64  # office id or -1
    hub: I64  # hub IP id or -1
    ring: I64  # ring id or -1
    ring_pos: I64  # position in the ring (0 = collector)
    rings: Rings
    # per event, in time order
    account: I32
    ts: I64
    kind: npt.NDArray[np.int8]
    other: I32  # counterparty (trade, transfer), service hot wallet (crypto deposit) or -1
    cents: I64

    @property
    def events(self) -> int:
        return len(self.ts)

    @property
    def nbytes(self) -> int:
        arrays = [
            self.household,
            self.family_device,
            self.family_card,
            self.second_device,
            self.office,
            self.hub,
            self.ring,
            self.ring_pos,
            self.rings.members,
            self.account,
            self.ts,
            self.kind,
            self.other,
            self.cents,
        ]
        return sum(a.nbytes for a in arrays)


def account_id(i: int) -> str:
    return f"a{i:08d}"


def _groups(rng: np.random.Generator, n: int, sizes: I64) -> tuple[I64, I64]:
    """Group ids for ``n`` items in groups of ``sizes`` (truncated to ``n``), and the sizes used."""
    ends = np.cumsum(sizes)
    k = int(np.searchsorted(ends, n)) + 1
    sizes = sizes[:k].copy()
    sizes[-1] -= int(ends[k - 1]) - n
    return np.repeat(np.arange(k, dtype=np.int64), sizes), sizes


def _uniform_after(rng: np.random.Generator, low: I64, end: int) -> I64:
    """A time strictly after each ``low`` and before ``end``."""
    span = np.maximum(end - low - 1, 1)
    return low + 1 + (rng.random(len(low)) * span).astype(np.int64)


def plan(accounts: int, seed: int = 7, days: int = 90, ring_share: float = 0.02) -> Plan:
    """The population and every event, as arrays (see the module)."""
    n = accounts
    rng = np.random.default_rng(seed)
    end = days * DAY_US

    # Households, in a shuffled order of accounts.
    order = rng.permutation(n)
    sizes = np.minimum(rng.geometric(0.55, size=n), 6).astype(np.int64)
    by_position, hh_sizes = _groups(rng, n, sizes)
    household = np.empty(n, dtype=np.int64)
    household[order] = by_position
    hh_start = np.concatenate(([0], np.cumsum(hh_sizes)))
    multi = hh_sizes[household] > 1
    family_device = multi & (rng.random(len(hh_sizes)) < 0.25)[household]
    family_card = multi & (rng.random(len(hh_sizes)) < 0.10)[household]
    second_device = rng.random(n) < 0.3

    # Offices: 10% of accounts, 5-30 colleagues each.
    office = np.full(n, -1, dtype=np.int64)
    workers = rng.permutation(n)[: n // 10]
    office_ids, _ = _groups(rng, len(workers), rng.integers(5, 31, size=len(workers)).astype(np.int64))
    office[workers] = office_ids

    # Hub IPs: Pareto sizes from 60 accounts; each account keeps the last hub it was drawn into.
    hub = np.full(n, -1, dtype=np.int64)
    n_hubs = max(1, n // 2000)
    hub_sizes = np.minimum((rng.pareto(1.2, size=n_hubs) + 1) * 60, min(20_000, n)).astype(np.int64)
    for h, size in enumerate(hub_sizes.tolist()):
        hub[rng.integers(0, n, size=size)] = h

    # Rings, from accounts in a shuffled order; members open within a week of the ring's start.
    ring = np.full(n, -1, dtype=np.int64)
    ring_pos = np.zeros(n, dtype=np.int64)
    in_rings = int(n * ring_share)
    ring_members = rng.permutation(n)[:in_rings].astype(np.int64)
    ring_of, ring_sizes = _groups(rng, in_rings, rng.integers(3, 31, size=max(1, in_rings)).astype(np.int64))
    if len(ring_sizes) and ring_sizes[-1] < 3:  # a truncated last ring: fold it into the previous one
        ring_of[ring_of == len(ring_sizes) - 1] = max(0, len(ring_sizes) - 2)
        ring_sizes = np.bincount(ring_of).astype(np.int64)
    n_rings = len(ring_sizes)
    ring_start = np.concatenate(([0], np.cumsum(ring_sizes))).astype(np.int64)
    ring[ring_members] = ring_of
    ring_pos[ring_members] = np.arange(in_rings) - ring_start[ring_of]
    rings = Rings(
        members=ring_members,
        start=ring_start,
        shares_device=rng.random(n_rings) < 0.8,
        shares_ip=rng.random(n_rings) < 0.6,
        reuses_documents=rng.random(n_rings) < 0.5,
        shares_card=rng.random(n_rings) < 0.6,
        shares_phone=rng.random(n_rings) < 0.3,
    )

    opened = (rng.random(n) * 0.85 * end).astype(np.int64)
    ring_began = (rng.random(n_rings) * 0.7 * end).astype(np.int64)
    opened[ring_members] = ring_began[ring_of] + (rng.random(in_rings) * 7 * DAY_US).astype(np.int64)
    activity = rng.lognormal(-0.5, 1.0, size=n)  # mean 1

    parts: list[tuple[I64, I64, int, I64, I64]] = []  # (account, ts, kind, other, cents)
    none = np.empty(0, dtype=np.int64)

    def add(who: I64, ts: I64, kind: int, other: I64 | None = None, cents: I64 | None = None) -> None:
        size = len(who)
        parts.append(
            (
                who,
                ts,
                kind,
                np.full(size, -1, dtype=np.int64) if other is None else other,
                np.zeros(size, dtype=np.int64) if cents is None else cents,
            )
        )

    everyone = np.arange(n, dtype=np.int64)
    add(everyone, opened, OPEN)
    kyc = everyone[(rng.random(n) < 0.92) | (ring >= 0)]
    add(kyc, opened[kyc] + (rng.random(len(kyc)) * 3 * DAY_US).astype(np.int64) + 1, KYC)

    def amounts(size: int, median_cents: float) -> I64:
        return np.maximum(1, rng.lognormal(np.log(median_cents), 1.2, size=size)).astype(np.int64)

    for kind, rate in RATES.items():
        lam = activity * rate
        if kind == CARD_DEPOSIT:
            lam = np.where(ring >= 0, 1.5, lam)  # ring members fund through the ring's cards
        who = np.repeat(everyone, rng.poisson(lam))
        if kind == TRADE:
            other = rng.choice(n, size=len(who), p=activity / activity.sum()).astype(np.int64)
            other = np.where(other == who, (other + 1) % n, other)
            ts = _uniform_after(rng, np.maximum(opened[who], opened[other]), end)
            add(who, ts, kind, other, amounts(len(who), 20_000))
        elif kind == TRANSFER:
            contacts = rng.integers(0, n, size=(n, 2))
            member = order[hh_start[household] + rng.integers(0, 1 << 30, size=n) % hh_sizes[household]]
            family = multi & (rng.random(n) < 0.5) & (member != everyone)
            contacts[:, 0] = np.where(family, member, contacts[:, 0])
            pick = rng.integers(0, 2, size=len(who)) * (rng.random(n) < 0.5)[who]
            other = contacts[who, pick]
            other = np.where(other == who, (other + 1) % n, other)
            ts = _uniform_after(rng, np.maximum(opened[who], opened[other]), end)
            add(who, ts, kind, other, amounts(len(who), 10_000))
        elif kind == CRYPTO_DEPOSIT:
            services = max(1, n // 10_000)
            other = np.where(rng.random(len(who)) < 0.1, rng.integers(0, services, size=len(who)), -1)
            add(who, _uniform_after(rng, opened[who], end), kind, other, amounts(len(who), 50_000))
        else:
            add(who, _uniform_after(rng, opened[who], end), kind, None, amounts(len(who), 30_000))

    # Ring money: members -> collector (2-6 times each), round a cycle in half the rings, then cash-out.
    if in_rings:
        pos = ring_pos[ring_members]
        collector = ring_members[ring_start[ring_of]]
        senders = ring_members[pos > 0]
        reps = rng.integers(2, 7, size=len(senders))
        src = np.repeat(senders, reps)
        dst = np.repeat(collector[pos > 0], reps)
        nxt = ring_members[ring_start[ring_of] + (pos + 1) % ring_sizes[ring_of]]
        cyc = rng.random(n_rings)[ring_of] < 0.5
        src = np.concatenate((src, ring_members[cyc]))
        dst = np.concatenate((dst, nxt[cyc]))
        cents = amounts(len(src), 90_000)
        add(src, _uniform_after(rng, np.maximum(opened[src], opened[dst]), end), TRANSFER, dst, cents)
        heads = ring_members[ring_start[:-1]]
        received = np.bincount(ring[dst], weights=cents, minlength=n_rings)
        cash = np.repeat(heads, 3)
        add(
            cash,
            _uniform_after(rng, opened[cash] + 14 * DAY_US, end),
            WITHDRAWAL,
            None,
            np.repeat((received * 0.3).astype(np.int64), 3),
        )

    who = np.concatenate([p[0] for p in parts])
    ts = np.concatenate([p[1] for p in parts])
    kinds = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int8) for p in parts])
    other = np.concatenate([p[3] for p in parts] or [none])
    cents = np.concatenate([p[4] for p in parts] or [none])
    sort = np.argsort(ts, kind="stable")
    return Plan(
        accounts=n,
        seed=seed,
        days=days,
        household=household,
        family_device=family_device,
        family_card=family_card,
        second_device=second_device,
        office=office,
        hub=hub,
        ring=ring,
        ring_pos=ring_pos,
        rings=rings,
        account=who[sort].astype(np.int32),
        ts=ts[sort],
        kind=kinds[sort],
        other=other[sort].astype(np.int32),
        cents=cents[sort],
    )


def _ip(pool_id: int) -> str:
    """A pool id as a dotted quad (an odd multiplier mod 2**32 is a bijection: distinct ids, distinct IPs)."""
    x = (pool_id * 2_654_435_761 + 0x0A00_0001) & 0xFFFF_FFFF
    return f"{x >> 24}.{(x >> 16) & 255}.{(x >> 8) & 255}.{x & 255}"


def batches(p: Plan, size: int = 100_000) -> Iterator[list[Item]]:
    """The events in time order, ``size`` at a time, as (account id, time, links, kind, cents)."""
    n = p.accounts
    device, ip, document, face = LinkKind.DEVICE, LinkKind.IP, LinkKind.DOCUMENT, LinkKind.FACE
    email, phone, card, address = LinkKind.EMAIL, LinkKind.PHONE, LinkKind.CARD, LinkKind.ADDRESS
    trade, transfer = LinkKind.TRADE, LinkKind.TRANSFER
    for number, lo in enumerate(range(0, p.events, size)):
        hi = min(lo + size, p.events)
        rng = np.random.default_rng([p.seed, number])
        acc = p.account[lo:hi].astype(np.int64)
        m = hi - lo
        r = p.ring[acc]
        in_ring = r >= 0
        rpos = p.ring_pos[acc]
        rsize = np.where(in_ring, p.rings.start[r + 1] - p.rings.start[np.maximum(r, 0)], 1)
        kinds = p.kind[lo:hi]

        # Device: own primary, else the second (own or the family's), else the ring's; API trades have none.
        dev = acc.copy()
        second = p.second_device[acc] & (rng.random(m) < 0.25)
        dev = np.where(second, np.where(p.family_device[acc], 2 * n + p.household[acc], n + acc), dev)
        ring_dev = in_ring & p.rings.shares_device[np.maximum(r, 0)] & (rng.random(m) < 0.7)
        dev = np.where(ring_dev, 3 * n + r * 8 + rpos % (1 + rsize // 8), dev)
        dev = np.where((kinds == TRADE) & (rng.random(m) < 0.2), -1, dev)

        # IP: home, office, a hub or a roaming IP; the ring's; none through VPN or Tor.
        u, v = rng.random(m), rng.random(m)
        off = p.office[acc]
        hub = p.hub[acc]
        home = np.where(off >= 0, u < 0.5, u < 0.8)
        roam = np.where((hub >= 0) & (v < 0.6), 2 * n + hub, 4 * n + rng.integers(0, 4 * n, size=m))
        ipid = np.where(home, p.household[acc], np.where((off >= 0) & (u < 0.85), n + off, roam))
        ring_ip = in_ring & p.rings.shares_ip[np.maximum(r, 0)] & (rng.random(m) < 0.5)
        ipid = np.where(ring_ip, 3 * n + r * 4 + rpos % (1 + rsize // 12), ipid)
        ipid = np.where(rng.random(m) < 0.05, -1, ipid)

        # What the event itself links, by kind.
        rr = np.maximum(r, 0)
        doc = np.where(in_ring & p.rings.reuses_documents[rr], n + r * 8 + rpos % (1 + rsize // 5), acc)
        card_id = np.where(p.family_card[acc], n + p.household[acc], acc)
        card_id = np.where(
            in_ring & p.rings.shares_card[rr], 2 * n + r * 4 + rpos % (1 + rsize // 15), card_id
        )
        phone_id = np.where(in_ring & p.rings.shares_phone[rr], n + r, acc)
        other = p.other[lo:hi].astype(np.int64)
        deposit_from = np.where(other >= 0, 2 * n + other, 2 * acc)
        rows = zip(
            acc.tolist(),
            p.ts[lo:hi].tolist(),
            kinds.tolist(),
            dev.tolist(),
            ipid.tolist(),
            doc.tolist(),
            card_id.tolist(),
            phone_id.tolist(),
            other.tolist(),
            deposit_from.tolist(),
            p.cents[lo:hi].tolist(),
            strict=True,
        )
        out: list[Item] = []
        for a, ts, kind, d, i, dc, cd, ph, o, dep, cents in rows:
            links: list[Link] = []
            if d >= 0:
                links.append(Link(device, f"d{d:020x}"))
            if i >= 0:
                links.append(Link(ip, _ip(i)))
            if kind == TRADE:
                links.append(Link(trade, f"a{o:08d}", cents))
            elif kind == TRANSFER:
                links.append(Link(transfer, f"a{o:08d}", cents))
            elif kind == OPEN:
                links.append(Link(email, f"{a:020x}"))
                links.append(Link(phone, f"{ph:020x}"))
            elif kind == KYC:
                links.append(Link(document, f"{dc:020x}"))
                links.append(Link(face, f"f{dc:019x}"))
            elif kind == CARD_DEPOSIT:
                links.append(Link(card, f"card:{cd:016x}"))
            elif kind == CRYPTO_DEPOSIT:
                links.append(Link(address, f"BTC:bc1q{dep:038x}"))
            elif kind == WITHDRAWAL:
                links.append(Link(address, f"BTC:bc1q{2 * a + 1:038x}"))
            out.append((f"a{a:08d}", ts, links, kind, cents))
        yield out
