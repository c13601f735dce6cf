"""Response time: how fast we answer a buyer who replied, and how fast buyers answer us.

Ours is measured the way the method asks, over the last 20 leads that replied: from each
one's latest reply in the period to our first touch after it. A lead we have not answered yet
is listed as waiting and left out of the figures (its delay is not known yet). Theirs is
measured per state: from each of our touches in the period to the buyer's first answer after
it, before the period ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import Connection, desc, func, select

from followthrough.domain.dates import date_and_time
from followthrough.domain.figures import DAY, Rate, median, percentile, variance
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
from followthrough.domain.signals import TOUCH_KINDS, Direction, SignalKind
from followthrough.domain.states import ALL_STATES, State
from followthrough.services.insights.grouped_sql import (
    cases,
    floats,
    ints,
    joined,
    seconds_figure,
)
from followthrough.services.insights.replies import (
    first_touch_after,
    is_touch_sql,
    kept_answer,
    kept_state,
    seconds_between,
)
from followthrough.store.db import Database
from followthrough.store.tables import EVENT, LEAD
from followthrough.store.utc import utc_from_stored

LAST_LEADS = 20  # the method: response-time variance over the last 20 deals
HOUR = 3600.0
# The distribution's bands: upper bounds in seconds, and their names.
BANDS: tuple[tuple[float, str], ...] = (
    (HOUR, "< 1 h"),
    (4 * HOUR, "1–4 h"),
    (DAY, "4–24 h"),
    (3 * DAY, "1–3 days"),
    (math.inf, "> 3 days"),
)


@dataclass(frozen=True)
class OurAnswer:
    lead_id: int
    name: str
    replied_at: datetime  # the lead's latest reply in the period
    delay: float | None  # seconds to our next touch; None: still waiting for us


@dataclass(frozen=True)
class StateAnswers:
    state: str
    answered: Rate  # touches answered before the period ended, of touches
    median_seconds: float | None
    p90_seconds: float | None
    lead_ids: tuple[int, ...]


@dataclass(frozen=True)
class Response:
    period: Period
    ours: tuple[OurAnswer, ...]  # newest reply first
    median_seconds: float | None
    p90_seconds: float | None
    variance: float | None  # seconds², population
    theirs: tuple[StateAnswers, ...]  # board states first

    @property
    def waiting(self) -> tuple[OurAnswer, ...]:
        return tuple(a for a in self.ours if a.delay is None)

    @property
    def spread_seconds(self) -> float | None:
        return None if self.variance is None else math.sqrt(self.variance)

    def for_state(self, state: State) -> StateAnswers | None:
        return next((s for s in self.theirs if s.state == state.value), None)


def compute_response(db: Database, period: Period) -> Response:
    with db.read() as session:
        conn = session.connection()
        ours = _our_answers(conn, period)
        theirs = _their_answers(conn, period)
    delays = [a.delay for a in ours if a.delay is not None]
    return Response(period, ours, median(delays), percentile(delays, 0.9), variance(delays), theirs)


def _our_answers(conn: Connection, period: Period) -> tuple[OurAnswer, ...]:
    latest = func.max(EVENT.c.at).label("replied_at")
    replied = (
        select(EVENT.c.lead_id, latest)
        .where(
            EVENT.c.kind == SignalKind.REPLIED.value,
            EVENT.c.at >= period.since,
            EVENT.c.at < period.until,
            EVENT.c.direction == Direction.IN.value,
        )
        .group_by(EVENT.c.lead_id)
        .order_by(desc("replied_at"), desc(EVENT.c.lead_id))
        .limit(LAST_LEADS)
        .subquery()
    )
    touch = first_touch_after(replied.c.lead_id, replied.c.replied_at, period.until)
    rows = conn.execute(
        select(
            replied.c.lead_id,
            LEAD.c.name,
            replied.c.replied_at,
            seconds_between(touch, replied.c.replied_at),
        )
        .join(LEAD, LEAD.c.id == replied.c.lead_id)
        .order_by(desc(replied.c.replied_at), desc(replied.c.lead_id))
    )
    return tuple(
        OurAnswer(
            lead_id,
            name,
            at if isinstance(at, datetime) else utc_from_stored(at),
            None if delay is None else round(delay, 3),
        )
        for lead_id, name, at, delay in rows
    )


def _their_answers(conn: Connection, period: Period) -> tuple[StateAnswers, ...]:
    """Our touches in the period by the lead's state at each, grouped in SQL (grouped_sql)."""
    touches = cases(
        select(
            EVENT.c.lead_id,
            func.coalesce(kept_state(EVENT), "unknown").label("state"),
            seconds_between(kept_answer(EVENT, period.until), EVENT.c.at).label("delay"),
        ).where(
            EVENT.c.kind.in_(sorted(k.value for k in TOUCH_KINDS)),
            EVENT.c.at >= period.since,
            EVENT.c.at < period.until,
            is_touch_sql(EVENT),
        ),
        "touches",
    )
    grouped = conn.execute(
        select(
            touches.c.state, joined(touches.c.lead_id), joined(seconds_figure(touches.c.delay))
        ).group_by(touches.c.state)
    ).all()
    order = [s.value for s in ALL_STATES]
    rows = sorted(grouped, key=lambda row: _state_order(row[0], order))
    out = []
    for state, lead_ids, joined_delays in rows:
        touched, delays = ints(lead_ids), floats(joined_delays)
        out.append(
            StateAnswers(
                state,
                Rate(len(delays), len(touched)),
                median(delays),
                percentile(delays, 0.9),
                tuple(sorted(set(touched))),
            )
        )
    return tuple(out)


# --- the page ---------------------------------------------------------------------------


def band_of(seconds: float) -> str:
    return next(name for bound, name in BANDS if seconds < bound)


def build_view(db: Database, period: Period, zone: tzinfo) -> ReportView:
    found = compute_response(db, period)
    spread_hint = "standard deviation"
    notes = [
        f"Ours: the last {LAST_LEADS} leads that replied in the period, from each one's latest "
        "reply to our next message, call or proposal; leads still waiting are left out.",
    ]
    if found.variance is not None:
        spread_hint += f"; variance {found.variance:,.0f} s²"
        notes.append(f"Variance of our answer times: {found.variance:.0f} s².")
    figures = (
        Figure("We answer in", Span(found.median_seconds), "median"),
        Figure("p90", Span(found.p90_seconds), "9 in 10 answers come within this"),
        Figure("Spread", Span(found.spread_seconds), spread_hint),
        Figure("Waiting for us", len(found.waiting), "replied, not answered yet"),
    )
    banded: dict[str, list[int]] = {name: [] for _, name in BANDS}
    for answer in found.ours:
        if answer.delay is not None:
            banded[band_of(answer.delay)].append(answer.lead_id)
    chart = Chart(
        "How fast we answer",
        ChartKind.DISTRIBUTION,
        ("Replies",),
        tuple(Bar(name, (len(leads),), ids(leads)) for name, leads in banded.items()),
        unit="replies",
    )
    ours = Table(
        f"Our answers (last {LAST_LEADS} leads that replied)",
        ("Lead", "Replied at", "We answered after"),
        tuple(
            Row(
                (
                    a.name,
                    date_and_time(a.replied_at, zone),
                    "still waiting" if a.delay is None else Span(a.delay),
                ),
                (a.lead_id,),
            )
            for a in found.ours
        ),
        "No buyer replied in this period.",
    )
    theirs = Table(
        "Buyers' answers by state",
        ("State at our touch", "Touches", "Answered", "Median time to answer", "p90"),
        tuple(
            Row(
                (
                    _state_words(s.state),
                    s.answered.cases,
                    s.answered,
                    Span(s.median_seconds),
                    Span(s.p90_seconds),
                ),
                s.lead_ids,
            )
            for s in found.theirs
        ),
        "We sent nothing in this period.",
    )
    return ReportView(
        key="response",
        title="Response time",
        since=period.since,
        until=period.until,
        figures=figures,
        chart=chart,
        tables=(ours, theirs),
        notes=tuple(notes),
    )


def _state_order(state: str, order: list[str]) -> tuple[int, str]:
    # Known states in the board's order, anything else (an older version's) after them.
    return (order.index(state), "") if state in order else (len(order), state)


def _state_words(state: str) -> str:
    try:
        return State(state).label
    except ValueError:
        return state.capitalize()
