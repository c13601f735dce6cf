"""A lead's timeline: its events and its alerts in one list, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.errors import NotFound
from followthrough.services import alerts, leads
from followthrough.services.timeline import lead_timeline
from followthrough.store.db import Database

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_events_and_alerts_merge_newest_first(db: Database) -> None:
    lead = leads.add_lead(db, NewLead.create(name="Ana", now=T0, next_step="Pilot"), T0)
    leads.log_event(
        db, lead.id, SignalKind.SENT, at=T0 + timedelta(hours=1), now=T0 + DAY, note="Pilot\nplan"
    )
    [silence] = alerts.tick(db, T0 + 3 * DAY)
    alerts.resolve(db, silence.id, "done", T0 + 4 * DAY)
    leads.log_event(db, lead.id, SignalKind.REPLIED, at=T0 + 5 * DAY, now=T0 + 5 * DAY)

    timeline = lead_timeline(db, lead.id, now=T0 + 5 * DAY)

    assert timeline.lead.name == "Ana"
    assert [(e.at, e.kind, e.label) for e in timeline.entries] == [
        (T0 + 5 * DAY, "replied", "Replied"),
        (T0 + 4 * DAY, "alert_done", "Silence alert done"),
        (T0 + 3 * DAY, "alert_raised", "Silence alert"),
        (T0 + timedelta(hours=1), "sent", "Sent"),
        (T0, "state_change", "Added to Hot"),
    ]
    replied, done, raised, sent, added = timeline.entries
    assert (replied.direction, replied.channel) == ("in", "email")
    assert sent.text == "Pilot plan"  # one line, whatever was typed
    assert raised.text == silence.reason
    assert raised.alert_id == done.alert_id == silence.id
    assert added.text is None
    assert all(e.at.tzinfo is not None for e in timeline.entries)


def test_an_alert_raised_by_an_event_reads_after_it(db: Database) -> None:
    lead = leads.add_lead(db, NewLead.create(name="Bob", now=T0, next_step="Demo"), T0)
    leads.log_event(db, lead.id, SignalKind.MEETING_MISSED, at=T0 + DAY, now=T0 + DAY)
    alerts.tick(db, T0 + DAY)

    kinds = [e.kind for e in lead_timeline(db, lead.id, now=T0 + DAY).entries]

    assert kinds == ["alert_raised", "meeting_missed", "state_change"]


def test_a_lead_that_does_not_exist_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound, match="no lead with id 999"):
        lead_timeline(db, 999)
