"""Training sets without leakage: replay the decided history through the engine's own feature catalog.

A row is the feature vector an event had **at its decision**: ``training_set`` steps a fresh catalog with
the journal's events in order, reads the vector right after the event is observed (so it holds this
event and everything before it, never anything after), and flags the account in the entity graph after
a held or blocked decision, exactly as the engine does. ``row_of`` turns a vector into the model's input
and is the one function both training and serving call, so the two cannot drift apart
(``tests/test_ml.py`` proves the rows equal the vectors the engine saw).

Only money-moving and access events are rows (``SCORED``); the others still step the catalog. An event
without a label is legitimate; a label marks it illicit (or, from a case disposition, clears it). Every
event, scored or not, counts in ``Activity`` (who was active on which day), the denominator of the
thresholds' false-alert budget.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vigil.errors import InvalidInput
from vigil.features import Catalog, FeatureVector, context_of
from vigil.model import Decision, Event, EventType, Outcome
from vigil.model.learning import GLOBAL, Label

Floats = npt.NDArray[np.float64]
DAY_US = 86_400_000_000
PROGRESS_EVERY = 10_000  # events between two calls of a replay's progress callback

# The events a model scores: where money or access can be lost.
SCORED = frozenset(
    {
        EventType.WITHDRAWAL,
        EventType.DEPOSIT,
        EventType.TRADE,
        EventType.INTERNAL_TRANSFER,
        EventType.P2P_ORDER,
        EventType.LOGIN,
    }
)
_TYPES = tuple(EventType)
_TYPE_CODE = {t: float(i) for i, t in enumerate(_TYPES)}
# What the event itself and the rest of the engine add to the catalog's features: the model is the one
# policy over all the evidence (the rules' score and forced outcome, screening's outcome).
EXTRA = ("event.type", "event.fiat", "rules.score", "rules.outcome", "screening.outcome")
_EXTRA_SENTENCES = {
    "event.type": "the kind of event",
    "event.fiat": "the event's fiat value",
    "rules.score": "the rules' score for this event",
    "rules.outcome": "the outcome the rules forced (0 allow .. 4 block)",
    "screening.outcome": "the outcome screening asked for (0 allow .. 4 block)",
}
_NOT_RULES = ("screening.", "model.", "desk.", "protect.delay_waived")  # reasons the rules did not give


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the engine found before the model: the rules' summed score and the outcome they forced, and
    the outcome screening asked for. The engine passes it when serving; training reads it back from the
    stored decision (``evidence_of``): the same numbers, so training and serving cannot drift."""

    rules_score: float = 0.0
    rules_outcome: int = 0
    screening_outcome: int = 0


NO_EVIDENCE = Evidence()


def evidence_of(decision: Decision) -> Evidence:
    """The evidence a stored decision was made on (its reasons name who forced what)."""
    rules = screening = 0
    for r in decision.reasons:
        if r.outcome is None:
            continue
        code = r.code.value
        if code.startswith("screening."):
            screening = max(screening, int(r.outcome))
        elif not code.startswith(_NOT_RULES):
            rules = max(rules, int(r.outcome))
    return Evidence(decision.score, rules, screening)


def columns(catalog: Catalog) -> tuple[str, ...]:
    """The model's input columns: every catalog feature, then the event's own type and fiat value."""
    return catalog.names + EXTRA


def describer(catalog: Catalog) -> Callable[[str], str]:
    """A sentence for every input column: the catalog's, and the event's own."""

    def describe(name: str) -> str:
        return _EXTRA_SENTENCES.get(name) or catalog.describe(name)

    return describe


def row_of(
    vector: FeatureVector, event: Event, out: Floats | None = None, evidence: Evidence = NO_EVIDENCE
) -> Floats:
    """The model input for one event (NaN where a feature is missing), written into ``out`` if given."""
    n = len(vector)
    row = np.empty(n + len(EXTRA)) if out is None else out
    at = vector.at
    for i in range(n):
        value = at(i)
        row[i] = np.nan if value is None else value
    row[n] = _TYPE_CODE[event.TYPE]
    fiat = getattr(event, "fiat_value", None)
    row[n + 1] = np.nan if fiat is None else float(fiat)
    row[n + 2] = evidence.rules_score
    row[n + 3] = evidence.rules_outcome
    row[n + 4] = evidence.screening_outcome
    return row


@dataclass(frozen=True, slots=True)
class Activity:
    """Every event of the history (scored or not): when, whose (an account code) and where."""

    ts_us: npt.NDArray[np.int64]
    account: npt.NDArray[np.int32]
    region: npt.NDArray[np.int32]  # an index into ``regions``
    regions: tuple[str, ...]

    def account_days(self, start_us: int | None = None, end_us: int | None = None) -> dict[str, int]:
        """Active account-days of ``start_us <= ts < end_us``, per region and for GLOBAL: the sum over UTC
        days of the distinct accounts with an event that day (in a region: an event of the region)."""
        mask = np.ones(len(self.ts_us), dtype=bool)
        if start_us is not None:
            mask &= self.ts_us >= start_us
        if end_us is not None:
            mask &= self.ts_us < end_us
        day = self.ts_us[mask] // DAY_US
        account = self.account[mask].astype(np.int64)
        region = self.region[mask]
        out = dict.fromkeys(self.regions, 0)
        if len(day) == 0:
            return out | {GLOBAL: 0}
        span = int(day.max() - day.min()) + 1
        keys = account * span + (day - day.min())
        out[GLOBAL] = int(np.unique(keys).size)
        n = np.int64(len(self.regions))
        pairs = np.unique(keys * n + region)  # distinct (account, day, region)
        counts = np.bincount((pairs % n).astype(np.intp), minlength=len(self.regions))
        out.update({r: int(c) for r, c in zip(self.regions, counts.tolist(), strict=True)})
        return out


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """Rows in time order: features at decision time, the label, and what each row was."""

    names: tuple[str, ...]
    x: Floats  # (rows, columns), NaN = missing
    y: npt.NDArray[np.int8]  # 1 illicit, 0 legitimate
    ts_us: npt.NDArray[np.int64]
    regions: npt.NDArray[np.str_]
    types: npt.NDArray[np.str_]
    typologies: npt.NDArray[np.str_]  # "" for legitimate rows
    event_ids: tuple[str, ...]
    catalog_hash: str
    activity: Activity  # every event of the history, for active account-days

    def __len__(self) -> int:
        return len(self.y)

    @property
    def fiat(self) -> Floats:
        """Each row's fiat value (NaN where the event has none)."""
        return self.x[:, self.names.index("event.fiat")]

    def where(self, mask: npt.NDArray[np.bool_]) -> TrainingSet:
        """The rows where ``mask`` holds (a time window, a region), in the same order."""
        ids = tuple(e for e, keep in zip(self.event_ids, mask.tolist(), strict=True) if keep)
        return TrainingSet(
            self.names,
            self.x[mask],
            self.y[mask],
            self.ts_us[mask],
            self.regions[mask],
            self.types[mask],
            self.typologies[mask],
            ids,
            self.catalog_hash,
            self.activity,
        )

    def window(self, start_us: int | None = None, end_us: int | None = None) -> TrainingSet:
        """Rows with ``start_us <= ts < end_us``."""
        mask = np.ones(len(self), dtype=bool)
        if start_us is not None:
            mask &= self.ts_us >= start_us
        if end_us is not None:
            mask &= self.ts_us < end_us
        return self.where(mask)


def training_set(
    history: Iterable[tuple[Event, Decision]],
    labels: Mapping[str, Label],
    catalog: Catalog,
    *,
    start_us: int | None = None,
    end_us: int | None = None,
    scored: frozenset[EventType] = SCORED,
    progress: Callable[[int], None] | None = None,
) -> TrainingSet:
    """Replay ``history`` (the journal's events with their decisions, in order) through ``catalog`` (fresh:
    no state) and keep a row per scored event with ``start_us <= ts < end_us``. Events after ``end_us``
    are not read at all. ``progress`` (if given) hears the number of events replayed so far, every
    ``PROGRESS_EVERY`` events and at the end."""
    if catalog.generation != 0:
        raise InvalidInput("the catalog must be fresh (it has seen events already)", field="catalog")
    names = columns(catalog)
    rows: list[Floats] = []
    y: list[int] = []
    ts: list[int] = []
    regions: list[str] = []
    types: list[str] = []
    typologies: list[str] = []
    ids: list[str] = []
    seen_ts, seen_account, seen_region = array("q"), array("i"), array("i")
    accounts: dict[str, int] = {}
    region_codes: dict[str, int] = {}
    done = 0
    for event, decision in history:
        if end_us is not None and event.ts_us >= end_us:
            break
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        seen_ts.append(event.ts_us)
        seen_account.append(accounts.setdefault(event.account_id, len(accounts)))
        seen_region.append(region_codes.setdefault(event.region, len(region_codes)))
        vector = catalog.observe(context_of(event, event.network))
        if event.TYPE in scored and (start_us is None or event.ts_us >= start_us):
            rows.append(row_of(vector, event, evidence=evidence_of(decision)))
            label = labels.get(event.event_id)
            illicit = label is not None and label.illicit
            y.append(int(illicit))
            ts.append(event.ts_us)
            regions.append(event.region)
            types.append(event.TYPE.value)
            typologies.append(label.typology if label is not None and illicit else "")
            ids.append(event.event_id)
        if decision.outcome >= Outcome.HOLD:
            catalog.flag(event.account_id, event.ts_us)
    if progress is not None:
        progress(done)
    if not rows:
        raise InvalidInput("the training window holds no scored events", field="window")
    activity = Activity(
        np.frombuffer(seen_ts, dtype=np.int64).copy(),
        np.frombuffer(seen_account, dtype=np.int32).copy(),
        np.frombuffer(seen_region, dtype=np.int32).copy(),
        tuple(region_codes),
    )
    return TrainingSet(
        names,
        np.vstack(rows),
        np.asarray(y, dtype=np.int8),
        np.asarray(ts, dtype=np.int64),
        np.asarray(regions, dtype=np.str_),
        np.asarray(types, dtype=np.str_),
        np.asarray(typologies, dtype=np.str_),
        tuple(ids),
        catalog.hash,
        activity,
    )
