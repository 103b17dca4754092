"""Rule evaluation against ezrules (issue 22): Vigil's ``RuleSet.evaluate`` and ezrules' rule engine.

Run ``make bench-rules``, or ``.venv/bin/python benchmarks/bench_rules.py [--events 200000] [--repeat 5]
[--baseline PATH] [--json PATH]`` (about 4 minutes with the defaults and a baseline). It needs ezrules
in the same environment (the ``bench`` extra on Python >= 3.12; on 3.11, ``pip install --no-deps
--ignore-requires-python ezrules==1.29.4 cryptography``: ezrules declares Python >= 3.12, but its rule
engine runs on 3.11); without it the benchmark says so and exits 2.

The workload: 20 equivalent rules, 19 field thresholds (10 on ``fiat_value``, 9 on ``amount``) and
one velocity count (withdrawals of the account in 24 h), over ``--events`` fiat withdrawals of
``--accounts`` accounts in eight regions over ``--days`` days (seeded; 3% of rule evaluations match,
0.6 a withdrawal).
Vigil's rules are a YAML pack loaded by ``load_rules`` (each with a stable reason code and a detail
template); ezrules' are the same comparisons in its rule language (``$field``, ``stat[...]``,
``!OUTCOME``), built by ``RuleEngineFactory.from_json``. Inputs are prepared untimed for both: Vigil's
feature vectors (a catalog of the one velocity feature, stepped event by event, every value read), and
ezrules' event dicts and stats (the same values, the same Python objects). What is timed is rule
evaluation alone:

vigil evaluate     ``RuleSet.evaluate(event, features, origin)``: what the engine calls; traces what
                   matched, failed or could not say, untimed; reasons and details for what matched
vigil full trace   ``evaluate(..., trace=True)``: every rule timed and traced (``vigil decide``)
vigil conditions   the compiled conditions alone (``rule.condition(env)`` for each rule): a floor
ezrules            ``RuleEngine(event, stats=stats)`` (all matches), ezrules' in-process engine
baseline           (``--baseline PATH``) the ``RuleSet.evaluate`` of another ``ruleset.py``, e.g. main's
                   before this change (``git show main:src/vigil/rules/ruleset.py > /tmp/main_ruleset.py``)

Before timing, every engine's matches are checked against the others on every event (the same rules
fire; the fast and full paths give the same score, outcome, reasons and delays); any difference exits 1.
Each repeat runs every engine over all events once, in an order rotated by one each repeat (the
machine is shared and noisy: engines alternate within the run); figures are medians over repeats, and
each ratio is the median of the ratios within a repeat. One process, one thread, the garbage
collector collected and frozen after the inputs are built (``tune_gc``, as the service does).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find the package

from benchmarks.bench_decide import machine
from vigil.bootstrap import tune_gc
from vigil.features import Catalog, FeatureVector, context_of
from vigil.features.specs import DAY, Key, Window, scope
from vigil.model import EventType, Rail, Withdrawal
from vigil.rules import RuleSet, Source, load_rules
from vigil.rules.compiler import Env

REGIONS = ("ID", "SEA", "SA", "CIS", "LATAM", "EU", "AF", "NA")
START = datetime(2026, 1, 5, tzinfo=UTC)
FIAT_LIMITS = (1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 25_000, 50_000)  # reporting currency
AMOUNT_LIMITS = (50_000, 75_000, 120_000, 250_000, 400_000, 600_000, 800_000, 2_000_000, 4_000_000)  # cents
VELOCITY = 8  # withdrawals in 24 h
VELOCITY_FEATURE = "account.withdrawal.count_24h"
EZRULES_STAT = "account.withdrawal_count_24h"  # ezrules' stat[...] takes one dot
QUICK_EVENTS = 20_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the rules, twice ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    rule_id: str
    field: str  # an event field, or the velocity feature
    limit: int
    outcome: str  # ezrules' outcome; Vigil's rule scores (thresholds) or forces a hold (velocity)


def comparisons() -> list[Comparison]:
    rules = [Comparison(f"bench.fiat_over_{x}", "fiat_value", x, "REVIEW") for x in FIAT_LIMITS]
    rules += [Comparison(f"bench.amount_over_{x}", "amount", x, "REVIEW") for x in AMOUNT_LIMITS]
    rules.append(Comparison("bench.withdrawal_velocity", VELOCITY_FEATURE, VELOCITY, "HOLD"))
    return rules


def vigil_pack(rules: Sequence[Comparison]) -> str:
    lines = ["pack: bench", "rules:"]
    for c in rules:
        if c.field == VELOCITY_FEATURE:
            lines += [
                f"  - id: {c.rule_id}",
                "    events: [withdrawal]",
                f"    when: {c.field} >= {c.limit}",
                "    outcome: hold",
                "    reason: velocity.high_value_burst",
                f'    detail: "{{{c.field}:.0f}} withdrawals in 24 h (at least {c.limit})"',
            ]
        else:
            lines += [
                f"  - id: {c.rule_id}",
                "    events: [withdrawal]",
                f"    when: event.{c.field} > {c.limit}",
                "    score: 10",
                "    reason: deposit.unusual_amount",
                f'    detail: "{c.field} {{event.{c.field}}} over {c.limit}"',
            ]
    return "\n".join(lines) + "\n"


def ezrules_config(rules: Sequence[Comparison]) -> list[dict[str, Any]]:
    config = []
    for c in rules:
        left = f"stat[{EZRULES_STAT}]" if c.field == VELOCITY_FEATURE else f"${c.field}"
        op = ">=" if c.field == VELOCITY_FEATURE else ">"
        logic = f"if {left} {op} {c.limit}:\n    return !{c.outcome}\nreturn None"
        config.append({"rid": c.rule_id, "logic": logic, "description": c.rule_id})  # results keyed by rid
    return config


def load_ezrules() -> Any | None:
    """ezrules' ``RuleEngineFactory`` and ``StaticUserListManager``, or None when it is not installed."""
    # ezrules reads its settings at import; the database URL is never connected to (loopback, no server).
    os.environ.setdefault("EZRULES_DB_ENDPOINT", "postgresql+psycopg://bench@127.0.0.1:9/unused")
    os.environ.setdefault("EZRULES_APP_SECRET", "bench")
    try:
        engine = importlib.import_module("ezrules.core.rule_engine")
        lists = importlib.import_module("ezrules.core.user_lists")
    except ModuleNotFoundError:
        return None
    return engine.RuleEngineFactory.from_json(
        ezrules_config(comparisons()), list_values_provider=lists.StaticUserListManager()
    )


def ezrules_version() -> str:
    from importlib.metadata import version

    return version("ezrules")


# -- the inputs ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Inputs:
    events: list[Withdrawal]
    vectors: list[FeatureVector]
    dicts: list[dict[str, Any]]  # ezrules' events
    stats: list[dict[str, Any]]  # ezrules' stats
    seconds: float


def make_inputs(n: int, accounts: int, days: int, seed: int) -> Inputs:
    """Fiat withdrawals in time order (log-normal values), and both engines' inputs for each."""
    start = time.perf_counter()
    rng = random.Random(seed)
    regions = [rng.choice(REGIONS) for _ in range(accounts)]
    step = days * 86_400 / n
    catalog = Catalog([Window(Key.ACCOUNT, scope(EventType.WITHDRAWAL), "count", DAY)])
    index = catalog.index[VELOCITY_FEATURE]
    # Accounts withdraw at different rates (a few often), so the velocity rule fires now and then.
    weights = [rng.paretovariate(1.5) for _ in range(accounts)]
    chosen = rng.choices(range(accounts), weights=weights, k=n)
    events: list[Withdrawal] = []
    vectors: list[FeatureVector] = []
    dicts: list[dict[str, Any]] = []
    stats: list[dict[str, Any]] = []
    for i, a in enumerate(chosen):
        fiat = Decimal(round(rng.lognormvariate(math.log(150), 1.2), 2)).quantize(Decimal("0.01"))
        event = Withdrawal(
            event_id=f"w-{i:07d}",
            account_id=f"acc-{a:06d}",
            ts=START + timedelta(seconds=i * step),
            region=regions[a],
            rail=Rail.FIAT,
            asset="EUR",
            amount=int(fiat * 100),
            fiat_value=fiat,
        )
        vector = catalog.observe(context_of(event))
        for j in range(len(catalog.names)):
            vector.at(j)  # read every value now: the vector no longer needs live state
        events.append(event)
        vectors.append(vector)
        dicts.append({"event_id": event.event_id, "amount": event.amount, "fiat_value": event.fiat_value})
        stats.append({EZRULES_STAT: vector.at(index)})
    return Inputs(events, vectors, dicts, stats, time.perf_counter() - start)


# -- the engines ---------------------------------------------------------------------------------

Run = Callable[[Inputs], float]  # one pass over every event; returns the seconds it took


def vigil_run(ruleset: RuleSet, *, trace: bool) -> Run:
    def run(inputs: Inputs) -> float:
        evaluate = ruleset.evaluate
        pairs = zip(inputs.events, inputs.vectors, strict=True)
        start = time.perf_counter()
        for event, vector in pairs:
            evaluate(event, vector, None, trace=trace)
        return time.perf_counter() - start

    return run


def conditions_run(ruleset: RuleSet) -> Run:
    conditions = tuple(r.condition for r in ruleset.rules)  # no rule has regions: each event sees all

    def run(inputs: Inputs) -> float:
        pairs = zip(inputs.events, inputs.vectors, strict=True)
        start = time.perf_counter()
        for event, vector in pairs:
            env = Env(event, vector, None)
            for condition in conditions:
                condition(env)
        return time.perf_counter() - start

    return run


def ezrules_run(engine: Any) -> Run:
    def run(inputs: Inputs) -> float:
        pairs = zip(inputs.dicts, inputs.stats, strict=True)
        start = time.perf_counter()
        for event, stats in pairs:
            engine(event, stats=stats)
        return time.perf_counter() - start

    return run


def baseline_ruleset(path: Path, ruleset: RuleSet) -> Any:
    """The same rules under the ``RuleSet`` class of another ``ruleset.py`` (it reads rules by attribute)."""
    spec = importlib.util.spec_from_file_location("baseline_ruleset", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module.RuleSet(ruleset.rules, ruleset.thresholds, ruleset.version)


def baseline_run(baseline: Any) -> Run:
    def run(inputs: Inputs) -> float:
        evaluate = baseline.evaluate
        pairs = zip(inputs.events, inputs.vectors, strict=True)
        start = time.perf_counter()
        for event, vector in pairs:
            evaluate(event, vector, None)
        return time.perf_counter() - start

    return run


def check(ruleset: RuleSet, engine: Any, baseline: Any | None, inputs: Inputs) -> tuple[int, int]:
    """Every engine fires the same rules on every event; returns (events with a match, matches)."""
    with_match = matches = 0
    for event, vector, t, stats in zip(
        inputs.events, inputs.vectors, inputs.dicts, inputs.stats, strict=True
    ):
        fast = ruleset.evaluate(event, vector, None)
        full = ruleset.evaluate(event, vector, None, trace=True)
        fired = [r.rule_id for r in fast.reasons]
        theirs = [r for r, outcome in engine(t, stats=stats)["rule_results"].items() if outcome is not None]
        same = (fast.score, fast.forced, fast.reasons, fast.delay_s) == (
            full.score,
            full.forced,
            full.reasons,
            full.delay_s,
        )
        traced = {x.rule_id for x in full.trace if x.matched}
        if not same or sorted(fired) != sorted(theirs) or traced != set(fired):
            raise SystemExit(f"the engines disagree on {event.event_id}: vigil {fired}, ezrules {theirs}")
        if baseline is not None and baseline.evaluate(event, vector, None).reasons != fast.reasons:
            raise SystemExit(f"the baseline disagrees on {event.event_id}")
        with_match += bool(fired)
        matches += len(fired)
    return with_match, matches


# -- the run -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=200_000, help="events (default 200,000)")
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--repeat", type=int, default=5, help="passes per engine; medians reported")
    parser.add_argument(
        "--baseline", type=Path, default=None, metavar="PATH", help="also time this ruleset.py's evaluate"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EVENTS:,} events, two repeats (smoke)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.repeat = QUICK_EVENTS, 2
    if args.events < 1 or args.repeat < 1 or args.accounts < 1 or args.days < 1:
        parser.error("--events, --repeat, --accounts and --days must be positive")

    engine = load_ezrules()
    if engine is None:
        print(
            "bench_rules: ezrules is not installed, and it is what this benchmark compares against.\n"
            "  Python >= 3.12: pip install '.[bench]'\n"
            "  Python 3.11:    pip install --no-deps --ignore-requires-python ezrules==1.29.4 cryptography\n"
            "  (ezrules declares Python >= 3.12; its rule engine runs on 3.11, the rest of it is not needed)",
            file=sys.stderr,
        )
        return 2

    rules = comparisons()
    ruleset = load_rules(
        [Source("bench.yaml", vigil_pack(rules))],
        Catalog([Window(Key.ACCOUNT, scope(EventType.WITHDRAWAL), "count", DAY)]),
    )
    log(f"preparing {args.events:,} withdrawals of {args.accounts:,} accounts over {args.days} days ...")
    inputs = make_inputs(args.events, args.accounts, args.days, args.seed)
    log(f"  {inputs.seconds:.1f} s; checking that every engine fires the same rules on every event ...")
    baseline = baseline_ruleset(args.baseline, ruleset) if args.baseline is not None else None
    with_match, matches = check(ruleset, engine, baseline, inputs)

    engines: dict[str, Run] = {
        "vigil evaluate": vigil_run(ruleset, trace=False),
        "vigil full trace": vigil_run(ruleset, trace=True),
        "vigil conditions": conditions_run(ruleset),
        "ezrules": ezrules_run(engine),
    }
    if baseline is not None:
        engines["baseline"] = baseline_run(baseline)
    names = list(engines)
    warm = Inputs(
        inputs.events[:2_000], inputs.vectors[:2_000], inputs.dicts[:2_000], inputs.stats[:2_000], 0
    )
    for name in names:
        engines[name](warm)
    tune_gc()

    rates: dict[str, list[float]] = {name: [] for name in names}
    for r in range(args.repeat):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            seconds = engines[name](inputs)
            rates[name].append(len(inputs.events) / seconds)
        log(f"repeat {r + 1}/{args.repeat}: " + ", ".join(f"{n} {rates[n][-1]:,.0f}/s" for n in names))

    def ratio(name: str, to: str) -> float:
        return statistics.median(a / b for a, b in zip(rates[name], rates[to], strict=True))

    info = machine()
    out = print
    out("rule evaluation against ezrules (issue 22)")
    out(
        f"machine: {info['cpu_model']}, cpu_count={info['cpu_count']}, "
        f"Python {info['python']}, {info['platform']}"
    )
    out(f"ezrules {ezrules_version()}; rules: {len(rules)} (19 field thresholds, 1 velocity count)")
    out(
        f"events: {len(inputs.events):,} fiat withdrawals, {args.accounts:,} accounts, {args.days} days, "
        f"seed {args.seed}; {with_match:,} events with a match, {matches:,} matches "
        f"({matches / (len(inputs.events) * len(rules)):.1%} of rule evaluations); engines agree"
    )
    out(f"runs: {args.repeat} passes per engine, order rotated each repeat; medians; ratios within a repeat")
    out("")
    columns = (("events/s", 10), ("min", 10), ("max", 10), ("µs/event", 9), ("/ ezrules", 10), ("/ full", 8))
    header = f"{'engine':<18}" + "".join(f" {name:>{width}}" for name, width in columns)
    out(header)
    out("-" * len(header))
    figures: dict[str, dict[str, float]] = {}
    for name in names:
        median = statistics.median(rates[name])
        figures[name] = {
            "events_per_s": median,
            "min": min(rates[name]),
            "max": max(rates[name]),
            "us_per_event": 1e6 / median,
            "vs_ezrules": ratio(name, "ezrules"),
            "vs_full_trace": ratio(name, "vigil full trace"),
        }
        f = figures[name]
        out(
            f"{name:<18} {f['events_per_s']:>10,.0f} {f['min']:>10,.0f} {f['max']:>10,.0f}"
            f" {f['us_per_event']:>9.2f} {f['vs_ezrules']:>9.2f}x {f['vs_full_trace']:>7.2f}x"
        )
    if args.json is not None:
        report = {
            "machine": info,
            "ezrules": ezrules_version(),
            "events": len(inputs.events),
            "rules": len(rules),
            "matches": matches,
            "events_with_match": with_match,
            "repeat": args.repeat,
            "rates": rates,
            "figures": figures,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
