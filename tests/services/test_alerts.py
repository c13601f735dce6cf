"""The alert lifecycle as a user lives it: raised, snoozed, done, not nagged twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followthrough.domain.alerts import AlertRule, AlertStatus
from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.errors import InvalidData, NotFound
from followthrough.services import alerts, lead_queries, leads
from followthrough.store.db import Database

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def hot_lead_awaiting_reply(db: Database) -> int:
    lead = leads.add_lead(db, NewLead.create(name="Ana", now=T0, next_step="Pilot"), T0)
    leads.log_event(db, lead.id, SignalKind.SENT, at=T0, now=T0)
    return lead.id


def rules(found: list[alerts.AlertView]) -> list[str]:
    return [a.rule for a in found]


def test_silence_is_raised_once_and_done_is_not_raised_again(db: Database) -> None:
    lead_id = hot_lead_awaiting_reply(db)
    assert alerts.tick(db, T0 + DAY) == []
    raised = alerts.tick(db, T0 + 2 * DAY + timedelta(minutes=1))
    assert rules(raised) == ["silence"]
    assert alerts.tick(db, T0 + 3 * DAY) == []  # same episode: no repeat

    alerts.resolve(db, raised[0].id, "done", T0 + 3 * DAY)
    assert alerts.tick(db, T0 + 4 * DAY + timedelta(hours=1)) == []
    assert alerts.list_alerts(db) == []

    # A new touch starts a new episode: silence may speak again, two days later.
    leads.log_event(db, lead_id, SignalKind.SENT, at=T0 + 5 * DAY, now=T0 + 5 * DAY)
    assert "silence" in rules(alerts.tick(db, T0 + 7 * DAY + timedelta(minutes=1)))


def test_cool_suggests_warm_one_window_after_the_handled_silence(db: Database) -> None:
    hot_lead_awaiting_reply(db)
    silence = alerts.tick(db, T0 + 2 * DAY + timedelta(minutes=1))[0]
    alerts.resolve(db, silence.id, "dismissed", T0 + 3 * DAY)
    assert alerts.tick(db, T0 + 5 * DAY - timedelta(minutes=1)) == []
    cool = alerts.tick(db, T0 + 5 * DAY + timedelta(minutes=1))
    assert rules(cool) == ["cool"]
    assert cool[0].intent == "close_loop"


def test_a_reply_clears_the_silence_alert_at_once(db: Database) -> None:
    lead_id = hot_lead_awaiting_reply(db)
    alerts.tick(db, T0 + 3 * DAY)
    assert rules(alerts.list_alerts(db)) == ["silence"]
    leads.log_event(db, lead_id, SignalKind.REPLIED, at=T0 + 3 * DAY, now=T0 + 3 * DAY)
    assert alerts.list_alerts(db) == []
    assert [a.status for a in alerts.list_alerts(db, include_resolved=True)] == ["cleared"]


def test_snoozed_alert_reopens_when_the_snooze_ends(db: Database) -> None:
    hot_lead_awaiting_reply(db)
    alert = alerts.tick(db, T0 + 3 * DAY)[0]
    until = T0 + 4 * DAY
    snoozed = alerts.snooze(db, alert.id, until, T0 + 3 * DAY)
    assert snoozed.status == "snoozed"
    assert alerts.list_alerts(db) == []
    assert lead_queries.get_lead(db, alert.lead_id).lead.next_check_at == until
    assert alerts.tick(db, until - timedelta(minutes=1)) == []
    reopened = alerts.tick(db, until)
    assert [(a.id, a.status) for a in reopened] == [(alert.id, "open")]


def test_still_open_names_only_the_alerts_nobody_handled_meanwhile(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("Ana", "Bea", "Cai", "Dan"):
        lead = leads.add_lead(db, NewLead.create(name=name, now=T0, next_step="Pilot"), T0)
        leads.log_event(db, lead.id, SignalKind.SENT, at=T0, now=T0)
    raised = alerts.tick(db, T0 + 3 * DAY)
    ids = [a.id for a in raised]
    alerts.resolve(db, ids[0], "done", T0 + 3 * DAY)
    alerts.snooze(db, ids[1], T0 + 4 * DAY, T0 + 3 * DAY)
    held = {ids[0], ids[1], ids[2], 10_000}  # 10_000: no such alert
    assert alerts.still_open(db, held) == [a for a in raised if a.id == ids[2]]
    assert alerts.still_open(db, set()) == []
    monkeypatch.setattr(alerts, "TICK_BATCH", 2)  # the ids asked in several statements
    assert alerts.still_open(db, ids) == [a for a in raised if a.id in (ids[2], ids[3])]


def test_resolving_twice_or_unknown_alerts_is_refused(db: Database) -> None:
    hot_lead_awaiting_reply(db)
    alert = alerts.tick(db, T0 + 3 * DAY)[0]
    alerts.resolve(db, alert.id, "done", T0 + 3 * DAY)
    with pytest.raises(InvalidData, match="already done"):
        alerts.resolve(db, alert.id, "dismissed", T0 + 3 * DAY)
    with pytest.raises(NotFound):
        alerts.snooze(db, 999, T0 + 9 * DAY, T0)
    with pytest.raises(InvalidData, match="future"):
        alerts.snooze(db, alert.id, T0, T0 + DAY)


def test_buyer_engaging_after_a_done_alert_is_recorded_as_its_outcome(db: Database) -> None:
    lead_id = hot_lead_awaiting_reply(db)
    alert = alerts.tick(db, T0 + 3 * DAY)[0]
    alerts.resolve(db, alert.id, "done", T0 + 3 * DAY)
    leads.log_event(db, lead_id, SignalKind.REPLIED, at=T0 + 5 * DAY, now=T0 + 5 * DAY)
    [after] = alerts.list_alerts(db, include_resolved=True)
    assert (after.status, after.outcome) == ("done", "engaged")


def test_engagement_too_late_is_not_credited(db: Database) -> None:
    lead_id = hot_lead_awaiting_reply(db)
    alert = alerts.tick(db, T0 + 3 * DAY)[0]
    alerts.resolve(db, alert.id, "done", T0 + 3 * DAY)
    leads.log_event(db, lead_id, SignalKind.REPLIED, at=T0 + 11 * DAY, now=T0 + 11 * DAY)
    assert alerts.list_alerts(db, include_resolved=True)[0].outcome is None


def test_tick_reads_only_due_leads_and_orders_by_urgency(db: Database) -> None:
    quiet = leads.add_lead(db, NewLead.create(name="Quiet", now=T0, next_step="Wait"), T0)
    assert lead_queries.get_lead(db, quiet.id).lead.next_check_at is None  # nothing can fire
    lead_id = hot_lead_awaiting_reply(db)
    leads.log_event(db, lead_id, SignalKind.MEETING_MISSED, at=T0 + DAY, now=T0 + DAY)
    found = alerts.tick(db, T0 + 3 * DAY)
    assert rules(found) == ["meeting_missed", "silence"]  # the buyer's behaviour comes first


def test_won_leads_clear_their_alerts_and_stop_being_checked(db: Database) -> None:
    lead_id = hot_lead_awaiting_reply(db)
    alerts.tick(db, T0 + 3 * DAY)
    leads.move_lead(db, lead_id, State.WON, at=T0 + 3 * DAY, now=T0 + 3 * DAY)
    assert alerts.list_alerts(db) == []
    assert lead_queries.get_lead(db, lead_id).lead.next_check_at is None
    assert alerts.tick(db, T0 + 60 * DAY) == []


def test_momentum_halves_every_half_life_and_lists_can_sort_by_it(db: Database) -> None:
    fresh = leads.add_lead(db, NewLead.create(name="Fresh", now=T0), T0)
    leads.log_event(db, fresh.id, SignalKind.REPLIED, at=T0, now=T0)
    cold = leads.add_lead(
        db, NewLead.create(name="Cold", now=T0 - 6 * DAY), T0 - 6 * DAY, at=T0 - 6 * DAY
    )
    warm = leads.add_lead(db, NewLead.create(name="Warmish", state=State.WARM, now=T0), T0)
    view = {v.name: v for v in lead_queries.list_leads(db, now=T0 + 3 * DAY)}
    assert view["Fresh"].momentum == pytest.approx(50.0)
    assert view["Cold"].momentum == pytest.approx(100 * 0.5**3)
    assert view["Warmish"].momentum == pytest.approx(100 * 0.5 ** (3 / 10))
    ordered = lead_queries.list_leads(db, now=T0 + 3 * DAY, by_momentum=True)
    assert [v.id for v in ordered] == [warm.id, fresh.id, cold.id]


def test_changing_the_policy_replans_every_lead(db: Database) -> None:
    from followthrough.services import policy

    hot_lead_awaiting_reply(db)
    assert policy.update_policy(db, {"hot_silence_days": "4"}, T0).hot_silence_days == 4
    assert alerts.tick(db, T0 + 3 * DAY) == []
    assert rules(alerts.tick(db, T0 + 4 * DAY + timedelta(minutes=1))) == ["silence"]
    with pytest.raises(InvalidData, match="unknown setting"):
        policy.update_policy(db, {"hot_silence": 1}, T0)
    assert policy.get_policy(db).hot_silence_days == 4


def test_a_tick_over_more_leads_than_a_batch_sees_them_all(db: Database) -> None:
    count = alerts.TICK_BATCH + 7
    for n in range(count):
        lead = leads.add_lead(db, NewLead.create(name=f"Lead {n}", now=T0, next_step="Pilot"), T0)
        leads.log_event(db, lead.id, SignalKind.SENT, at=T0, now=T0)
    raised = alerts.tick(db, T0 + 3 * DAY)
    assert [a.rule for a in raised] == ["silence"] * count
    assert len({a.lead_id for a in raised}) == count
    assert alerts.tick(db, T0 + 3 * DAY) == []


def test_listing_more_leads_than_sqlite_binds_variables(db: Database) -> None:
    import sqlite3

    from sqlalchemy import event

    # Standard SQLite builds cap bound variables; this machine's may allow far more.
    @event.listens_for(db.engine, "connect")
    def _cap(dbapi_connection: sqlite3.Connection, _: object) -> None:
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    db.engine.dispose()
    for n in range(1200):
        leads.add_lead(db, NewLead.create(name=f"Lead {n}", now=T0, next_step="Pilot"), T0)
    first = lead_queries.list_leads(db, now=T0)[0]
    leads.log_event(db, first.id, SignalKind.MEETING_MISSED, at=T0, now=T0)
    alerts.tick(db, T0 + DAY)
    listed = lead_queries.list_leads(db, now=T0 + DAY)
    assert len(listed) == 1200
    assert {lead.id: lead.open_alerts for lead in listed}[first.id] == 1
    assert sum(lead.open_alerts for lead in listed) == 1


def test_reasons_name_days_as_they_fall_in_the_zone_given(db: Database) -> None:
    # The touch at 23:30 in Paris on Monday 2 Nov is already Tuesday 3 Nov in Tokyo.
    late = datetime(2026, 11, 2, 22, 30, tzinfo=UTC)
    lead = leads.add_lead(db, NewLead.create(name="Ana", now=late, next_step="Pilot"), late)
    leads.log_event(db, lead.id, SignalKind.SENT, at=late, now=late)
    (raised,) = alerts.tick(db, late + 3 * DAY, zone=ZoneInfo("Asia/Tokyo"))
    assert raised.reason.endswith("since you wrote on 3 Nov.")
    assert (raised.rule, raised.status) == (AlertRule.SILENCE, AlertStatus.OPEN)
    leads.log_event(db, lead.id, SignalKind.SENT, at=late + 4 * DAY, now=late + 4 * DAY)
    (again,) = alerts.tick(db, late + 7 * DAY, zone=ZoneInfo("Europe/Paris"))
    assert again.reason.endswith("since you wrote on 6 Nov.")
