"""The law-enforcement desk against genuine requests and impersonations (issue 18, requests from authorities).

Run ``.venv/bin/python benchmarks/bench_ler.py [--genuine 600] [--impersonations 600] [--seed 18]
[--json PATH]``.

A seeded scenario set (this file: the simulator plants no requests yet) over the directory shipped with
Vigil (``ler/agencies.yaml``) and a small exchange (customers decided by the whole engine, so subjects
resolve against a real journal and freezes are enforced by the real engine):

- **genuine** requests: an officer of a directory agency writing from one of its official domains (any
  case, sometimes a subdomain such as ``field.fbi.gov``), a share of them emergencies, and a share
  (``--relayed``, 3% by default: an assumption, not a measured rate) relayed from another public body's
  domain or sent from a domain the directory does not list yet;
- **impersonations**: free-mail (``fbi.agent.j.smith@gmail.com``), look-alike domains (a typo, an added
  word, a homoglyph in an internationalised domain, the official domain under another one), a real
  agency's name from another agency's or nobody's domain, and hijacked official mailboxes (the domain is
  genuine: only the call-back can tell), each sometimes an emergency.

Each request is worked the way an attacker would hope a liaison officer works it: the requester's own
mailbox is asked to confirm (an impersonator confirms), then the directory's number is called (the real
agency denies an impersonation and confirms a genuine request); verification is attempted after each step,
then a disclosure and, for freeze orders, a freeze. Measured:

- **impersonations stopped before any data leaves** (target: all): no package, no freeze, every attempt
  refused (``not_verified``);
- **genuine requests sent back for verification** (target: at most 5%): the domain check flagged them, so
  the requester is asked to write from an official domain (the call-back then verifies them);
- **genuine requests answered**: verified, resolved, disclosed or frozen;
- **a freeze order applied within 60 s of approval** (target): the time from the supervisor's approval to
  the engine blocking the account's next withdrawal (``desk.account_frozen``), per order.

Everything is in memory; the machine is shared, so times are medians and maxima of a noisy run.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # run as a script: find the package

from vigil.adapters.memory import MemoryJournal
from vigil.adapters.memory_audit import MemoryAuditLog
from vigil.adapters.memory_cases import MemoryCaseStore
from vigil.adapters.memory_ler import MemoryLerStore
from vigil.adapters.notify_memory import MemoryNotifier
from vigil.adapters.rule_files import BuiltinRules
from vigil.audit import AuditTrail
from vigil.desk import Actions, Appeals, Change, Desk, Feed, SecurityDesk
from vigil.engine import Engine
from vigil.errors import Conflict, Forbidden, NotVerified
from vigil.features import default_catalog
from vigil.ler import Act, Disclosures, Intake, LerDesk, LiaisonDesk, Orders, Signer, Sources, load_directory
from vigil.ler.directory import Agency
from vigil.model import AccountOpened, Deposit, KycSubmitted, Outcome, Withdrawal
from vigil.model.access import Role
from vigil.model.cases import ActionKind
from vigil.model.enums import Chain, Rail
from vigil.model.reasons import ReasonCode
from vigil.rules import load_rules

DAY_US = 86_400_000_000
LIAISON = Act("lia", frozenset({Role.LIAISON}))
SUPERVISOR = Act("sue", frozenset({Role.SUPERVISOR}))
FREE = ("gmail.com", "outlook.com", "proton.me", "yahoo.com", "gmx.de", "hotmail.co.uk")
NOBODY = ("police-requests.org", "lawenforcement-portal.com", "secure-legal-notice.net", "interpol-cases.org")
RELAYS = ("met.police.uk", "justice.gov", "politie.nl", "police.gov.sg")


@dataclass
class Scenario:
    genuine: bool
    family: str  # official, relayed, free_mail, lookalike, wrong_domain, other_agency, hijacked
    agency: Agency
    email: str
    kind: str
    account: str


def _typo(domain: str, rng: random.Random) -> str:
    head, _, rest = domain.partition(".")
    i = rng.randrange(len(head))
    swaps = {"i": "l", "l": "1", "o": "0", "e": "3", "a": "4", "s": "5", "b": "d", "c": "e", "n": "m"}
    if rng.random() < 0.5 and head[i] in swaps:
        head = head[:i] + swaps[head[i]] + head[i + 1 :]
    else:
        head = head[:i] + head[i] + head[i:]  # a doubled letter
    return f"{head}.{rest}"


def _homoglyph(domain: str) -> str:
    head, _, rest = domain.partition(".")
    look = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441", "i": "\u0456"}
    for ch, glyph in look.items():
        if ch in head:
            return f"{head.replace(ch, glyph, 1)}.{rest}".encode("idna").decode("ascii")
    return f"{head}s.{rest}"


def _lookalike(agency: Agency, rng: random.Random) -> str:
    # A look-alike of a domain the agency owns outright (not of ic.fbi.gov: a change to its first label is
    # still under fbi.gov, which only the FBI can use).
    domain = rng.choice([d for d in agency.domains if not any(d.endswith("." + o) for o in agency.domains)])
    head = domain.split(".")[0]
    return rng.choice(
        [
            _typo(domain, rng),
            _homoglyph(domain),
            domain.replace(".", "-") + ".com",
            f"{domain}.secure-mail.net",
            f"{head}-requests.org",
            f"secure-{head}.{domain.rsplit('.', 1)[-1]}",
        ]
    )


def scenarios(n_genuine: int, n_fake: int, relayed: float, accounts: list[str], seed: int) -> list[Scenario]:
    rng = random.Random(seed)
    agencies = list(load_directory().agencies)
    out: list[Scenario] = []
    for i in range(n_genuine):
        agency = rng.choice(agencies)
        domain = rng.choice(agency.domains)
        if rng.random() < 0.15:
            domain = f"field.{domain}"
        family = "official"
        if i < round(relayed * n_genuine):
            domain, family = rng.choice(RELAYS), "relayed"
        local = rng.choice(["j.smith", "Anna.Berg", "DUTY.OFFICER", "k.tan"])
        kind = rng.choices(["information", "freeze", "emergency_disclosure"], [0.6, 0.3, 0.1])[0]
        email = f"{local}@{domain.upper() if rng.random() < 0.1 else domain}"
        out.append(Scenario(True, family, agency, email, kind, rng.choice(accounts)))
    families = ["free_mail", "lookalike", "wrong_domain", "other_agency", "hijacked"]
    for i in range(n_fake):
        agency = rng.choice(agencies)
        family = families[i % len(families)]
        head = agency.aliases[0].lower().replace(" ", ".") if agency.aliases else "agent"
        if family == "free_mail":
            email = f"{head}.agent.{rng.randrange(100)}@{rng.choice(FREE)}"
        elif family == "lookalike":
            email = f"duty@{_lookalike(agency, rng)}"
        elif family == "wrong_domain":
            email = f"officer@{rng.choice(NOBODY)}"
        elif family == "other_agency":
            other = rng.choice([a for a in agencies if a is not agency])
            email = f"officer@{rng.choice(other.domains)}"
        else:
            email = f"officer@{rng.choice(agency.domains)}"
        kind = rng.choices(["information", "freeze", "emergency_disclosure"], [0.45, 0.25, 0.3])[0]
        out.append(Scenario(False, family, agency, email, kind, rng.choice(accounts)))
    rng.shuffle(out)
    return out


class Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def exchange(n_accounts: int, now: datetime) -> tuple[Engine, list[str]]:
    """An engine with rules and a journal, ``n_accounts`` customers decided through it."""
    catalog = default_catalog()
    engine = Engine(catalog, load_rules(BuiltinRules().read(), catalog), MemoryJournal())
    accounts = [f"cust-{i:05d}" for i in range(n_accounts)]
    for i, account in enumerate(accounts):
        start, device, ip = now - timedelta(days=40), f"dev-{i}", "192.0.2.10"
        events = [
            AccountOpened(
                event_id=f"{account}-o", account_id=account, region="EU", ts=start, device_id=device, ip=ip
            ),
            KycSubmitted(
                event_id=f"{account}-k", account_id=account, region="EU", ts=start + timedelta(hours=1),
                device_id=device, ip=ip, full_name=f"Person {i}",
            ),
            Deposit(
                event_id=f"{account}-d", account_id=account, region="EU", ts=start + timedelta(days=2),
                device_id=device, ip=ip, rail=Rail.FIAT, asset="EUR", amount=500_00, fiat_value=Decimal(500),
            ),
        ]  # fmt: skip
        for event in events:
            engine.decide(event)
    return engine, accounts


def withdrawal(account: str, n: int, ts: datetime) -> Withdrawal:
    return Withdrawal(
        event_id=f"{account}-w{n}", account_id=account, region="EU", ts=ts, device_id="dev-x",
        ip="192.0.2.10", rail=Rail.CRYPTO, asset="ETH", amount=10**16, fiat_value=Decimal(20),
        chain=Chain.ETH, destination_address="0x52908400098527886E0F7030069857D2E4169EE7",
    )  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, Any]:
    now_dt = datetime(2026, 12, 1, 9, tzinfo=UTC)
    clock = Clock(int(now_dt.timestamp() * 1e6))
    engine, accounts = exchange(args.accounts, now_dt)
    audit = AuditTrail(MemoryAuditLog(), clock=clock)
    desk = Desk(MemoryCaseStore(), audit, MemoryNotifier(), clock=clock)
    actions = Actions(desk, engine.journal)
    security = SecurityDesk(desk, actions, Appeals(actions), audit, Feed(desk, engine.journal))
    engine.restrictions = desk.freeze_of  # as vigil serve wires it
    requests = LerDesk(
        MemoryLerStore(), audit, load_directory(), security, sources=Sources(journal=engine.journal),
        signer=Signer.generate(), clock=clock,
    )  # fmt: skip
    ler = LiaisonDesk(requests, Orders(requests), Disclosures(requests))
    cases = scenarios(args.genuine, args.impersonations, args.relayed, accounts, args.seed)
    tally: Counter[str] = Counter()
    leaked: list[str] = []
    flags_by_family: dict[str, Counter[str]] = {}
    approve_to_block: list[float] = []
    log_us: list[float] = []
    for n, s in enumerate(cases, 1):
        clock.now += 60_000_000
        basis = {"information": "court_order", "freeze": "freeze_order", "emergency_disclosure": "emergency"}[
            s.kind
        ]
        intake = Intake(
            agency=s.agency.name, officer="Officer", officer_email=s.email, legal_basis=basis,
            legal_reference=f"REF-{n}", kind=s.kind, subjects=[{"kind": "account", "value": s.account}],
            period_from_us=clock.now - 60 * DAY_US, period_until_us=clock.now,
            deadline_us=clock.now + 10 * DAY_US, nondisclosure=True,
        )  # fmt: skip
        started = time.perf_counter()
        request = requests.log(intake, LIAISON)
        log_us.append((time.perf_counter() - started) * 1e6)
        rid = request.request_id
        flags_by_family.setdefault(s.family, Counter()).update(request.domain_flags or ["none"])
        verifier = SUPERVISOR if s.kind == "emergency_disclosure" else LIAISON
        if request.domain_flags:
            tally["sent back" if s.genuine else "impersonation flagged"] += 1
        # 1. the requester's own mailbox confirms (an impersonator controls it)
        requests.record_verification(rid, "email_reply", True, "the requester replied", LIAISON)
        verified = _try_verify(requests, rid, verifier)
        # 2. the directory's number: the real agency confirms a genuine request and denies the rest
        if not verified:
            requests.record_verification(rid, "callback", s.genuine, "duty desk", LIAISON)
            verified = _try_verify(requests, rid, verifier)
        if not s.genuine and verified:
            leaked.append(f"{rid} {s.family} verified")
        requests.resolve(rid, LIAISON)
        out = _answer(ler, engine, desk, s, rid, clock, approve_to_block, n)
        if not s.genuine and out != "refused":
            leaked.append(f"{rid} {s.family}: {out}")
        if s.genuine:
            tally[f"genuine {out}"] += 1
        if not verified:
            requests.refuse(rid, "the agency did not confirm the request", LIAISON)
    genuine = sum(1 for s in cases if s.genuine)
    fake = len(cases) - genuine
    return {
        "scenarios": {"genuine": genuine, "impersonations": fake, "relayed_share": args.relayed},
        "impersonations_stopped": fake - len({x.split()[0] for x in leaked}),
        "leaks": leaked,
        "genuine_sent_back": tally["sent back"],
        "genuine_sent_back_share": round(tally["sent back"] / max(genuine, 1), 4),
        "impersonations_flagged_by_domain": tally["impersonation flagged"],
        "genuine_answered": {
            k.removeprefix("genuine "): v for k, v in tally.items() if k.startswith("genuine ")
        },
        "flags_by_family": {f: dict(c) for f, c in sorted(flags_by_family.items())},
        "freeze_orders": len(approve_to_block),
        "approval_to_block_ms": {
            "median": round(statistics.median(approve_to_block) * 1000, 3) if approve_to_block else None,
            "max": round(max(approve_to_block) * 1000, 3) if approve_to_block else None,
        },
        "log_us_median": round(statistics.median(log_us), 1),
        "machine": f"{platform.processor() or platform.machine()}, Python {platform.python_version()}",
    }


def _try_verify(requests: LerDesk, rid: str, act: Act) -> bool:
    try:
        requests.verify(rid, "", act)
    except (Conflict, Forbidden):
        return False
    return True


def _answer(
    ler: LiaisonDesk,
    engine: Engine,
    desk: Desk,
    s: Scenario,
    rid: str,
    clock: Clock,
    waits: list[float],
    n: int,
) -> str:
    """Disclose or freeze; 'refused' when every attempt was refused as not verified."""
    try:
        if s.kind != "freeze":
            ler.disclosures.disclose(rid, LIAISON)
            return "disclosed"
        order = ler.orders.freeze(rid, s.account, LIAISON).freezes[-1]
    except NotVerified:
        return "refused"
    except Conflict as exc:  # the account is already frozen by an earlier order
        if "already frozen" in str(exc):
            return "already frozen"
        raise
    started = time.perf_counter()
    desk_actions = Actions(desk, engine.journal)
    desk_actions.approve(order.case_id, order.action_id, "order checked", Change("sue"))
    ts = datetime.fromtimestamp(clock.now / 1e6, UTC)
    decision = engine.decide(withdrawal(s.account, n, ts))
    waits.append(time.perf_counter() - started)
    if (
        decision.outcome is not Outcome.BLOCK
        or decision.reasons[0].code is not ReasonCode.DESK_ACCOUNT_FROZEN
    ):
        raise AssertionError(f"the freeze of {rid} was not enforced: {decision.outcome}")
    desk_actions.request(
        order.case_id,
        ActionKind.UNFREEZE,
        "released for the next scenario",
        Change("lia"),
        target=order.action_id,
    )
    pending = desk.case(order.case_id).pending
    if pending:
        desk_actions.approve(order.case_id, pending[-1].action_id, "ok", Change("sue"))
    return "frozen"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--genuine", type=int, default=600)
    p.add_argument("--impersonations", type=int, default=600)
    p.add_argument(
        "--relayed", type=float, default=0.03, help="share of genuine requests from unlisted domains"
    )
    p.add_argument("--accounts", type=int, default=300)
    p.add_argument("--seed", type=int, default=18)
    p.add_argument("--json", type=Path)
    args = p.parse_args()
    result = run(args)
    text = json.dumps(result, indent=2, sort_keys=True)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
