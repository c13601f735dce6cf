"""The momentum review over a hand-built week: every figure a person reads, exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followthrough.domain.figures import Rate
from followthrough.domain.leads import NewLead
from followthrough.domain.period import WEEK_DAYS, Period
from followthrough.domain.reasons import ReasonCategory
from followthrough.domain.reportview import ReportView, Span, Table, cell_text
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.services import alerts, leads
from followthrough.services.insights import catalog
from followthrough.services.insights.week import build_view
from followthrough.store.db import Database
from tests.conftest import NOW

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
DAY = 86400.0
WEEK = Period.last(WEEK_DAYS, NOW)  # Mon 16 Nov 10:00 UTC → Mon 23 Nov 10:00 UTC


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def add(
    db: Database,
    name: str,
    when: datetime,
    *,
    state: State = State.HOT,
    next_step: str | None = None,
    next_step_due: datetime | None = None,
    recycle_until: datetime | None = None,
) -> int:
    new = NewLead.create(
        name=name,
        now=when,
        state=state,
        next_step=next_step,
        next_step_due=next_step_due,
        recycle_until=recycle_until,
        recycle_reason="Q4" if recycle_until else None,
    )
    return leads.add_lead(db, new, now=when, at=when).id


def log(db: Database, lead_id: int, kind: SignalKind, when: datetime) -> None:
    leads.log_event(db, lead_id, kind, at=when, now=when)


def move(
    db: Database,
    lead_id: int,
    state: State,
    when: datetime,
    *,
    until: datetime | None = None,
    category: ReasonCategory | None = None,
    reason: str | None = None,
) -> None:
    leads.move_lead(
        db, lead_id, state, until=until, category=category, reason=reason, at=when, now=when
    )


def a_week(db: Database) -> dict[str, int]:
    """Five moves in the week, one before it, an arrival, three next steps, one stall."""
    ids: dict[str, int] = {}
    parked = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
    ids["Bruno"] = add(db, "Bruno", parked, state=State.RECYCLE, recycle_until=at(15))
    ids["Ana"] = add(
        db, "Ana", at(2, 15), state=State.WARM, next_step="Demo", next_step_due=at(18, 9)
    )
    ids["Dmitri"] = add(
        db, "Dmitri", at(3), state=State.WARM, next_step="Sign", next_step_due=at(30)
    )
    ids["Grace"] = add(db, "Grace", at(5))
    leads.set_next_step(db, ids["Grace"], "Call back", at(22), now=at(5, 11))
    ids["Chloé"] = add(db, "Chloé", at(10), next_step="Send proposal", next_step_due=at(19))
    move(db, ids["Dmitri"], State.HOT, at(10))  # before the week: not a move of this week
    ids["Eva"] = add(db, "Eva", at(14))  # no next step: a stall point a day later
    stalled = alerts.tick(db, at(16, 12))
    assert [a.rule for a in stalled if a.rule == "stall"] == ["stall"]

    log(db, ids["Chloé"], SignalKind.SENT, at(17, 9))  # two days early: does not keep it
    log(db, ids["Ana"], SignalKind.REPLIED, at(17, 9))  # exactly a day early: keeps it
    move(db, ids["Ana"], State.HOT, at(17, 15))
    move(db, ids["Bruno"], State.WARM, at(18))
    log(db, ids["Dmitri"], SignalKind.MEETING_HELD, at(19, 16))
    log(db, ids["Bruno"], SignalKind.REPLIED, at(19))
    move(db, ids["Dmitri"], State.WON, at(20))
    ids["Farid"] = add(db, "Farid", at(20), next_step="Intro", next_step_due=at(25))
    move(
        db,
        ids["Chloé"],
        State.LOST,
        at(21, 23, 30),
        category=ReasonCategory.PRICE,
        reason="Went with a cheaper tool",
    )
    move(db, ids["Eva"], State.RECYCLE, at(22), until=at(15).replace(month=12))
    log(db, ids["Grace"], SignalKind.CALL, at(22, 11))  # an hour late, within the week: kept
    return ids


def table(view: ReportView, title: str) -> Table:
    return next(t for t in view.tables if t.title == title)


def texts(t: Table) -> list[list[str]]:
    return [[cell_text(c) for c in row.cells] for row in t.rows]


def test_the_figures_count_moves_outcomes_and_next_steps(db: Database) -> None:
    a_week(db)
    view = build_view(db, WEEK, PARIS)
    assert (view.key, view.title) == ("week", "What moved this week")
    assert (view.since, view.until) == (at(16), at(23))
    assert [(f.label, f.value) for f in view.figures] == [
        ("Moved", 5),
        ("Won", 1),
        ("Lost", 1),
        ("Next steps kept", Rate(2, 3)),
        ("Overdue", 1),
    ]
    assert cell_text(view.figures[3].value) == "2 of 3 (too few to rate)"
    assert view.notes == (
        "Stall points raised: 1.",
        "Leads back from Recycle whose buyer engaged again: 1 of 1 (too few to rate).",
    )


def test_each_move_names_what_preceded_it(db: Database) -> None:
    ids = a_week(db)
    moves = table(build_view(db, WEEK, PARIS), "Moves")
    assert texts(moves) == [
        ["Ana", "Warm", "Hot", "Tue 17 Nov 16:00", "Replied", "6 h"],
        ["Bruno", "Recycle", "Warm", "Wed 18 Nov 11:00", "nothing logged", "—"],
        ["Dmitri", "Hot", "Won", "Fri 20 Nov 11:00", "Meeting held", "18 h"],
        ["Chloé", "Hot", "Lost", "Sun 22 Nov 00:30", "Sent", "4.6 days"],
        ["Eva", "Hot", "Recycle", "Sun 22 Nov 11:00", "nothing logged", "—"],
    ]
    assert [r.lead_ids for r in moves.rows] == [
        (ids[n],) for n in ("Ana", "Bruno", "Dmitri", "Chloé", "Eva")
    ]


def test_next_steps_kept_from_a_day_before_due_until_the_end_of_the_week(db: Database) -> None:
    ids = a_week(db)
    steps = table(build_view(db, WEEK, PARIS), "Next steps")
    assert texts(steps) == [
        ["Ana", "Demo", "Wed 18 Nov 10:00", "Kept", "Tue 17 Nov 10:00"],
        ["Chloé", "Send proposal", "Thu 19 Nov 11:00", "Overdue", "—"],
        ["Grace", "Call back", "Sun 22 Nov 11:00", "Kept", "Sun 22 Nov 12:00"],
    ]
    assert [r.lead_ids for r in steps.rows] == [(ids["Ana"],), (ids["Chloé"],), (ids["Grace"],)]


def test_stalls_reactivations_time_in_state_and_outcomes(db: Database) -> None:
    ids = a_week(db)
    view = build_view(db, WEEK, PARIS)
    assert texts(table(view, "Stall points raised")) == [
        ["Eva", "Mon 16 Nov 13:00", "Cleared"]  # parked on Sunday: the engine cleared it
    ]
    reactivated = table(view, "Reactivated")
    assert texts(reactivated) == [["Bruno", "Wed 18 Nov 11:00", "Warm", "yes", "1 day"]]
    assert reactivated.rows[0].lead_ids == (ids["Bruno"],)

    in_state = table(view, "Time in each state")
    assert [row.cells for row in in_state.rows] == [
        ("Hot", 3, Span(10 * DAY)),  # Dmitri 10 days, Chloé 11.6, Eva 8: the middle one
        ("Warm", 1, Span(15 * DAY)),
        ("Recycle", 1, Span(48 * DAY)),
    ]
    assert in_state.rows[0].lead_ids == (ids["Dmitri"], ids["Chloé"], ids["Eva"])

    assert texts(table(view, "Won and lost")) == [
        ["Dmitri", "Won", "Fri 20 Nov 11:00", "Not recorded", "—"],
        ["Chloé", "Lost", "Sun 22 Nov 00:30", "Price", "Went with a cheaper tool"],
    ]


def test_the_strip_has_one_bar_per_local_day_in_the_readers_zone(db: Database) -> None:
    ids = a_week(db)
    paris = build_view(db, WEEK, PARIS).chart
    assert paris is not None
    assert paris.series == ("Moved up", "Parked or lost", "Won")
    assert [(b.label, b.values) for b in paris.bars] == [
        ("Mon 16", (0, 0, 0)),
        ("Tue 17", (1, 0, 0)),
        ("Wed 18", (1, 0, 0)),
        ("Thu 19", (0, 0, 0)),
        ("Fri 20", (0, 0, 1)),
        ("Sat 21", (0, 0, 0)),
        ("Sun 22", (0, 2, 0)),  # Chloé lost at 23:30 UTC is 00:30 on Sunday in Paris
        ("Mon 23", (0, 0, 0)),
    ]
    assert paris.bars[6].lead_ids == (ids["Chloé"], ids["Eva"])

    new_york = build_view(db, WEEK, NEW_YORK).chart
    assert new_york is not None
    by_day = {b.label: b.values for b in new_york.bars}
    assert by_day["Sat 21"] == (0, 1, 0)  # 18:30 on Saturday in New York
    assert by_day["Sun 22"] == (0, 1, 0)  # Eva, 05:00 Sunday
    assert len(new_york.bars) == 8


def test_a_day_boundary_period_has_no_empty_extra_bar(db: Database) -> None:
    midnight = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Mon 23 Nov 00:00 in Paris
    view = build_view(db, Period(midnight - timedelta(days=7), midnight), PARIS)
    assert view.chart is not None
    assert [b.label for b in view.chart.bars][0::6] == ["Mon 16", "Sun 22"]
    assert len(view.chart.bars) == 7


def test_an_empty_week_says_so(db: Database) -> None:
    view = build_view(db, WEEK, PARIS)
    assert [f.value for f in view.figures] == [0, 0, 0, Rate(0, 0), 0]
    assert cell_text(view.figures[3].value) == "none yet"
    assert all(t.rows == () for t in view.tables)
    assert view.chart is not None
    assert view.chart.empty


def test_the_catalog_builds_the_week_over_seven_days(db: Database) -> None:
    spec = catalog.spec_of(catalog.ReportKey.WEEK)
    assert (spec.title, spec.default_days) == ("What moved this week", 7)
    a_week(db)
    view = catalog.build_report(db, catalog.ReportKey.WEEK, WEEK, PARIS)
    assert view.figures[0].value == 5


@pytest.mark.parametrize("zone", [PARIS, NEW_YORK])
def test_moves_outside_the_period_are_not_counted(db: Database, zone: ZoneInfo) -> None:
    a_week(db)
    earlier = Period(at(1), at(16))
    view = build_view(db, earlier, zone)
    assert [cell_text(c) for c in table(view, "Moves").rows[0].cells[:3]] == [
        "Dmitri",
        "Warm",
        "Hot",
    ]
    assert view.figures[0].value == 1
