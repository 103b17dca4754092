"""``vigil``: replay, decide, rules, catalog, sim, eval, lists, screen, serve, users, keys, db, graph,
labels, train, models, drift, audit, cases.

Each command is one library call plus its I/O.

Exit codes: 0 success, 1 an error of the set-up (configuration, storage), 2 invalid input, 3 an alert
(``vigil drift``: a population stability index at or over its threshold; ``vigil audit verify``: the
audit log's chain is broken).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import msgspec

from vigil import bootstrap
from vigil.adapters.rule_files import DirectoryRules
from vigil.cli import audit, cases, evaluate, graph, learn, lists, models, screen, serve, simulate
from vigil.cli.streams import StatusLine, open_input, open_output
from vigil.codec import decision_view, decode_event, encode_view
from vigil.engine import Engine, replay
from vigil.errors import ConfigError, InvalidEvent, InvalidInput, StorageError, VigilError
from vigil.features import default_catalog
from vigil.model import Decision
from vigil.rules import FUNCTIONS
from vigil.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "memory", False):
        overrides["db"] = "memory"
    elif getattr(args, "db", None):
        overrides["db"] = args.db
    if getattr(args, "rules", None):
        overrides["rules_dir"] = args.rules
    if getattr(args, "batch_size", None):
        overrides["batch_size"] = args.batch_size
    return Settings(**overrides)


def cmd_replay(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.batch_size is None:
        settings = settings.model_copy(update={"batch_size": 1000})
    engine = bootstrap.build_engine(settings)
    _reload_on_hup(engine)
    bootstrap.tune_gc()
    status = StatusLine()

    def progress(lines: int) -> None:
        status.show(f"{lines:>12,} lines  {status.rate(lines):>10,.0f}/s")

    rejects_path = Path(args.rejects)
    rejects: IO[bytes] | None = None

    def reject(number: int, raw: bytes, error: InvalidEvent) -> None:
        nonlocal rejects
        if rejects is None:
            rejects = rejects_path.open("wb")
        text = raw.decode("utf-8", errors="replace").rstrip("\n")
        rejects.write(
            msgspec.json.encode({"line": number, "field": error.field, "error": error.message, "input": text})
            + b"\n"
        )

    try:
        with open_input(args.file) as source, open_output(args.output) as out:

            def emit(decision: Decision) -> None:
                out.write(encode_view(decision_view(decision, full_trace=args.trace)) + b"\n")

            summary = replay(
                engine,
                source,
                emit,
                reject=reject if args.skip_invalid else None,
                progress=progress,
                since_us=args.since,
                until_us=args.until,
                admission=bootstrap.admission(settings),
            )
    finally:
        status.done()
        engine.close()
        if rejects is not None:
            rejects.close()
    for line in summary.lines():
        print(line, file=sys.stderr)
    if summary.rejected:
        print(f"rejected lines written to {rejects_path}", file=sys.stderr)
    return 0


def _reload_on_hup(engine: Engine) -> None:
    """SIGHUP reloads the rule files; a rule set that does not load is reported and the old one kept."""

    def handler(signum: int, frame: object) -> None:
        try:
            if engine.reload_rules(force=True):
                print(f"rules reloaded: version {engine.rules.version}", file=sys.stderr)
        except VigilError as exc:
            print(f"rules not reloaded, keeping version {engine.rules.version}: {exc}", file=sys.stderr)

    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, handler)


def cmd_decide(args: argparse.Namespace) -> int:
    settings = _settings(args)
    engine = bootstrap.build_engine(settings)
    try:
        data = sys.stdin.buffer.read()
        decision = engine.decide(decode_event(data, bootstrap.admission(settings)))
    finally:
        engine.close()
    sys.stdout.buffer.write(encode_view(decision_view(decision, full_trace=True)) + b"\n")
    return 0


def cmd_rules_check(args: argparse.Namespace) -> int:
    source = DirectoryRules(args.directory)
    rules = bootstrap.load_rule_set(source)
    packs: dict[str, int] = {}
    for rule in rules.rules:
        packs[rule.pack] = packs.get(rule.pack, 0) + 1
    for pack, n in sorted(packs.items()):
        print(f"{pack}: {n} rules")
    regions = ", ".join(sorted(rules.thresholds)) or "none (every score allows)"
    print(f"ok: {len(rules.rules)} rules, thresholds for {regions}, version {rules.version}")
    return 0


def cmd_rules_functions(args: argparse.Namespace) -> int:
    for name, fn in sorted(FUNCTIONS.items()):
        print(f"{name:16} {fn.doc}")
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    catalog = default_catalog()
    for name in catalog.names:
        print(f"{name:60} {catalog.describe(name)}")
    print(f"# {len(catalog.names)} features, catalog {catalog.hash}", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vigil", description="Real-time risk control for crypto exchanges.")
    sub = p.add_subparsers(dest="command", required=True)

    def storage(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--db", help="SQLite journal path (default: $VIGIL_DB or .vigil/vigil.db)")
        sp.add_argument(
            "--memory", action="store_true", help="an in-memory journal: nothing survives the process"
        )
        sp.add_argument("--rules", help="rules directory (default: the built-in packs)")

    r = sub.add_parser("replay", help="decide a stream of JSON-lines events; decisions as JSON lines")
    r.add_argument("file", help="events file, or - for stdin")
    r.add_argument("-o", "--output", default="-", help="decisions file, or - for stdout (default)")
    storage(r)
    r.add_argument("--batch-size", type=int, default=None, help="events per commit (default 1000)")
    r.add_argument("--skip-invalid", action="store_true", help="write bad lines to --rejects and go on")
    r.add_argument("--rejects", default="rejects.jsonl", help="where --skip-invalid writes bad lines")
    r.add_argument("--trace", action="store_true", help="include every rule evaluated in the trace")
    r.add_argument("--since", type=learn.instant, help="decide only events at or after this ISO 8601 instant")
    r.add_argument("--until", type=learn.instant, help="decide only events before this ISO 8601 instant")
    r.set_defaults(func=cmd_replay)

    d = sub.add_parser("decide", help="decide one event read from stdin, with its full trace")
    storage(d)
    d.set_defaults(func=cmd_decide, batch_size=None)

    rules = sub.add_parser("rules", help="rule files").add_subparsers(dest="rules_command", required=True)
    rc = rules.add_parser("check", help="load and validate a rules directory against the catalog")
    rc.add_argument("directory")
    rc.set_defaults(func=cmd_rules_check)
    rf = rules.add_parser("functions", help="list the functions rules may call")
    rf.set_defaults(func=cmd_rules_functions)

    c = sub.add_parser("catalog", help="list every feature with its meaning")
    c.set_defaults(func=cmd_catalog)

    simulate.add_parser(sub)
    evaluate.add_parser(sub)
    lists.add_parser(sub)
    screen.add_parser(sub)
    serve.add_parser(sub)
    graph.add_parser(sub)
    learn.add_parser(sub)
    models.add_parser(sub)
    audit.add_parser(sub)
    cases.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except InvalidInput as exc:
        print(f"vigil: invalid input: {exc}", file=sys.stderr)
        return 2
    except (ConfigError, StorageError, VigilError) as exc:
        print(f"vigil: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (| head): not an error of ours
        return 0


if __name__ == "__main__":
    sys.exit(main())
