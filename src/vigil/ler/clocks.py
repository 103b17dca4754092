"""The clocks of a request (pure): acknowledge within one business day of the jurisdiction, triage an
emergency within the hour, and the request's own deadline.

Business days skip weekends and the public holidays of the agency's calendar country, from the
``holidays`` library (MIT; kept current by its maintainers). A country the library does not know
skips weekends only. Days are counted on UTC dates: a request received on Friday at 10:00 UTC is due
on Monday at 10:00 UTC (Tuesday when Monday is a public holiday).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache

import holidays

from vigil.model.ler import LerRequest

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
TRIAGE_US = HOUR_US  # an emergency is verified (by a supervisor) or refused within the hour


@cache
def _calendar(country: str, year: int) -> frozenset[date]:
    try:
        days = holidays.country_holidays(country, years=year)
    except NotImplementedError:  # the library does not know the country: weekends only
        return frozenset()
    return frozenset(days.keys())


def business_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in _calendar(country, day.year)


def ack_due(received_us: int, country: str) -> int:
    """The same time of day on the next business day of ``country`` after the day received."""
    at = datetime.fromtimestamp(received_us / 1e6, UTC)
    day = at.date() + timedelta(days=1)
    while not business_day(day, country):
        day += timedelta(days=1)
    return received_us + (day - at.date()).days * DAY_US


def breaches(request: LerRequest, now_us: int) -> list[str]:
    """The clocks of an open request that ran out by ``now_us`` and are not recorded yet."""
    if not request.open:
        return []
    due = []
    if request.acknowledged_us is None and now_us > request.ack_due_us and "ack" not in request.breaches:
        due.append("ack")
    triage = request.triage_due_us
    if (
        triage is not None
        and request.verified_us is None
        and now_us > triage
        and "triage" not in request.breaches
    ):
        due.append("triage")
    deadline = request.deadline_us
    if (
        deadline is not None
        and now_us > deadline
        and "deadline" not in request.breaches
        and not request.answered
    ):
        due.append("deadline")
    return due
