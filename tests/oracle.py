"""A plain pandas/numpy oracle for the feature catalog.

It recomputes every feature of a catalog at every event from the raw history (the events up to
and including that one), without the catalog's statistics, windows or scope code: only the specs'
parameters are read (key, scope, statistic, period, field, attribute, a derived feature's inputs).
Keys and values come straight from the event fields, not from ``context_of``; a KYC submission's
document and holder keys and its name check come from ``vigil.identity.read_document`` (the MRZ reading,
proved on its own against the ICAO vectors in ``tests/test_mrz.py``, as ``to_cents`` is for fiat).

The history is one DataFrame built from the events; the value at event ``i`` is computed from
the first ``i + 1`` rows only (numpy views of the columns), so nothing after ``i`` is read.

Semantics (``vigil.features.specs``): the value of every feature whose key is missing on the
event is None. Otherwise, with "matching" meaning the event's type is in the scope, the
scope's login outcome, side and fiat band ``[min, max)`` hold, and the spec's field (or
attribute, or geo) is present:

* windows: the statistic over the key's matching events in ``(t - period, t]``, the current one
  included; 0 for an empty count/sum/distinct, None for an empty mean (or var below two values);
  fiat in fiat units;
* seconds_since_last / hour share / is_new / zscore / travel speed: against the key's matching
  events strictly before this one (None without one; zscore needs two, and a non-zero spread);
* seconds_since_first, latest and latest flag: over matching events up to and including this one;
* address-book age: the account's add/remove history before this withdrawal.

Unknown spec kinds, spec or scope fields, statistics or derived features raise ``OracleGap``:
the parity test must never skip a feature silently.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml

from vigil.features import to_cents
from vigil.graph.links import links_of
from vigil.identity import read_document
from vigil.model import (
    AddressBookChanged,
    Deposit,
    Event,
    InternalTransfer,
    KycSubmitted,
    Login,
    P2POrder,
    Trade,
    Withdrawal,
)

if TYPE_CHECKING:
    from vigil.features import Catalog

US = 1_000_000
HOUR_US = 3600 * US
EARTH_RADIUS_KM = 6371.0088
MIN_TRAVEL_HOURS = 1 / 60
EVM_CHAINS = frozenset({"ETH", "BSC", "POLYGON", "ARB", "OP", "BASE", "AVAX", "ETC"})

KEYS = frozenset({"account", "device", "ip", "destination", "pair", "document", "receiver"})
FIELDS = frozenset(
    {"fiat", "ip", "device", "country", "destination", "source", "counterparty", "asset", "account", "holder"}
)
NUMERIC_FIELDS = frozenset({"fiat"})
FLAGS = frozenset({"name_mismatch"})  # yes/no facts of an event a LatestFlag may read
WINDOW_STATS = frozenset({"count", "sum", "mean", "var", "distinct"})
SCOPE_FIELDS = frozenset({"types", "label", "success", "side", "min_fiat", "max_fiat", "line_band"})
# The reporting lines, read from the data file itself (not through vigil.features.lines): a region's
# line in cents, else the file's default.
_LINES_DATA = yaml.safe_load(
    (Path(__file__).parent.parent / "src" / "vigil" / "features" / "reporting_lines.yaml").read_text()
)
LINE_CENTS: dict[str, int] = {region: entry["cents"] for region, entry in _LINES_DATA["lines"].items()}
DEFAULT_LINE_CENTS: int = _LINES_DATA["default_cents"]
# Every feature kind the oracle computes, with the dataclass fields it reads.
SPEC_FIELDS: dict[str, frozenset[str]] = {
    "Window": frozenset({"key", "scope", "stat", "period", "field"}),
    "SinceLast": frozenset({"key", "scope"}),
    "Age": frozenset({"key", "scope"}),
    "IsNew": frozenset({"key", "scope", "field"}),
    "FirstSeen": frozenset({"key", "scope", "field"}),
    "ZScore": frozenset({"key", "scope", "field"}),
    "HourShare": frozenset({"key", "scope"}),
    "TravelSpeed": frozenset({"key", "scope", "field"}),
    "BookAge": frozenset({"key", "scope"}),
    "Latest": frozenset({"key", "scope", "attribute"}),
    "LatestFlag": frozenset({"key", "scope", "flag"}),
}
EXACT_KINDS = frozenset({"IsNew"})
EXACT_STATS = frozenset({"count", "distinct"})

Value = float | None
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class OracleGap(Exception):
    """The catalog holds something the oracle cannot compute."""


def canonical_address(chain: str, address: str) -> str:
    """``CHAIN:address``; case folded on EVM chains and for bech32 BTC (bc1/tb1/bcrt) and LTC (ltc1/tltc)."""
    prefix = address.lower()
    bech32 = (chain == "BTC" and prefix.startswith(("bc1", "tb1", "bcrt"))) or (
        chain == "LTC" and prefix.startswith(("ltc1", "tltc"))
    )
    if chain in EVM_CHAINS or bech32:
        address = address.lower()
    return f"{chain}:{address}"


def event_record(event: Event, attributes: Sequence[str]) -> dict[str, Any]:
    """The row of one event: keys, fields and attributes read from the event itself."""
    fiat: int | None = None
    asset = side = success = destination = source = counterparty = book_address = book_action = None
    if isinstance(event, Deposit | Withdrawal | Trade | InternalTransfer | P2POrder):
        fiat = to_cents(event.fiat_value)
    if isinstance(event, Deposit | Withdrawal | InternalTransfer | P2POrder):
        asset = event.asset
    if isinstance(event, Trade | P2POrder):
        side = event.side.value
    if isinstance(event, Trade):  # the asset received: the base when buying, the quote when selling
        base, _, quote = event.pair.partition("/")
        asset = base if side == "buy" else quote
    if isinstance(event, Trade | InternalTransfer | P2POrder):
        counterparty = event.counterparty_account_id
    if isinstance(event, Withdrawal) and event.chain is not None and event.destination_address is not None:
        destination = canonical_address(event.chain.value, event.destination_address)
    if isinstance(event, Deposit) and event.chain is not None and event.source_address is not None:
        source = canonical_address(event.chain.value, event.source_address)
    if isinstance(event, Login):
        success = event.success
    if isinstance(event, AddressBookChanged):
        book_address = canonical_address(event.chain.value, event.address)
        book_action = event.action.value
    document = holder = name_mismatch = None
    if isinstance(event, KycSubmitted) and (reading := read_document(event)) is not None:
        document, holder, name_mismatch = reading.document, reading.holder, reading.name_mismatch
    record: dict[str, Any] = {
        "event_id": event.event_id,
        "t": event.ts_us,
        "ts": event.ts,
        "type": event.TYPE.value,
        "account": event.account_id,
        "device": event.device_id,
        "ip": event.ip,
        "country": None if event.network is None else event.network.country,
        "fiat": fiat,
        "line": LINE_CENTS.get(event.region, DEFAULT_LINE_CENTS),
        "asset": asset,
        "side": side,
        "success": success,
        "destination": destination,
        "source": source,
        "counterparty": counterparty,
        "pair": None if counterparty is None else f"{event.account_id}>{counterparty}",
        # where the value arrives: a transfer's counterparty, any other event's own account
        "receiver": counterparty if isinstance(event, InternalTransfer) else event.account_id,
        "book_address": book_address,
        "book_action": book_action,
        "document": document,
        "holder": holder,
        "name_mismatch": name_mismatch,
        "lat": math.nan if event.geo is None else event.geo.lat,
        "lon": math.nan if event.geo is None else event.geo.lon,
    }
    for name in attributes:
        record[f"attr.{name}"] = getattr(event, name, None)
    return record


def history_frame(events: Sequence[Event], attributes: Sequence[str] = ()) -> pd.DataFrame:
    """All events as one DataFrame, in stream order, with the UTC hour of day."""
    columns = [*event_record_columns(), *(f"attr.{a}" for a in attributes)]
    frame = pd.DataFrame([event_record(e, attributes) for e in events], columns=columns)
    frame["hour"] = pd.to_datetime(frame["ts"], utc=True).dt.hour.astype("int64")
    return frame


def event_record_columns() -> list[str]:
    return [
        "event_id",
        "t",
        "ts",
        "type",
        "account",
        "device",
        "ip",
        "country",
        "fiat",
        "line",
        "asset",
        "side",
        "success",
        "destination",
        "source",
        "counterparty",
        "pair",
        "receiver",
        "book_address",
        "book_action",
        "document",
        "holder",
        "name_mismatch",
        "lat",
        "lon",
    ]


def problems(catalog: Catalog) -> list[str]:
    """Everything in ``catalog`` the oracle does not know how to compute (empty when covered)."""
    found: list[str] = []
    for spec in catalog.specs:
        kind = type(spec).__name__
        label = f"{spec.name!r} ({kind})"
        if kind not in SPEC_FIELDS:
            found.append(f"{label}: unknown feature kind; teach tests/oracle.py to compute it")
            continue
        fields = {f.name for f in dataclasses.fields(spec)}  # type: ignore[arg-type]
        if fields - SPEC_FIELDS[kind]:
            found.append(f"{label}: unknown parameters {sorted(fields - SPEC_FIELDS[kind])}")
        scope_fields = {f.name for f in dataclasses.fields(spec.scope)}
        if scope_fields - SCOPE_FIELDS:
            found.append(f"{label}: unknown scope parameters {sorted(scope_fields - SCOPE_FIELDS)}")
        if str(spec.key.value) not in KEYS:
            found.append(f"{label}: unknown key {spec.key!r}")
        field: str | None = getattr(spec, "field", None)
        if kind == "Window":
            stat: str = getattr(spec, "stat", "")
            if stat not in WINDOW_STATS:
                found.append(f"{label}: unknown statistic {stat!r}")
            elif stat in ("sum", "mean", "var") and field not in NUMERIC_FIELDS:
                found.append(f"{label}: {stat} of non-numeric field {field!r}")
            if field is not None and field not in FIELDS:
                found.append(f"{label}: unknown field {field!r}")
        elif kind in ("IsNew", "FirstSeen") and field not in FIELDS:
            found.append(f"{label}: unknown field {field!r}")
        elif kind == "ZScore" and field not in NUMERIC_FIELDS:
            found.append(f"{label}: z-score of non-numeric field {field!r}")
        elif kind == "LatestFlag" and getattr(spec, "flag", None) not in FLAGS:
            found.append(f"{label}: unknown flag {getattr(spec, 'flag', None)!r}")
        elif kind == "TravelSpeed" and field != "geo":
            found.append(f"{label}: travel speed needs field 'geo', got {field!r}")
    for derived in catalog.derived:
        name = derived.fn.__name__
        if name not in DERIVED:
            found.append(f"{derived.name!r}: unknown derived feature {name!r}; add its formula to the oracle")
        elif len(derived.inputs) != DERIVED[name][0]:
            found.append(f"{derived.name!r}: expected {DERIVED[name][0]} inputs, got {derived.inputs}")
    return found


def is_exact(catalog: Catalog, name: str) -> bool:
    """Whether a feature is a count (compared exactly) rather than a float (compared closely)."""
    i = catalog.index[name]
    if i >= len(catalog.specs):
        return False
    spec = catalog.specs[i]
    kind = type(spec).__name__
    return kind in EXACT_KINDS or (kind == "Window" and getattr(spec, "stat", None) in EXACT_STATS)


def _codes(column: pd.Series) -> IntArray:
    """Integer codes of a column's values (equal values, equal codes); -1 where missing."""
    codes, _ = pd.factorize(column.astype(object), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi, dlam = phi2 - phi1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2.0) ** 2
    return float(2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a))))


class Oracle:
    """Recomputes a catalog's features over one stream (see the module docstring)."""

    def __init__(self, events: Sequence[Event], catalog: Catalog) -> None:
        gaps = problems(catalog)
        if gaps:
            raise OracleGap("the oracle cannot compute:\n  " + "\n  ".join(gaps))
        self.catalog = catalog
        attributes = sorted({str(s.attribute) for s in catalog.specs if hasattr(s, "attribute")})
        self.frame = history_frame(events, attributes)
        frame = self.frame
        self.t: IntArray = frame["t"].to_numpy(dtype=np.int64)
        self.hour: IntArray = frame["hour"].to_numpy(dtype=np.int64)
        self.has_fiat: BoolArray = frame["fiat"].notna().to_numpy(dtype=bool)
        self.cents: IntArray = frame["fiat"].fillna(0).to_numpy(dtype=np.int64)
        self.line: IntArray = frame["line"].to_numpy(dtype=np.int64)
        self.has_geo: BoolArray = frame["lat"].notna().to_numpy(dtype=bool)
        self.lat: FloatArray = frame["lat"].to_numpy(dtype=np.float64)
        self.lon: FloatArray = frame["lon"].to_numpy(dtype=np.float64)
        self.codes: dict[str, IntArray] = {
            name: _codes(frame[name]) for name in KEYS | FIELDS | {"book_address"}
        }
        self.text: dict[str, npt.NDArray[np.object_]] = {
            name: frame[name].to_numpy(dtype=object)
            for name in ("side", "success", "destination", "book_address", "book_action", "name_mismatch")
        }
        self.attr: dict[str, npt.NDArray[np.object_]] = {
            a: frame[f"attr.{a}"].to_numpy(dtype=object) for a in attributes
        }
        self.applies: list[BoolArray] = [
            frame["type"].isin([e.value for e in d.applies_to]).to_numpy(dtype=bool) for d in catalog.derived
        ]
        # Whether each row matches each spec: a row-by-row property of the event alone.
        self.matches: list[BoolArray] = [self._matches(spec) for spec in catalog.specs]
        self.links = _LinkHistory(events, catalog.graph.hub_limit) if catalog.graph is not None else None

    # -- matching --------------------------------------------------------------------------

    def _scope_mask(self, scope: Any) -> BoolArray:
        mask: BoolArray = np.array(self.frame["type"].isin([t.value for t in scope.types]), dtype=bool)
        if scope.success is not None:
            want = bool(scope.success)
            mask &= np.array([s is want for s in self.text["success"]], dtype=bool)
        if scope.side is not None:
            mask &= np.array([s == scope.side.value for s in self.text["side"]], dtype=bool)
        if scope.min_fiat is not None or scope.max_fiat is not None:
            mask &= self.has_fiat
            if scope.min_fiat is not None:
                mask &= self.cents >= scope.min_fiat * 100
            if scope.max_fiat is not None:
                mask &= self.cents < scope.max_fiat * 100
        if scope.line_band is not None:  # percent of the event's region's line
            low, high = scope.line_band
            mask &= (
                self.has_fiat & (self.cents * 100 >= low * self.line) & (self.cents * 100 < high * self.line)
            )
        return mask

    def _matches(self, spec: Any) -> BoolArray:
        kind = type(spec).__name__
        mask = self._scope_mask(spec.scope)
        if kind == "TravelSpeed":
            return mask & self.has_geo
        if kind == "Latest":
            declared: BoolArray = self.frame[f"attr.{spec.attribute}"].notna().to_numpy(dtype=bool)
            return mask & declared
        if kind == "LatestFlag":
            flagged: BoolArray = np.array([f is not None for f in self.text[spec.flag]], dtype=bool)
            return mask & flagged
        if kind == "BookAge":
            return mask & (self.codes["book_address"] >= 0)
        field = getattr(spec, "field", None)
        if field is not None:
            mask &= self.codes[field] >= 0
        return mask

    # -- one event -------------------------------------------------------------------------

    def row(self, i: int) -> dict[str, Value]:
        """Every feature at event ``i``, from rows ``0..i`` of the history only."""
        n = i + 1
        t = self.t[:n]
        now = int(t[i])
        index = np.arange(n)
        same: dict[str, BoolArray] = {}
        values: dict[str, Value] = {}
        for spec, full_match in zip(self.catalog.specs, self.matches, strict=True):
            key = str(spec.key.value)
            if key not in same:
                k = self.codes[key][i]
                same[key] = self.codes[key][:n] == k if k >= 0 else np.zeros(n, dtype=bool)
            if self.codes[key][i] < 0:  # no key on this event: no value
                values[spec.name] = None
                continue
            ours = same[key] & full_match[:n]  # the key's matching events up to and including i
            before = ours & (index < i)
            values[spec.name] = self._compute(spec, i, now, t, ours, before)
        for derived, applies in zip(self.catalog.derived, self.applies, strict=True):
            if not applies[i]:
                values[derived.name] = None
                continue
            fiat = float(self.cents[i]) / 100.0 if self.has_fiat[i] else None
            inputs = [values[name] for name in derived.inputs]
            values[derived.name] = DERIVED[derived.fn.__name__][1](inputs, fiat)
        if self.links is not None:
            assert self.catalog.graph_features is not None
            values.update(self.links.features(i, self.catalog.graph_features.max_hops))
        return values

    def _compute(self, spec: Any, i: int, now: int, t: IntArray, ours: BoolArray, before: BoolArray) -> Value:
        kind = type(spec).__name__
        n = i + 1
        if kind == "Window":
            in_window = ours & (t > now - int(spec.period))
            return self._window(spec.stat, spec.field, in_window, n)
        if kind == "SinceLast":
            if not before.any():
                return None
            return (now - int(t[before].max())) / US
        if kind == "Age":
            if not ours.any():
                return None
            return (now - int(t[ours].min())) / US
        if kind == "IsNew":
            x = self.codes[spec.field][i]
            if x < 0 or not before.any():
                return None
            return 0.0 if bool((self.codes[spec.field][:n][before] == x).any()) else 1.0
        if kind == "FirstSeen":
            x = self.codes[spec.field][i]
            if x < 0:
                return None
            return (now - int(t[:n][ours & (self.codes[spec.field][:n] == x)].min())) / US
        if kind == "ZScore":
            if not ours[i]:
                return None
            earlier = self.cents[:n][before].astype(np.float64)
            if earlier.size < 2:
                return None
            std = float(np.std(earlier, ddof=1))
            if std == 0.0:
                return None
            return (float(self.cents[i]) - float(np.mean(earlier))) / std
        if kind == "HourShare":
            if not before.any():
                return None
            return float(np.mean(self.hour[:n][before] == self.hour[i]))
        if kind == "TravelSpeed":
            if not ours[i] or not before.any():
                return None
            j = int(np.flatnonzero(before)[-1])
            hours = max((now - int(t[j])) / HOUR_US, MIN_TRAVEL_HOURS)
            km = _haversine_km(float(self.lat[j]), float(self.lon[j]), float(self.lat[i]), float(self.lon[i]))
            return km / hours
        if kind == "BookAge":
            if ours[i] or self.codes["destination"][i] < 0:
                return None
            destination = str(self.text["destination"][i])
            book: dict[str, int] = {}
            for row in np.flatnonzero(before).tolist():
                address = str(self.text["book_address"][row])
                if self.text["book_action"][row] == "add":
                    book.setdefault(address, int(t[row]))
                else:
                    book.pop(address, None)
            added = book.get(destination)
            return None if added is None else (now - added) / US
        if kind == "Latest":
            if not ours.any():
                return None
            j = int(np.flatnonzero(ours)[-1])
            return float(self.attr[spec.attribute][j])
        if kind == "LatestFlag":
            if not ours.any():
                return None
            return 1.0 if self.text[spec.flag][int(np.flatnonzero(ours)[-1])] else 0.0
        raise OracleGap(f"{spec.name!r}: unknown feature kind {kind}")

    def _window(self, stat: str, field: str | None, rows: BoolArray, n: int) -> Value:
        if stat == "count":
            return float(np.count_nonzero(rows))
        if stat == "distinct":
            assert field is not None
            return float(np.unique(self.codes[field][:n][rows]).size)
        cents = self.cents[:n][rows]
        if stat == "sum":
            return int(cents.sum()) / 100.0
        if stat == "mean":
            return None if cents.size == 0 else float(np.mean(cents.astype(np.float64))) / 100.0
        if stat == "var":  # fiat units squared
            return None if cents.size < 2 else float(np.var(cents.astype(np.float64), ddof=1)) / 10_000.0
        raise OracleGap(f"unknown statistic {stat!r}")

    def rows(self) -> list[dict[str, Value]]:
        return [self.row(i) for i in range(len(self.t))]


# -- derived features, from the same event's (oracle) base values ---------------------------


def _passthrough_ratio_2h(inputs: Sequence[Value], fiat: float | None) -> Value:
    """This event's value over deposits of the last 2 h; 0 when anything was traded in those 2 h."""
    deposits, trades = inputs
    if not deposits or fiat is None:
        return None
    if trades:
        return 0.0
    return fiat / deposits


def _ratio(inputs: Sequence[Value], fiat: float | None) -> Value:
    """outflow / inflow; None without inflow."""
    inflow, outflow = inputs
    if not inflow:
        return None
    return (outflow or 0.0) / inflow


def _pair_share(inputs: Sequence[Value], fiat: float | None) -> Value:
    """The pair's share of the account's trade value; None without trades or a pair."""
    total, pair = inputs
    if not total or pair is None:
        return None
    return pair / total


def _anomaly(inputs: Sequence[Value], fiat: float | None) -> Value:
    """max |z| of the amount (capped at 10, over 5) + new device, IP, country + (1 - hour share)."""
    z_withdrawal, z_deposit, device, ip, country, share = inputs
    if share is None:
        return None
    z = min(max(abs(z_withdrawal or 0.0), abs(z_deposit or 0.0)), 10.0)
    return z / 5.0 + (device or 0.0) + (ip or 0.0) + (country or 0.0) + (1.0 - share)


def _exit_share(inputs: Sequence[Value], fiat: float | None) -> Value:
    """This exit's value over the 30-day deposits; None without them."""
    (deposits,) = inputs
    if not deposits or fiat is None:
        return None
    return fiat / deposits


def _cashed_out(inputs: Sequence[Value], fiat: float | None) -> Value:
    """(withdrawals + P2P sales) / deposits, all over 30 days; None without deposits."""
    deposits, withdrawals, sales = inputs
    if not deposits:
        return None
    return ((withdrawals or 0.0) + (sales or 0.0)) / deposits


def _covered(inputs: Sequence[Value], fiat: float | None) -> Value:
    """min(near-line deposits of 30 days / this exit's value, 1); None for an exit of no value."""
    (near,) = inputs
    if not fiat:
        return None
    return min((near or 0.0) / fiat, 1.0)


def _repeats(inputs: Sequence[Value], fiat: float | None) -> Value:
    """withdrawals of 24 h minus their distinct amounts."""
    count, distinct = inputs
    return (count or 0.0) - (distinct or 0.0)


# Derived features by function name: how many inputs the formula takes, and the formula (the
# inputs come in the order the catalog's ``Derived.inputs`` names them).
DERIVED: Mapping[str, tuple[int, Callable[[Sequence[Value], float | None], Value]]] = {
    "passthrough_ratio_2h": (2, _passthrough_ratio_2h),
    "outflow_inflow_ratio_48h": (2, _ratio),
    "withdrawn_share_of_deposits": (2, _ratio),
    "pair_share_of_trade_volume_30d": (2, _pair_share),
    "anomaly": (6, _anomaly),
    "exit_share_of_deposits_30d": (1, _exit_share),
    "cashed_out_ratio_30d": (3, _cashed_out),
    "exit_ratio_to_last_deposit": (1, _exit_share),
    "repeated_amount_withdrawals_24h": (2, _repeats),
    "exit_covered_by_near_line_deposits_30d": (1, _covered),
}


def recompute(events: Sequence[Event], catalog: Catalog) -> list[dict[str, Value]]:
    """Every feature of ``catalog`` at every event, recomputed from history."""
    return Oracle(events, catalog).rows()


# -- graph features, from a closed-form reading of the history --------------------------------


class _LinkHistory:
    """Who is linked to whom after events ``0..i``, stated directly rather than built edge by edge.

    Two accounts are linked by an identifier when both are among the first ``hub_limit`` distinct
    accounts that used it (the later ones find it a hub), and by a transfer or trade between them.
    Accounts are flagged by ``flags_after`` (standing in for the engine's holds), after their event.
    """

    def __init__(self, events: Sequence[Event], hub_limit: int) -> None:
        self.events = events
        self.hub_limit = hub_limit
        self.users: dict[tuple[str, str], list[str]] = {}
        self.used: dict[str, set[tuple[str, str]]] = {}
        self.direct: dict[str, set[str]] = {}
        self.flagged: set[str] = set()
        self.done = -1

    def _advance(self, i: int) -> None:
        while self.done < i:
            self.done += 1
            event = self.events[self.done]
            a = event.account_id
            for link in links_of(event):
                if link.direct:
                    if link.value != a:
                        self.direct.setdefault(a, set()).add(link.value)
                        self.direct.setdefault(link.value, set()).add(a)
                    continue
                key = (link.kind.value, link.value)
                users = self.users.setdefault(key, [])
                if a not in users:
                    users.append(a)
                self.used.setdefault(a, set()).add(key)

    def neighbours(self, a: str) -> set[str]:
        found = set(self.direct.get(a, ()))
        for key in self.used.get(a, ()):
            first = self.users[key][: self.hub_limit]
            if a in first:
                found.update(first)
        found.discard(a)
        return found

    def features(self, i: int, max_hops: int) -> dict[str, Value]:
        self._advance(i)
        a = self.events[i].account_id
        near = self.neighbours(a)
        component = {a}
        frontier = [a]
        while frontier:
            nxt = []
            for x in frontier:
                for y in self.neighbours(x):
                    if y not in component:
                        component.add(y)
                        nxt.append(y)
            frontier = nxt
        values: dict[str, Value] = {
            "graph.cluster_size": float(len(component)),
            "graph.linked_accounts": float(len(near)),
            "graph.flagged_neighbour_share": len(near & self.flagged) / len(near) if near else None,
            "graph.flagged_distance": self._distance(a, max_hops),
        }
        if flags_after(self.events[i]):
            self.flagged.add(a)
        return values

    def _distance(self, a: str, max_hops: int) -> Value:
        if a in self.flagged:
            return 0.0
        seen = {a}
        frontier = [a]
        for hops in range(1, max_hops + 1):
            nxt = []
            for x in frontier:
                for y in sorted(self.neighbours(x) - seen):
                    if y in self.flagged:
                        return float(hops)
                    seen.add(y)
                    nxt.append(y)
            frontier = nxt
        return None


def flags_after(event: Event) -> bool:
    """The parity streams' stand-in for the engine's holds: a withdrawal of 1,000 or more flags it."""
    fiat = getattr(event, "fiat_value", None)
    return event.TYPE.value == "withdrawal" and fiat is not None and fiat >= 1000
