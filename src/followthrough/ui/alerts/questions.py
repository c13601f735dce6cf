"""Today's questions only the person can answer: "Did the meeting with Bob Stone happen?",
one line per meeting from the calendar that has ended, with Held and Missed.

Unanswered, a question stays (the app never guesses); an answer logs meeting_held or
meeting_missed for the lead (services/calendar/meetings.py), and the rules react to it as to
one typed. The strip reads its questions itself whenever Today is shown the window's read
(after every change), and hides when there are none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from followthrough.ui.ops import Operations
from followthrough.ui.timefmt import moment_words

if TYPE_CHECKING:
    from followthrough.services.calendar.meetings import MeetingQuestion
    from followthrough.services.database import Database
    from followthrough.ui.actions import LeadActions

READ = "meeting-questions"


class MeetingQuestions(QFrame):
    listed = Signal(int)  # how many questions are shown after a read
    answered = Signal(int)  # the meeting just answered

    def __init__(
        self, ops: Operations, actions: LeadActions, parent: QWidget | None = None
    ) -> None:
        """`actions`: the window's undoable changes, where an answer goes (Edit › Undo)."""
        super().__init__(parent)
        self.ops = ops
        self.lead_actions = actions
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Meetings to answer")
        self.buttons: dict[tuple[int, bool], QPushButton] = {}  # (meeting, held) → button
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(8, 6, 8, 6)
        self.hide()

    def refresh(self) -> None:
        def read(db: Database) -> list[MeetingQuestion]:
            from followthrough.services.calendar.meetings import open_questions  # on first use

            return open_questions(db)

        self.ops.run(read, self._show, owner=self, latest=READ)

    def _show(self, questions: list[MeetingQuestion]) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons.clear()
        for question in questions:
            self._rows.addWidget(self._row(question))
        self.setVisible(bool(questions))
        self.listed.emit(len(questions))

    def _row(self, question: MeetingQuestion) -> QWidget:
        from followthrough.services.clock import utcnow

        row = QWidget(self)
        layout = QVBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        words = QLabel(f"Did the meeting with {question.lead_name} happen?", row)
        words.setWordWrap(True)
        words.setTextFormat(Qt.TextFormat.PlainText)  # a name is the person's own text
        what = question.title or "Meeting"
        detail = QLabel(f"{what} · {moment_words(question.start, utcnow())}", row)
        detail.setTextFormat(Qt.TextFormat.PlainText)
        detail.setWordWrap(True)
        choices = QHBoxLayout()
        for held, text, tip in (
            (True, "Held", "It happened: logged as a meeting held"),
            (False, "Missed", "It did not happen: logged as missed, and the rules react"),
        ):
            button = QPushButton(text, row)
            button.setToolTip(tip)
            button.clicked.connect(lambda _checked=False, q=question, h=held: self.answer(q, h))
            self.buttons[(question.meeting_id, held)] = button
            choices.addWidget(button)
        layout.addWidget(words)
        layout.addWidget(detail)
        layout.addLayout(choices)
        return row

    def answer(self, question: MeetingQuestion, held: bool) -> None:
        meeting_id = question.meeting_id
        for (meeting, _), button in self.buttons.items():
            if meeting == meeting_id:
                button.setEnabled(False)  # one answer: a second click must not log twice
        done = lambda _lead_id: self.answered.emit(meeting_id)  # noqa: E731
        self.lead_actions.answer_meeting(
            question.lead_id, meeting_id, held, question.lead_name, done
        )
