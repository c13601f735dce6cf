"""What works: per rule, per template and per intent, on a hand-built history."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from followthrough.domain.alerts import AlertStatus
from followthrough.domain.figures import Rate
from followthrough.domain.period import Period
from followthrough.domain.reportview import ChartKind, ReportView, Span, cell_text
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.services import alerts
from followthrough.services.insights.catalog import ReportKey, build_report
from followthrough.services.insights.outcomes import compute_outcomes, template_reply_rates
from followthrough.store.db import Database
from tests.conftest import NOW
from tests.services.insights.history import DAY, HOUR, add, log, own_template, send

T = NOW - 20 * DAY
PERIOD = Period(T + DAY, NOW)  # the first touches, at T, fall before it
SLOT = "hot-silence-pick-a-slot"


def history(db: Database) -> list[int]:
    """Six Hot leads gone quiet (silence alerts), six Warm leads nudged with one template."""
    hot = [add(db, f"Hot {i}", T - DAY) for i in range(6)]
    for lead_id in hot:
        log(db, lead_id, SignalKind.SENT, T)
    raised = {a.lead_id: a.id for a in alerts.tick(db, T + 2 * DAY + timedelta(minutes=1))}
    acted = T + 2 * DAY + HOUR
    for lead_id in hot[:4]:  # drafted and sent from the alert
        send(db, lead_id, acted, SLOT, raised[lead_id])
    alerts.resolve(db, raised[hot[4]], AlertStatus.DISMISSED, acted)
    alerts.snooze(db, raised[hot[5]], acted + DAY, acted)
    alerts.resolve(db, raised[hot[5]], AlertStatus.DISMISSED, acted + HOUR)
    # Answers 2 h, 4 h and 30 h after; the fourth after 8 days, past the 7-day window.
    for lead_id, after in zip(hot[:4], (2 * HOUR, 4 * HOUR, 30 * HOUR, 8 * DAY), strict=True):
        log(db, lead_id, SignalKind.REPLIED, acted + after)

    own_template(db, "one-question", "One open question")
    warm = [add(db, f"Warm {i}", T - DAY, State.WARM) for i in range(6)]
    for lead_id in warm:
        send(db, lead_id, T + 3 * DAY, "one-question")
    log(db, warm[0], SignalKind.REPLIED, T + 4 * DAY)  # 1 day
    log(db, warm[1], SignalKind.CALL, T + 6 * DAY)  # an outbound call is not an answer…
    log(db, warm[1], SignalKind.MEETING_HELD, T + 6 * DAY + HOUR)  # …a meeting held is: 3 days
    log(db, warm[2], SignalKind.REPLIED, T + 12 * DAY)  # 9 days: too late to count
    log(db, warm[3], SignalKind.PROPOSAL_VIEWED, T + 4 * DAY)  # engaging, not answering
    return hot + warm


def test_rules_templates_and_intents_with_what_each_led_to(db: Database) -> None:
    ids = history(db)
    found = compute_outcomes(db, PERIOD)

    [silence] = found.rules
    assert (silence.rule, silence.raised, silence.acted) == ("silence", 6, 4)
    assert (silence.snoozed, silence.dismissed) == (1, 2)
    assert silence.engaged == Rate(3, 4)  # too few to rate
    assert silence.reply_seconds == 4 * 3600
    assert silence.lead_ids == tuple(ids[:6])

    assert [(t.key, t.replied, t.reply_seconds) for t in found.templates] == [
        ("one-question", Rate(2, 6), 2 * 86400 + 1800),
        (SLOT, Rate(3, 4), 4 * 3600),
    ]
    assert [(t.key, t.replied) for t in found.intents] == [
        ("clarify", Rate(2, 6)),
        ("advance", Rate(3, 4)),
    ]
    assert found.replied == Rate(5, 10)
    assert found.reply_seconds == 86400  # 2 h, 4 h, 1 day, 30 h, 3 days + 1 h
    assert template_reply_rates(db, PERIOD) == {"one-question": Rate(2, 6), SLOT: Rate(3, 4)}


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York"])
def test_the_page_reads_the_same_in_any_zone(db: Database, zone: str) -> None:
    ids = history(db)
    view = build_report(db, ReportKey.OUTCOMES, PERIOD, ZoneInfo(zone))
    assert isinstance(view, ReportView)
    assert view.title == "What works"
    assert [(f.label, cell_text(f.value)) for f in view.figures] == [
        ("Alerts raised", "6"),
        ("Acted on", "4 of 6 (67 %)"),
        ("Replies after a follow-up", "5 of 10 (50 %)"),
        ("Median time to reply", "1 day"),
    ]
    assert view.chart is not None
    assert view.chart.kind is ChartKind.BARS
    assert view.chart.series == ("Raised", "Acted on", "Engaged")
    assert [(b.label, b.values) for b in view.chart.bars] == [("Silence", (6, 4, 3))]
    by_rule, by_template, by_intent = view.tables
    assert [cell_text(c) for c in by_rule.rows[0].cells] == [
        "Silence", "6", "4", "1", "2", "3 of 4 (too few to rate)", "4 h",
    ]  # fmt: skip
    assert [[cell_text(c) for c in row.cells] for row in by_template.rows] == [
        ["One open question", "6", "2 of 6 (33 %)", "2 days"],
        ["Hot lead gone quiet: offer one slot", "4", "3 of 4 (too few to rate)", "4 h"],
    ]
    assert by_template.rows[0].lead_ids == tuple(ids[6:])
    assert [[cell_text(c) for c in row.cells] for row in by_intent.rows] == [
        ["Clarify", "6", "2 of 6 (33 %)", "2 days"],
        ["Advance", "4", "3 of 4 (too few to rate)", "4 h"],
    ]
    assert view.to_json()["tables"][0]["rows"][0]["cells"][5] == {
        "hits": 3, "cases": 4, "rate": None,
    }  # fmt: skip
    assert Span(4 * 3600) in by_rule.rows[0].cells


def test_a_message_written_by_hand_and_an_empty_period(db: Database) -> None:
    lead_id = add(db, "Ana", T)
    send(db, lead_id, T + DAY, None)
    log(db, lead_id, SignalKind.REPLIED, T + DAY + 2 * HOUR)
    found = compute_outcomes(db, PERIOD)
    assert [(t.key, t.replied) for t in found.templates] == [("written by hand", Rate(1, 1))]
    assert [(t.key, t.replied) for t in found.intents] == [("not recorded", Rate(1, 1))]
    assert template_reply_rates(db, PERIOD) == {}

    empty = build_report(db, ReportKey.OUTCOMES, Period(NOW - DAY, NOW), ZoneInfo("UTC"))
    assert [cell_text(f.value) for f in empty.figures] == ["0", "none yet", "none yet", "—"]
    assert all(not t.rows for t in empty.tables)
