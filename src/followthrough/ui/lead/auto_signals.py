"""The lead panel's switch "Log signals for this lead automatically": off, the mailbox, the
calendar and the mail rules leave the lead alone (a shared address, a colleague who is also
a contact); only what the person logs reaches its timeline.

The flag is read for each lead shown (its read is the switch's own, not the window's); a
click changes it through LeadActions, so Edit › Undo puts it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QWidget

from followthrough.ui.actions import LeadActions
from followthrough.ui.ops import Operations

if TYPE_CHECKING:
    from followthrough.services.database import Database

READ = "auto-signals"
TEXT = "Log signals for this lead a&utomatically"
TIP = (
    "Replies from your mailbox, meetings from your calendar and notification mail are logged "
    "for this lead without you typing them. Off: only what you log yourself."
)


class AutoSignalsSwitch(QCheckBox):
    def __init__(
        self, ops: Operations, actions: LeadActions, parent: QWidget | None = None
    ) -> None:
        super().__init__(TEXT, parent)
        self.ops, self.lead_actions = ops, actions
        self.lead_id: int | None = None
        self.name = ""
        self.setToolTip(TIP)
        self.setAccessibleName("Log signals for this lead automatically")
        self.setEnabled(False)  # until the lead's flag is read
        self.clicked.connect(self._clicked)  # the person's click only, not setChecked()

    def show_lead(self, lead_id: int | None, name: str = "") -> None:
        self.lead_id, self.name = lead_id, name
        if lead_id is None:
            self.ops.drop_pending(self, READ)
            self.setEnabled(False)
            return

        def read(db: Database) -> bool:
            from followthrough.services.auto_signals import takes_auto_signals  # on first use

            return takes_auto_signals(db, lead_id)

        self.ops.run(read, self._show, on_error=lambda _message: self.setEnabled(False),
                     owner=self, latest=READ)  # fmt: skip

    def _show(self, on: bool) -> None:
        self.setChecked(on)
        self.setEnabled(True)

    def _clicked(self, on: bool) -> None:
        if self.lead_id is None:
            return
        self.setEnabled(False)  # until the change is read back
        self.lead_actions.set_auto_signals(
            self.lead_id, on, self.name, on_done=self._read_again, on_error=self._refused
        )

    def _read_again(self, _lead_id: int | None = None) -> None:
        self.show_lead(self.lead_id, self.name)

    def _refused(self, message: str) -> None:
        self.ops.failed.emit(message)  # said in the window's status bar, like other changes
        self._read_again()  # and the switch shows the lead as it still is
