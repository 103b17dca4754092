"""Which accounts of a directed, valued transfer graph look like part of a laundering structure, and why.

No labels: every signal is a count an account shows, set against what the population's own rate
predicts for an account with as many transfers (or senders, or counterparties), and scored by its
p-value (how often chance alone would show at least that count):

* **odd amounts**: transfers (in or out) whose amount is an outlier of the population's amounts
  (the modified z-score of the log amount beyond ``z_cut``; Iglewicz and Hoaglin's 3.5 by default);
* **split transfers**: a transfer to the same counterparty as one within ``burst`` before it;
* **structured fan-in**: distinct senders whose transfers to the account were odd or split (many
  sources converging with structured payments);
* **fresh feeders**: distinct senders that are thin (at most ``thin`` counterparties in all) or
  were funded just before they sent (they had received at least as much within ``window``);
* **quick forwarding**: outgoing transfers the account had received at least as much for within
  ``window`` before (money passed on);
* **many senders**: the share of accounts with as many distinct senders (popular is not suspicious);
* **flagged partner**: the account made or received an odd or split transfer with an account whose
  own evidence is strong (the feeders of a fan-in share its evidence, divided among them);
* **structure ties**: ordinary transfers with several members of one *structure* (a Leiden
  community of the graph of odd and split transfers) that is itself suspicious, more than its
  members' share of all transfers would give (both must be unlikely: an intersection-union test).

Counts against a rate are binomial tails. Forwarding counts only at a fan-in (the larger of the two
p-values). An account's p-values are combined by their harmonic mean (Wilson 2019: approximately
valid however the signals depend on each other, and dominated by the strongest); the
Benjamini-Hochberg q-value across accounts is the false discovery rate of flagging every account at
least as suspicious. The operating point needs no labels: flag where ``q <= alpha``. ``score`` is
``-log10(p)``. Each account's evidence reads "observed, expected, p" per signal, strongest first.

Limits: the nulls assume accounts mix at random; where ordinary payments cluster around a ring, the
tie test is over-confident (on AMLSim most accounts flagged for their ties are honest neighbours of
rings, the rest members that made no laundering transfer). Odd is odd against the population
fitted. Times, ``window`` and ``burst`` are in the caller's unit (AMLSim: a step; Vigil: µs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self

import numpy as np
import numpy.typing as npt
from scipy import stats

from vigil.errors import InvalidInput
from vigil.graph.communities import partition
from vigil.graph.entity import EntityGraph
from vigil.graph.links import Link, LinkKind

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

_MAD_TO_SIGMA = 0.6745  # the modified z-score's constant: MAD of a standard normal
_MEAN_AD_TO_MAD = 1.253314  # when the MAD is zero, Iglewicz and Hoaglin scale the mean absolute deviation


class TransferSignal(StrEnum):
    ODD_AMOUNTS = "odd_amounts"
    SPLIT = "split_transfers"
    FAN_IN = "structured_fan_in"
    FRESH_FEEDERS = "fresh_feeders"
    QUICK_FORWARD = "quick_forward"
    MANY_SENDERS = "many_senders"
    PARTNER = "flagged_partner"
    TIES = "structure_ties"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One signal of one account: the count seen, the count the population's rate predicts, its p-value."""

    signal: TransferSignal
    observed: int
    expected: float
    p: float
    detail: str


@dataclass(frozen=True, slots=True)
class AccountReport:
    account: int
    score: float  # -log10(p)
    p: float  # the harmonic mean p-value of its signals
    q: float  # Benjamini-Hochberg: the false discovery rate of flagging down to this account
    flagged: bool
    structure: int  # its structure (community of odd and split transfers), -1 for none
    evidence: tuple[
        Evidence, ...
    ]  # the signals with p < 1, strongest first (many senders: expected is the median)


@dataclass(frozen=True, slots=True)
class _Graph:
    """The distinct directed pairs (who paid whom at least once); each account's distinct counterparties."""

    src: Ints
    dst: Ints
    degree: Ints


@dataclass(frozen=True, slots=True)
class _Ties:
    p: Floats
    observed: Ints
    expected: Floats
    structure: Ints  # the structure the account is tied to, -1 for none


@dataclass(frozen=True, slots=True)
class _Transfers:
    src: Ints
    dst: Ints
    value: Floats
    time: Floats


class TransferScorer:
    """Scores every account of a transfer graph (see the module); ``fit`` learns, ``explain`` tells why."""

    def __init__(
        self,
        *,
        window: float = 1.0,
        burst: float = 0.0,
        thin: int = 2,
        z_cut: float = 3.5,
        alpha: float = 0.05,
        structures: bool = True,
        seed: int = 1,
    ) -> None:
        self.window = window
        self.burst = burst
        self.thin = thin
        self.z_cut = z_cut
        self.alpha = alpha
        self.structures = structures
        self.seed = seed

    # -- learning ----------------------------------------------------------------------------
    def fit(self, src: object, dst: object, value: object, time: object, n: int) -> Self:
        """Score ``n`` accounts from their transfers: ``src[i]`` paid ``dst[i]`` ``value[i]`` at ``time[i]``.

        Accounts are ``0 .. n-1``; self-transfers are dropped (``self_loops_`` counts them).
        """
        self._check_parameters()
        t, self.self_loops_ = _validate(src, dst, value, time, n)
        self.n_ = n
        odd, self.amount_center_, self.amount_scale_ = _odd_amounts(t.value, self.z_cut)
        repeated = _repeated(t, self.burst, n)
        forwarded = _forwarded(t, self.window)
        anomalous = odd | repeated
        pairs, pair_of = np.unique(t.src * n + t.dst, return_inverse=True)
        g = _Graph(pairs // n, pairs % n, _distinct_degree(pairs // n, pairs % n, n))
        pair_anomalous = np.bincount(pair_of, weights=anomalous, minlength=pairs.size) > 0
        pair_fresh = (np.bincount(pair_of, weights=forwarded, minlength=pairs.size) > 0) | (
            g.degree[g.src] <= self.thin
        )
        touched = np.bincount(t.src, minlength=n) + np.bincount(t.dst, minlength=n)
        senders, sent = np.bincount(g.dst, minlength=n), np.bincount(t.src, minlength=n)
        tests = {  # signal: (observed, trials, flags whose share is the population's rate)
            TransferSignal.ODD_AMOUNTS: (_touching(t, odd, n), touched, odd),
            TransferSignal.SPLIT: (_touching(t, repeated, n), touched, repeated),
            TransferSignal.FAN_IN: (_count(g.dst, pair_anomalous, n), senders, pair_anomalous),
            TransferSignal.FRESH_FEEDERS: (_count(g.dst, pair_fresh, n), senders, pair_fresh),
            TransferSignal.QUICK_FORWARD: (_count(t.src, forwarded, n), sent, forwarded),
        }
        self.rates_ = {signal: _share(flags) for signal, (_, _, flags) in tests.items()}
        observed = {signal: k for signal, (k, _, _) in tests.items()}
        expected = {signal: trials * self.rates_[signal] for signal, (_, trials, _) in tests.items()}
        p = {
            signal: _binomial_tail(k, trials, self.rates_[signal]) for signal, (k, trials, _) in tests.items()
        }
        observed[TransferSignal.MANY_SENDERS] = senders
        p[TransferSignal.MANY_SENDERS], expected[TransferSignal.MANY_SENDERS] = _empirical_tail(senders)
        # Forwarding is evidence only at a fan-in: both must be unlikely (an intersection-union test).
        fan_in = np.minimum.reduce([p[s] for s in (TransferSignal.FAN_IN, TransferSignal.FRESH_FEEDERS)])
        fan_in = np.minimum(fan_in, p[TransferSignal.MANY_SENDERS])
        p[TransferSignal.QUICK_FORWARD] = np.maximum(p[TransferSignal.QUICK_FORWARD], fan_in)
        direct = _harmonic_mean(list(p.values()))
        # Association: the partners of odd or split transfers, and the structures those transfers make.
        self.partner_, p[TransferSignal.PARTNER], observed[TransferSignal.PARTNER] = _partners(
            t.src[anomalous], t.dst[anomalous], direct, n
        )
        expected[TransferSignal.PARTNER] = np.zeros(n)
        self.structure_ = np.full(n, -1, dtype=np.int64)
        if self.structures and anomalous.any():
            self.structure_ = _structures(t.src[anomalous], t.dst[anomalous], n, self.seed)
        ties = _ties(g, self.structure_, direct, n)
        self.tie_structure_ = ties.structure
        p[TransferSignal.TIES], observed[TransferSignal.TIES] = ties.p, ties.observed
        expected[TransferSignal.TIES] = ties.expected
        self.observed_, self.expected_, self.p_values_ = observed, expected, p
        self.p_ = _harmonic_mean(list(p.values()))
        self.q_ = _benjamini_hochberg(self.p_)
        self.scores_ = -np.log10(np.maximum(self.p_, np.finfo(np.float64).tiny))
        self.flagged_ = self.q_ <= self.alpha
        return self

    def _check_parameters(self) -> None:
        for name, x in (("window", self.window), ("burst", self.burst), ("thin", self.thin)):
            if not (math.isfinite(x) and x >= 0):
                raise InvalidInput(f"must be a finite number >= 0, got {x}", field=name)
        if not (math.isfinite(self.z_cut) and self.z_cut > 0):
            raise InvalidInput(f"must be a finite number > 0, got {self.z_cut}", field="z_cut")
        if not 0 < self.alpha < 1:
            raise InvalidInput(f"must be between 0 and 1, got {self.alpha}", field="alpha")

    # -- reading -----------------------------------------------------------------------------
    def explain(self, account: int) -> AccountReport:
        """Why ``account`` scores what it does: every signal with p < 1, strongest first."""
        if not 0 <= account < self.n_:
            raise InvalidInput(f"no account {account} (there are {self.n_})", field="account")
        found = []
        for signal, p in self.p_values_.items():
            pv = float(p[account])
            if pv < 1.0:
                observed = int(self.observed_[signal][account])
                expected = float(self.expected_[signal][account])
                found.append(
                    Evidence(signal, observed, expected, pv, self._sentence(signal, account, observed))
                )
        found.sort(key=lambda e: (e.p, e.signal))
        return AccountReport(
            account=account,
            score=float(self.scores_[account]),
            p=float(self.p_[account]),
            q=float(self.q_[account]),
            flagged=bool(self.flagged_[account]),
            structure=int(self.structure_[account]),
            evidence=tuple(found),
        )

    def _sentence(self, signal: TransferSignal, a: int, k: int) -> str:
        return _SENTENCES[signal].format(
            k=k,
            transfers=f"{k} transfer" if k == 1 else f"{k} transfers",
            e=self.expected_[signal][a],
            fewer=1 - self.p_values_[signal][a],
            burst="at the same time" if self.burst == 0 else f"within {self.burst:g}",
            window=self.window,
            partner=int(self.partner_[a]),
            structure=int(self.tie_structure_[a]),
        )


_SENTENCES = {
    TransferSignal.ODD_AMOUNTS: "{transfers} of an unusual amount (about {e:.2f} expected)",
    TransferSignal.SPLIT: (
        "{transfers} repeating one to the same counterparty {burst} (about {e:.2f} expected)"
    ),
    TransferSignal.FAN_IN: "{k} distinct senders sent it odd or split transfers (about {e:.2f} expected)",
    TransferSignal.FRESH_FEEDERS: "{k} senders were thin or had just been funded (about {e:.2f} expected)",
    TransferSignal.QUICK_FORWARD: (
        "{transfers} out passing on money received within {window:g}, after a fan-in (about {e:.2f} expected)"
    ),
    TransferSignal.MANY_SENDERS: "{k} distinct senders; {fewer:.1%} of accounts have fewer",
    TransferSignal.PARTNER: "odd or split transfers with account {partner}, whose own evidence is strong",
    TransferSignal.TIES: (
        "transfers with {k} members of structure {structure}, which is suspicious (about {e:.2f} expected)"
    ),
}


def score_accounts(
    src: object, dst: object, value: object, time: object, n: int, **parameters: Any
) -> tuple[Floats, dict[TransferSignal, Floats]]:
    """Each account's score (``-log10 p``) and each signal's p-value (``TransferScorer`` with
    ``parameters``; its ``observed_`` and ``expected_`` hold the counts behind them)."""
    scorer = TransferScorer(**parameters).fit(src, dst, value, time, n)
    return scorer.scores_, scorer.p_values_


# -- input -------------------------------------------------------------------------------------
def _validate(src: object, dst: object, value: object, time: object, n: int) -> tuple[_Transfers, int]:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise InvalidInput(f"the number of accounts must be an integer >= 0, got {n!r}", field="n")
    columns = {
        name: _column(name, data)
        for name, data in (("src", src), ("dst", dst), ("value", value), ("time", time))
    }
    sizes = {c.size for c in columns.values()}
    if len(sizes) > 1:
        shown = ", ".join(f"{name} {c.size}" for name, c in columns.items())
        raise InvalidInput(f"columns differ in length: {shown}", field="src")
    ends = {}
    for name in ("src", "dst"):
        c = columns[name]
        bad = np.flatnonzero((c != np.floor(c)) | (c < 0) | (c >= n))
        if bad.size:
            i = int(bad[0])
            raise InvalidInput(f"row {i}: {float(c[i]):g} is not an account in 0..{n - 1}", field=name)
        ends[name] = c.astype(np.int64)
    bad = np.flatnonzero(columns["value"] < 0)
    if bad.size:
        i = int(bad[0])
        raise InvalidInput(
            f"row {i}: a transfer of {float(columns['value'][i]):g} (below zero)", field="value"
        )
    loop = ends["src"] == ends["dst"]
    keep = ~loop
    t = _Transfers(ends["src"][keep], ends["dst"][keep], columns["value"][keep], columns["time"][keep])
    return t, int(loop.sum())


def _column(name: str, data: object) -> Floats:
    try:
        column = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise InvalidInput(f"not numbers: {e}", field=name) from e
    if column.ndim != 1:
        raise InvalidInput(f"must be one-dimensional, got shape {column.shape}", field=name)
    bad = np.flatnonzero(~np.isfinite(column))
    if bad.size:
        i = int(bad[0])
        raise InvalidInput(f"row {i}: {float(column[i])} is not a finite number", field=name)
    return column


# -- transfer flags ----------------------------------------------------------------------------
def _odd_amounts(value: Floats, z_cut: float) -> tuple[Bools, float, float]:
    """Transfers whose log amount is beyond ``z_cut`` modified z-scores of the population's; a zero is odd."""
    positive = value > 0
    if not positive.any():
        return np.zeros(value.size, dtype=bool), 0.0, 0.0
    logs = np.log(value[positive])
    center = float(np.median(logs))
    deviation = np.abs(logs - center)
    scale = float(np.median(deviation)) / _MAD_TO_SIGMA
    if scale == 0.0:
        scale = _MEAN_AD_TO_MAD * float(deviation.mean()) / _MAD_TO_SIGMA
    if scale == 0.0:
        return ~positive, center, 0.0
    odd = ~positive
    odd[positive] = deviation / scale > z_cut
    return odd, center, scale


def _repeated(t: _Transfers, burst: float, n: int) -> Bools:
    """Transfers within ``burst`` after an earlier one of the same sender to the same receiver."""
    pair = t.src * n + t.dst
    order = np.lexsort((t.time, pair))
    same = pair[order][1:] == pair[order][:-1]
    close = np.diff(t.time[order]) <= burst
    out = np.zeros(pair.size, dtype=bool)
    out[order[1:]] = same & close
    return out


def _forwarded(t: _Transfers, window: float) -> Bools:
    """Transfers whose sender had received at least as much within ``window`` before (same time included)."""
    if not t.src.size:
        return np.zeros(0, dtype=bool)
    times = np.unique(np.concatenate([t.time, t.time - window]))
    width = times.size  # keys: account * width + the rank of a time, so one sorted array serves all accounts
    keys = t.dst * width + np.searchsorted(times, t.time)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    received = np.concatenate([[0.0], np.cumsum(t.value[order])])
    lo = np.searchsorted(keys, t.src * width + np.searchsorted(times, t.time - window), side="left")
    hi = np.searchsorted(keys, t.src * width + np.searchsorted(times, t.time), side="right")
    out: Bools = (hi > lo) & (received[hi] - received[lo] >= t.value)
    return out


def _distinct_degree(p_src: Ints, p_dst: Ints, n: int) -> Ints:
    """Distinct counterparties of each account, either direction."""
    lo, hi = np.minimum(p_src, p_dst), np.maximum(p_src, p_dst)
    undirected = np.unique(lo * n + hi)
    return np.bincount(undirected // n, minlength=n) + np.bincount(undirected % n, minlength=n)


def _count(accounts: Ints, flags: Bools, n: int) -> Ints:
    return np.bincount(accounts[flags], minlength=n).astype(np.int64)


def _touching(t: _Transfers, flags: Bools, n: int) -> Ints:
    return (np.bincount(t.src[flags], minlength=n) + np.bincount(t.dst[flags], minlength=n)).astype(np.int64)


# -- statistics --------------------------------------------------------------------------------
def _share(flags: Bools) -> float:
    return float(flags.mean()) if flags.size else 0.0


def _binomial_tail(k: Ints, trials: Ints, rate: float) -> Floats:
    """P(X >= k) for X ~ Binomial(trials, rate); 1 where k is 0."""
    out = np.ones(k.size)
    some = k > 0
    out[some] = stats.binom.sf(k[some] - 1, trials[some], rate)
    return out


def _empirical_tail(x: Ints) -> tuple[Floats, Floats]:
    """The share of accounts with at least ``x`` (1 where ``x`` is 0), and the population's median."""
    ordered = np.sort(x)
    at_least = (x.size - np.searchsorted(ordered, x, side="left")) / max(1, x.size)
    tail = np.where(x > 0, at_least, 1.0)
    median = float(np.median(x)) if x.size else 0.0
    return tail, np.full(x.size, median)


def _harmonic_mean(ps: list[Floats]) -> Floats:
    """The harmonic mean p-value of equally weighted signals (Wilson 2019), at most 1."""
    tiny = np.finfo(np.float64).tiny
    inverse = sum((1.0 / np.maximum(p, tiny) for p in ps), start=np.zeros(ps[0].size))
    return np.minimum(1.0, len(ps) / inverse)


def _benjamini_hochberg(p: Floats) -> Floats:
    if not p.size:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order] * p.size / np.arange(1, p.size + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(p.size)
    out[order] = np.minimum(1.0, q)
    return out


# -- association --------------------------------------------------------------------------------
def _best_per_account(accounts: Ints, p: Floats, other: Ints) -> Ints:
    """The row of each account's smallest ``p`` (ties: the smallest ``other``)."""
    order = np.lexsort((other, p, accounts))
    first = np.ones(order.size, dtype=bool)
    first[1:] = accounts[order][1:] != accounts[order][:-1]
    return order[first]


def _partners(src: Ints, dst: Ints, direct: Floats, n: int) -> tuple[Ints, Floats, Ints]:
    """Per account, the odd-or-split partner with the strongest direct evidence (shared among that
    partner's odd-or-split partners), that evidence, and how many such partners the account has."""
    partner = np.full(n, -1, dtype=np.int64)
    p = np.ones(n)
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    pairs = np.unique(lo * n + hi)
    a = np.concatenate([pairs // n, pairs % n])
    b = np.concatenate([pairs % n, pairs // n])
    count = np.bincount(a, minlength=n)
    if not a.size:
        return partner, p, count.astype(np.int64)
    shared = np.minimum(1.0, direct[b] * count[b])
    best = _best_per_account(a, shared, b)
    partner[a[best]] = b[best]
    p[a[best]] = shared[best]
    return partner, p, count.astype(np.int64)


def _structures(src: Ints, dst: Ints, n: int, seed: int) -> Ints:
    """Leiden communities (``communities.partition``) of the graph of odd and split transfers, numbered
    from 0; -1 for accounts outside it."""
    graph = EntityGraph()
    for s, d in zip(src.tolist(), dst.tolist(), strict=True):
        graph.add_links(str(s), 0, [Link(LinkKind.TRANSFER, str(d))])
    _, dense = np.unique(partition(graph, seed=seed), return_inverse=True)
    out = np.full(n, -1, dtype=np.int64)
    out[np.array([int(name) for name in graph.names], dtype=np.int64)] = dense
    return out


def _ties(g: _Graph, structure: Ints, direct: Floats, n: int) -> _Ties:
    """Ordinary ties to several members of one suspicious structure not the account's own.

    The chance part: an account's distinct counterparties drawn at random in proportion to their
    distinct counterparties (a structure's share of all ends), at least ``k`` of them in one
    structure (a binomial tail, times the number of structures: Bonferroni). The structure's part:
    its strongest member's direct evidence, times its size. The tie's p-value is the larger.
    """
    out = _Ties(np.ones(n), np.zeros(n, dtype=np.int64), np.zeros(n), np.full(n, -1, dtype=np.int64))
    inside = structure >= 0
    if not inside.any():
        return out
    count = int(structure.max()) + 1
    members = np.bincount(structure[inside], minlength=count)
    evidence = np.ones(count)
    np.minimum.at(evidence, structure[inside], direct[inside])
    evidence = np.minimum(1.0, evidence * members)
    share = np.bincount(structure[inside], weights=g.degree[inside], minlength=count) / max(
        1, int(g.degree.sum())
    )
    ends = np.unique(np.concatenate([g.src * n + g.dst, g.dst * n + g.src]))
    a, b = ends // n, ends % n
    keep = (structure[b] >= 0) & (structure[b] != structure[a])
    keys, k = np.unique(a[keep] * count + structure[b[keep]], return_counts=True)
    several = k >= 2
    a, s, k = keys[several] // count, keys[several] % count, k[several]
    if not a.size:
        return out
    chance = np.minimum(1.0, count * stats.binom.sf(k - 1, g.degree[a], share[s]))
    combined = np.maximum(chance, evidence[s])
    best = _best_per_account(a, combined, s)
    accounts = a[best]
    out.p[accounts] = combined[best]
    out.observed[accounts] = k[best]
    out.expected[accounts] = g.degree[accounts] * share[s[best]]
    out.structure[accounts] = s[best]
    return out
