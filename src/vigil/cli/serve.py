"""``vigil serve`` (the HTTP API), ``vigil users`` and ``vigil keys`` (who may call it), ``vigil db upgrade``.

Passwords are read from a prompt, or from stdin with ``--password-stdin`` (never from the command line,
which other users of the machine can see). A new key's token is printed once.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from vigil import bootstrap
from vigil.access import Access
from vigil.cli.streams import db_settings, print_json
from vigil.errors import InvalidInput
from vigil.model.access import Role
from vigil.settings import Settings
from vigil.views import key_view, user_view

_ROLES = ", ".join(r.value for r in Role)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser("serve", help="run the HTTP API (settings from VIGIL_* variables, see .env.example)")
    s.add_argument("--db", help="database: SQLite path or PostgreSQL URL (default: $VIGIL_DB)")
    s.add_argument("--host", help="listen address (default: $VIGIL_HOST or 127.0.0.1)")
    s.add_argument("--port", type=int, help="listen port (default: $VIGIL_PORT or 8000)")
    s.add_argument("--rules", help="rules directory (default: the built-in packs)")
    s.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    up = db.add_parser("upgrade", help="migrate a PostgreSQL database to this release's schema (Alembic)")
    up.add_argument("--db", help="PostgreSQL URL (default: $VIGIL_DB)")
    up.set_defaults(func=cmd_db_upgrade)

    users = sub.add_parser("users", help="people who sign in").add_subparsers(
        dest="users_command", required=True
    )
    add = users.add_parser("add", help="add a person (asks for the password)")
    add.add_argument("username")
    _roles(add)
    _password(add)
    add.set_defaults(func=cmd_users_add)
    ls = users.add_parser("list", help="every person, with roles and status")
    _common(ls)
    ls.set_defaults(func=cmd_users_list)
    pw = users.add_parser("passwd", help="set a person's password")
    pw.add_argument("username")
    _password(pw)
    _common(pw)
    pw.set_defaults(func=cmd_users_passwd)
    ro = users.add_parser("roles", help="replace a person's roles")
    ro.add_argument("username")
    _roles(ro)
    ro.set_defaults(func=cmd_users_roles)
    dis = users.add_parser("disable", help="disable a person: their sessions stop working")
    dis.add_argument("username")
    _common(dis)
    dis.set_defaults(func=cmd_users_disable)

    keys = sub.add_parser("keys", help="API keys of calling services").add_subparsers(
        dest="keys_command", required=True
    )
    ck = keys.add_parser("create", help="create a key and print its token (shown once)")
    ck.add_argument("name", help="what calls with it, e.g. 'withdrawal-service'")
    _roles(ck, default=[Role.SERVICE.value])
    ck.set_defaults(func=cmd_keys_create)
    lk = keys.add_parser("list", help="every key, revoked ones included")
    _common(lk)
    lk.set_defaults(func=cmd_keys_list)
    rk = keys.add_parser("revoke", help="revoke a key")
    rk.add_argument("key_id")
    _common(rk)
    rk.set_defaults(func=cmd_keys_revoke)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="database (default: $VIGIL_DB or .vigil/vigil.db)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _roles(p: argparse.ArgumentParser, default: list[str] | None = None) -> None:
    p.add_argument(
        "--role", dest="roles", action="append", default=None, help=f"repeatable; one of: {_ROLES}"
    )
    p.set_defaults(default_roles=default or [])
    _common(p)


def _password(p: argparse.ArgumentParser) -> None:
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InvalidInput("the two passwords differ", field="password")
    return first


def _access(args: argparse.Namespace) -> Access:
    return bootstrap.admin_access(db_settings(args.db))


def _operator() -> str:
    """The audit actor of an act at the command line: ``cli:<login>`` (no person's username has ':')."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment or the password database
        login = f"uid{os.getuid()}"
    return f"cli:{login}"


def _print(args: argparse.Namespace, value: object, text: str) -> None:
    if args.json:
        print_json(value)
    else:
        print(text)


def _role_list(args: argparse.Namespace) -> list[str]:
    roles: list[str] = args.roles if args.roles is not None else args.default_roles
    return roles


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from vigil.api import create_app
    from vigil.api.logs import configure

    overrides: dict[str, object] = {}
    for name in ("db", "host", "port"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
    if args.rules:
        overrides["rules_dir"] = args.rules
    settings = Settings(**overrides)  # type: ignore[arg-type]
    configure(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=False,  # Vigil's own access log is JSON and names no personal data
        log_config=None,
        timeout_graceful_shutdown=10,
    )
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    revision = bootstrap.migrate(db_settings(args.db))
    print(f"database at revision {revision}")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    access = _access(args)
    roles = _role_list(args)
    if not roles:
        raise InvalidInput(f"give at least one --role ({_ROLES})", field="role")
    user = access.add_user(args.username, _read_password(args), roles, by=_operator())
    view = {"username": user.username, "roles": sorted(user.roles)}
    _print(args, view, f"added {user.username} with roles {', '.join(sorted(user.roles))}")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    users = _access(args).store.users()
    views = [user_view(u) for u in users]
    lines = [
        f"{u.username:24} {','.join(sorted(u.roles)):40} {'disabled' if u.disabled_at else 'active'}"
        for u in users
    ]
    _print(args, views, "\n".join(lines) or "no users")
    return 0


def cmd_users_passwd(args: argparse.Namespace) -> int:
    user = _access(args).set_password(args.username, _read_password(args), by=_operator())
    _print(args, {"username": user.username}, f"password of {user.username} changed")
    return 0


def cmd_users_roles(args: argparse.Namespace) -> int:
    user = _access(args).set_roles(args.username, _role_list(args), by=_operator())
    roles = sorted(user.roles)
    _print(args, {"username": user.username, "roles": roles}, f"{user.username}: {', '.join(roles)}")
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    user = _access(args).disable_user(args.username, by=_operator())
    _print(args, {"username": user.username, "disabled": True}, f"{user.username} disabled")
    return 0


def cmd_keys_create(args: argparse.Namespace) -> int:
    issued = _access(args).create_key(args.name, _role_list(args), by=_operator())
    assert issued.key is not None
    key = issued.key
    view = {"key_id": key.key_id, "name": key.name, "roles": sorted(key.roles), "token": issued.token}
    text = f"key {key.key_id} ({key.name}; roles {', '.join(sorted(key.roles))})\n{issued.token}"
    _print(args, view, text)
    if not args.json:
        print("the token is shown once: store it in the calling service's secrets", file=sys.stderr)
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    keys = _access(args).store.keys()
    views = [key_view(k) for k in keys]
    lines = [
        f"{k.key_id}  {k.name:30} {','.join(sorted(k.roles)):30} {'revoked' if k.revoked_at else 'active'}"
        for k in keys
    ]
    _print(args, views, "\n".join(lines) or "no keys")
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    key = _access(args).revoke_key(args.key_id, by=_operator())
    _print(args, {"key_id": key.key_id, "revoked": True}, f"key {key.key_id} revoked")
    return 0
