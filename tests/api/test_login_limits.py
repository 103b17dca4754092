"""Sign-in under attack: password checks off the event loop, rate limits with backoff, lockout."""

from __future__ import annotations

import contextlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.api.conftest import Api, api_settings, open_api
from tests.conftest import Events
from vigil.model.access import Role
from vigil.model.notify import Notice

PASSWORD = "correct horse battery"
serving = contextlib.contextmanager(open_api)


def _login(api: Api, username: str, password: str) -> Any:
    return api.client.post("/v1/auth/login", json={"username": username, "password": password})


def test_bad_logins_do_not_hold_up_decisions(tmp_path: Path, events: Events) -> None:
    """Four wrong passwords in flight: an event sent after them is decided before any of them ends."""
    with serving(api_settings(tmp_path)) as api:
        api.services.access.add_user("ana", PASSWORD, [Role.ANALYST], by="cli:setup")
        start = time.perf_counter()

        def bad_login(_: int) -> float:
            assert _login(api, "ana", "x" * 20).status_code == 401
            return time.perf_counter() - start

        with ThreadPoolExecutor(4) as pool:
            logins = pool.map(bad_login, range(4))
            time.sleep(0.02)  # the logins are in flight
            assert api.post_event(events.deposit(1)).status_code == 200
            decided = time.perf_counter() - start
            ended = list(logins)
        assert decided < min(ended), (decided, ended)


def test_wrong_passwords_back_off_then_lock_the_account_and_say_so(tmp_path: Path) -> None:
    settings = api_settings(
        tmp_path, login_refusal_delay_seconds=0, login_backoff_seconds=0.0, login_lockout_failures=10
    )
    with serving(settings) as api:
        api.services.access.add_user("ana", PASSWORD, [Role.ANALYST], by="cli:setup")
        statuses = [_login(api, "ana", "wrong password!").status_code for _ in range(30)]
        assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
        right = _login(api, "ana", PASSWORD)
        assert right.status_code == 429
        assert right.json()["error"]["code"] == "too_many_attempts"
        assert int(right.headers["Retry-After"]) > 0
        # the lockout is audited once, by the system, on the person
        assert api.services.security is not None
        records = api.services.security.audit.records(subject="user:ana")
        assert [r.action for r in records] == ["access.user_created", "access.locked"]
        locked = records[1]
        assert json.loads(locked.detail)["failures"] == 10 and locked.actor == "vigil"
        assert locked.system and not records[0].system  # the flag, not the name, marks the system


class Recorder:
    """A notification channel that keeps what it is sent."""

    def __init__(self) -> None:
        self.sent: list[Notice] = []

    def send(self, notice: Notice) -> None:
        self.sent.append(notice)


def test_a_lockout_tells_the_people_on_call_and_an_unknown_name_tells_no_one(tmp_path: Path) -> None:
    settings = api_settings(
        tmp_path, login_refusal_delay_seconds=0, login_backoff_seconds=0.0, login_lockout_failures=3
    )
    with serving(settings) as api:
        assert api.services.security is not None
        recorder = Recorder()
        api.services.security.desk.outbox.notifier = recorder  # the desk's channel, as a webhook would be
        api.services.access.add_user("ana", PASSWORD, [Role.ANALYST], by="cli:setup")
        for name in ("ana", "nobody"):
            for _ in range(4):
                _login(api, name, "wrong password!")
        deadline = time.monotonic() + 10
        while not recorder.sent and time.monotonic() < deadline:  # the outbox delivers off the loop
            time.sleep(0.02)
        time.sleep(0.1)
        assert [n.kind for n in recorder.sent] == ["access.locked"]
        notice = recorder.sent[0]
        assert "ana" in notice.title and "3 failures" in notice.title and notice.case_id == ""
        assert notice.severity == "high" and "wrong password!" not in notice.text  # never what was tried


def test_an_unknown_user_is_throttled_like_a_known_one(tmp_path: Path) -> None:
    settings = api_settings(
        tmp_path, login_refusal_delay_seconds=0, login_backoff_seconds=0.0, login_lockout_failures=3
    )
    with serving(settings) as api:
        api.services.access.add_user("ana", PASSWORD, [Role.ANALYST], by="cli:setup")
        known = [_login(api, "ana", "wrong password!") for _ in range(5)]
        unknown = [_login(api, "bob", "wrong password!") for _ in range(5)]
        assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401] * 3 + [429] * 2
        assert known[-1].json()["error"]["message"] == unknown[-1].json()["error"]["message"]
        assert known[-1].headers["Retry-After"] == unknown[-1].headers["Retry-After"]


def test_the_console_sign_in_is_throttled_too(tmp_path: Path) -> None:
    settings = api_settings(
        tmp_path, login_refusal_delay_seconds=0, login_backoff_seconds=0.0, login_lockout_failures=2
    )
    with serving(settings) as api:
        api.services.access.add_user("ana", PASSWORD, [Role.ANALYST], by="cli:setup")
        form = {"username": "ana", "password": "wrong password!"}
        codes = [api.client.post("/console/login", data=form).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
        page = api.client.post("/console/login", data={"username": "ana", "password": PASSWORD})
        assert page.status_code == 429 and "Too many" in page.text


def test_a_malformed_login_body_is_refused_before_any_password_check(tmp_path: Path) -> None:
    with serving(api_settings(tmp_path)) as api:
        for body in (b"{", b"[]", b'{"username": "", "password": "x"}', b'{"username": "a"}'):
            r = api.client.post("/v1/auth/login", content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input", body
