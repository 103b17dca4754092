"""The simulator's parameters: regions, kinds of users, typology mix, and the run's settings.

Every number here is documented in docs/simulator.md with where it comes from. They are
plausible, not fitted: shares follow public reports (regional adoption, crime mix), amounts are
log-normal around published medians, and anything we could not source is marked as a choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from vigil.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    weight: float
    lat: float
    lon: float
    utc_offset: float  # hours
    currency: str


@dataclass(frozen=True, slots=True)
class Region:
    """A policy region: its population share, its countries, its chain habits and crime mix."""

    name: str
    share: float
    countries: tuple[Country, ...]
    vpn_share: float  # users who habitually connect through a VPN
    chain_mix: tuple[tuple[str, float], ...]  # deposit/withdrawal rails: "BTC", "ETH", "TRON", "BSC", "FIAT"
    crime: dict[str, float]  # episodes started per 10,000 accounts per day, by typology
    drift: dict[str, float]  # the same at the end of a run with drift=1.0
    reporting_threshold_cents: int  # the cash-report threshold structuring stays under


def _c(code: str, weight: float, lat: float, lon: float, tz: float, cur: str) -> Country:
    return Country(code, weight, lat, lon, tz, cur)


# Typology names are stable: labels, the evaluation and later issues refer to them.
TYPOLOGIES: tuple[str, ...] = (
    "account_takeover",
    "scam_victim",
    "mule_ring",
    "collusion",
    "synthetic_identity",
    "illicit_exposure",
    "structuring",
    "pass_through",
    "wash_trading",
    "bonus_abuse",
    "mistaken_deposit",
)

# Base crime rates (episodes per 10,000 accounts per day). A choice calibrated so that illicit
# events are about 1% of all events, with the ordering of Chainalysis' 2024 Crypto Crime Report
# (scams and stolen funds lead by value; laundering typologies lead by count of accounts).
_BASE: dict[str, float] = {
    "account_takeover": 0.8,
    "scam_victim": 0.6,
    "mule_ring": 0.08,
    "collusion": 0.05,
    "synthetic_identity": 0.15,
    "illicit_exposure": 0.4,
    "structuring": 0.3,
    "pass_through": 0.5,
    "wash_trading": 0.1,
    "bonus_abuse": 0.04,
    "mistaken_deposit": 0.5,
}


def _mix(**factors: float) -> dict[str, float]:
    return {k: v * factors.get(k, 1.0) for k, v in _BASE.items()}


REGIONS: tuple[Region, ...] = (
    Region(
        "ID",
        0.12,
        (_c("ID", 1.0, -6.2, 106.8, 7, "IDR"),),
        0.12,
        (("TRON", 0.45), ("BSC", 0.2), ("ETH", 0.1), ("BTC", 0.05), ("FIAT", 0.2)),
        _mix(collusion=6.0, mule_ring=2.0, bonus_abuse=3.0, wash_trading=2.0),
        _mix(collusion=3.0, mule_ring=4.0, bonus_abuse=2.0, scam_victim=2.0),
        3_100_000,
    ),
    Region(
        "SEA",
        0.13,
        (
            _c("VN", 0.35, 10.8, 106.7, 7, "VND"),
            _c("TH", 0.25, 13.8, 100.5, 7, "THB"),
            _c("PH", 0.3, 14.6, 121.0, 8, "PHP"),
            _c("MY", 0.1, 3.1, 101.7, 8, "MYR"),
        ),
        0.1,
        (("TRON", 0.45), ("BSC", 0.2), ("ETH", 0.1), ("BTC", 0.05), ("FIAT", 0.2)),
        _mix(scam_victim=2.5, mule_ring=1.5),
        _mix(scam_victim=4.0, mule_ring=2.0),
        1_000_000,
    ),
    Region(
        "SA",
        0.16,
        (
            _c("IN", 0.8, 19.1, 72.9, 5.5, "INR"),
            _c("PK", 0.15, 24.9, 67.0, 5, "PKR"),
            _c("BD", 0.05, 23.8, 90.4, 6, "BDT"),
        ),
        0.08,
        (("TRON", 0.35), ("BSC", 0.15), ("ETH", 0.1), ("BTC", 0.1), ("FIAT", 0.3)),
        _mix(pass_through=1.5, mule_ring=1.5),
        _mix(pass_through=2.0, mule_ring=3.0),
        1_200_000,
    ),
    Region(
        "CIS",
        0.08,
        (
            _c("KZ", 0.3, 43.2, 76.9, 5, "KZT"),
            _c("UZ", 0.3, 41.3, 69.2, 5, "UZS"),
            _c("GE", 0.2, 41.7, 44.8, 4, "GEL"),
            _c("AM", 0.2, 40.2, 44.5, 4, "AMD"),
        ),
        0.25,
        (("TRON", 0.4), ("BTC", 0.2), ("ETH", 0.15), ("BSC", 0.05), ("FIAT", 0.2)),
        _mix(illicit_exposure=3.0, pass_through=2.0),
        _mix(illicit_exposure=4.0, pass_through=3.0),
        1_000_000,
    ),
    Region(
        "LATAM",
        0.12,
        (
            _c("BR", 0.45, -23.5, -46.6, -3, "BRL"),
            _c("AR", 0.25, -34.6, -58.4, -3, "ARS"),
            _c("MX", 0.2, 19.4, -99.1, -6, "MXN"),
            _c("CO", 0.1, 4.7, -74.1, -5, "COP"),
        ),
        0.06,
        (("TRON", 0.3), ("ETH", 0.15), ("BTC", 0.2), ("BSC", 0.05), ("FIAT", 0.3)),
        _mix(account_takeover=1.5, structuring=1.5),
        _mix(account_takeover=2.5, structuring=2.0),
        1_000_000,
    ),
    Region(
        "EU",
        0.18,
        (
            _c("DE", 0.3, 52.5, 13.4, 1, "EUR"),
            _c("FR", 0.25, 48.9, 2.4, 1, "EUR"),
            _c("ES", 0.2, 40.4, -3.7, 1, "EUR"),
            _c("PL", 0.15, 52.2, 21.0, 1, "PLN"),
            _c("NL", 0.1, 52.4, 4.9, 1, "EUR"),
        ),
        0.07,
        (("BTC", 0.25), ("ETH", 0.2), ("TRON", 0.1), ("BSC", 0.05), ("FIAT", 0.4)),
        _mix(account_takeover=1.2, scam_victim=1.2),
        _mix(account_takeover=1.5, scam_victim=2.0),
        1_000_000,
    ),
    Region(
        "AF",
        0.08,
        (
            _c("NG", 0.5, 6.5, 3.4, 1, "NGN"),
            _c("KE", 0.3, -1.3, 36.8, 3, "KES"),
            _c("ZA", 0.2, -26.2, 28.0, 2, "ZAR"),
        ),
        0.08,
        (("TRON", 0.5), ("BSC", 0.15), ("BTC", 0.1), ("ETH", 0.05), ("FIAT", 0.2)),
        _mix(mule_ring=2.0, scam_victim=1.5),
        _mix(mule_ring=3.0, scam_victim=2.5),
        1_000_000,
    ),
    Region(
        "NA",
        0.13,
        (
            _c("US", 0.85, 40.7, -74.0, -5, "USD"),
            _c("CA", 0.15, 43.7, -79.4, -5, "CAD"),
        ),
        0.06,
        (("BTC", 0.3), ("ETH", 0.25), ("TRON", 0.05), ("BSC", 0.05), ("FIAT", 0.35)),
        _mix(account_takeover=1.5, scam_victim=2.0, structuring=2.0),
        _mix(account_takeover=2.0, scam_victim=3.0, structuring=2.0),
        1_000_000,
    ),
)

# Typical deposit size relative to the global median, by region: a choice that follows the ordering
# of GDP per capita (World Bank 2024) compressed by half, since crypto users are richer than average.
WEALTH: dict[str, float] = {
    "ID": 0.6,
    "SEA": 0.6,
    "SA": 0.45,
    "CIS": 0.8,
    "LATAM": 0.7,
    "EU": 1.6,
    "AF": 0.45,
    "NA": 2.0,
}

# Median deposit (US cents) and log-normal sigma by kind of user; trades and withdrawals scale from it.
TICKET: dict[str, tuple[int, float]] = {
    "saver": (15_000, 1.0),
    "trader": (80_000, 1.2),
    "bot": (300_000, 0.8),
    "merchant": (200_000, 0.7),
    "dormant": (30_000, 1.0),
}

# Kinds of users: population share, sessions per day, and what a session holds.
KINDS: tuple[tuple[str, float, float], ...] = (
    ("saver", 0.62, 0.12),
    ("trader", 0.25, 0.5),
    ("bot", 0.01, 6.0),
    ("merchant", 0.02, 2.5),
    ("dormant", 0.10, 0.0008),
)

# Share of a day's activity in each local hour (0-23). A bimodal curve (a late-morning shoulder,
# an evening peak at 20-22h, a trough at 3-5h), the shape reported for retail exchange traffic.
DIURNAL: tuple[float, ...] = (
    0.030,
    0.020,
    0.014,
    0.010,
    0.009,
    0.011,
    0.018,
    0.030,
    0.040,
    0.048,
    0.052,
    0.054,
    0.052,
    0.050,
    0.050,
    0.051,
    0.052,
    0.054,
    0.057,
    0.062,
    0.066,
    0.066,
    0.058,
    0.046,
)

START = datetime(2026, 1, 5, tzinfo=UTC)

# ---- generator version 2 ---------------------------------------------------------------------
GENERATORS = (1, 2)  # 1: the original generator, frozen; 2: crime that hides, honest look-alikes

# Hiding variants by typology and their default shares of the typology's episodes. Shares of one
# typology sum to at most 1; the rest is "classic", the version-1 behaviour. docs/simulator.md
# describes each variant and the public source that describes it.
VARIANTS: dict[str, dict[str, float]] = {
    "account_takeover": {"session_hijack": 0.3, "slow_drain": 0.25},
    "scam_victim": {"crypto_funded": 0.3, "long_con": 0.3},
    "mule_ring": {"recruited_customers": 0.4, "rented_accounts": 0.3},
    "collusion": {"bought_identities": 0.5},
    "synthetic_identity": {"clean_kyc": 0.5},
    "illicit_exposure": {"one_hop": 0.45, "split_hops": 0.25},
    "structuring": {"varied_steps": 0.4, "smurfs": 0.3},
    "pass_through": {"with_trade": 0.3, "slow_layering": 0.3},
    "wash_trading": {"separate_devices": 0.5},
    "bonus_abuse": {"residential_farm": 0.5},
    "mistaken_deposit": {},  # not crime: a recovery claim, nothing to hide
}
CLASSIC = "classic"

# Honest kinds of version 2: (name, population share, sessions per day). The version-1 kinds
# keep their shares (savers give up 6 points to the new kinds), so nothing suspicious-looking
# becomes rarer than in version 1. Shares are choices; docs/simulator.md gives the reasoning.
KINDS_V2: tuple[tuple[str, float, float], ...] = (
    ("saver", 0.56, 0.12),
    ("trader", 0.25, 0.5),
    ("bot", 0.01, 6.0),
    ("merchant", 0.02, 2.5),
    ("dormant", 0.10, 0.0008),
    ("otc_desk", 0.003, 3.0),
    ("arbitrage", 0.005, 5.0),
    ("traveller", 0.015, 0.3),
    ("payroll", 0.02, 0.15),
    ("family", 0.017, 0.12),
)
TICKET_V2: dict[str, tuple[int, float]] = {
    **TICKET,
    "otc_desk": (2_500_000, 1.0),
    "arbitrage": (500_000, 0.9),
    "traveller": (40_000, 1.1),
    "payroll": (20_000, 0.9),
    "family": (15_000, 1.0),
}
# Honest behaviours of version 2 that look like crime, as a share of sessions (or of sign-ups).
FORGOTTEN_PASSWORD = 0.015  # 1-4 failed logins, a password reset, then a login (v1: 3% one failure)
NEW_ADDRESS_SAME_DAY = 0.12  # a withdrawal to an address added minutes before (v1: 5%)
NEWCOMER_TEST = 0.25  # of sign-ups: a small deposit withdrawn within the hour, to test the exchange
FORGOTTEN_ON_NEW_PHONE = 0.5  # of sessions on a device new to the account (the old one remembered it)
TWOFA_CHANGE = 0.001  # of sessions: the authenticator moved to another app or phone (removed, enrolled)
TWOFA_ON_NEW_PHONE = 0.3  # of sessions on a device new to the account: the authenticator moves with it
P2P_CASH_OUT = 0.1  # of ordinary customers' cash-outs: USDT sold P2P for local currency, not withdrawn
REFERRED_SIGNUP = 0.2  # of honest sign-ups: opened through an existing customer's referral link
# Version 2: what customers name an address-book entry, honest or not (a choice: people name wallets
# after the wallet app, the hardware, or what the money is for). Criminals and their victims draw from
# the same names; version 1 wrote "my wallet" for every honest entry and a telling literal for crime.
WALLET_LABELS: tuple[tuple[str, float], ...] = (
    ("my wallet", 0.30),
    ("wallet", 0.12),
    ("main", 0.06),
    ("ledger", 0.08),
    ("trezor", 0.03),
    ("metamask", 0.08),
    ("trust wallet", 0.08),
    ("savings", 0.05),
    ("cold storage", 0.05),
    ("binance", 0.05),
    ("exchange", 0.04),
    ("investment", 0.03),
    ("trading", 0.03),
)
# Version 2: the share of ordinary customers' visits that pay another customer of the exchange by
# internal transfer (friends and family settling up, paying a small seller); a choice, no public share.
INTERNAL_TRANSFER = 0.03
TOP_UP_AND_PAY = 0.4  # of those transfers: a deposit made to pay, sent on within half an hour
SETTLE_WITH_REFERRER = 0.3  # of referred sign-ups that fund: pay the friend who referred them
HISTORY_DAYS = 14.0  # version 2: days of honest sessions written before the run (warm baselines)

# Version 2's crime rates: version 1's regional mix times this factor, calibrated so that the
# illicit share of the fiat value moved (deposits, withdrawals, P2P) is of the order of the
# public figures in docs/simulator.md ("Base rates"); --crime-scale still multiplies it.
RATE_SCALE_V2 = 1.0


def variant_shares(overrides: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, dict[str, float]]:
    """The variant shares with ``overrides`` applied, checked: unknown typologies or variants and
    shares outside [0, 1] or summing past 1 in a typology raise ``InvalidInput`` naming them."""
    table = {t: dict(v) for t, v in VARIANTS.items()}
    for typology, shares in (overrides or {}).items():
        if typology not in table:
            raise InvalidInput(
                f"unknown typology {typology!r} (known: {', '.join(TYPOLOGIES)})", field="variants"
            )
        for name, share in shares.items():
            if name not in VARIANTS[typology]:
                known = ", ".join(VARIANTS[typology]) or "none"
                raise InvalidInput(
                    f"unknown variant {typology}.{name} (variants of {typology}: {known})", field="variants"
                )
            if isinstance(share, bool) or not isinstance(share, int | float) or not 0.0 <= share <= 1.0:
                raise InvalidInput(f"{typology}.{name}: share {share!r} must be in [0, 1]", field="variants")
            table[typology][name] = float(share)
    for typology, shares in table.items():
        total = sum(shares.values())
        if total > 1.0 + 1e-9:
            raise InvalidInput(
                f"{typology}: variant shares sum to {total:g}, more than 1 (the rest is {CLASSIC})",
                field="variants",
            )
    return table


@dataclass(frozen=True, slots=True)
class SimConfig:
    """One run. The same config (seed included) gives byte-identical output."""

    accounts: int = 5_000
    days: float = 2.0
    seed: int = 1
    start: datetime = START
    drift: float = 0.0  # 0: every region keeps its base mix; 1: reaches its drift mix by the end
    crime_scale: float = 1.0  # multiplies every typology's rate
    signups_per_day: float = 0.002  # new honest accounts per day, as a share of the population
    regions: tuple[Region, ...] = field(default=REGIONS)
    generator: int = 2  # 1: the original generator (frozen bytes); 2: hiding crime, look-alikes
    # Version 2 only: overrides of VARIANTS, {typology: {variant: share}}; checked on creation.
    variants: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    history_days: float = HISTORY_DAYS  # version 2 only: days of honest sessions before the run
    claims_scale: float = 1.0  # version 2 only: multiplies mistaken deposits (and so claims) alone

    @property
    def start_us(self) -> int:
        """The first simulated instant, in microseconds since the Unix epoch."""
        return (self.start - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)

    def __post_init__(self) -> None:
        if self.accounts < 10:
            raise InvalidInput(f"{self.accounts} is too few (at least 10)", field="accounts")
        if not 0 < self.days <= 3650:
            raise InvalidInput(f"{self.days} must be in (0, 3650]", field="days")
        if not 0.0 <= self.drift <= 1.0:
            raise InvalidInput(f"{self.drift} must be between 0 and 1", field="drift")
        if self.crime_scale < 0:
            raise InvalidInput(f"{self.crime_scale} must not be negative", field="crime_scale")
        if self.start.tzinfo is None:
            raise InvalidInput("needs a timezone (UTC)", field="start")
        if self.seed < 0:
            raise InvalidInput(f"{self.seed} must not be negative", field="seed")
        if self.generator not in GENERATORS:
            raise InvalidInput(
                f"generator version {self.generator!r} does not exist (versions: 1, 2)", field="generator"
            )
        if not 0.0 <= self.history_days <= 365:
            raise InvalidInput(f"{self.history_days} must be between 0 and 365", field="history_days")
        variant_shares(self.variants)
        if self.generator == 1 and self.variants:
            raise InvalidInput("variant shares apply to generator 2 only", field="variants")
        if not 0.0 <= self.claims_scale <= 1000:
            raise InvalidInput(f"{self.claims_scale} must be between 0 and 1000", field="claims_scale")
        if self.generator == 1 and self.claims_scale != 1.0:
            raise InvalidInput("the claims scale applies to generator 2 only", field="claims_scale")

    @property
    def variant_table(self) -> dict[str, dict[str, float]]:
        """Every typology's variant shares (defaults with this run's overrides)."""
        return variant_shares(self.variants)
