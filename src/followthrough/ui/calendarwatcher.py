"""Reads the person's calendar every quarter of an hour, at start and on demand, each pass on a
thread of its own (watcher.py says how passes are timed, retried and told).

A pass applies what the calendar says to the pipeline and asks about meetings that have
ended (services/calendar/watch.py). The questions it asked are handed on (`asked`), so each
one can pop up on the desktop with Held and Missed (notify/meeting_questions.py); Today
lists them whatever happens to the notification.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from followthrough.domain.meetings import StepKind
from followthrough.errors import FollowthroughError
from followthrough.services.calendar.meetings import MeetingQuestion, open_questions
from followthrough.services.calendar.watch import CalendarPass, calendar_state, check_calendar
from followthrough.services.clock import local_zone, utcnow
from followthrough.services.turns import DatabaseTurn
from followthrough.ui.ops import UNEXPECTED, Operations
from followthrough.ui.timefmt import due_words
from followthrough.ui.watcher import MINUTE_MS, PassOutcome, PassWatcher, Wording

INTERVAL_MINUTES = 15
WORDING = Wording("Calendar is not being read")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CalendarReport:
    """One pass that worked: what it did, when, and the questions it newly asked."""

    calendar: CalendarPass
    checked_at: datetime
    asked: tuple[MeetingQuestion, ...]


def _one_pass(on_database: DatabaseTurn) -> PassOutcome:
    if on_database(calendar_state) is None:
        return PassOutcome(None)  # no calendar is set up: nothing was read
    now = utcnow()
    # The questions open before the pass, to tell the ones it asks from those already asked.
    before = {question.meeting_id for question in on_database(open_questions)}
    found: CalendarPass | None = None
    try:
        found = check_calendar(on_database, local_zone(), now)
    except FollowthroughError:
        raise  # one sentence of the app's own, which never quotes the private address
    except Exception as exc:
        # A library's message may quote the address it was given (a secret: whoever has it
        # reads the calendar), so only where it failed is written, not what it said.
        log.error("a calendar pass failed: %s", _without_message(exc))
    if found is None:  # raised out here, so the error does not carry the one above along
        raise FollowthroughError(UNEXPECTED)
    # A meeting first seen after it ended is asked about by the read itself (step ASK);
    # one kept from before, by the pass once its end has come (`asked`).
    questions = sum(1 for step in found.logged if step.step is StepKind.ASK) + found.asked
    asked: tuple[MeetingQuestion, ...] = ()
    if questions:
        asked = tuple(q for q in on_database(open_questions) if q.meeting_id not in before)
    report = CalendarReport(found, now, asked)
    logged = len(found.logged) - (questions - found.asked)  # the entries on a timeline
    return PassOutcome(report, INTERVAL_MINUTES, logged, changed=bool(found.logged or questions))


def _without_message(exc: BaseException) -> str:
    frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
    return f"{type(exc).__name__} (its message is not logged)\n{frames}"


def found_words(report: CalendarReport) -> str:
    """What a pass found: 'Read today 14:02: 12 meetings with leads; logged 2 …'."""
    found = report.calendar
    parts = []
    if found.occurrences is None:
        parts.append("unchanged since the last read")
    else:
        parts.append(_count(found.occurrences, "meeting with a lead", "meetings with leads"))
    logged = sum(1 for step in found.logged if step.step is not StepKind.ASK)
    if logged:
        parts.append("logged " + _count(logged, "meeting change", "meeting changes"))
    if report.asked:
        parts.append("asked about " + _count(len(report.asked), "meeting", "meetings"))
    return f"Read {due_words(report.checked_at, utcnow())}: " + "; ".join(parts) + "."


def _count(n: int, one: str, many: str) -> str:
    return f"1 {one}" if n == 1 else f"{n:,} {many}"


class CalendarWatcher(PassWatcher):
    """`checked` carries a CalendarReport."""

    asked = Signal(list)  # the MeetingQuestions a pass newly asked, when it asked some

    def __init__(
        self, ops: Operations, parent: QObject | None = None, *, minute_ms: int = MINUTE_MS
    ) -> None:
        super().__init__(ops, _one_pass, "calendar", WORDING, parent, minute_ms=minute_ms)
        self.last_report: CalendarReport | None = None

    def _found(self, report: object) -> None:
        assert isinstance(report, CalendarReport)
        self.last_report = report
        if report.asked:
            self.asked.emit(list(report.asked))
