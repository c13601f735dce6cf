"""What the Lead menu, its keys and a card's menu do: always to the one current lead.

Destructive steps ask first, naming the lead, and stay undoable; moving to Recycle asks when
to come back (Cancel changes nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtWidgets import QMenu, QMessageBox

from followthrough.domain.states import BOARD_STATES, State
from followthrough.services.readmodels import LeadView

if TYPE_CHECKING:
    from followthrough.ui.board.recycle import RecycleDialog
    from followthrough.ui.main_window import MainWindow

NO_LEAD = "Choose a lead first: click a card, or pick an alert in Today"


class LeadCommands(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def _target(self) -> LeadView | None:
        """The current lead, or None after telling the person why nothing happens."""
        current = self.window.current
        if current.target is not None:
            return current.target
        if current.id is not None and current.absence is not None:
            self.window.say(f"{current.name} is {current.absence}: choose a lead on the board")
        else:
            self.window.say(NO_LEAD)
        return None

    # --- moves ----------------------------------------------------------------------------

    def move_lead(self, lead_id: int, name: str, state: State) -> RecycleDialog | None:
        """Move a lead; to Recycle, ask first when to come back (Cancel changes nothing)."""
        from followthrough.ui.board.recycle import RecycleDialog

        actions = self.window.actions
        if state is not State.RECYCLE:
            actions.move(lead_id, state, name=name)
            return None
        dialog = RecycleDialog(name, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def park() -> None:
            until, reason = dialog.chosen()
            actions.move(lead_id, State.RECYCLE, until=until, reason=reason, name=name)

        dialog.accepted.connect(park)
        dialog.open()
        return dialog

    def move_current(self, state: State) -> RecycleDialog | None:
        lead = self._target()
        if lead is None:
            return None
        if lead.state is state and state is not State.RECYCLE:
            self.window.say(f"{lead.name} is already in {state.label}")
            return None
        return self.move_lead(lead.id, lead.name, state)

    def shift_current(self, step: int) -> RecycleDialog | None:
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
        undo_keys = self.window.undo_keys()
        box = self._ask(
            f"Delete {name}?",
            f"{name} leaves Followthrough with the whole timeline and any alerts. "
            f"{undo_keys} brings the lead back.",
            "&Delete",
        )
        box.accepted.connect(lambda: self.window.actions.delete(lead_id, name=name))
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
                self.window.actions.forget_leads(ids)
                count = len(ids)
                self.window.say(f"Removed {count} sample lead{'' if count == 1 else 's'}")

            self.window.ops.run(sample.remove_sample_leads, removed, writes=True)

        box.accepted.connect(remove)
        box.open()
        return box

    def _ask(self, title: str, text: str, verb: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, title, title, parent=self.window)
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
            self.window.open_draft(lead.id)

    def card_menu(self, lead: LeadView, where: QPoint) -> QMenu:
        """Right-click (or the Menu key) on a card: the card is chosen, then its menu opens."""
        window = self.window
        menu = QMenu(window)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for state, action in window.move_actions.items():
            if state is not lead.state:
                menu.addAction(action)
        menu.addSeparator()
        menu.addAction(window.won_action)
        menu.addAction(window.lost_action)
        menu.addSeparator()
        menu.addAction(window.draft_action)
        menu.addAction(window.delete_action)
        menu.popup(where)
        return menu
