""" "Did the meeting with Bob Stone happen?" on the desktop, with Held and Missed.

When a calendar pass asks about meetings that have ended (ui/calendarwatcher.py), each one
pops up once, through the same notification bridge as the alerts. A button answers it the
way Today's buttons do (LeadActions.answer_meeting: on the undo stack, told in the status
bar), and Today, which lists every open question whatever became of its notification, reads
again. A click on the notification itself opens the lead (the alert notifier does that for
any announcement with a lead and no alert).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot

from followthrough.domain.announce import Announcement
from followthrough.domain.preferences import Preferences
from followthrough.services.clock import utcnow
from followthrough.services.preferences import get_preferences
from followthrough.ui.notify.bridge import NotificationBridge
from followthrough.ui.ops import Operations
from followthrough.ui.timefmt import moment_words

if TYPE_CHECKING:
    from followthrough.services.calendar.meetings import MeetingQuestion
    from followthrough.ui.actions import LeadActions

HELD, MISSED = "held", "missed"
BUTTONS = ((HELD, "Held"), (MISSED, "Missed"))


@dataclass(frozen=True)
class MeetingAnnouncement(Announcement):
    """A question about one meeting: no alert of its own, so its buttons are answered here."""

    meeting_id: int = 0
    lead_name: str = ""


def question_announcement(question: MeetingQuestion) -> MeetingAnnouncement:
    what = question.title or "Meeting"
    return MeetingAnnouncement(
        f"Did the meeting with {question.lead_name} happen?",
        f"{what} · {moment_words(question.start, utcnow())}",
        lead_id=question.lead_id,
        meeting_id=question.meeting_id,
        lead_name=question.lead_name,
    )


class MeetingNotifications(QObject):
    answered = Signal(int)  # the meeting answered from its notification (once logged)

    def __init__(
        self,
        ops: Operations,
        actions: LeadActions,
        bridge: NotificationBridge,
        parent: QObject | None = None,
    ) -> None:
        """`bridge`: the alert notifier's, so both speak to the desktop through one
        connection; `actions`: the window's undoable changes, where an answer goes."""
        super().__init__(parent)
        self.ops = ops
        self.lead_actions = actions
        self.bridge = bridge
        # The bridge emits from its own thread: queued, so answers run on the GUI thread.
        bridge.activated.connect(self._activated, Qt.ConnectionType.QueuedConnection)

    @Slot(list)
    def ask(self, questions: Sequence[MeetingQuestion]) -> None:
        """Pop up each question, unless the person turned pop-ups off or is in quiet mode.

        Unlike alerts, questions are not held back until working hours: a meeting has just
        ended, so the person is about, and unanswered the question waits in Today anyway."""
        asked = tuple(questions)
        if asked:
            self.ops.run(get_preferences, lambda prefs: self._send(asked, prefs))

    def _send(self, questions: tuple[MeetingQuestion, ...], prefs: Preferences) -> None:
        if not prefs.notifications or prefs.quiet:
            return
        for question in questions:
            self.bridge.send(question_announcement(question), BUTTONS)

    @Slot(object, str)
    def _activated(self, announcement: Announcement, key: str) -> None:
        if not isinstance(announcement, MeetingAnnouncement) or key not in (HELD, MISSED):
            return  # an alert's buttons, or a click: the alert notifier's to answer
        if announcement.lead_id is None:
            return
        meeting_id = announcement.meeting_id
        self.lead_actions.answer_meeting(
            announcement.lead_id,
            meeting_id,
            key == HELD,
            announcement.lead_name,
            lambda _lead_id: self.answered.emit(meeting_id),
        )
