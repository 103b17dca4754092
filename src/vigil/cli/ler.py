"""``vigil ler``: the law-enforcement desk from the command line (docs/ler.md).

``log`` reads requests as JSON lines (``-``: stdin) and prints each as logged; ``list`` and ``show``
read; ``step`` records a verification step, ``verify`` verifies (never an emergency: that is a
supervisor's, signed in), ``resolve`` finds the accounts; ``disclose`` writes the signed package;
``check`` verifies a package against a public key; ``keygen`` writes a signing key; ``tick`` checks the
clocks and lapses now; ``agencies`` prints the directory. The actor is ``cli:<login>``, audited.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from vigil import bootstrap
from vigil.cli.serve import _operator
from vigil.cli.streams import db_settings, instant, open_input, open_output, print_json
from vigil.errors import ConfigError, InvalidInput
from vigil.ler import Act, Intake, LiaisonDesk, Signer, load_directory, verify_package
from vigil.ler.views import agency_view, request_view, summary_view
from vigil.model.access import Role

T = TypeVar("T")
_NEEDED = ("agency", "officer", "officer_email", "kind", "subjects", "period_from", "period_until")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ler = sub.add_parser("ler", help="the law-enforcement desk: requests from authorities")
    cmd = ler.add_subparsers(dest="ler_command", required=True)
    log = cmd.add_parser("log", help="log requests read as JSON lines (one intake a line)")
    log.add_argument("input", help="a JSON-lines file, or - for stdin")
    listing = cmd.add_parser("list", help="requests, the earliest due first")
    listing.add_argument("--all", action="store_true", help="closed and refused ones too")
    show = cmd.add_parser("show", help="a request (the read is audited)")
    step = cmd.add_parser("step", help="record a verification step a person took")
    step.add_argument("--method", required=True, choices=["callback", "email_reply", "portal"])
    step.add_argument("--denied", action="store_true", help="the agency did not confirm it")
    step.add_argument("--note", default="")
    verify = cmd.add_parser("verify", help="verify a request (after a confirmed step)")
    verify.add_argument("--note", default="")
    resolve = cmd.add_parser("resolve", help="resolve the subjects to accounts")
    disclose = cmd.add_parser("disclose", help="write the signed disclosure package (audited)")
    disclose.add_argument("--out", required=True, help="the archive's path (.tar), or - for stdout")
    for p in (show, step, verify, resolve, disclose):
        p.add_argument("request_id")
    tick = cmd.add_parser("tick", help="record the clocks that ran out and the freezes that lapse, now")
    tick.add_argument("--at", type=instant, help="as of this instant (default: now)")
    agencies = cmd.add_parser("agencies", help="the agency directory")
    for p, func in (
        (log, cmd_log), (listing, cmd_list), (show, cmd_show), (step, cmd_step), (verify, cmd_verify),
        (resolve, cmd_resolve), (disclose, cmd_disclose), (tick, cmd_tick), (agencies, cmd_agencies),
    ):  # fmt: skip
        p.add_argument("--db", help="database (default: $VIGIL_DB or .vigil/vigil.db)")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=func)
    check = cmd.add_parser("check", help="verify a package: its files' hashes and its signature")
    check.add_argument("archive")
    check.add_argument(
        "--public-key", required=True, help="the exchange's public key: 64 hex digits, or a file"
    )
    check.set_defaults(func=cmd_check)
    keygen = cmd.add_parser("keygen", help="write a new Ed25519 signing key (PEM, mode 0600)")
    keygen.add_argument("path")
    keygen.set_defaults(func=cmd_keygen)


def _with(db: str | None, run: Callable[[LiaisonDesk], T]) -> T:
    settings = db_settings(db)
    stores = bootstrap.stores(settings)
    try:
        security = bootstrap.security_desk(settings, stores)
        return run(bootstrap.liaison_desk(settings, stores, security))
    finally:
        stores.close()


def _act() -> Act:
    return Act(_operator(), frozenset({Role.LIAISON}))


def _show(args: argparse.Namespace, value: dict[str, Any], text: str) -> int:
    print_json(value) if args.json else print(text)
    return 0


def _intake(line: bytes, n: int) -> Intake:
    try:
        raw = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"not JSON: {exc}", line=n) from None
    if not isinstance(raw, dict):
        raise InvalidInput("a request is a JSON object", line=n)
    try:
        moments = {k: instant(str(raw[k])) for k in ("period_from", "period_until") if k in raw}
        optional = {k: instant(str(raw[k])) for k in ("deadline", "nondisclosure_until") if raw.get(k)}
    except argparse.ArgumentTypeError as exc:
        raise InvalidInput(str(exc), line=n) from None
    missing = [k for k in _NEEDED if k not in raw]
    if missing:
        raise InvalidInput(f"missing {', '.join(missing)}", field=missing[0], line=n)
    subjects = raw["subjects"]
    if not isinstance(subjects, list) or not all(isinstance(s, dict) for s in subjects):
        raise InvalidInput("subjects is a list of objects", field="subjects", line=n)
    return Intake(
        agency=str(raw["agency"]),
        officer=str(raw["officer"]),
        officer_email=str(raw["officer_email"]),
        officer_phone=str(raw.get("officer_phone", "")),
        jurisdiction=str(raw.get("jurisdiction", "")),
        legal_basis=str(raw.get("legal_basis", "")),
        legal_reference=str(raw.get("legal_reference", "")),
        kind=str(raw["kind"]),
        subjects=subjects,
        period_from_us=moments["period_from"],
        period_until_us=moments["period_until"],
        deadline_us=optional.get("deadline"),
        nondisclosure=bool(raw.get("nondisclosure", False)),
        nondisclosure_until_us=optional.get("nondisclosure_until"),
        data_kinds=[str(k) for k in raw.get("data_kinds", [])],
    )


def cmd_log(args: argparse.Namespace) -> int:
    with open_input(args.input) as fh:
        intakes = [_intake(line, n) for n, line in enumerate(fh, 1) if line.strip()]

    def run(ler: LiaisonDesk) -> list[dict[str, Any]]:
        out = []
        for n, intake in enumerate(intakes, 1):
            try:
                out.append(request_view(ler.requests.log(intake, _act())))
            except InvalidInput as exc:
                raise exc.at_line(n) from None
        return out

    for view in _with(args.db, run):
        if args.json:
            print(json.dumps(view, sort_keys=True))
        else:
            flags = ", ".join(view["domain_flags"]) or "official domain"
            print(f"{view['request_id']}  {view['kind']:<20} {view['agency']}  ({flags})")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    found = _with(args.db, lambda ler: ler.requests.requests(open_only=not args.all))
    views = [summary_view(r) for r in found]
    lines = [
        f"{v['request_id']}  {v['state']:<9} {v['kind']:<20} ack by {v['ack_due']}  {v['agency']}"
        for v in views
    ]
    return _show(args, {"requests": views}, "\n".join([*lines, f"{len(views)} request(s)"]))


def cmd_show(args: argparse.Namespace) -> int:
    view = _with(args.db, lambda ler: request_view(ler.requests.request(args.request_id, _operator())))
    return _show(args, view, json.dumps(view, indent=2, sort_keys=True))


def cmd_step(args: argparse.Namespace) -> int:
    def run(ler: LiaisonDesk) -> dict[str, Any]:
        r = ler.requests.record_verification(args.request_id, args.method, not args.denied, args.note, _act())
        return request_view(r)

    view = _with(args.db, run)
    last = view["verifications"][-1]
    return _show(
        args, view, f"{args.request_id}: {last['method']} to {last['contact']}, confirmed {last['confirmed']}"
    )


def cmd_verify(args: argparse.Namespace) -> int:
    view = _with(args.db, lambda ler: request_view(ler.requests.verify(args.request_id, args.note, _act())))
    return _show(args, view, f"{args.request_id}: {view['state']}")


def cmd_resolve(args: argparse.Namespace) -> int:
    view = _with(args.db, lambda ler: request_view(ler.requests.resolve(args.request_id, _act())))
    text = f"{args.request_id}: in scope {', '.join(view['accounts']) or 'none'}; offered for review " + (
        ", ".join(f"{m['account_id']} ({m['how']})" for m in view["offered"]) or "none"
    )
    return _show(args, view, text)


def cmd_disclose(args: argparse.Namespace) -> int:
    package = _with(args.db, lambda ler: ler.disclosures.disclose(args.request_id, _act()))
    with open_output(args.out) as fh:
        fh.write(package.archive)
    if args.out != "-":
        summary = {"sha256": package.sha256, "files": list(package.files), "signature": package.signature}
        _show(args, summary, f"{args.out}: {len(package.archive)} bytes, sha256 {package.sha256}")
    return 0


def cmd_tick(args: argparse.Namespace) -> int:
    happened = _with(args.db, lambda ler: ler.tick(args.at))
    return _show(args, {"happened": happened}, "\n".join(happened) or "nothing due")


def cmd_agencies(args: argparse.Namespace) -> int:
    directory = load_directory(db_settings(args.db).ler_agencies)
    views = [agency_view(a) for a in directory.agencies]
    lines = [
        f"{v['agency_id']:<18} {v['jurisdiction']}  {', '.join(v['domains']):<40} {v['callback']}"
        for v in views
    ]
    return _show(args, {"agencies": views}, "\n".join(lines))


def cmd_check(args: argparse.Namespace) -> int:
    text = args.public_key.strip()
    key_path = Path(text)
    if len(text) != 64 and key_path.is_file():
        text = key_path.read_text("ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise InvalidInput(
            "a public key is 64 hex digits (or a file holding them)", field="public_key"
        ) from None
    with open_input(args.archive) as fh:
        problems = verify_package(fh.read(), key)
    for problem in problems:
        print(f"FAILED: {problem}")
    if not problems:
        print("ok: every file matches the manifest and the signature verifies")
    return 3 if problems else 0


def cmd_keygen(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.exists():
        raise ConfigError(f"{path} exists: refusing to overwrite a signing key")
    signer = Signer.generate()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(signer.pem())
    print(f"wrote {path}; public key {signer.public.hex()} (publish it: agencies check packages with it)")
    return 0
