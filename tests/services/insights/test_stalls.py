"""The stall audit: hand-built histories through the real services, exact figures.

Moves go through `move_lead` (with their reason category) and `add_lead` (straight to
Recycle), back-dated. Two kinds of history are inserted as event rows instead: a move from
before reasons were recorded (the services always record one now), and the 201 moves of the
cap test (speed).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from followthrough.domain.figures import Rate
from followthrough.domain.leads import NewLead
from followthrough.domain.period import Period
from followthrough.domain.reasons import ReasonCategory
from followthrough.domain.reportview import ChartKind, ReportView, cell_text
from followthrough.domain.signals import SignalKind
from followthrough.domain.stages import Stage
from followthrough.domain.states import State
from followthrough.services import leads
from followthrough.services.insights.catalog import ReportKey, build_report
from followthrough.services.insights.stalls import build_view, stall_report
from followthrough.store.db import Database
from followthrough.store.tables import EVENT
from tests.conftest import NOW

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
DAY = timedelta(days=1)
PERIOD = Period(NOW - 60 * DAY, NOW)
C_LOST = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)  # Saturday in Paris, Friday in New York
D_PARKED = datetime(2026, 11, 13, 3, 30, tzinfo=UTC)  # Friday in Paris, Thursday in New York


def lead(db: Database, name: str, state: State = State.HOT, at: datetime = NOW - 80 * DAY) -> int:
    return leads.add_lead(db, NewLead.create(name=name, now=at, state=state), NOW, at=at).id


def old_move(db: Database, lead_id: int, to: State, at: datetime) -> None:
    # A move recorded before reason categories were: an event row without one.
    with db.write() as session:
        session.connection().execute(
            insert(EVENT).values(
                lead_id=lead_id,
                at=at,
                kind="state_change",
                direction="none",
                payload={"from": "hot", "to": to.value, "until": None},
                created_at=at,
            )
        )


def pipeline(db: Database) -> dict[str, int]:
    ids = {name: lead(db, name) for name in ("A", "C", "G")}
    ids |= {name: lead(db, name, State.WARM) for name in ("B", "E", "F")}
    # A: lost on fit after a call, before the period (inside the 90-day column only).
    leads.log_event(db, ids["A"], SignalKind.CALL, at=NOW - 70 * DAY, now=NOW)
    leads.move_lead(
        db, ids["A"], State.LOST, category=ReasonCategory.FIT, at=NOW - 65 * DAY, now=NOW
    )
    # B: parked for timing after the proposal.
    leads.log_event(db, ids["B"], SignalKind.PROPOSAL_SENT, at=NOW - 50 * DAY, now=NOW)
    leads.move_lead(
        db,
        ids["B"],
        State.RECYCLE,
        until=NOW + 30 * DAY,
        category=ReasonCategory.TIMING,
        at=NOW - 45 * DAY,
        now=NOW,
    )
    # E: lost on price after pricing was discussed.
    leads.log_event(db, ids["E"], SignalKind.PRICING_DISCUSSED, at=NOW - 40 * DAY, now=NOW)
    leads.move_lead(
        db, ids["E"], State.LOST, category=ReasonCategory.PRICE, at=NOW - 35 * DAY, now=NOW
    )
    # F: moved, but to Hot: not a stall.
    leads.move_lead(db, ids["F"], State.HOT, at=NOW - 30 * DAY, now=NOW)
    # D: added straight to Recycle (timing, from nowhere).
    ids["D"] = leads.add_lead(
        db,
        NewLead.create(name="D", now=D_PARKED, state=State.RECYCLE, recycle_until=NOW + 60 * DAY),
        NOW,
        at=D_PARKED,
    ).id
    # G: lost with no reason recorded.
    old_move(db, ids["G"], State.LOST, NOW - 5 * DAY)
    # C: lost on fit at first contact, late on a Friday evening (UTC).
    leads.move_lead(db, ids["C"], State.LOST, category=ReasonCategory.FIT, at=C_LOST, now=NOW)
    return ids


def rows(view: ReportView, title: str) -> list[list[str]]:
    table = next(t for t in view.tables if t.title == title)
    return [[cell_text(cell) for cell in row.cells] for row in table.rows]


def test_the_report_counts_each_stall_with_its_reason_stage_and_origin(db: Database) -> None:
    ids = pipeline(db)
    report = stall_report(db, PERIOD, PARIS)
    name = {lead_id: n for n, lead_id in ids.items()}
    assert [(name[c.lead_id], c.to, c.category, c.stage, c.came_from) for c in report.cases] == [
        ("C", State.LOST, "fit", Stage.FIRST_CONTACT, State.HOT),
        ("G", State.LOST, "not recorded", Stage.FIRST_CONTACT, State.HOT),
        ("D", State.RECYCLE, "timing", Stage.FIRST_CONTACT, None),
        ("E", State.LOST, "price", Stage.AFTER_PRICING, State.WARM),
        ("B", State.RECYCLE, "timing", Stage.AFTER_PROPOSAL, State.WARM),
    ]
    assert (report.lost, report.recycled) == (3, 2)
    # Five cases: the shares are given.
    assert (report.timing, report.fit) == (Rate(2, 5), Rate(1, 5))
    assert (report.timing.percent, report.fit.percent) == (40, 20)
    assert [(r.category, r.windows, r.in_period) for r in report.by_reason] == [
        ("timing", (1, 2, 2), 2),
        ("fit", (1, 1, 2), 1),
        ("price", (0, 1, 1), 1),
        ("not recorded", (1, 1, 1), 1),
    ]
    assert report.by_reason[1].lead_ids == (ids["A"], ids["C"])
    assert [(s.stage, s.cases, s.timing, s.fit, s.other) for s in report.by_stage] == [
        (Stage.FIRST_CONTACT, 3, 1, 1, 1),
        (Stage.AFTER_MEETING, 0, 0, 0, 0),
        (Stage.AFTER_PROPOSAL, 1, 1, 0, 0),
        (Stage.AFTER_PRICING, 1, 0, 0, 1),
    ]
    assert report.by_stage[0].lead_ids == (ids["D"], ids["G"], ids["C"])


def test_four_cases_are_too_few_to_rate(db: Database) -> None:
    pipeline(db)
    report = stall_report(db, Period(NOW - 40 * DAY, NOW), PARIS)
    assert len(report.cases) == 4  # C, G, D, E
    assert (report.timing, report.fit) == (Rate(1, 4), Rate(1, 4))
    assert (cell_text(report.timing), report.timing.value) == ("1 of 4 (too few to rate)", None)


def test_the_view_lays_out_figures_chart_and_tables(db: Database) -> None:
    ids = pipeline(db)
    view = build_view(db, PERIOD, PARIS)
    assert (view.key, view.title, view.notes) == ("stalls", "Stall audit", ())
    assert [(f.label, cell_text(f.value)) for f in view.figures] == [
        ("Lost", "3"),
        ("Recycled", "2"),
        ("Timing", "2 of 5 (40 %)"),
        ("Fit", "1 of 5 (20 %)"),
    ]
    chart = view.chart
    assert chart is not None
    assert (chart.title, chart.kind, chart.series) == (
        "Timing or fit, by stage",
        ChartKind.BARS,
        ("Timing", "Fit"),
    )
    assert [(b.label, b.values, b.lead_ids) for b in chart.bars] == [
        ("First contact", (1.0, 1.0), (ids["D"], ids["C"])),
        ("After a call or meeting", (0.0, 0.0), ()),
        ("After the proposal", (1.0, 0.0), (ids["B"],)),
        ("After pricing", (0.0, 0.0), ()),
    ]
    assert rows(view, "By reason") == [
        ["Timing", "1", "2", "2", "2"],
        ["Fit", "1", "1", "2", "1"],
        ["Price", "0", "1", "1", "1"],
        ["Not recorded", "1", "1", "1", "1"],
    ]
    assert next(t for t in view.tables if t.title == "By reason").columns == (
        "Reason",
        "Last 30 days",
        "Last 60 days",
        "Last 90 days",
        "In period",
    )
    assert rows(view, "By stage") == [
        ["First contact", "3", "1", "1", "1"],
        ["After the proposal", "1", "1", "0", "0"],
        ["After pricing", "1", "0", "0", "1"],
    ]
    assert rows(view, "Cases") == [
        ["C", "Lost", "Fit", "First contact", "Hot", "Sat 21 Nov 2026"],
        ["G", "Lost", "Not recorded", "First contact", "Hot", "Wed 18 Nov 2026"],
        ["D", "Recycled", "Timing", "First contact", "Added parked", "Fri 13 Nov 2026"],
        ["E", "Lost", "Price", "After pricing", "Warm", "Mon 19 Oct 2026"],
        ["B", "Recycled", "Timing", "After the proposal", "Warm", "Fri 9 Oct 2026"],
    ]
    cases = next(t for t in view.tables if t.title == "Cases")
    assert [row.lead_ids for row in cases.rows] == [(ids[n],) for n in "CGDEB"]
    assert build_report(db, ReportKey.STALLS, PERIOD, PARIS) == view


def test_the_dates_are_days_where_the_reader_is(db: Database) -> None:
    pipeline(db)
    dates = [row[-1] for row in rows(build_view(db, PERIOD, NEW_YORK), "Cases")]
    # C and D fall on the day before in New York; G, at 10:00 UTC, on the same day.
    assert dates[:3] == ["Fri 20 Nov 2026", "Wed 18 Nov 2026", "Thu 12 Nov 2026"]
    # The counts do not move with the zone.
    assert stall_report(db, PERIOD, NEW_YORK) == stall_report(db, PERIOD, PARIS)


def test_the_period_includes_its_start_and_excludes_its_end(db: Database) -> None:
    since, until = NOW - 20 * DAY, NOW - 10 * DAY
    first, last = lead(db, "First"), lead(db, "Last")
    leads.move_lead(db, first, State.LOST, category=ReasonCategory.FIT, at=since, now=NOW)
    leads.move_lead(db, last, State.LOST, category=ReasonCategory.FIT, at=until, now=NOW)
    report = stall_report(db, Period(since, until), PARIS)
    assert [c.lead_id for c in report.cases] == [first]
    assert [(r.category, r.windows, r.in_period) for r in report.by_reason] == [
        ("fit", (1, 1, 1), 1)
    ]


def test_the_cases_table_lists_the_newest_200(db: Database) -> None:
    lead_id = lead(db, "Often")
    for n in range(201):
        old_move(db, lead_id, State.RECYCLE, NOW - timedelta(hours=n + 1))
    view = build_view(db, PERIOD, PARIS)
    cases = next(t for t in view.tables if t.title == "Cases")
    assert len(cases.rows) == 200
    assert view.notes == ("Cases: the newest 200 of 201 are listed.",)
    assert rows(view, "By reason") == [["Not recorded", "201", "201", "201", "201"]]


def test_an_empty_period_has_empty_tables_and_every_stage_in_the_chart(db: Database) -> None:
    view = build_view(db, PERIOD, PARIS)
    assert [(f.label, cell_text(f.value)) for f in view.figures] == [
        ("Lost", "0"),
        ("Recycled", "0"),
        ("Timing", "none yet"),
        ("Fit", "none yet"),
    ]
    assert view.chart is not None
    assert len(view.chart.bars) == 4
    assert view.chart.empty
    assert all(table.rows == () for table in view.tables)
