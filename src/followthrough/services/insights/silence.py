"""Where silence happens: the leads that went quiet in a period, located by state, by what
our last touch was, by touch number and by the decision we had asked for, with how many
re-engaged afterwards and after how long.

A case is one silence or guard alert raised in the period (a lead may go quiet twice). What
the lead looked like when the alert was raised is read from its timeline at that moment, one
index seek per question per case (timeline_sql.py); the counting is done in Python over the
period's cases only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, String, select, type_coerce
from sqlalchemy import case as sql_case

from followthrough.domain.alerts import AlertKind
from followthrough.domain.figures import Rate, median
from followthrough.domain.period import Period
from followthrough.domain.reportview import (
    Bar,
    Chart,
    ChartKind,
    Figure,
    ReportView,
    Row,
    Span,
    Table,
    ids,
)
from followthrough.domain.stages import STAGES, TOUCH_BUCKETS, Stage, stage_of, touch_bucket
from followthrough.domain.states import ALL_STATES, State
from followthrough.domain.templates import DECISIONS
from followthrough.services.insights.timeline_sql import (
    first_engagement_between,
    standing_at,
)
from followthrough.store.db import Database
from followthrough.store.tables import ALERT, LEAD
from followthrough.store.utc import utc_from_stored

KEY = "silence"
TITLE = "Where silence happens"
DEFAULT_DAYS = 60
# The alerts that say "the buyer went quiet": a silence window passed, or the guard stopped us.
QUIET_KINDS = (AlertKind.SILENCE.value, AlertKind.GUARD.value)
NOT_RECORDED = "not recorded"
COLUMNS = ("Went quiet", "Re-engaged", "Median time to re-engage")
_STATE_NAMES = frozenset(state.value for state in State)

K = TypeVar("K")


class SilenceCase(NamedTuple):
    """One alert that said the buyer went quiet, and the lead as it stood then (a tuple: a
    large period has tens of thousands, each grouped four ways)."""

    lead_id: int
    raised_at: datetime
    state: str
    stage: Stage
    unanswered: int
    decision: str  # a template decision, or NOT_RECORDED
    reengaged_at: datetime | None  # the buyer's first engagement after, within the period
    touch: str  # touch_bucket(unanswered)
    wait_seconds: float | None  # to re-engage; None: has not


def silence_case(
    lead_id: int,
    raised_at: datetime,
    state: str,
    stage: Stage,
    unanswered: int,
    decision: str,
    reengaged_at: datetime | None,
) -> SilenceCase:
    wait = None if reengaged_at is None else (reengaged_at - raised_at).total_seconds()
    return SilenceCase(
        lead_id,
        raised_at,
        state,
        stage,
        unanswered,
        decision,
        reengaged_at,
        touch_bucket(unanswered),
        wait,
    )


@dataclass(frozen=True)
class SilenceGroup:
    key: str
    label: str
    cases: int
    reengaged: Rate
    median_seconds: float | None  # to re-engage, over the cases that did
    lead_ids: tuple[int, ...]


@dataclass(frozen=True)
class StageTouches:
    """One bar of the chart: a stage's cases by touch number (TOUCH_BUCKETS order)."""

    stage: Stage
    counts: tuple[int, ...]
    lead_ids: tuple[int, ...]


@dataclass(frozen=True)
class SilenceReport:
    period: Period
    cases: tuple[SilenceCase, ...]  # oldest first
    leads: int  # distinct leads that went quiet
    reengaged: Rate
    median_seconds: float | None
    most_silence: Stage | None  # the stage with most cases (the earlier stage on a tie)
    chart: tuple[StageTouches, ...]  # every stage, in order
    by_state: tuple[SilenceGroup, ...]
    by_stage: tuple[SilenceGroup, ...]
    by_touch: tuple[SilenceGroup, ...]
    by_decision: tuple[SilenceGroup, ...]


def silence_report(db: Database, period: Period, zone: tzinfo) -> SilenceReport:
    """The period's silences, located. `zone` is unused: no figure here names a day."""
    cases = tuple(_read_cases(db, period))
    stage_counts = Counter(case.stage for case in cases)
    return SilenceReport(
        period=period,
        cases=cases,
        leads=len({case.lead_id for case in cases}),
        reengaged=_reengaged(cases),
        median_seconds=_median_wait(cases),
        most_silence=max(STAGES, key=lambda s: stage_counts[s]) if cases else None,
        chart=tuple(_stage_touches(stage, cases) for stage in STAGES),
        by_state=_groups(cases, lambda c: c.state, _state_order(cases), _state_label),
        by_stage=_groups(cases, lambda c: c.stage, STAGES, lambda s: Stage(s).label),
        by_touch=_groups(cases, lambda c: c.touch, TOUCH_BUCKETS, str),
        by_decision=_groups(cases, lambda c: c.decision, _decision_order(cases), _decision_label),
    )


def cases_statement(period: Period) -> Select[Any]:
    """One row per case: the alert, and how the lead stood when it was raised — as the alert
    kept it (services/planning.py), or for an alert raised before alerts kept it, as the
    lead's timeline says."""
    lead_id, raised = ALERT.c.lead_id, ALERT.c.raised_at
    walked = ALERT.c.raised_state.is_(None)
    standing = standing_at(lead_id, raised)

    def kept(name: str) -> Any:
        return sql_case((walked, standing[name]), else_=ALERT.c[name])

    # Only a lead that engaged since can have re-engaged: skip the walk for the others.
    engaged = sql_case(
        (LEAD.c.last_inbound_at > raised, first_engagement_between(lead_id, raised, period.until)),
        else_=None,
    )
    # Stored text, parsed here: SQLAlchemy's per-value processing costs more than the query.
    return (
        select(
            lead_id,
            type_coerce(raised, String),
            kept("raised_state"),
            kept("raised_stage_signal"),
            kept("raised_unanswered"),
            kept("raised_decision"),
            type_coerce(engaged, String),
        )
        .join_from(ALERT, LEAD, LEAD.c.id == lead_id)
        .where(
            raised >= period.since,
            raised < period.until,
            ALERT.c.kind.in_(QUIET_KINDS),
        )
        .order_by(raised, ALERT.c.id)
    )


def _read_cases(db: Database, period: Period) -> Iterable[SilenceCase]:
    with db.read() as session:
        rows = session.connection().execute(cases_statement(period)).all()
    for lead, at, state, stage_kind, unanswered, decision, engaged in rows:
        yield silence_case(
            lead_id=lead,
            raised_at=utc_from_stored(at),
            state=state,
            stage=stage_of(stage_kind),
            unanswered=unanswered,
            decision=decision or NOT_RECORDED,
            reengaged_at=None if engaged is None else utc_from_stored(engaged),
        )


def _reengaged(cases: Sequence[SilenceCase]) -> Rate:
    return Rate(sum(case.reengaged_at is not None for case in cases), len(cases))


def _median_wait(cases: Sequence[SilenceCase]) -> float | None:
    return median([w for case in cases if (w := case.wait_seconds) is not None])


def _stage_touches(stage: Stage, cases: Sequence[SilenceCase]) -> StageTouches:
    mine = [case for case in cases if case.stage is stage]
    counts = Counter(case.touch for case in mine)
    return StageTouches(
        stage,
        tuple(counts[bucket] for bucket in TOUCH_BUCKETS),
        ids([case.lead_id for case in mine]),
    )


def _groups(
    cases: Sequence[SilenceCase],
    key_of: Callable[[SilenceCase], K],
    order: Iterable[K],
    label_of: Callable[[K], str],
) -> tuple[SilenceGroup, ...]:
    """One group per key in `order` that has cases, in that order."""
    by_key: dict[K, list[SilenceCase]] = {}
    for case in cases:
        by_key.setdefault(key_of(case), []).append(case)
    return tuple(
        SilenceGroup(
            key=str(key),
            label=label_of(key),
            cases=len(mine),
            reengaged=_reengaged(mine),
            median_seconds=_median_wait(mine),
            lead_ids=ids([case.lead_id for case in mine]),
        )
        for key in order
        if (mine := by_key.get(key))
    )


def _state_order(cases: Sequence[SilenceCase]) -> list[str]:
    """Board states first, as the board shows them; any other state after, by name."""
    known = [state.value for state in ALL_STATES]
    return known + sorted({case.state for case in cases} - set(known))


def _state_label(state: str) -> str:
    return State(state).label if state in _STATE_NAMES else state.capitalize()


def _decision_order(cases: Sequence[SilenceCase]) -> list[str]:
    """Most cases first; a tie in the method's order of decisions, "not recorded" last."""
    counts = Counter(case.decision for case in cases)
    known = {decision: i for i, decision in enumerate(DECISIONS)}

    def place(decision: str) -> tuple[int, bool, int, str]:
        return (-counts[decision], decision == NOT_RECORDED, known.get(decision, 99), decision)

    return sorted(counts, key=place)


def _decision_label(decision: str) -> str:
    return decision.replace("_", " ").capitalize()


def build_view(db: Database, period: Period, zone: tzinfo) -> ReportView:
    return silence_view(silence_report(db, period, zone))


def silence_view(report: SilenceReport) -> ReportView:
    most = report.most_silence
    return ReportView(
        key=KEY,
        title=TITLE,
        since=report.period.since,
        until=report.period.until,
        figures=(
            Figure("Went quiet", report.leads, "leads with a silence or guard alert"),
            Figure("Re-engaged", report.reengaged, "silences the buyer broke afterwards"),
            Figure("Median time to re-engage", Span(report.median_seconds)),
            Figure("Most silence", None if most is None else most.label, "what our last touch was"),
        ),
        chart=Chart(
            title="Where leads went quiet",
            kind=ChartKind.BARS,
            series=TOUCH_BUCKETS,
            bars=tuple(
                Bar(bar.stage.label, tuple(float(n) for n in bar.counts), bar.lead_ids)
                for bar in report.chart
            ),
            unit="silences",
        ),
        tables=(
            _table("By state", "State", report.by_state),
            _table("By last touch", "Last touch", report.by_stage),
            _table("By touch number", "Touch number", report.by_touch),
            _table("By decision asked", "Decision asked", report.by_decision),
        ),
        notes=(
            "A lead can go quiet more than once: the tables count each silence or guard alert.",
        ),
    )


def _table(title: str, group: str, groups: Sequence[SilenceGroup]) -> Table:
    return Table(
        title=title,
        columns=(group, *COLUMNS),
        rows=tuple(
            Row((g.label, g.cases, g.reengaged, Span(g.median_seconds)), g.lead_ids) for g in groups
        ),
    )
