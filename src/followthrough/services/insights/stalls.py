"""The stall audit: leads lost or recycled, by reason category, with *timing* beside *fit*
and the stage at which each stalled, over the last 30, 60 and 90 days.

A case is one move to Lost or Recycle (a `state_change` event; a lead added straight to
Recycle counts, having come from nowhere). The moves are read by the (kind, at) index and
the stage at each move by one seek on (lead_id, at) (timeline_sql.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Select, select

from followthrough.domain.dates import calendar_day, day_words
from followthrough.domain.figures import Rate
from followthrough.domain.period import Period
from followthrough.domain.reasons import ReasonCategory
from followthrough.domain.reportview import Bar, Chart, ChartKind, Figure, ReportView, Row, Table
from followthrough.domain.reportview import ids as unique_ids
from followthrough.domain.signals import EventKind
from followthrough.domain.stages import STAGES, Stage, stage_of
from followthrough.domain.states import State
from followthrough.services.insights.timeline_sql import stage_kind_at
from followthrough.store.db import Database
from followthrough.store.event_facts import payload_fact
from followthrough.store.tables import EVENT, LEAD

KEY = "stalls"
TITLE = "Stall audit"
DEFAULT_DAYS = 90
WINDOWS_DAYS = (30, 60, 90)  # the audit's look-backs, each ending where the period ends
NOT_RECORDED = "not recorded"
CASES_SHOWN = 200
STALLED = (State.LOST.value, State.RECYCLE.value)
_CATEGORIES = frozenset(category.value for category in ReasonCategory)


@dataclass(frozen=True)
class StallCase:
    lead_id: int
    name: str
    at: datetime
    to: State  # Lost or Recycle
    category: str  # a ReasonCategory value, or NOT_RECORDED
    stage: Stage
    came_from: State | None  # None: the lead was added straight to Recycle

    @property
    def move_label(self) -> str:
        return "Lost" if self.to is State.LOST else "Recycled"


@dataclass(frozen=True)
class ReasonCounts:
    category: str
    label: str
    windows: tuple[int, ...]  # cases in each of WINDOWS_DAYS
    in_period: int
    lead_ids: tuple[int, ...]  # every lead counted in any column


@dataclass(frozen=True)
class StageStalls:
    stage: Stage
    cases: int
    timing: int
    fit: int
    lead_ids: tuple[int, ...]

    @property
    def other(self) -> int:
        return self.cases - self.timing - self.fit


@dataclass(frozen=True)
class StallReport:
    period: Period
    cases: tuple[StallCase, ...]  # in the period, newest first
    lost: int
    recycled: int
    timing: Rate
    fit: Rate
    by_reason: tuple[ReasonCounts, ...]  # categories with a case in some column, in order
    by_stage: tuple[StageStalls, ...]  # every stage, in order


def stall_report(db: Database, period: Period, zone: tzinfo) -> StallReport:
    """The period's stalls. `zone` only words days, in the view; the counts are UTC-exact."""
    start = min(period.since, period.until - timedelta(days=max(WINDOWS_DAYS)))
    everything = _read_cases(db, start, period.until)
    cases = tuple(case for case in everything if case.at >= period.since)
    return StallReport(
        period=period,
        cases=cases,
        lost=sum(case.to is State.LOST for case in cases),
        recycled=sum(case.to is State.RECYCLE for case in cases),
        timing=_share(cases, ReasonCategory.TIMING),
        fit=_share(cases, ReasonCategory.FIT),
        by_reason=_by_reason(everything, period),
        by_stage=tuple(_stage_stalls(stage, cases) for stage in STAGES),
    )


def cases_statement(start: datetime, until: datetime) -> Select[Any]:
    """One row per move to Lost or Recycle in [start, until), newest first, with its stage."""
    to = payload_fact(EVENT, "to")
    return (
        select(
            EVENT.c.lead_id,
            LEAD.c.name,
            EVENT.c.at,
            to,
            payload_fact(EVENT, "category"),
            payload_fact(EVENT, "from"),
            stage_kind_at(EVENT.c.lead_id, EVENT.c.at),
        )
        .join_from(EVENT, LEAD, LEAD.c.id == EVENT.c.lead_id)
        .where(
            EVENT.c.kind == EventKind.STATE_CHANGE.value,
            EVENT.c.at >= start,
            EVENT.c.at < until,
            to.in_(STALLED),
        )
        .order_by(EVENT.c.at.desc(), EVENT.c.id.desc())
    )


def _read_cases(db: Database, start: datetime, until: datetime) -> list[StallCase]:
    with db.read() as session:
        rows = session.connection().execute(cases_statement(start, until)).all()
    return [
        StallCase(
            lead_id=lead_id,
            name=name,
            at=at,
            to=State(moved_to),
            category=category if category in _CATEGORIES else NOT_RECORDED,
            stage=stage_of(stage_kind),
            came_from=State(came_from) if came_from else None,
        )
        for lead_id, name, at, moved_to, category, came_from, stage_kind in rows
    ]


def _share(cases: Sequence[StallCase], category: ReasonCategory) -> Rate:
    return Rate(sum(case.category == category for case in cases), len(cases))


def _by_reason(cases: Sequence[StallCase], period: Period) -> tuple[ReasonCounts, ...]:
    order = [category.value for category in ReasonCategory] + [NOT_RECORDED]
    rows = []
    for category in order:
        mine = [case for case in cases if case.category == category]
        windows = tuple(
            sum(case.at >= period.until - timedelta(days=days) for case in mine)
            for days in WINDOWS_DAYS
        )
        in_period = sum(case.at >= period.since for case in mine)
        if any(windows) or in_period:
            # Oldest first: the leads in the order they stalled.
            counted = unique_ids([case.lead_id for case in reversed(mine)])
            rows.append(ReasonCounts(category, reason_label(category), windows, in_period, counted))
    return tuple(rows)


def reason_label(category: str) -> str:
    return "Not recorded" if category == NOT_RECORDED else ReasonCategory(category).label


def _stage_stalls(stage: Stage, cases: Sequence[StallCase]) -> StageStalls:
    mine = [case for case in cases if case.stage is stage]
    counts = Counter(case.category for case in mine)
    return StageStalls(
        stage=stage,
        cases=len(mine),
        timing=counts[ReasonCategory.TIMING.value],
        fit=counts[ReasonCategory.FIT.value],
        lead_ids=unique_ids([case.lead_id for case in reversed(mine)]),
    )


def build_view(db: Database, period: Period, zone: tzinfo) -> ReportView:
    return stall_view(stall_report(db, period, zone), zone)


def stall_view(report: StallReport, zone: tzinfo) -> ReportView:
    shown = report.cases[:CASES_SHOWN]
    notes: tuple[str, ...] = ()
    if len(report.cases) > CASES_SHOWN:
        notes = (f"Cases: the newest {CASES_SHOWN} of {len(report.cases):,} are listed.",)
    return ReportView(
        key=KEY,
        title=TITLE,
        since=report.period.since,
        until=report.period.until,
        figures=(
            Figure("Lost", report.lost),
            Figure("Recycled", report.recycled),
            Figure("Timing", report.timing, "stalled on timing: not now"),
            Figure("Fit", report.fit, "stalled on fit: not for them"),
        ),
        chart=Chart(
            title="Timing or fit, by stage",
            kind=ChartKind.BARS,
            series=("Timing", "Fit"),
            bars=tuple(
                Bar(s.stage.label, (float(s.timing), float(s.fit)), _timing_or_fit(report, s.stage))
                for s in report.by_stage
            ),
        ),
        tables=(
            Table(
                "By reason",
                ("Reason", *(f"Last {days} days" for days in WINDOWS_DAYS), "In period"),
                tuple(
                    Row((r.label, *r.windows, r.in_period), r.lead_ids) for r in report.by_reason
                ),
            ),
            Table(
                "By stage",
                ("Stalled at", "Cases", "Timing", "Fit", "Other reasons"),
                tuple(
                    Row((s.stage.label, s.cases, s.timing, s.fit, s.other), s.lead_ids)
                    for s in report.by_stage
                    if s.cases
                ),
            ),
            Table(
                "Cases",
                ("Lead", "Move", "Reason", "Stalled at", "Came from", "Date"),
                tuple(_case_row(case, zone) for case in shown),
            ),
        ),
        notes=notes,
    )


def _timing_or_fit(report: StallReport, stage: Stage) -> tuple[int, ...]:
    wanted = (ReasonCategory.TIMING.value, ReasonCategory.FIT.value)
    return unique_ids(
        [c.lead_id for c in reversed(report.cases) if c.stage is stage and c.category in wanted]
    )


def _case_row(case: StallCase, zone: tzinfo) -> Row:
    came_from = "Added parked" if case.came_from is None else case.came_from.label
    return Row(
        (
            case.name,
            case.move_label,
            reason_label(case.category),
            case.stage.label,
            came_from,
            day_words(calendar_day(case.at, zone)),
        ),
        (case.lead_id,),
    )
