"""`followthrough calendar`: a private address set from stdin (never an argument), checked,
and forgotten, against a calendar served on loopback and a real Secret Service."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from followthrough.services.clock import utcnow
from tests.cli.conftest import CliRunner
from tests.support.icsserver import IcsServer, ics


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
    assert checked.out == "booked: Pilot scope with Dana Reyes\n1 meetings read, 1 steps logged.\n"
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
