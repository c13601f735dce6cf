"""Settings: the follow-up numbers, notifications, drafts' signature, and where the data lives.

Values are checked by the same domain rules as the command line before anything is written, so
a refused value is shown next to its own field and the rest of what was typed stays as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.policy import Policy
from followthrough.domain.preferences import Preferences
from followthrough.errors import InvalidData
from followthrough.services.usersettings import StoredSettings, get_settings, save_settings
from followthrough.ui.changes import POLICY, SETTINGS, Changes
from followthrough.ui.ops import Operations
from followthrough.ui.settings.calendar_page import CalendarPage
from followthrough.ui.settings.data_page import DataPage
from followthrough.ui.settings.fields import SettingsPage, sentence, warning_colour
from followthrough.ui.settings.follow_up_page import FollowUpPage
from followthrough.ui.settings.habits_pages import DraftsPage, NotificationsPage
from followthrough.ui.settings.mail_page import MailPage
from followthrough.ui.settings.signals_page import SignalsPage
from followthrough.ui.settings.sync_page import SyncPage

if TYPE_CHECKING:
    from followthrough.ui.calendarwatcher import CalendarWatcher
    from followthrough.ui.notify import AlertNotifier
    from followthrough.ui.syncwatcher import SyncWatcher


def _alert_notifier(window: QWidget | None) -> AlertNotifier | None:
    """The app's notifier, which the session makes a child of the main window, if running."""
    if window is None:
        return None
    from followthrough.ui.notify import AlertNotifier

    return window.findChild(AlertNotifier, "", Qt.FindChildOption.FindDirectChildrenOnly)


def _calendar_watcher(window: QWidget | None) -> CalendarWatcher | None:
    """The app's calendar watcher, which the session makes a child of the main window."""
    if window is None:
        return None
    from followthrough.ui.calendarwatcher import CalendarWatcher

    return window.findChild(CalendarWatcher, "", Qt.FindChildOption.FindDirectChildrenOnly)


def _sync_watcher(window: QWidget | None) -> SyncWatcher | None:
    """The app's sync watcher, which the session makes a child of the main window."""
    if window is None:
        return None
    from followthrough.ui.syncwatcher import SyncWatcher

    return window.findChild(SyncWatcher, "", Qt.FindChildOption.FindDirectChildrenOnly)


class SettingsDialog(QDialog):
    loaded = Signal()  # the stored values are on screen; OK and Apply work from now on
    applied = Signal()  # a change was saved

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.stored: StoredSettings | None = None
        self.setWindowTitle("Settings")
        self.follow_up = FollowUpPage(self)
        self.notifications = NotificationsPage(self)
        self.drafts = DraftsPage(self)
        self.data = DataPage(ops, self)
        self.mail = MailPage(ops, self)  # saves on its own buttons, not on OK
        self.calendar = CalendarPage(ops, _calendar_watcher(parent), self)  # likewise
        self.signals = SignalsPage(ops, self)  # likewise: each change is kept at once
        self.sync = SyncPage(ops, _sync_watcher(parent), self)  # likewise
        notifier = _alert_notifier(parent)
        if notifier is not None:
            self.notifications.watch_notifier(notifier)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Settings sections")
        for page, title in ((self.follow_up, "&Follow-up"), (self.notifications, "&Notifications"),
                            (self.drafts, "D&rafts"), (self.data, "Da&ta"),
                            (self.mail, "&Mail"), (self.calendar, "Ca&lendar"),
                            (self.signals, "&Signals"), (self.sync, "Syn&c")):  # fmt: skip
            self.tabs.addTab(page, title)
        self.problem = QLabel(self)  # for a refusal that names no field of ours
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {warning_colour(self.palette())}")
        self.problem.setAccessibleName("Problem")
        Button = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(Button.Ok | Button.Cancel | Button.Apply, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(Button.Apply).clicked.connect(self.apply)
        self._set_saving(True)  # nothing to save until the stored values are shown

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(760, 600)  # the Signals tab shows its rules whole at this width
        self.ops.run(get_settings, self._show, on_error=self._refused)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    @property
    def apply_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Apply)

    def pages(self) -> tuple[SettingsPage, ...]:
        return (self.follow_up, self.notifications, self.drafts, self.data)

    def accept(self) -> None:
        """OK: save, and close only once the save worked."""
        self._submit(close=True)

    def apply(self) -> None:
        self._submit(close=False)

    def _show(self, stored: StoredSettings) -> None:
        self.stored = stored
        self.follow_up.show_policy(stored.policy)
        self.notifications.show_preferences(stored.preferences)
        self.drafts.show_preferences(stored.preferences)
        self._set_saving(False)
        self.loaded.emit()

    def _changes(self, stored: StoredSettings) -> tuple[dict[str, Any], dict[str, Any]]:
        """What the user changed, checked by the domain rules (raises InvalidData by field)."""
        policy = self.follow_up.changes()
        Policy.from_json({**stored.policy.to_json(), **policy})
        typed = {**self.notifications.values(), **self.drafts.values()}
        wanted = Preferences.from_json({**stored.preferences.to_json(), **typed})
        prefs = {
            name: value
            for name, value in typed.items()
            if getattr(wanted, name) != getattr(stored.preferences, name)
        }
        return policy, prefs

    def _submit(self, *, close: bool) -> None:
        if self.stored is None:
            return  # still loading: OK and Apply are disabled, but a key press may slip in
        self._clear_problems()
        try:
            policy, prefs = self._changes(self.stored)
        except InvalidData as exc:
            self._show_refusal(exc.field, str(exc))
            return
        if not policy and not prefs:
            if close:
                super().accept()
            return
        self._set_saving(True)
        self.ops.run(
            lambda db: save_settings(db, policy, prefs),
            lambda stored: self._saved(stored, close),
            writes=(POLICY if policy else Changes()) | (SETTINGS if prefs else Changes()),
            on_error=self._refused,
        )

    def _saved(self, stored: StoredSettings, close: bool) -> None:
        self._show(stored)
        self.applied.emit()
        if close:
            super().accept()

    def _refused(self, message: str) -> None:
        # The service refused what the domain check let through (or could not read at all):
        # say so, and keep everything typed.
        self._set_saving(self.stored is None)
        self._show_refusal(None, message)

    def _show_refusal(self, field: str | None, message: str) -> None:
        for page in self.pages():
            if page.owns(field) and field is not None:
                self.tabs.setCurrentWidget(page)
                page.show_problem(field, message)
                return
        self.problem.setText(sentence(message))

    def _clear_problems(self) -> None:
        self.problem.clear()
        for page in self.pages():
            if page is not self.data:  # the data tab's note is about its own buttons
                page.clear_problems()

    def done(self, result: int) -> None:
        # The Mail tab's thread stops taking work; a keyring call still in flight finishes
        # on its own (a prompt left open must not freeze the window).
        self.mail.shutdown()
        self.calendar.shutdown()
        self.sync.shutdown()
        super().done(result)

    def _set_saving(self, saving: bool) -> None:
        self.ok_button.setEnabled(not saving)
        self.apply_button.setEnabled(not saving)
