"""``vigil``: replay, decide, rules, catalog, sim, eval, lists, screen, serve, users, keys, db, graph,
labels, train, models, drift, audit, cases, ler, claims, snapshot.

Each command is one library call plus its I/O.

Exit codes: 0 success, 1 an error of the set-up (configuration, storage), 2 invalid input, 3 an alert
(``vigil drift``: a population stability index at or over its threshold; ``vigil audit verify``: the
audit log's chain is broken).

Imports are lazy: ``vigil --help`` lists the commands from ``COMMANDS`` without importing any of them,
and a command imports only the module that adds it (numpy, LightGBM, FastAPI... load only when used).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from vigil.errors import ConfigError, InvalidInput, StorageError, VigilError

if TYPE_CHECKING:
    from vigil.engine import Engine
    from vigil.errors import InvalidEvent
    from vigil.model import Decision
    from vigil.settings import Settings

# Every top-level command: the module whose add_parser adds it, and its one-line help (a test checks
# this table against the modules).
COMMANDS: dict[str, tuple[str, str]] = {
    "replay": ("vigil.cli.main", "decide a stream of JSON-lines events; decisions as JSON lines"),
    "decide": ("vigil.cli.main", "decide one event read from stdin, with its full trace"),
    "rules": ("vigil.cli.main", "rule files"),
    "catalog": ("vigil.cli.main", "list every feature with its meaning"),
    "sim": (
        "vigil.cli.simulate",
        "simulate an exchange with labelled crime: events, labels, recovery claims",
    ),
    "eval": (
        "vigil.cli.evaluate",
        "score decisions against the simulator's labels: recall, precision, value stopped, friction",
    ),
    "lists": ("vigil.cli.lists", "screening lists: import snapshots, show, diff"),
    "screen": ("vigil.cli.screen", "screen an address or a name against the imported lists"),
    "serve": ("vigil.cli.serve", "run the HTTP API (settings from VIGIL_* variables, see .env.example)"),
    "db": ("vigil.cli.serve", "database schema"),
    "users": ("vigil.cli.serve", "people who sign in"),
    "keys": ("vigil.cli.serve", "API keys of calling services"),
    "graph": ("vigil.cli.graph", "network analysis: expand from seed accounts, find rings"),
    "labels": ("vigil.cli.learn", "labels on events, for training"),
    "train": ("vigil.cli.learn", "train a model on the database's labelled history"),
    "drift": ("vigil.cli.learn", "population stability of features and scores, per region"),
    "models": ("vigil.cli.models", "the model registry"),
    "audit": ("vigil.cli.audit", "the audit log: verify its hash chain, show its records"),
    "cases": ("vigil.cli.cases", "the security desk: open cases from the journal, list, check SLAs"),
    "ler": ("vigil.cli.ler", "the law-enforcement desk: requests from authorities"),
    "worker": ("vigil.cli.workers", "decide the events of this worker's partitions from the event bus"),
    "workers": ("vigil.cli.workers", "run N partitioned workers, restarting one that dies"),
    "claims": ("vigil.cli.claims", "funds sent by mistake: import and file claims, approve, credit"),
    "snapshot": (
        "vigil.cli.snapshot",
        "write a snapshot of the engine's state: the next start replays only what follows",
    ),
}


def _settings(args: argparse.Namespace) -> Settings:
    from vigil.settings import Settings

    overrides: dict[str, Any] = {}
    if getattr(args, "memory", False):
        overrides["db"] = "memory"
    elif getattr(args, "db", None):
        overrides["db"] = args.db
    if getattr(args, "rules", None):
        overrides["rules_dir"] = args.rules
    if getattr(args, "batch_size", None):
        overrides["batch_size"] = args.batch_size
    if getattr(args, "flag_lag", None) is not None:
        overrides["flag_lag"] = args.flag_lag
    if getattr(args, "trace", False):  # a trace asked for: every rule timed and traced
        overrides["full_trace"] = True
    return Settings(**overrides)


def cmd_replay(args: argparse.Namespace) -> int:
    from pathlib import Path

    import msgspec

    from vigil import bootstrap
    from vigil.cli.streams import StatusLine, open_input, open_output
    from vigil.codec import decision_view, encode_view
    from vigil.engine import replay

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
    import signal

    def handler(signum: int, frame: object) -> None:
        try:
            if engine.reload_rules(force=True):
                print(f"rules reloaded: version {engine.rules.version}", file=sys.stderr)
        except VigilError as exc:
            print(f"rules not reloaded, keeping version {engine.rules.version}: {exc}", file=sys.stderr)

    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, handler)


def cmd_decide(args: argparse.Namespace) -> int:
    from vigil import bootstrap
    from vigil.codec import decision_view, decode_event, encode_view

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
    from vigil import bootstrap
    from vigil.adapters.rule_files import DirectoryRules

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
    from vigil.rules import FUNCTIONS

    for name, fn in sorted(FUNCTIONS.items()):
        print(f"{name:16} {fn.doc}")
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    from vigil.features import default_catalog

    catalog = default_catalog()
    for name in catalog.names:
        print(f"{name:60} {catalog.describe(name)}")
    print(f"# {len(catalog.names)} features, catalog {catalog.hash}", file=sys.stderr)
    return 0


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The CLI's parser. With a ``command`` of ``COMMANDS``, only the module that adds it is imported and
    only its commands are full parsers; every other command is listed by name and help alone."""
    p = argparse.ArgumentParser(prog="vigil", description="Real-time risk control for crypto exchanges.")
    sub = p.add_subparsers(dest="command", required=True)
    if command not in COMMANDS:  # --help, or no or an unknown command: names only, nothing imported
        for name, (_, text) in COMMANDS.items():
            sub.add_parser(name, help=text)
        return p
    module = COMMANDS[command][0]
    if module == "vigil.cli.main":
        _add_core(sub)
    else:
        importlib.import_module(module).add_parser(sub)
    return p


def full_parser() -> argparse.ArgumentParser:
    """Every command with all its arguments (imports every command's module): for tests and docs."""
    p = argparse.ArgumentParser(prog="vigil", description="Real-time risk control for crypto exchanges.")
    sub = p.add_subparsers(dest="command", required=True)
    _add_core(sub)
    for module in dict.fromkeys(m for m, _ in COMMANDS.values() if m != "vigil.cli.main"):
        importlib.import_module(module).add_parser(sub)
    return p


def _add_core(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from vigil.cli.streams import instant

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
    r.add_argument("--since", type=instant, help="decide only events at or after this ISO 8601 instant")
    r.add_argument("--until", type=instant, help="decide only events before this ISO 8601 instant")
    r.add_argument(
        "--flag-lag",
        type=int,
        default=None,
        help="a hold flags its account for events more than this many later ($VIGIL_FLAG_LAG, default 0);"
        " the workers' lag gives their decisions",
    )
    r.set_defaults(func=cmd_replay)

    d = sub.add_parser("decide", help="decide one event read from stdin, with its full trace")
    storage(d)
    d.set_defaults(func=cmd_decide, batch_size=None, trace=True)

    rules = sub.add_parser("rules", help="rule files").add_subparsers(dest="rules_command", required=True)
    rc = rules.add_parser("check", help="load and validate a rules directory against the catalog")
    rc.add_argument("directory")
    rc.set_defaults(func=cmd_rules_check)
    rf = rules.add_parser("functions", help="list the functions rules may call")
    rf.set_defaults(func=cmd_rules_functions)

    c = sub.add_parser("catalog", help="list every feature with its meaning")
    c.set_defaults(func=cmd_catalog)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser(argv[0] if argv else None).parse_args(argv)
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
