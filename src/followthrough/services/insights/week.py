"""Momentum review — what moved this week, and why.

The method's weekly question, answered from the timeline: which leads changed state and
what happened just before, whether the next steps agreed for the week were kept, where
stall points were raised, which parked leads came back and whether the buyer answered, how
long leads sat in a state before leaving it, and what was won and lost and why.

Definitions (each face shows these numbers; tests pin them):
- a *move* is a `state_change` event in the period other than a lead's arrival (payload
  `from` null); what *preceded* it is the lead's latest other event at or before it;
- a next step *falls due* when the lead's `next_step_due` is in the period; it is *kept*
  when a touch, a call, a meeting held or a reply is logged from one day before it fell due
  until the end of the period (week_reads.read_next_steps says why); otherwise *overdue*;
- a move *up* is Recycle → Warm/Hot or Warm → Hot; *parked or lost* a move to Recycle or
  Lost (Hot → Warm cools a lead without parking it: counted as moved, not on the strip);
- a *reactivation* is Recycle → Hot/Warm; the buyer *re-engaged* when an inbound engagement
  (domain/signals.is_engagement) follows it before the period ends;
- the *time in a state* is the move's time minus the lead's previous state change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from followthrough.domain.dates import day_and_clock
from followthrough.domain.figures import Rate, median
from followthrough.domain.period import Period
from followthrough.domain.reasons import ReasonCategory
from followthrough.domain.reportview import (
    Cell,
    Figure,
    ReportView,
    Row,
    Span,
    Table,
    ids,
)
from followthrough.domain.states import ALL_STATES, State
from followthrough.services.insights.week_reads import (
    Move,
    NextStep,
    StallRaised,
    read_moves,
    read_next_steps,
    read_stalls,
)
from followthrough.services.insights.week_strip import movement_strip
from followthrough.store.db import Database

KEY = "week"
TITLE = "What moved this week"
NOTHING_LOGGED = "nothing logged"
NOT_RECORDED = "Not recorded"

_CLOSED = (State.WON.value, State.LOST.value)
_STATE_LABELS = {s.value: s.label for s in State}
_CATEGORY_LABELS = {c.value: c.label for c in ReasonCategory}


@dataclass(frozen=True)
class WeekFacts:
    """What the week's reads found, before it is laid out for a face."""

    period: Period
    moves: tuple[Move, ...]
    next_steps: tuple[NextStep, ...]
    stalls: tuple[StallRaised, ...]

    @property
    def reactivations(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.reactivated)

    @property
    def closed(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.target in _CLOSED)

    @property
    def kept(self) -> tuple[NextStep, ...]:
        return tuple(s for s in self.next_steps if s.kept_at is not None)

    @property
    def overdue(self) -> tuple[NextStep, ...]:
        # Due inside the period means due before its end: not kept is still open, overdue.
        return tuple(s for s in self.next_steps if s.kept_at is None)

    def count_to(self, state: State) -> int:
        return sum(1 for m in self.moves if m.target == state.value)


def read_week(db: Database, period: Period) -> WeekFacts:
    """One read transaction: the moves, next steps and stall alerts of the period."""
    with db.read() as session:
        conn = session.connection()
        return WeekFacts(
            period,
            tuple(read_moves(conn, period)),
            tuple(read_next_steps(conn, period)),
            tuple(read_stalls(conn, period)),
        )


def build_view(db: Database, period: Period, zone: tzinfo) -> ReportView:
    return week_view(read_week(db, period), zone)


def week_view(facts: WeekFacts, zone: tzinfo) -> ReportView:
    period = facts.period
    kept = Rate(len(facts.kept), len(facts.next_steps))
    figures = (
        Figure("Moved", len(facts.moves), "changes of state; new leads not counted"),
        Figure("Won", facts.count_to(State.WON)),
        Figure("Lost", facts.count_to(State.LOST)),
        Figure("Next steps kept", kept, "of the next steps that fell due"),
        Figure("Overdue", len(facts.overdue), "fell due, nothing logged since the day before"),
    )
    reactivated = facts.reactivations
    engaged = Rate(sum(1 for m in reactivated if m.engaged_at), len(reactivated))
    notes = (
        f"Stall points raised: {len(facts.stalls)}.",
        f"Leads back from Recycle whose buyer engaged again: {engaged.words()}.",
    )
    return ReportView(
        key=KEY,
        title=TITLE,
        since=period.since,
        until=period.until,
        figures=figures,
        chart=movement_strip(facts.moves, period, zone),
        tables=(
            _moves_table(facts.moves, zone),
            _next_steps_table(facts.next_steps, zone),
            _stalls_table(facts.stalls, zone),
            _reactivated_table(reactivated, zone),
            _time_in_state_table(facts.moves),
            _closed_table(facts.closed, zone),
        ),
        notes=notes,
    )


def kind_label(kind: str) -> str:
    """'Replied', 'Meeting held', 'Draft copied': an event kind as a person says it."""
    return kind.replace("_", " ").capitalize()


def _state_label(value: str) -> str:
    return _STATE_LABELS.get(value, value)


def _moves_table(moves: Sequence[Move], zone: tzinfo) -> Table:
    rows = []
    for move in moves:
        cause: Cell = NOTHING_LOGGED
        before: Cell = None
        if move.cause_kind is not None and move.cause_at is not None:
            cause = kind_label(move.cause_kind)
            before = Span((move.at - move.cause_at).total_seconds())
        cells: tuple[Cell, ...] = (
            move.name,
            _state_label(move.source),
            _state_label(move.target),
            day_and_clock(move.at, zone),
            cause,
            before,
        )
        rows.append(Row(cells, (move.lead_id,)))
    columns = ("Lead", "From", "To", "When", "What preceded it", "How long before")
    return Table("Moves", columns, tuple(rows), "No lead changed state in this period.")


def _next_steps_table(steps: Sequence[NextStep], zone: tzinfo) -> Table:
    rows = tuple(
        Row(
            (
                step.name,
                step.step,
                day_and_clock(step.due, zone),
                "Kept" if step.kept_at else "Overdue",
                day_and_clock(step.kept_at, zone) if step.kept_at else None,
            ),
            (step.lead_id,),
        )
        for step in steps
    )
    columns = ("Lead", "Next step", "Due", "Status", "Kept on")
    return Table("Next steps", columns, rows, "No next step fell due in this period.")


def _stalls_table(stalls: Sequence[StallRaised], zone: tzinfo) -> Table:
    rows = tuple(
        Row((s.name, day_and_clock(s.raised_at, zone), s.status.capitalize()), (s.lead_id,))
        for s in stalls
    )
    columns = ("Lead", "Raised", "Status")
    return Table("Stall points raised", columns, rows, "No stall point was raised.")


def _reactivated_table(moves: Sequence[Move], zone: tzinfo) -> Table:
    rows = tuple(
        Row(
            (
                m.name,
                day_and_clock(m.at, zone),
                _state_label(m.target),
                m.engaged_at is not None,
                Span((m.engaged_at - m.at).total_seconds()) if m.engaged_at else None,
            ),
            (m.lead_id,),
        )
        for m in moves
    )
    columns = ("Lead", "Moved", "To", "Buyer engaged", "After")
    return Table("Reactivated", columns, rows, "No lead came back from Recycle.")


def _time_in_state_table(moves: Sequence[Move]) -> Table:
    spent: dict[str, list[float]] = defaultdict(list)
    leads: dict[str, list[int]] = defaultdict(list)
    for move in moves:
        if move.entered_at is None:
            continue  # no earlier state change on record (an old import): nothing to measure
        spent[move.source].append((move.at - move.entered_at).total_seconds())
        leads[move.source].append(move.lead_id)
    rows = tuple(
        Row(
            (state.label, len(spent[state.value]), Span(median(spent[state.value]))),
            ids(leads[state.value]),
        )
        for state in ALL_STATES
        if spent.get(state.value)
    )
    columns = ("State left", "Moves", "Median time there")
    return Table("Time in each state", columns, rows, "No lead changed state in this period.")


def reason_label(category: str | None) -> str:
    return _CATEGORY_LABELS.get(category or "", NOT_RECORDED)


def _closed_table(moves: Sequence[Move], zone: tzinfo) -> Table:
    rows = tuple(
        Row(
            (
                m.name,
                _state_label(m.target),
                day_and_clock(m.at, zone),
                reason_label(m.category),
                m.text,
            ),
            (m.lead_id,),
        )
        for m in moves
    )
    columns = ("Lead", "Outcome", "When", "Reason", "Note")
    return Table("Won and lost", columns, rows, "Nothing won or lost in this period.")
