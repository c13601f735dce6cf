"""`followthrough calendar`: a private address or a CalDAV account's password set from stdin
(never an argument), tested, checked and forgotten, against a calendar served on loopback, a
real CalDAV server (Radicale) and a real Secret Service."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from followthrough.services.clock import utcnow
from tests.cli.conftest import CliRunner
from tests.support.icsserver import IcsServer, ics
from tests.support.radicale import Radicale, calendar, event


def test_the_command_line_sets_checks_and_forgets_a_calendar(
    cli: CliRunner, keyring_home: Path, ics_feed: IcsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("add", "Dana Reyes", "--email", "dana@acme.io").code == 0
    # The command runs at the real time: the meeting is three days from it.
    ics_feed.document = ics("dana@acme.io", start=utcnow() + timedelta(days=3))
    monkeypatch.setattr("sys.stdin", io.StringIO(ics_feed.url + "\n"))

    set_url = cli("calendar", "set-url")
    assert set_url.out == "The calendar at http://127.0.0.1/… is read from now on.\n"
    checked = cli("calendar", "check")
    assert (
        checked.out
        == "booked: Pilot scope with Dana Reyes\n1 meeting with leads read, 1 step logged.\n"
    )
    assert cli("calendar", "check", "--json").json()["read"] is None  # unchanged: not read again
    assert cli("calendar", "forget").out == "The calendar's address was removed.\n"
    gone = cli("calendar", "check")
    assert (gone.code, gone.err) == (
        5,
        "followthrough: no calendar is set: `followthrough calendar set-url` or `set-account`\n",
    )


def test_an_address_over_plain_http_is_refused_before_anything_is_kept(
    cli: CliRunner, keyring_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("http://calendar.example.com/private.ics\n"))
    refused = cli("calendar", "set-url")
    assert refused.code == 4
    assert refused.err.startswith("followthrough: the address must use https://")
    assert cli("calendar", "forget").out == "No calendar was set.\n"


def test_a_caldav_account_is_set_tested_and_checked_from_the_command_line(
    cli: CliRunner, keyring_home: Path, caldav: Radicale, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("add", "Dana Reyes", "--email", "dana@acme.io").code == 0
    work = caldav.make_calendar("work", "Work")
    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    caldav.put(work, "pilot", calendar(event("pilot", "dana@acme.io", start=start)))
    monkeypatch.setattr("sys.stdin", io.StringIO(caldav.password + "\n"))

    account = cli("calendar", "set-account", caldav.url, "--user", caldav.user, "--json")
    assert (account.code, account.json()) == (0, {"server": caldav.url, "user": caldav.user})
    tested = cli("calendar", "test")
    assert (tested.code, tested.out) == (0, "Calendars found: 1\nWork\n")
    checked = cli("calendar", "check", "--json").json()
    assert [(r["lead"], r["step"], r["title"]) for r in checked["logged"]] == [
        ("Dana Reyes", "booked", "Pilot scope")
    ]
    assert checked["read"] == 1
    again = cli("calendar", "check", "--json").json()
    assert (again["logged"], again["read"]) == ([], None)  # nothing new: nothing fetched
    assert cli("calendar", "forget").out == "The calendar's account was removed.\n"


def test_a_wrong_password_or_server_is_one_line_on_stderr(
    cli: CliRunner, keyring_home: Path, caldav: Radicale, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "wrong-" + caldav.password
    monkeypatch.setattr("sys.stdin", io.StringIO(wrong + "\n"))
    assert cli("calendar", "set-account", caldav.url, "--user", caldav.user).code == 0
    for action in ("test", "check"):
        failed = cli("calendar", action)
        assert (failed.code, failed.out, failed.err) == (
            5,
            "",
            "followthrough: the calendar server refused the user name or password\n",
        )
    monkeypatch.setattr("sys.stdin", io.StringIO(caldav.password + "\n"))
    refused = cli("calendar", "set-account", "http://caldav.example.com", "--user", "me")
    assert refused.code == 4
    assert refused.err.startswith("followthrough: the server's address must use https://")
