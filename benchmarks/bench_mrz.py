"""MRZ parse and check time per document against issue 20's target (under 1 ms each).

Run ``.venv/bin/python benchmarks/bench_mrz.py [--rounds N]``.

A  vectors: every MRZ of ``../shared/specs/icao9303_mrz`` read and compared with its independent check
   (the TD1 vectors whose source left the name line empty get a line of fillers, as the tests do).
B  parse: ``parse_lines`` of one document of each format (TD1, TD2, TD3, MRV-A, MRV-B), ``--rounds``
   times each, one after the other on one core; wall time per call, nearest-rank percentiles.
C  parse + check: a KYC submission with a declared name (with an umlaut to transliterate), birth date,
   sex and nationality against its TD3 MRZ: ``read_document`` + ``check_document`` + ``judge`` (what
   the engine adds to a KYC decision); again with the transliteration cache cleared before each call
   (a name seen for the first time); and a malformed MRZ (refused and reported).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find the package

from vigil.identity import (
    Field,
    check_digit,
    check_document,
    default_policy,
    judge,
    parse_lines,
    read_document,
)
from vigil.identity.names import spell
from vigil.model import KycSubmitted

TARGET_MS = 1.0
VECTORS = Path(__file__).resolve().parents[2] / "shared" / "specs" / "icao9303_mrz" / "mrz_test_vectors.json"
KEYS = {"doc": Field.DOCUMENT_NUMBER, "dob": Field.BIRTH_DATE, "exp": Field.EXPIRY_DATE}
KEYS |= {"opt": Field.PERSONAL_NUMBER, "composite": Field.COMPOSITE}


def _td3() -> tuple[str, str]:
    one = "P<D<<MUELLER<<JUERGEN<PETER<<<<<<<<<<<<<<<<<"
    two = f"C01X00T47{check_digit('C01X00T47')}D<<640812{check_digit('640812')}M"
    two += f"310101{check_digit('310101')}" + "<" * 14 + "<"
    two += str(check_digit(two[0:10] + two[13:20] + two[21:43]))
    return one, two


DOCUMENTS: dict[str, tuple[str, ...]] = {
    "TD1": (
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ),
    "TD2": ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"),
    "TD3": ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"),
    "MRV-A": ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"),
    "MRV-B": ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"),
}


def percentiles(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] / 1000.0

    return {
        "p50_us": rank(50),
        "p99_us": rank(99),
        "max_us": ordered[-1] / 1000.0,
        "mean_us": sum(ordered) / len(ordered) / 1000.0,
    }


def timed(fn: Callable[[], object], rounds: int) -> dict[str, float]:
    for _ in range(min(rounds, 1000)):
        fn()  # warm up
    samples = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        t0 = clock()
        fn()
        samples.append(clock() - t0)
    return percentiles(samples)


def _row(label: str, stats: dict[str, float]) -> str:
    figures = "  ".join(
        f"{k.removesuffix('_us')} {stats[k]:7.1f} us" for k in ("p50_us", "p99_us", "mean_us", "max_us")
    )
    return f"   {label:<20} {figures}"


def vectors() -> tuple[int, int]:
    data = json.loads(VECTORS.read_text())["vectors"]
    right = 0
    for v in data:
        lines = list(v["mrz"])
        if lines[-1] == "":
            lines[-1] = "<" * 30
        mrz = parse_lines(lines)
        expected = v["independent_check"]
        ok = str(mrz.format) == expected["type"]
        ok &= all(mrz.check(KEYS[k]) is expected[k] for k in expected if k in KEYS)
        right += ok
    return right, len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    args = parser.parse_args()
    gc.freeze()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    print(
        f"machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()} ({platform.machine()})"
    )
    right, total = vectors()
    print(f"A  shared vectors read right: {right} of {total}")
    print(f"B  parse_lines, {args.rounds:,} rounds per format")
    worst = 0.0
    for name, lines in DOCUMENTS.items():
        assert parse_lines(lines).valid, name
        stats = timed(lambda lines=lines: parse_lines(lines), args.rounds)  # type: ignore[misc]
        worst = max(worst, stats["p99_us"])
        print(_row(name, stats))
    policy = default_policy()
    ts = datetime(2026, 12, 8, 12, tzinfo=UTC)
    event = KycSubmitted(
        event_id="e1",
        account_id="a1",
        ts=ts,
        region="EU",
        full_name="Jürgen Peter Müller",
        birth_date=date(1964, 8, 12),
        sex="M",
        nationality="DE",
        mrz=_td3(),
    )
    malformed = KycSubmitted(
        event_id="e2", account_id="a1", ts=ts, region="EU", mrz=(_td3()[0], _td3()[1][:-2])
    )

    def check(e: KycSubmitted) -> object:
        return judge(check_document(e, policy, read_document(e)), policy)

    verdict = judge(check_document(event, policy), policy)
    assert not verdict.reasons, verdict.reasons  # the submission agrees with its document
    print("C  read + check + judge (what a KYC decision adds)")

    def uncached(e: KycSubmitted) -> object:
        spell.cache_clear()  # a name never seen before: transliterated afresh (clearing included)
        return check(e)

    cases = (("TD3, full profile", check, event), ("same, name uncached", uncached, event))
    for label, fn, e in (*cases, ("malformed MRZ", check, malformed)):
        stats = timed(lambda fn=fn, e=e: fn(e), args.rounds)  # type: ignore[misc]
        worst = max(worst, stats["p99_us"])
        print(_row(label, stats))
    verdict_ok = worst / 1000.0 < TARGET_MS
    print(f"worst p99 {worst:.1f} us: {'under' if verdict_ok else 'OVER'} the {TARGET_MS:g} ms target")


if __name__ == "__main__":
    main()
