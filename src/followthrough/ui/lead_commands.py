"""What the Lead menu, its keys and a card's menu do: always to the one current lead.

Destructive steps ask first, naming the lead, and stay undoable; moving to Recycle asks when
to come back, and to Recycle or Lost why (Cancel changes nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from followthrough.domain.states import BOARD_STATES, State
from followthrough.services.readmodels import LeadView
from followthrough.ui.changes import LEADS

if TYPE_CHECKING:
    from followthrough.ui.actions import LeadActions
    from followthrough.ui.current import CurrentLead
    from followthrough.ui.ops import Operations


class CommandHost(Protocol):
    """What the commands act through: the main window is one."""

    @property
    def current(self) -> CurrentLead: ...
    @property
    def lead_actions(self) -> LeadActions: ...
    @property
    def ops(self) -> Operations: ...
    def say(self, text: str, ms: int = ...) -> None: ...
    def undo_keys(self) -> str: ...
    def open_draft(self, lead_id: int, alert_id: int | None = None) -> object: ...


NO_LEAD = "Choose a lead first: click a card, or pick an alert in Today"


class LeadCommands(QObject):
    def __init__(self, host: CommandHost, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = host
        self.parent_widget = parent  # what the questions are asked over

    def _target(self) -> LeadView | None:
        """The current lead, or None after telling the person why nothing happens."""
        current = self.host.current
        if current.target is not None:
            return current.target
        if current.id is not None and current.absence is not None:
            self.host.say(f"{current.name} is {current.absence}: choose a lead on the board")
        else:
            self.host.say(NO_LEAD)
        return None

    # --- moves ----------------------------------------------------------------------------

    def move_lead(self, lead_id: int, name: str, state: State) -> QDialog | None:
        """Move a lead; to Recycle or Lost, ask first (when to come back, why): Cancel
        changes nothing. The usual reason category is read meanwhile and shown checked."""
        from followthrough.ui.board.recycle import RecycleDialog
        from followthrough.ui.lead.lost_dialog import LostDialog
        from followthrough.ui.lead.reason import read_default

        actions = self.host.lead_actions
        dialog: RecycleDialog | LostDialog
        if state is State.RECYCLE:
            dialog = recycle = RecycleDialog(name, self.parent_widget)

            def park() -> None:
                until, reason = recycle.chosen()
                actions.move(lead_id, State.RECYCLE, until=until, reason=reason,
                             category=recycle.category(), name=name)  # fmt: skip

            dialog.accepted.connect(park)
        elif state is State.LOST:
            dialog = lost = LostDialog(name, self.parent_widget)

            def close() -> None:
                category, reason = lost.chosen()
                actions.move(lead_id, State.LOST, reason=reason, category=category, name=name)

            dialog.accepted.connect(close)
        else:
            actions.move(lead_id, state, name=name)
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.host.ops.run(
            lambda db: read_default(db, lead_id, state),
            dialog.show_default,
            on_error=lambda _message: None,  # the lead is gone: the move will say so itself
            owner=dialog,
        )
        dialog.open()
        return dialog

    def move_current(self, state: State) -> QDialog | None:
        lead = self._target()
        if lead is None:
            return None
        if lead.state is state and state is not State.RECYCLE:
            self.host.say(f"{lead.name} is already in {state.label}")
            return None
        return self.move_lead(lead.id, lead.name, state)

    def shift_current(self, step: int) -> QDialog | None:
        lead = self._target()
        if lead is None or lead.state not in BOARD_STATES:
            return None
        position = BOARD_STATES.index(lead.state) + step
        if not 0 <= position < len(BOARD_STATES):
            return None
        return self.move_lead(lead.id, lead.name, BOARD_STATES[position])

    # --- asking first ---------------------------------------------------------------------

    def delete_current(self) -> QMessageBox | None:
        """Ask, naming the lead; the delete itself stays undoable."""
        lead = self._target()
        if lead is None:
            return None
        lead_id, name = lead.id, lead.name
        undo_keys = self.host.undo_keys()
        box = self._ask(
            f"Delete {name}?",
            f"{name} leaves Followthrough with the whole timeline and any alerts. "
            f"{undo_keys} brings the lead back.",
            "&Delete",
        )
        box.accepted.connect(lambda: self.host.lead_actions.delete(lead_id, name=name))
        box.open()
        return box

    def clear_sample(self) -> QMessageBox:
        """Ask, then remove the sample leads; the history of the person's own changes stays."""
        from followthrough.services import sample

        box = self._ask(
            "Remove the sample leads?",
            "The made-up leads of the sample pipeline go, with their timelines. Your own "
            "leads stay, and so does what Undo can undo.",
            "&Remove",
        )

        def remove() -> None:
            def removed(ids: tuple[int, ...]) -> None:
                self.host.lead_actions.forget_leads(ids)
                count = len(ids)
                self.host.say(f"Removed {count} sample lead{'' if count == 1 else 's'}")

            self.host.ops.run(sample.remove_sample_leads, removed, writes=LEADS)

        box.accepted.connect(remove)
        box.open()
        return box

    def _ask(self, title: str, text: str, verb: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, title, title, parent=self.parent_widget)
        box.setInformativeText(text)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        go = box.addButton(verb, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # Enter on a surprise dialog must not destroy anything
        box.setEscapeButton(cancel)
        go.setAccessibleName(verb.replace("&", ""))
        return box

    # --- the rest -------------------------------------------------------------------------

    def draft_current(self) -> None:
        lead = self._target()
        if lead is not None:
            self.host.open_draft(lead.id)
