"""Where the calendar is read from: a private address, or a CalDAV server and user name,
checked before anything is kept."""

from __future__ import annotations

import pytest

from followthrough.domain.calendarsource import (
    parse_caldav_server,
    parse_caldav_user,
    parse_calendar_url,
    shown_url,
)
from followthrough.errors import InvalidData


def test_an_address_is_kept_as_https_and_shown_without_its_secret() -> None:
    google = "https://calendar.google.com/calendar/ical/me%40x.com/private-abc123/basic.ics"
    assert parse_calendar_url(f"  {google}\n") == google
    assert parse_calendar_url("webcal://p01-caldav.icloud.com/published/2/XYZ") == (
        "https://p01-caldav.icloud.com/published/2/XYZ"
    )
    assert parse_calendar_url("http://127.0.0.1:8123/cal.ics") == "http://127.0.0.1:8123/cal.ics"
    assert shown_url(google) == "https://calendar.google.com/…"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "give the calendar's address"),
        ("http://calendar.example.com/private.ics", "must use https://"),
        ("ftp://example.com/cal.ics", "starts with https://"),
        ("https:///nohost.ics", "starts with https://"),
        ("https://example.com/a b.ics", "not a calendar address"),
    ],
)
def test_a_wrong_address_is_refused_with_the_reason(text: str, said: str) -> None:
    with pytest.raises(InvalidData, match=said) as caught:
        parse_calendar_url(text)
    assert caught.value.field == "url"


def test_a_caldav_server_is_kept_as_https_and_a_user_name_as_typed() -> None:
    assert parse_caldav_server(" caldav.fastmail.com ") == "https://caldav.fastmail.com/"
    assert parse_caldav_server("https://cloud.example.org/remote.php/dav") == (
        "https://cloud.example.org/remote.php/dav"
    )
    assert parse_caldav_server("http://localhost:5232") == "http://localhost:5232/"
    assert parse_caldav_user("  dana@acme.io ") == "dana@acme.io"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "give the calendar server's address"),
        ("http://caldav.example.com", "must use https://"),
        ("https://me:secret@caldav.example.com/", "user name apart"),
        ("ftp://caldav.example.com", "starts with https://"),
        ("https://caldav.example.com:port/", "not a calendar server's address"),
        ("https://caldav example.com", "not a calendar server's address"),
    ],
)
def test_a_wrong_server_is_refused_with_the_reason(text: str, said: str) -> None:
    with pytest.raises(InvalidData, match=said) as caught:
        parse_caldav_server(text)
    assert caught.value.field == "server"
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize("text", ["", "   ", "me:you", "a\nb", "x" * 321])
def test_a_user_name_basic_authentication_cannot_carry_is_refused(text: str) -> None:
    with pytest.raises(InvalidData) as caught:
        parse_caldav_user(text)
    assert caught.value.field == "user"
