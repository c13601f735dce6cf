"""The week's movement strip: one bar per local day, moves up beside moves out of the running.

A move *up* is Recycle → Warm/Hot or Warm → Hot; *parked or lost* a move to Recycle or Lost;
*won* a move to Won. Hot → Warm cools a lead without parking it: it counts among the week's
moves, not on the strip. Days are the reader's calendar days (a move at 23:30 UTC is the
next day in Paris, the same day in New York).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta, tzinfo

from followthrough.domain.dates import weekday_name
from followthrough.domain.period import Period
from followthrough.domain.reportview import Bar, Chart, ChartKind, ids
from followthrough.domain.states import State
from followthrough.services.insights.week_reads import Move

SERIES = ("Moved up", "Parked or lost", "Won")
_UP = frozenset(
    {
        (State.RECYCLE.value, State.WARM.value),
        (State.RECYCLE.value, State.HOT.value),
        (State.WARM.value, State.HOT.value),
    }
)
_PARKED_OR_LOST = frozenset({State.RECYCLE.value, State.LOST.value})


def local_days(period: Period, zone: tzinfo) -> list[date]:
    """Every calendar day in `zone` that the period touches, first to last."""
    first = period.since.astimezone(zone).date()
    last = (period.until - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _series_of(move: Move) -> int | None:
    if (move.source, move.target) in _UP:
        return 0
    if move.target in _PARKED_OR_LOST:
        return 1
    if move.target == State.WON.value:
        return 2
    return None


def movement_strip(moves: Sequence[Move], period: Period, zone: tzinfo) -> Chart:
    days = local_days(period, zone)
    counts = {day: [0.0] * len(SERIES) for day in days}
    leads: dict[date, list[int]] = defaultdict(list)
    for move in moves:
        series = _series_of(move)
        day = move.at.astimezone(zone).date()
        if series is None or day not in counts:
            continue
        counts[day][series] += 1
        leads[day].append(move.lead_id)
    bars = tuple(
        Bar(f"{weekday_name(day)} {day.day}", tuple(counts[day]), ids(leads[day])) for day in days
    )
    return Chart("Movement by day", ChartKind.STRIP, SERIES, bars)
