"""The goal a model is thresholded for, from configuration: a default budget and overrides per region.

Settings give ``ml_max_held``, ``ml_max_false_alerts`` and ``ml_budgets`` (region -> the keys it
overrides); ``vigil train`` flags override them (``--max-held``, ``--max-false-alerts``, and
``--budget REGION:KEY=VALUE[,KEY=VALUE]``). ``goal_of`` merges them into one ``Goal``; every key and value
is checked and a bad one is an ``InvalidInput`` naming it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from vigil.errors import InvalidInput
from vigil.ml.thresholds import Budget, Goal

KEYS = ("max_held", "max_false_alerts")


def parse_override(text: str) -> tuple[str, dict[str, float]]:
    """``"EU:max_held=0.002,max_false_alerts=0.5"`` -> ``("EU", {...})``."""
    region, sep, rest = text.partition(":")
    region = region.strip()
    if not sep or not region or not rest.strip():
        raise InvalidInput(
            f"a budget override is REGION:KEY=VALUE[,KEY=VALUE] (keys: {', '.join(KEYS)}), got {text!r}",
            field="budget",
        )
    values: dict[str, float] = {}
    for part in rest.split(","):
        key, eq, value = (s.strip() for s in part.partition("="))
        values[key] = _number(key, value if eq else "", where=region)
    return region, values


def _number(key: str, value: object, *, where: str) -> float:
    if key not in KEYS:
        raise InvalidInput(
            f"budget of {where}: unknown key {key!r} (keys: {', '.join(KEYS)})", field="budget"
        )
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput(f"budget of {where}: {key} must be a number, got {value!r}", field=key) from None
    if not math.isfinite(number):
        raise InvalidInput(f"budget of {where}: {key} must be finite, got {value!r}", field=key)
    return number


def goal_of(
    max_held: float,
    max_false_alerts: float,
    regions: Mapping[str, Mapping[str, object]] | None = None,
    overrides: Iterable[tuple[str, Mapping[str, float]]] = (),
    *,
    min_rows: int = 1000,
) -> Goal:
    """The default budget, each region's overrides from ``regions`` (settings) and then ``overrides``
    (flags; later ones win, key by key)."""
    base = Budget(
        max_held=_number("max_held", max_held, where="every region"),
        max_false_alerts=_number("max_false_alerts", max_false_alerts, where="every region"),
    )
    merged: dict[str, dict[str, float]] = {}
    for region, values in [*(regions or {}).items(), *overrides]:
        if not isinstance(values, Mapping):
            raise InvalidInput(
                f"budget of {region}: expected KEY: VALUE pairs, got {values!r}", field="budget"
            )
        own = merged.setdefault(str(region), {})
        own.update({str(k): _number(str(k), v, where=str(region)) for k, v in values.items()})
    budgets: dict[str, Budget] = {}
    for region, values in merged.items():
        try:
            budgets[region] = Budget(
                max_held=values.get("max_held", base.max_held),
                max_false_alerts=values.get("max_false_alerts", base.max_false_alerts),
            )
        except InvalidInput as e:
            raise InvalidInput(f"budget of {region}: {e.message}", field=e.field) from None
    return Goal(budget=base, regions=budgets, min_rows=min_rows)
