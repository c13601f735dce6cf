"""A CalDAV account read from a real Radicale, with events made over CalDAV as a calendar app
makes them: each meeting with a lead logged once — new, moved, cancelled, declined, deleted,
recurring, all-day, in another time zone, among hundreds of attendees — across passes and a
restart; a pass with nothing new fetches nothing (sync token), a server that cannot say what
changed is read by ETags, and the password stays in the keyring."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from followthrough.domain.leads import NewLead
from followthrough.paths import DataPaths
from followthrough.services import leads, secrets
from followthrough.services.calendar import watch  # watch.test_*: not collected as tests
from followthrough.services.calendar.occurrences import CalendarError
from followthrough.services.calendar.watch import (
    calendar_state,
    check_calendar,
    forget_calendar,
    set_calendar_account,
    set_calendar_url,
)
from followthrough.store.db import Database
from followthrough.store.models import Event, Lead
from tests.conftest import NOW
from tests.support.radicale import Radicale, calendar, event

PARIS = ZoneInfo("Europe/Paris")
FRIDAY = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
STAMP = "%Y%m%dT%H%M%SZ"

Logged = list[tuple[str, str, str, datetime]]


@dataclass
class Account:
    """The person's app (a database they can restart) and their calendar server."""

    db: Database
    paths: DataPaths
    server: Radicale
    work: str  # the calendar's path

    def check(self, now: datetime = NOW, use_sync: bool = True) -> Logged:
        done = check_calendar(self.db, PARIS, now, use_sync=use_sync)
        return [(m.step.value, m.lead_name, m.title, m.start) for m in done.logged]

    def restart(self) -> None:
        self.db.close()
        self.db = Database.open(self.paths, NOW)

    def fetches(self) -> int:
        """How many calendar-multiget REPORTs (the only requests that fetch events) the
        app has sent so far."""
        return sum(1 for m, _, depth in self.server.app_requests() if (m, depth) == ("REPORT", "1"))


@pytest.fixture
def account(data_paths: DataPaths, keyring_home: Path, caldav: Radicale) -> Iterator[Account]:
    db = Database.open(data_paths, NOW)
    work = caldav.make_calendar("work", "Work")
    set_calendar_account(db, caldav.url, caldav.user, caldav.password, NOW)
    person = Account(db, data_paths, caldav, work)
    yield person
    person.db.close()


def add(db: Database, name: str, email: str) -> int:
    at = NOW - timedelta(days=10)
    return leads.add_lead(db, NewLead.create(name=name, email=email, now=at), at).id


def timeline(db: Database, lead_id: int) -> list[tuple[str, str | None]]:
    with db.read() as session:
        found = session.exec(
            select(Event).where(Event.lead_id == lead_id, col(Event.kind) != "state_change")
            .order_by(col(Event.id))
        )  # fmt: skip
        return [(e.kind, e.text) for e in found if e.payload.get("source") == "calendar"]


def next_step(db: Database, lead_id: int) -> tuple[str | None, datetime | None]:
    with db.read() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        due = lead.next_step_due
        return lead.next_step, due.replace(tzinfo=UTC) if due and due.tzinfo is None else due


def test_a_new_meeting_is_booked_once_and_a_pass_with_nothing_new_fetches_nothing(
    account: Account,
) -> None:
    dana = add(account.db, "Dana Reyes", "dana@acme.io")
    add(account.db, "Bob Stone", "bob@beta.io")
    # The calendar spells the address its own way: matched whatever its case.
    account.server.put(account.work, "pilot", calendar(event("pilot", "Dana@ACME.io",
                       "someone@else.org", start=FRIDAY)))  # fmt: skip

    assert account.check() == [("booked", "Dana Reyes", "Pilot scope", FRIDAY)]
    assert next_step(account.db, dana) == ("Call: Pilot scope", FRIDAY)
    fetched = account.fetches()
    assert fetched == 1

    later = NOW + timedelta(minutes=10)
    assert account.check(later) == []
    account.restart()
    assert account.check(later + timedelta(minutes=10)) == []
    assert account.fetches() == fetched  # the sync token said nothing changed: nothing fetched
    assert timeline(account.db, dana) == [("meeting_booked", "Pilot scope")]


def test_a_moved_cancelled_declined_and_deleted_meeting_each_logs_once(account: Account) -> None:
    ana, ben, cleo, dev = (add(account.db, n, f"{n.split()[0].lower()}@lead.io")
                           for n in ("Ana Silva", "Ben Okoro", "Cleo Hart", "Dev Rao"))  # fmt: skip
    put = account.server.put
    for uid, who in (("move", "ana"), ("cancel", "ben"), ("decline", "cleo"), ("delete", "dev")):
        put(account.work, uid, calendar(event(uid, f"{who}@lead.io", start=FRIDAY, title=uid)))
    assert sorted(step for step, *_ in account.check()) == ["booked"] * 4

    moved = FRIDAY + timedelta(days=1, hours=2)
    put(account.work, "move", calendar(event("move", "ana@lead.io", start=moved, title="move")))
    put(account.work, "cancel", calendar(event("cancel", "ben@lead.io", start=FRIDAY,
                                               title="cancel", extra="STATUS:CANCELLED\r\n")))  # fmt: skip
    put(account.work, "decline", calendar(event("decline", start=FRIDAY, title="decline",
        extra="ATTENDEE;PARTSTAT=DECLINED:mailto:cleo@lead.io\r\n")))  # fmt: skip
    account.server.delete(account.work, "delete")
    second = NOW + timedelta(hours=1)
    assert sorted(account.check(second)) == [
        ("cancelled", "Ben Okoro", "cancel", FRIDAY),
        ("cancelled", "Cleo Hart", "decline", FRIDAY),
        ("cancelled", "Dev Rao", "", FRIDAY),
        ("moved", "Ana Silva", "move", moved),
    ]
    assert next_step(account.db, ana) == ("Call: move", moved)  # the step followed the meeting

    assert account.check(second + timedelta(minutes=5)) == []
    account.restart()
    assert account.check(second + timedelta(minutes=10)) == []
    assert timeline(account.db, ana) == [
        ("meeting_booked", "move"),
        ("note", "Meeting moved: move"),
    ]
    assert timeline(account.db, ben) == [
        ("meeting_booked", "cancel"),
        ("meeting_cancelled", "cancel"),
    ]
    assert timeline(account.db, cleo) == [("meeting_booked", "decline"),
                                          ("meeting_cancelled", "decline")]  # fmt: skip
    assert timeline(account.db, dev) == [("meeting_booked", "delete"), ("meeting_cancelled", None)]


def test_a_recurring_meeting_its_moved_instance_and_its_exceptions(account: Account) -> None:
    dana = add(account.db, "Dana Reyes", "dana@acme.io")
    third_moved = FRIDAY + timedelta(days=14, hours=3)
    weekly = event("weekly", "dana@acme.io", start=FRIDAY, title="Weekly",
                   extra=f"RRULE:FREQ=WEEKLY;COUNT=4\r\n"
                         f"EXDATE:{(FRIDAY + timedelta(days=7)).strftime(STAMP)}\r\n")  # fmt: skip
    moved = event("weekly", "dana@acme.io", start=third_moved, title="Weekly",
                  extra=f"RECURRENCE-ID:{(FRIDAY + timedelta(days=14)).strftime(STAMP)}\r\n")  # fmt: skip
    account.server.put(account.work, "weekly", calendar(weekly, moved))

    week = timedelta(days=7)
    assert account.check() == [
        ("booked", "Dana Reyes", "Weekly", FRIDAY),
        ("booked", "Dana Reyes", "Weekly", third_moved),  # the second week is an exception
        ("booked", "Dana Reyes", "Weekly", FRIDAY + 3 * week),
    ]
    # The last one is taken out of the series too: only it is cancelled.
    weekly = weekly.replace("EXDATE:", f"EXDATE:{(FRIDAY + 3 * week).strftime(STAMP)},")
    account.server.put(account.work, "weekly", calendar(weekly, moved))
    later = NOW + timedelta(hours=1)
    assert account.check(later) == [("cancelled", "Dana Reyes", "", FRIDAY + 3 * week)]
    account.restart()
    assert account.check(later + timedelta(minutes=5)) == []
    assert [kind for kind, _ in timeline(account.db, dana)] == ["meeting_booked"] * 3 + [
        "meeting_cancelled"
    ]


NEW_YORK = """BEGIN:VTIMEZONE\r
TZID:America/New_York\r
BEGIN:STANDARD\r
DTSTART:20071104T020000\r
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:20070311T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""


def test_all_day_meetings_and_the_events_own_time_zone(account: Account) -> None:
    add(account.db, "Ana Silva", "ana@lead.io")
    add(account.db, "Ben Okoro", "ben@lead.io")
    account.server.put(account.work, "offsite", calendar(
        "BEGIN:VEVENT\r\nUID:offsite\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20261201\r\n"
        "DTEND;VALUE=DATE:20261202\r\nSUMMARY:Offsite\r\nATTENDEE:mailto:ana@lead.io\r\n"
        "END:VEVENT\r\n"))  # fmt: skip
    account.server.put(account.work, "ny", calendar(NEW_YORK,
        "BEGIN:VEVENT\r\nUID:ny\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART;TZID=America/New_York:20261130T090000\r\n"
        "DTEND;TZID=America/New_York:20261130T100000\r\nSUMMARY:Demo\r\n"
        "ATTENDEE:mailto:ben@lead.io\r\nEND:VEVENT\r\n"))  # fmt: skip
    assert account.check() == [
        # 09:00 in New York in winter (UTC-5); the day starts where the person is (Paris).
        ("booked", "Ben Okoro", "Demo", datetime(2026, 11, 30, 14, 0, tzinfo=UTC)),
        ("booked", "Ana Silva", "Offsite", datetime(2026, 11, 30, 23, 0, tzinfo=UTC)),
    ]
    assert account.check(NOW + timedelta(minutes=5)) == []


def test_a_meeting_among_hundreds_of_attendees_keeps_none_of_them(account: Account) -> None:
    dana = add(account.db, "Dana Reyes", "dana@acme.io")
    crowd = [f"guest{n}@crowd.example" for n in range(600)]
    crowd.insert(333, "dana@acme.io")
    account.server.put(account.work, "town-hall",
                       calendar(event("town-hall", *crowd, start=FRIDAY, title="Town hall")))  # fmt: skip
    assert account.check() == [("booked", "Dana Reyes", "Town hall", FRIDAY)]
    assert account.check(NOW + timedelta(minutes=5)) == []
    assert timeline(account.db, dana) == [("meeting_booked", "Town hall")]
    stored = b"".join(p.read_bytes() for p in account.paths.root.rglob("*") if p.is_file())
    assert b"guest1@crowd.example" not in stored
    assert b"keep it quiet" not in stored  # the description is never kept


def test_a_server_that_cannot_say_what_changed_is_read_by_etags(account: Account) -> None:
    ana = add(account.db, "Ana Silva", "ana@lead.io")
    ben = add(account.db, "Ben Okoro", "ben@lead.io")
    put = account.server.put
    put(account.work, "a", calendar(event("a", "ana@lead.io", start=FRIDAY, title="A")))
    put(account.work, "b", calendar(event("b", "ben@lead.io", start=FRIDAY, title="B")))
    assert len(account.check(use_sync=False)) == 2
    fetched = account.fetches()

    moved = FRIDAY + timedelta(hours=5)
    put(account.work, "a", calendar(event("a", "ana@lead.io", start=moved, title="A")))
    account.server.delete(account.work, "b")
    later = NOW + timedelta(hours=1)
    assert account.check(later, use_sync=False) == [
        ("moved", "Ana Silva", "A", moved),
        ("cancelled", "Ben Okoro", "", FRIDAY),
    ]
    assert account.fetches() == fetched + 1  # only the changed resource
    assert account.check(later + timedelta(minutes=5), use_sync=False) == []
    assert account.fetches() == fetched + 1
    assert len(timeline(account.db, ana)) == 2
    assert len(timeline(account.db, ben)) == 2


def test_a_sync_token_the_server_no_longer_takes_falls_back_to_etags(account: Account) -> None:
    add(account.db, "Ana Silva", "ana@lead.io")
    put = account.server.put
    put(account.work, "a", calendar(event("a", "ana@lead.io", start=FRIDAY, title="A")))
    assert len(account.check()) == 1
    state = calendar_state(account.db)
    assert state is not None
    for kept in state["calendars"].values():
        kept["token"] = "http://radicale.org/ns/sync/" + "0" * 64  # expired, say
    _keep(account.db, state)
    moved = FRIDAY + timedelta(hours=2)
    put(account.work, "a", calendar(event("a", "ana@lead.io", start=moved, title="A")))
    later = NOW + timedelta(hours=1)
    assert account.check(later) == [("moved", "Ana Silva", "A", moved)]
    assert account.check(later + timedelta(minutes=5)) == []


def test_an_unchanged_recurring_meeting_is_read_again_as_its_instances_come_into_view(
    account: Account,
) -> None:
    add(account.db, "Dana Reyes", "dana@acme.io")
    account.server.put(account.work, "weekly", calendar(event("weekly", "dana@acme.io",
                       start=FRIDAY, title="Weekly", extra="RRULE:FREQ=WEEKLY\r\n")))  # fmt: skip
    first = [start for step, *_, start in account.check() if step == "booked"]
    assert len(first) == 13  # the weeks within the 90 days looked ahead
    assert account.check(NOW + timedelta(hours=3)) == []  # no change, not read again
    # Eight days on, the whole calendar is read again (once a day): a new week is in view.
    week_on = NOW + timedelta(days=8)
    booked = [start for step, *_, start in account.check(week_on) if step == "booked"]
    assert booked == [first[-1] + timedelta(days=7)]
    assert [s for s, *_ in account.check(week_on + timedelta(hours=1)) if s == "booked"] == []


def test_a_wrong_password_is_said_in_one_line_and_logs_nothing(
    account: Account, keyring_home: Path
) -> None:
    dana = add(account.db, "Dana Reyes", "dana@acme.io")
    account.server.put(
        account.work, "pilot", calendar(event("pilot", "dana@acme.io", start=FRIDAY))
    )
    wrong = "not-" + account.server.password
    set_calendar_account(account.db, account.server.url, account.server.user, wrong, NOW)
    with pytest.raises(CalendarError) as caught:
        account.check()
    assert (str(caught.value), caught.value.kind) == (
        "the calendar server refused the user name or password",
        "auth",
    )
    with pytest.raises(CalendarError, match="refused the user name or password"):
        watch.test_calendar(account.db)
    assert timeline(account.db, dana) == []
    assert wrong not in str(caught.value)


def test_the_calendars_found_and_the_password_kept_only_in_the_keyring(
    account: Account,
) -> None:
    server = account.server
    server.make_calendar("tasks", "Chores", components="VTODO")  # no events: not listed
    server.make_calendar("home", "Home")
    assert watch.test_calendar(account.db) == ["Home", "Work"]
    # The address given may be anything on the server: /.well-known/caldav leads on.
    assert watch.test_account(server.url + "nowhere/", server.user, server.password) == [
        "Home",
        "Work",
    ]
    with pytest.raises(CalendarError) as unreachable:
        watch.test_account("http://127.0.0.1:9/", server.user, server.password)
    assert unreachable.value.kind == "connection"

    add(account.db, "Dana Reyes", "dana@acme.io")
    server.put(account.work, "pilot", calendar(event("pilot", "dana@acme.io", start=FRIDAY)))
    assert len(account.check()) == 1
    account.db.close()  # every file as it rests
    secret = server.password.encode()
    for path in account.paths.root.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path
    assert secrets.read_password("calendar-password") == server.password
    account.db = Database.open(account.paths, NOW)


def test_one_calendar_at_a_time_and_forgetting_it_forgets_its_secret(account: Account) -> None:
    set_calendar_url(account.db, "https://calendar.example.com/private-abc.ics", NOW)
    state = calendar_state(account.db)
    assert state == {"kind": "ics"}
    with pytest.raises(Exception, match="no password saved"):
        secrets.read_password("calendar-password")
    server = account.server
    set_calendar_account(account.db, server.url, server.user, server.password, NOW)
    with pytest.raises(Exception, match="no password saved"):
        secrets.read_password("calendar-url")
    assert forget_calendar(account.db) is True
    with pytest.raises(Exception, match="no password saved"):
        secrets.read_password("calendar-password")
    assert calendar_state(account.db) is None


def _keep(db: Database, state: dict[str, object]) -> None:
    from followthrough.services.calendar.account import save_state

    save_state(db, state, NOW)
