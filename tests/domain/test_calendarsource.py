"""A calendar's private address, checked before it is kept."""

from __future__ import annotations

import pytest

from followthrough.domain.calendarsource import parse_calendar_url, shown_url
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
