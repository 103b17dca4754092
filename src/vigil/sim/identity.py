"""Generator 2's identity draws: the age at KYC and the declared income, for every account alike.

Version 1 drew ages uniformly from 18 to 70 and incomes uniformly from 30,000 to 1.5 million in
any currency, independent of the region. Version 2 draws both from one population, the same for
honest customers and for the accounts criminals open, so neither says who is who on its own:
ages lean young (most crypto users are 25-44), incomes follow the region's wealth, log-normal.
"""

from __future__ import annotations

import random

from vigil.sim.config import WEALTH

# (youngest, oldest, share): a choice after the usual finding of exchange and survey reports that
# most crypto owners are 25 to 44 years old.
AGES: tuple[tuple[int, int, float], ...] = (
    (18, 25, 0.17),
    (25, 35, 0.35),
    (35, 45, 0.25),
    (45, 55, 0.13),
    (55, 71, 0.10),
)
INCOME_MEDIAN_USD = 30_000  # a choice: the median declared income where WEALTH is 1.0


def age_at_kyc(rng: random.Random) -> int:
    """An age in years at KYC, by the bands of ``AGES``."""
    r = rng.random()
    for lo, hi, share in AGES:
        if r < share:
            return lo + int(rng.random() * (hi - lo))
        r -= share
    return AGES[-1][0]


def declared_income(region: str, age: int, rng: random.Random) -> int:
    """A declared annual income in US dollars, rounded to 1,000: log-normal around the region's
    median, lower for the youngest."""
    young = 0.6 if age < 25 else 1.0
    income = INCOME_MEDIAN_USD * WEALTH[region] * young * rng.lognormvariate(0.0, 0.7)
    return max(1_000, int(income) // 1_000 * 1_000)
