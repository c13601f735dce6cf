"""Where silence happens: hand-built histories, exact figures, in the report and its view.

Leads, signals, moves and sent messages go through the real services, back-dated. The
alerts of the hand-built pipeline are inserted as rows (`quiet` below): the rules' windows
would otherwise decide the moment each silence is raised, and the point here is to know it
to the minute. One test runs the real engine (tick, snooze, resolve) end to end.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from followthrough.domain.figures import Rate
from followthrough.domain.leads import NewLead
from followthrough.domain.period import Period
from followthrough.domain.reportview import ChartKind, ReportView, cell_text
from followthrough.domain.signals import SignalKind
from followthrough.domain.stages import Stage
from followthrough.domain.states import State
from followthrough.services import alerts, leads
from followthrough.services.drafting import mark_sent
from followthrough.services.insights.catalog import ReportKey, build_report
from followthrough.services.insights.silence import build_view, silence_report
from followthrough.services.templates import duplicate_template
from followthrough.store.db import Database
from followthrough.store.tables import ALERT
from tests.conftest import NOW

PARIS = ZoneInfo("Europe/Paris")
B = NOW - timedelta(days=30)  # the hand-built pipeline starts here
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
PERIOD = Period(B - 10 * DAY, B + 20 * DAY)


def lead(db: Database, name: str, state: State = State.HOT) -> int:
    return leads.add_lead(db, NewLead.create(name=name, now=B, state=state), NOW, at=B).id


def log(db: Database, lead_id: int, kind: SignalKind, at: datetime) -> None:
    leads.log_event(db, lead_id, kind, at=at, now=NOW)


def sent_asking(db: Database, lead_id: int, template: str, at: datetime) -> None:
    """A message sent from a stored copy of a built-in template: it records its decision."""
    slug = duplicate_template(db, template).slug
    mark_sent(
        db,
        lead_id,
        subject="One question",
        body="Hi, one question for you.",
        template=slug,
        alert_id=None,
        next_step=None,
        next_step_due=None,
        now=at,
    )


def quiet(db: Database, lead_id: int, at: datetime, kind: str = "silence") -> None:
    # Inserted as a row so the raise moment is exact (see the module's docstring).
    with db.write() as session:
        session.connection().execute(
            insert(ALERT).values(
                lead_id=lead_id,
                rule=kind,
                kind=kind,
                reason="test",
                episode=at.isoformat(),
                status="done",
                raised_at=at,
            )
        )


def pipeline(db: Database) -> dict[str, int]:
    """Five Hot and four Warm leads, each going quiet once in PERIOD."""
    ids = {name: lead(db, name) for name in ("H1", "H2", "H3", "H4", "H5")}
    ids |= {name: lead(db, name, State.WARM) for name in ("W1", "W2", "W3", "W4")}
    h1, h2, h3, h4, h5 = (ids[n] for n in ("H1", "H2", "H3", "H4", "H5"))
    w1, w2, w3, w4 = (ids[n] for n in ("W1", "W2", "W3", "W4"))
    # H1: asked for a next step, silent, replied a day later.
    sent_asking(db, h1, "hot-silence-pick-a-slot", B + HOUR)
    quiet(db, h1, B + 3 * DAY)
    log(db, h1, SignalKind.REPLIED, B + 4 * DAY)
    # H2: a call, then a message asking about risk (2 unanswered), replied two days later.
    log(db, h2, SignalKind.CALL, B + HOUR)
    sent_asking(db, h2, "proposal-viewed-one-question", B + 2 * HOUR)
    quiet(db, h2, B + 3 * DAY)
    log(db, h2, SignalKind.REPLIED, B + 5 * DAY)
    # H3: the proposal and two nudges (3 unanswered): the guard; a click four days later.
    log(db, h3, SignalKind.PROPOSAL_SENT, B + HOUR)
    log(db, h3, SignalKind.SENT, B + 2 * HOUR)
    log(db, h3, SignalKind.SENT, B + 3 * HOUR)
    quiet(db, h3, B + 3 * DAY, "guard")
    log(db, h3, SignalKind.LINK_CLICKED, B + 7 * DAY)
    # H4: pricing, a message; an objection later is not engagement.
    log(db, h4, SignalKind.PRICING_DISCUSSED, B + HOUR)
    sent_asking(db, h4, "next-step-due", B + 2 * HOUR)
    quiet(db, h4, B + 3 * DAY)
    log(db, h4, SignalKind.OBJECTION, B + 4 * DAY)
    # H5: a reply resets the count; the latest message recorded no decision; the buyer
    # answers only after the period ends.
    sent_asking(db, h5, "proposal-viewed-one-question", B + HOUR)
    log(db, h5, SignalKind.REPLIED, B + 2 * HOUR)
    log(db, h5, SignalKind.SENT, B + 5 * HOUR)
    quiet(db, h5, B + 3 * DAY)
    log(db, h5, SignalKind.REPLIED, B + 25 * DAY)
    # W1: asked about relevance, replied three hours after the alert.
    sent_asking(db, w1, "warm-silence-still-a-priority", B + HOUR)
    quiet(db, w1, B + 8 * DAY)
    log(db, w1, SignalKind.REPLIED, B + 8 * DAY + 3 * HOUR)
    # W2: silent; moved to Hot later (the report keeps the state at the alert); a trigger
    # alert is not a silence.
    log(db, w2, SignalKind.SENT, B + HOUR)
    quiet(db, w2, B + 8 * DAY)
    quiet(db, w2, B + 9 * DAY, "trigger")
    leads.move_lead(db, w2, State.HOT, at=B + 10 * DAY, now=NOW)
    # W3: a meeting held (an answer), then a message.
    log(db, w3, SignalKind.MEETING_HELD, B + HOUR)
    log(db, w3, SignalKind.SENT, B + 2 * HOUR)
    quiet(db, w3, B + 8 * DAY)
    # W4: two messages, the guard.
    log(db, w4, SignalKind.SENT, B + HOUR)
    log(db, w4, SignalKind.SENT, B + 2 * HOUR)
    quiet(db, w4, B + 8 * DAY, "guard")
    return ids


def rows(view: ReportView, title: str) -> list[list[str]]:
    table = next(t for t in view.tables if t.title == title)
    return [[cell_text(cell) for cell in row.cells] for row in table.rows]


def row_leads(view: ReportView, title: str) -> list[tuple[int, ...]]:
    return [row.lead_ids for row in next(t for t in view.tables if t.title == title).rows]


def test_each_silence_is_read_as_the_lead_stood_when_it_was_raised(db: Database) -> None:
    ids = pipeline(db)
    report = silence_report(db, PERIOD, PARIS)
    name = {lead_id: n for n, lead_id in ids.items()}
    assert [
        (name[c.lead_id], c.state, c.stage, c.unanswered, c.decision, c.wait_seconds)
        for c in report.cases
    ] == [
        ("H1", "hot", Stage.FIRST_CONTACT, 1, "next_step", 1 * 86400.0),
        ("H2", "hot", Stage.AFTER_MEETING, 2, "risk", 2 * 86400.0),
        ("H3", "hot", Stage.AFTER_PROPOSAL, 3, "not recorded", 4 * 86400.0),
        ("H4", "hot", Stage.AFTER_PRICING, 1, "next_step", None),
        ("H5", "hot", Stage.FIRST_CONTACT, 1, "not recorded", None),
        ("W1", "warm", Stage.FIRST_CONTACT, 1, "relevance", 3 * 3600.0),
        ("W2", "warm", Stage.FIRST_CONTACT, 1, "not recorded", None),
        ("W3", "warm", Stage.AFTER_MEETING, 1, "not recorded", None),
        ("W4", "warm", Stage.FIRST_CONTACT, 2, "not recorded", None),
    ]


def test_the_figures_and_groups_carry_exact_counts_rates_and_medians(db: Database) -> None:
    ids = pipeline(db)
    report = silence_report(db, PERIOD, PARIS)
    assert report.leads == 9
    assert report.reengaged == Rate(4, 9)
    assert report.median_seconds == 1.5 * 86400  # of 3 h, 1, 2 and 4 days
    assert report.most_silence is Stage.FIRST_CONTACT
    assert [(b.stage, b.counts) for b in report.chart] == [
        (Stage.FIRST_CONTACT, (4, 1, 0)),
        (Stage.AFTER_MEETING, (1, 1, 0)),
        (Stage.AFTER_PROPOSAL, (0, 0, 1)),
        (Stage.AFTER_PRICING, (1, 0, 0)),
    ]
    hot, warm = report.by_state
    # The small-sample rule: five cases give a rate, four do not.
    assert (hot.label, hot.cases, hot.reengaged.value, hot.median_seconds) == (
        "Hot",
        5,
        0.6,
        2 * 86400,
    )
    assert (warm.label, warm.cases, warm.reengaged.value, warm.median_seconds) == (
        "Warm",
        4,
        None,
        3 * 3600,
    )
    assert hot.lead_ids == tuple(ids[n] for n in ("H1", "H2", "H3", "H4", "H5"))
    assert warm.lead_ids == tuple(ids[n] for n in ("W1", "W2", "W3", "W4"))
    assert [(g.key, g.cases, g.reengaged.hits) for g in report.by_touch] == [
        ("1st", 6, 2),
        ("2nd", 2, 1),
        ("3rd or later", 1, 1),
    ]


def test_the_view_lays_out_every_table_as_people_read_it(db: Database) -> None:
    ids = pipeline(db)
    view = build_view(db, PERIOD, PARIS)
    assert (view.key, view.title, view.since, view.until) == (
        "silence",
        "Where silence happens",
        PERIOD.since,
        PERIOD.until,
    )
    assert [(f.label, cell_text(f.value)) for f in view.figures] == [
        ("Went quiet", "9"),
        ("Re-engaged", "4 of 9 (44 %)"),
        ("Median time to re-engage", "1.5 days"),
        ("Most silence", "First contact"),
    ]
    assert rows(view, "By state") == [
        ["Hot", "5", "3 of 5 (60 %)", "2 days"],
        ["Warm", "4", "1 of 4 (too few to rate)", "3 h"],
    ]
    assert rows(view, "By last touch") == [
        ["First contact", "5", "2 of 5 (40 %)", "13.5 h"],
        ["After a call or meeting", "2", "1 of 2 (too few to rate)", "2 days"],
        ["After the proposal", "1", "1 of 1 (too few to rate)", "4 days"],
        ["After pricing", "1", "0 of 1 (too few to rate)", "—"],
    ]
    assert rows(view, "By touch number") == [
        ["1st", "6", "2 of 6 (33 %)", "13.5 h"],
        ["2nd", "2", "1 of 2 (too few to rate)", "2 days"],
        ["3rd or later", "1", "1 of 1 (too few to rate)", "4 days"],
    ]
    assert rows(view, "By decision asked") == [
        ["Not recorded", "5", "1 of 5 (20 %)", "4 days"],
        ["Next step", "2", "1 of 2 (too few to rate)", "1 day"],
        ["Relevance", "1", "1 of 1 (too few to rate)", "3 h"],
        ["Risk", "1", "1 of 1 (too few to rate)", "2 days"],
    ]
    assert row_leads(view, "By decision asked") == [
        tuple(ids[n] for n in ("H3", "H5", "W2", "W3", "W4")),
        (ids["H1"], ids["H4"]),
        (ids["W1"],),
        (ids["H2"],),
    ]
    chart = view.chart
    assert chart is not None
    assert (chart.title, chart.kind, chart.series) == (
        "Where leads went quiet",
        ChartKind.BARS,
        ("1st", "2nd", "3rd or later"),
    )
    assert [(b.label, b.values) for b in chart.bars] == [
        ("First contact", (4.0, 1.0, 0.0)),
        ("After a call or meeting", (1.0, 1.0, 0.0)),
        ("After the proposal", (0.0, 0.0, 1.0)),
        ("After pricing", (1.0, 0.0, 0.0)),
    ]
    assert chart.bars[1].lead_ids == (ids["H2"], ids["W3"])
    # The catalog builds the same view.
    assert build_report(db, ReportKey.SILENCE, PERIOD, PARIS) == view


def test_the_period_includes_its_start_and_excludes_its_end(db: Database) -> None:
    since, until = B, B + 10 * DAY
    at_start, at_end, before = lead(db, "Start"), lead(db, "End"), lead(db, "Before")
    for lead_id in (at_start, at_end, before):
        log(db, lead_id, SignalKind.SENT, B)
    quiet(db, at_start, since)
    quiet(db, at_end, until)
    quiet(db, before, since - timedelta(microseconds=1))
    # An engagement at the period's end is after it: not a re-engagement within it.
    log(db, at_start, SignalKind.REPLIED, until)
    report = silence_report(db, Period(since, until), PARIS)
    assert [c.lead_id for c in report.cases] == [at_start]
    assert report.reengaged == Rate(0, 1)
    # The same engagement falls inside a period one minute longer.
    longer = silence_report(db, Period(since, until + timedelta(minutes=1)), PARIS)
    assert [(c.lead_id, c.wait_seconds) for c in longer.cases] == [
        (at_start, 10 * 86400.0),
        (at_end, None),
    ]


def test_an_empty_period_keeps_every_stage_in_the_chart(db: Database) -> None:
    view = build_view(db, PERIOD, PARIS)
    assert [(f.label, cell_text(f.value)) for f in view.figures] == [
        ("Went quiet", "0"),
        ("Re-engaged", "none yet"),
        ("Median time to re-engage", "—"),
        ("Most silence", "—"),
    ]
    assert view.chart is not None
    assert [b.label for b in view.chart.bars] == [
        "First contact",
        "After a call or meeting",
        "After the proposal",
        "After pricing",
    ]
    assert view.chart.empty
    assert all(table.rows == () for table in view.tables)


def test_the_engine_raises_silences_the_report_then_locates(db: Database) -> None:
    # The real engine end to end: add, send, tick, snooze, answer the alert, tick again.
    t0 = NOW - 20 * DAY
    ana = leads.add_lead(db, NewLead.create(name="Ana", now=t0, next_step="Pilot"), NOW, at=t0).id
    leads.log_event(db, ana, SignalKind.PROPOSAL_SENT, at=t0, now=NOW)
    first = [a for a in alerts.tick(db, t0 + 2 * DAY + timedelta(minutes=1)) if a.kind == "silence"]
    assert [a.rule for a in first] == ["silence"]
    alerts.snooze(db, first[0].id, t0 + 2 * DAY + 2 * HOUR, t0 + 2 * DAY + HOUR)
    slug = duplicate_template(db, "hot-silence-pick-a-slot").slug
    mark_sent(
        db,
        ana,
        subject="Thursday or Friday?",
        body="Hi Ana, would Thursday at 10:00 suit?",
        template=slug,
        alert_id=first[0].id,
        next_step=None,
        next_step_due=None,
        now=t0 + 3 * DAY,
    )
    second_at = t0 + 5 * DAY + timedelta(minutes=1)
    second = alerts.tick(db, second_at)
    # A new silence, and "cool": still silent after the handled one (a silence too).
    assert sorted((a.rule, a.kind, a.raised_at) for a in second) == [
        ("cool", "silence", second_at),
        ("silence", "silence", second_at),
    ]
    leads.log_event(db, ana, SignalKind.REPLIED, at=t0 + 6 * DAY, now=NOW)

    report = silence_report(db, Period.last(60, NOW), PARIS)
    first_wait = (4 * DAY - timedelta(minutes=1)).total_seconds()
    second_wait = (DAY - timedelta(minutes=1)).total_seconds()
    assert [(c.stage, c.touch, c.decision, c.wait_seconds) for c in report.cases] == [
        (Stage.AFTER_PROPOSAL, "1st", "not recorded", first_wait),
        (Stage.AFTER_PROPOSAL, "2nd", "next_step", second_wait),
        (Stage.AFTER_PROPOSAL, "2nd", "next_step", second_wait),
    ]
    assert (report.leads, report.reengaged, report.median_seconds) == (1, Rate(3, 3), second_wait)


def test_the_zone_does_not_move_a_silence(db: Database) -> None:
    # No figure here names a day: the same cases under any zone.
    pipeline(db)
    paris = build_view(db, PERIOD, PARIS)
    new_york = build_view(db, PERIOD, ZoneInfo("America/New_York"))
    assert paris == new_york
