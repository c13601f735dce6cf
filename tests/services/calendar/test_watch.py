"""The calendar read from a private address served by a local HTTP server: meetings logged
once across passes, nothing fetched again until the calendar changes (ETag), the address kept
only in the keyring (a real Secret Service), and failures said in one line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from followthrough.domain.leads import NewLead
from followthrough.errors import InvalidData
from followthrough.services import leads
from followthrough.services.calendar.meetings import open_questions
from followthrough.services.calendar.occurrences import CalendarError
from followthrough.services.calendar.watch import (
    calendar_state,
    check_calendar,
    forget_calendar,
    set_calendar_url,
)
from followthrough.store.db import Database
from tests.conftest import NOW
from tests.support.icsserver import IcsServer, ics

FRIDAY = NOW + timedelta(days=3)

PARIS = ZoneInfo("Europe/Paris")


def test_meetings_are_logged_once_and_an_unchanged_calendar_is_not_read_again(
    db: Database, keyring_home: Path, ics_feed: IcsServer
) -> None:
    at = NOW - timedelta(days=10)
    dana = leads.add_lead(
        db, NewLead.create(name="Dana Reyes", email="dana@acme.io", now=at), at
    ).id
    set_calendar_url(db, ics_feed.url, NOW)
    ics_feed.document = ics("dana@acme.io", "someone@else.org", start=FRIDAY)

    first = check_calendar(db, PARIS, NOW)
    assert [(m.lead_id, m.step.value, m.title) for m in first.logged] == [
        (dana, "booked", "Pilot scope")
    ]
    assert first.occurrences == 1
    second = check_calendar(db, PARIS, NOW + timedelta(minutes=5))
    assert (second.logged, second.occurrences) == ((), None)  # 304: not fetched again
    assert ics_feed.fetches[0] is None
    assert ics_feed.fetches[1] is not None  # asked with the ETag it was given

    # Time alone brings the question, with nothing new in the calendar.
    after = NOW + timedelta(days=3, hours=2)
    assert check_calendar(db, PARIS, after).asked == 1
    assert [q.lead_name for q in open_questions(db)] == ["Dana Reyes"]

    # The address (the secret) is in the keyring only; the description was never kept.
    stored = db.path.read_bytes() + b"".join(p.read_bytes() for p in db.path.parent.glob("*-wal"))
    assert b"private-abc123" not in stored
    assert b"keep it quiet" not in stored
    assert calendar_state(db) is not None
    assert forget_calendar(db) is True
    assert calendar_state(db) is None


def test_a_calendar_that_fails_says_so_in_one_line_and_logs_nothing(
    db: Database, keyring_home: Path, ics_feed: IcsServer
) -> None:
    with pytest.raises(CalendarError, match="no calendar is set"):
        check_calendar(db, PARIS, NOW)
    set_calendar_url(db, ics_feed.url, NOW)
    ics_feed.status = 404
    with pytest.raises(CalendarError) as caught:
        check_calendar(db, PARIS, NOW)
    assert str(caught.value) == "the calendar server said 404 Not Found"
    ics_feed.status, ics_feed.document = 200, b"<html>Sign in</html>"
    with pytest.raises(CalendarError, match="could not be read"):
        check_calendar(db, PARIS, NOW)
    with pytest.raises(InvalidData, match="must use https"):
        set_calendar_url(db, "http://calendar.example.com/private.ics", NOW)
