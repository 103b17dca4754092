"""The simulator's parameters: regions, kinds of users, typology mix, and the run's settings.

Every number here is documented in docs/simulator.md with where it comes from. They are
plausible, not fitted: shares follow public reports (regional adoption, crime mix), amounts are
log-normal around published medians, and anything we could not source is marked as a choice.
"""

from __future__ import annotations

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
