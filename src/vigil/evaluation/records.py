"""The three input files' rows, as msgspec Structs that declare only what the evaluation reads.

Every other field of an event or a decision is skipped by the decoder without being built, which
is what makes reading millions of lines fast. The Structs are ``gc=False`` (they hold only
strings, numbers and datetimes, never cycles), so the collector does not walk millions of them.

``InvalidRecord`` is the one error of this package: it names the file and, when known, the line.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, get_args

import msgspec

from vigil.model import Outcome

UtcTime = Annotated[datetime, msgspec.Meta(tz=True)]
Name = Annotated[str, msgspec.Meta(min_length=1)]
OutcomeName = Literal["allow", "challenge", "review", "hold", "block"]

OUTCOME_CODES: dict[str, int] = {o.label: int(o) for o in Outcome}
if set(get_args(OutcomeName)) != set(OUTCOME_CODES):  # pragma: no cover - a new Outcome needs a name here
    raise RuntimeError("OutcomeName is out of date with vigil.model.Outcome")


class EventRecord(msgspec.Struct, frozen=True, gc=False):
    """What the evaluation needs of an event: who, when, where, and whether it is a withdrawal."""

    type: Name
    event_id: Name
    account_id: Name
    ts: UtcTime
    region: Name


class DecisionRecord(msgspec.Struct, frozen=True, gc=False):
    """What the evaluation needs of a decision (``vigil.codec.decision_view``): the outcome, the score,
    and when a delay (automatic friction that ends by itself) ends, if there is one.

    ``delay_until`` is absent or null without a delay (files written before delays existed have no
    such key); msgspec parses it in C with the rest of the line, and refuses one without a timezone.
    """

    event_id: Name
    account_id: Name
    outcome: OutcomeName
    score: float
    delay_until: UtcTime | None = None


class LabelRecord(msgspec.Struct, frozen=True, gc=False):
    """One labelled (illicit) event of the simulator's ground truth; ``role`` is not needed here."""

    event_id: Name
    account_id: Name
    typology: Name
    ring_id: Name
    illicit_value: Decimal
    exit: bool
