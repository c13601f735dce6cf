"""The changes a user makes to leads from the window, each one undoable.

Every view (board, lead panel, menus, the draft dialog) changes leads through these methods,
never through the services directly, so that each change lands on the one undo stack of the
window and is told in the status bar, in the past tense, with the way back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.reasons import ReasonCategory
from followthrough.domain.signals import Channel, Direction, SignalKind
from followthrough.domain.states import State
from followthrough.ui.ops import Operations
from followthrough.ui.undo import LeadChange, Wording

if TYPE_CHECKING:
    from followthrough.services.database import Database

OnError = Callable[[str], None]


@dataclass(frozen=True)
class SentMessage:
    """A follow-up the person sent from the draft dialog, as the services log it."""

    subject: str
    body: str
    template: str | None
    alert_id: int | None
    next_step: str | None
    next_step_due: datetime | None
    channel: str = "email"


class LeadActions(QObject):
    # What happened, in the past tense ("Moved Ana Silva to Warm"), and the way back:
    # "undo" (the change is on the stack), "redo" (it was just undone) or "" (none).
    done = Signal(str, str)

    def __init__(self, ops: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.stack = QUndoStack(self)

    def add(
        self,
        new: NewLead,
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        from followthrough.services import leads  # on first use: the window shows before it loads

        wording = Wording(f"Add {new.name}", f"Added {new.name}")
        self._push(None, wording, lambda db: leads.add_lead(db, new).id, on_done, on_error)

    def edit(
        self,
        lead_id: int,
        edit: LeadEdit,
        wording: Wording | None = None,
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        from followthrough.services import leads  # on first use: the window shows before it loads

        wording = wording or Wording("Edit lead", "Saved the change")
        work = lambda db: leads.edit_lead(db, lead_id, edit).id  # noqa: E731
        self._push(lead_id, wording, work, on_done, on_error)

    def move(
        self,
        lead_id: int,
        state: State,
        *,
        until: datetime | None = None,
        reason: str | None = None,
        category: ReasonCategory | None = None,
        name: str = "the lead",
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        """Move a lead; to Lost or Recycle with its reason category (None: the usual one)."""
        from followthrough.services import leads  # on first use: the window shows before it loads

        if state in (State.WON, State.LOST):
            wording = Wording(f"Mark {name} as {state.label}", f"Marked {name} as {state.label}")
        else:
            wording = Wording(f"Move {name} to {state.label}", f"Moved {name} to {state.label}")
        self._push(
            lead_id,
            wording,
            lambda db: (
                leads.move_lead(
                    db, lead_id, state, until=until, reason=reason, category=category
                ).id
            ),
            on_done,
            on_error,
        )

    def log(
        self,
        lead_id: int,
        kind: SignalKind,
        *,
        note: str | None = None,
        at: datetime | None = None,
        direction: Direction | None = None,
        channel: Channel | None = None,
        name: str = "the lead",
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        from followthrough.services import leads  # on first use: the window shows before it loads

        what = kind.label.lower()
        wording = Wording(f"Log {what} for {name}", f"Logged {what} for {name}")
        self._push(
            lead_id,
            wording,
            lambda db: (
                leads.log_event(
                    db, lead_id, kind, at=at, direction=direction, channel=channel, note=note
                ).lead_id
            ),
            on_done,
            on_error,
        )

    def log_sent(
        self,
        lead_id: int,
        message: SentMessage,
        *,
        name: str = "the lead",
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        """The draft went out: logged, its alert closed, the next step set — one undo."""

        from followthrough.services.drafting import mark_sent  # the template engine, on demand

        def work(db: Database) -> int:
            mark_sent(db, lead_id, subject=message.subject, body=message.body,
                      template=message.template, alert_id=message.alert_id,
                      next_step=message.next_step, next_step_due=message.next_step_due,
                      channel=message.channel)  # fmt: skip
            return lead_id

        wording = Wording(f"Log the message to {name} as sent", f"Logged the message to {name}")
        self._push(lead_id, wording, work, on_done, on_error)

    def delete(
        self,
        lead_id: int,
        name: str = "the lead",
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        from followthrough.services import leads  # on first use: the window shows before it loads

        wording = Wording(f"Delete {name}", f"Deleted {name}")
        work = lambda db: leads.delete_lead(db, lead_id).id  # noqa: E731
        self._push(lead_id, wording, work, on_done, on_error)

    def not_this_lead(
        self,
        lead_id: int,
        event_id: int,
        name: str,
        what: str,
        on_error: OnError | None = None,
    ) -> None:
        """Take back a signal the app matched to this lead; it will not match so again."""
        from followthrough.services.matching import not_this_lead  # on first use, as above

        wording = Wording(
            f"Take back “{what}” from {name}",
            f"Took back “{what}” from {name}: it will not be matched to this lead again",
        )
        work = lambda db: not_this_lead(db, event_id).lead_id  # noqa: E731
        self._push(lead_id, wording, work, None, on_error)

    def answer_meeting(
        self,
        lead_id: int,
        meeting_id: int,
        held: bool,
        name: str,
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        """Say whether a meeting from the calendar happened (held or missed)."""
        from followthrough.services.calendar.meetings import answer_meeting  # on first use

        said = "held" if held else "missed"
        wording = Wording(
            f"Log the meeting with {name} as {said}", f"Logged the meeting with {name} as {said}"
        )
        work = lambda db: answer_meeting(db, meeting_id, held).lead_id  # noqa: E731
        self._push(lead_id, wording, work, on_done, on_error)

    def set_auto_signals(
        self,
        lead_id: int,
        on: bool,
        name: str,
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        """Let the mailbox, the calendar and the mail rules log signals for this lead, or not."""
        from followthrough.services.matching import set_auto_signals  # on first use, as above

        if on:
            wording = Wording(f"Log signals for {name} automatically",
                              f"Signals for {name} are logged automatically again")  # fmt: skip
        else:
            wording = Wording(f"Stop logging signals for {name} automatically",
                              f"Signals for {name} are no longer logged automatically")  # fmt: skip
        work = lambda db: set_auto_signals(db, lead_id, on)  # noqa: E731
        self._push(lead_id, wording, work, on_done, on_error)

    # --- the history ------------------------------------------------------------------------

    def forget_leads(self, lead_ids: Iterable[int]) -> None:
        """These leads are gone for good (the sample removed): their history can do nothing.

        Only their own entries are dropped; the undo history of everything else stays.
        """
        gone = set(lead_ids)
        for index in range(self.stack.count()):
            command = self.stack.command(index)
            if isinstance(command, LeadChange) and command.lead_id in gone:
                command.setObsolete(True)
        self._skip_obsolete()

    def undo(self) -> None:
        self._skip_obsolete()
        self.stack.undo()
        self._skip_obsolete()

    def redo(self) -> None:
        self._skip_obsolete(ahead=True)
        self.stack.redo()
        self._skip_obsolete(ahead=True)

    def _skip_obsolete(self, ahead: bool = False) -> None:
        # QUndoStack drops an obsolete command when undo or redo reaches it, doing nothing
        # else: stepping over them here keeps one key press one visible change.
        stack = self.stack
        while True:
            index = stack.index() if ahead else stack.index() - 1
            if not 0 <= index < stack.count():
                return
            command = stack.command(index)
            if command is None or not command.isObsolete():
                return
            if ahead:
                stack.redo()
            else:
                stack.undo()

    def next_undo(self) -> str:
        """What Undo would undo (obsolete entries are stepped over), "" when nothing."""
        return self._next_text(range(self.stack.index() - 1, -1, -1))

    def next_redo(self) -> str:
        return self._next_text(range(self.stack.index(), self.stack.count()))

    def _next_text(self, indexes: range) -> str:
        for index in indexes:
            command = self.stack.command(index)
            if command is not None and not command.isObsolete():
                return command.text()
        return ""

    def _push(
        self,
        lead_id: int | None,
        wording: Wording,
        work: Callable[[Database], int],
        on_done: Callable[[int], None] | None,
        on_error: OnError | None,
    ) -> None:
        LeadChange.start(self, lead_id, wording, work, on_done, on_error)
