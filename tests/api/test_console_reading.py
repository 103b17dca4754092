"""The console as an analyst reads it: what each page says about a case, an account and its events.

The queue names the account and the pattern; money is a fiat value with its currency beside the
asset amount with its ticker; alert times are when the events happened, and the dashboard counts
alerts on those days; the history reads as sentences, not Python values; no freeze is offered on a
frozen account; identifiers are escaped and isolated, their invisible characters made visible.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.api.conftest import Api, api_settings, open_api
from tests.api.test_console import PASSWORD, _browser, _fields, _flag
from tests.conftest import T0, Events
from vigil.api.console.figures import details, money, visible
from vigil.api.console.pages import ident
from vigil.model import AddressBookAction, AddressBookChanged, Chain
from vigil.model.access import Role
from vigil.settings import Settings

RLO = "\u202e"


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Api]:
    for api in open_api(api_settings(tmp_path)):
        api.services.access.add_user("ana", PASSWORD, [Role.ANALYST], by="cli:setup")
        api.services.access.add_user("sam", PASSWORD, [Role.SUPERVISOR], by="cli:setup")
        yield api


def _section(html: str, section: str) -> str:
    start = html.index(f'<section id="{section}">')
    return html[start : html.index("</section>", start)]


def test_the_queue_names_the_account_and_the_pattern(console: Api, events: Events) -> None:
    case_id = _flag(console, events)
    page = _browser(console, "ana").get("/console/queue").text
    row = page[page.index(f">{case_id}<") :]
    row = row[: row.index("</tr>")]
    assert '<td class="account"><bdi class="id">alice</bdi></td>' in row
    pattern = console.services.desk.desk.case(case_id).alerts[0].key
    assert f'<td class="pattern"><code>{pattern}</code>' in row
    assert "<th>Account</th><th>Pattern</th>" in page


def test_money_shows_its_currency_and_the_asset_amount_its_ticker(console: Api, events: Events) -> None:
    case_id = _flag(console, events)
    page = _browser(console, "ana").get(f"/console/cases/{case_id}").text
    timeline = _section(page, "timeline")
    assert '<td class="num fiat">19,900.00 USD</td>' in timeline
    assert '<td class="asset">100,000,000,000,000,000 base units of ETH</td>' in timeline
    assert '<td class="asset">100,000,000 base units of USDT</td>' in timeline  # the deposit
    assert "(ETH)" not in page and "(USDT)" not in page  # never a fiat value labelled with a ticker
    assert "19,900.00 USD" in _section(page, "alerts")
    queue = _browser(console, "ana").get("/console/queue").text
    assert re.search(r'<td class="num">[\d,]+\.\d\d USD</td>', queue)


def test_alert_times_are_the_events_times_and_the_dashboard_counts_on_their_days(
    console: Api, events: Events
) -> None:
    case_id = _flag(console, events)  # the withdrawal happened at T0 + 5 minutes, read months later
    case = console.services.desk.desk.case(case_id)
    happened = int((T0.timestamp() + 300) * 1_000_000)
    assert case.alerts[0].first_us == case.alerts[0].last_us == happened
    page = _browser(console, "ana").get(f"/console/cases/{case_id}").text
    alerts = _section(page, "alerts")
    assert '<td class="first">2026-03-01 12:05:00</td>' in alerts
    day = happened // 86_400_000_000
    assert dict(console.services.desk.desk.alerts_per_day) == {(day, "EU"): 1}
    dash = _browser(console, "ana").get("/console/dashboard").text
    assert "2026-03-01" in dash and ">03-01<" in dash


def test_the_history_reads_as_words_not_python_values(console: Api, events: Events) -> None:
    case_id = _flag(console, events)
    ana = _browser(console, "ana")
    page = ana.get(f"/console/cases/{case_id}").text
    ana.post(
        f"/console/cases/{case_id}/investigate", data=_fields(page, f"/console/cases/{case_id}/investigate")
    )
    history = _section(ana.get(f"/console/cases/{case_id}").text, "history")
    assert "None" not in history and "=" not in re.sub(r"<[^>]+>", "", history)
    assert "event id: <bdi" in history and "19,900.00 USD" in history
    assert "event time: 2026-03-01 12:05:00" in history and "account id: <bdi" in history
    entry = {"error": None, "notify": True, "nonce": "n", "reason": "", "due_us": 0, "by": "ana"}
    assert details(entry) == [("notify", "yes", "text"), ("due time", "0", "time"), ("by", "ana", "id")]


def test_no_freeze_is_offered_on_a_frozen_account(console: Api, events: Events) -> None:
    case_id = _flag(console, events)
    ana = _browser(console, "ana")
    page = ana.get(f"/console/cases/{case_id}").text
    assert 'id="freeze"' in page
    form = {**_fields(page, f"/console/cases/{case_id}/act"), "kind": "freeze_account", "reason": "mule"}
    ana.post(f"/console/cases/{case_id}/act", data=form)
    waiting = ana.get(f"/console/cases/{case_id}").text
    assert 'id="freeze"' not in waiting and "waits for a supervisor" in _section(waiting, "actions")
    sam = _browser(console, "sam")
    fields = _fields(sam.get("/console/approvals").text, f"/console/cases/{case_id}/approve")
    sam.post(f"/console/cases/{case_id}/approve", data={**fields, "reason": "agreed"})
    frozen = ana.get(f"/console/cases/{case_id}").text
    assert 'id="freeze"' not in frozen and "The account is frozen" in frozen and "unfreeze" in frozen


def test_a_delayed_decision_says_until_when_on_the_timeline(console: Api, events: Events) -> None:
    address = "0x00000000000000000000000000000000000000d1"
    console.post_event(events.deposit(0, fiat="20000", account_id="bob"))
    book = AddressBookChanged(
        **events._base(2, account_id="bob"), action=AddressBookAction.ADD, chain=Chain.ETH, address=address
    )
    console.post_event(book)
    console.post_event(events.withdrawal(5, fiat="19900", account_id="bob", destination_address=address))
    decided = console.services.engine.journal.account_history("bob", 10, trace=False)
    until = next(d.delay_until_us for _, d in decided if d.delay_until_us is not None)
    case_id = console.services.desk.desk.cases_of("bob")[-1].case_id
    timeline = _section(_browser(console, "ana").get(f"/console/cases/{case_id}").text, "timeline")
    shown = datetime.fromtimestamp(until / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert f'<div class="delay">delayed until {shown} UTC</div>' in timeline
    assert timeline.count('class="delay"') == sum(1 for _, d in decided if d.delay_until_us is not None)


def _planted(console: Api, events: Events, account_id: str) -> str:
    """A case for an account id the input edge refuses today (stored before it did, or from a store
    written by other means): what is stored must still read as what it is."""
    _flag(console, events, account="mallory")
    event, decision = console.services.engine.journal.account_history("mallory", 1, trace=False)[0]
    planted = replace(event, event_id=f"planted-{len(account_id)}")
    forged = replace(decision, account_id=account_id, event_id=planted.event_id)
    console.services.desk.desk.ingest_many([(planted, forged)])
    return console.services.desk.desk.cases_of(account_id)[-1].case_id


def test_an_rtl_override_id_cannot_pass_for_another_id(console: Api, events: Events) -> None:
    spoof = f"acct-{RLO}fdp.exe"  # displays as "acct-exe.pdf" where the override is obeyed
    case_id = _planted(console, events, spoof)
    ana = _browser(console, "ana")
    for page in (ana.get("/console/queue").text, ana.get(f"/console/cases/{case_id}").text):
        assert RLO not in page
        assert '<bdi class="id">acct-⟨U+202E⟩fdp.exe</bdi>' in page
    assert visible("a\u200bb\nc\u00a0d") == "a⟨U+200B⟩b⟨U+000A⟩c⟨U+00A0⟩d"
    assert visible("ок-ع") == "ок-ع"  # other scripts are text, not tricks (isolated by <bdi>)


def test_ids_are_escaped_everywhere_they_are_shown(console: Api, events: Events) -> None:
    hostile = "x');alert(1);('<img src=x onerror=alert(2)>"
    case_id = _planted(console, events, hostile)
    sam = _browser(console, "sam")
    page = sam.get(f"/console/cases/{case_id}").text
    assert "<img" not in page and "alert(1);('" not in page
    confirm = re.search(r"onsubmit='return confirm\((\"[^']*\")\)'", page)
    assert confirm is not None and "\\u0027" in confirm.group(1)  # the quote cannot end the JS string
    assert str(ident(hostile)) == (
        '<bdi class="id">x&#39;);alert(1);(&#39;&lt;img src=x onerror=alert(2)&gt;</bdi>'
    )
    for url in ("/console/queue", "/console/approvals", "/console/dashboard"):
        assert "<img" not in sam.get(url).text


def test_money_formatting() -> None:
    assert money("14099.72", "EUR") == "14,099.72 EUR"
    assert money("0", "USD") == "0.00 USD"
    assert money(None, "USD") == "" and money("", "USD") == ""
    assert money("1e30x", "USD") == "1e30x"  # not a number: shown as text, never as money
    assert money("NaN", "USD") == "NaN"


def test_the_reporting_currency_is_a_validated_setting() -> None:
    assert Settings(reporting_currency="EUR").reporting_currency == "EUR"
    with pytest.raises(ValidationError, match="reporting_currency"):
        Settings(reporting_currency="euro")
