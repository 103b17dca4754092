"""Case dispositions as labels for the learning loop (pure).

A true positive labels every alerted event of the case illicit, with the alert's pattern as its
typology; a false positive labels them legitimate; an inconclusive case labels nothing. The label's
source is ``case:<case id>`` so that training can tell analysts' labels from the simulator's, and a
later disposition of the same events (a reopened case) supersedes the earlier one.
"""

from __future__ import annotations

from vigil.errors import InvalidInput
from vigil.model.cases import Case, Disposition
from vigil.model.learning import Label


def parse_disposition(text: str) -> Disposition:
    try:
        return Disposition(text)
    except ValueError:
        known = ", ".join(d.value for d in Disposition)
        raise InvalidInput(
            f"{text!r} is not a disposition; use one of: {known}", field="disposition"
        ) from None


def labels_of(case: Case, at_us: int) -> list[Label]:
    if case.disposition is None or case.disposition is Disposition.INCONCLUSIVE:
        return []
    illicit = case.disposition is Disposition.TRUE_POSITIVE
    return [
        Label(
            event_id=event_id,
            account_id=case.account_id,
            illicit=illicit,
            typology=alert.key if illicit else "",
            source=f"case:{case.case_id}",
            at_us=at_us,
        )
        for alert in case.alerts
        for event_id in alert.event_ids
        if event_id
    ]
