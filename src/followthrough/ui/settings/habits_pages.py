"""The "Notifications" and "Drafts" tabs: the person's own habits, kept in `Preferences`.

Starting at login is the one habit kept outside the database: it is an entry in the desktop's
autostart folder (see autostart.py), written when OK or Apply is pressed.

An option this desktop cannot honour says so beside it: pop-ups need a notification service
on the session bus (the app's notifier finds out, see ui/notify), and "in the tray" needs a
system tray.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTime, Slot
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTimeEdit,
    QWidget,
)

from followthrough import autostart
from followthrough.domain.preferences import WEEKDAYS, Preferences
from followthrough.ui.settings.fields import SettingsPage, hint_label, sentence
from followthrough.ui.settings.layout import same_width, tidy_form

if TYPE_CHECKING:
    from followthrough.ui.notify import AlertNotifier

CLOCK = "HH:mm"
# The XDG autostart folder is how Linux desktops start apps at login.
HAS_AUTOSTART = sys.platform.startswith("linux")
STILL_IN_TODAY = "Alerts still wait in Today."
NO_TRAY = (
    "No system tray was found on this desktop: at login Followthrough will open its window "
    "instead of waiting in the tray."
)


def tray_available() -> bool:
    """Whether a tray icon can be shown here (the same test the app makes at start)."""
    from followthrough.ui.tray import TrayIcon

    return TrayIcon.is_available()


class NotificationsPage(SettingsPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notifications = QCheckBox("&Pop up a notification for each new alert", self)
        self.quiet = QCheckBox("&Quiet mode: nothing pops up, alerts still wait in Today", self)
        self.work_start = QTimeEdit(self)
        self.work_end = QTimeEdit(self)
        for edit in (self.work_start, self.work_end):
            edit.setDisplayFormat(CLOCK)
        self.days = {day: QCheckBox(day.capitalize(), self) for day in WEEKDAYS}
        self.notifications.setAccessibleName("Desktop notifications")
        self.quiet.setAccessibleName("Quiet mode")
        self.work_start.setAccessibleName("Working hours start")
        self.work_end.setAccessibleName("Working hours end")
        for day, box in self.days.items():
            box.setAccessibleName(f"Work on {day.capitalize()}")

        # Beside the option it is about: why pop-ups cannot be shown here, when they cannot.
        self.notifications_note = hint_label("", self)
        self.notifications_note.setAccessibleName("Why notifications are unavailable")
        self.notifications_note.hide()

        form = tidy_form(QFormLayout(self))
        same_width((self.work_start, self.work_end))
        form.addRow(self.notifications)
        form.addRow(self.notifications_note)
        form.addRow(self.quiet)
        form.addRow(self.problem_slot("notifications"))
        form.addRow(self.problem_slot("quiet"))
        form.addRow(hint_label("The hours and days you want to be reminded in.", self))
        for field, text, edit in (("work_start", "Working hours &start", self.work_start),
                                  ("work_end", "Working hours &end", self.work_end)):  # fmt: skip
            label = QLabel(text, self)
            label.setBuddy(edit)
            form.addRow(label, edit)
            form.addRow("", self.problem_slot(field))
        days_row = QWidget(self)  # a widget, not a bare layout: see data_page.py
        row = QHBoxLayout(days_row)
        row.setContentsMargins(0, 0, 0, 0)
        for box in self.days.values():
            row.addWidget(box)
        row.addStretch(1)
        days_label = QLabel("&Working days", self)
        days_label.setBuddy(self.days["mon"])
        form.addRow(days_label, days_row)
        form.addRow("", self.problem_slot("work_days"))

        self.start_at_login = QCheckBox("Start at &login (in the tray)", self)
        self.start_at_login.setAccessibleName("Start at login in the tray")
        self.start_at_login.setChecked(autostart.is_enabled())
        self._buttons: QDialogButtonBox | None = None
        self.tray_note = hint_label("" if tray_available() else NO_TRAY, self)
        self.tray_note.setAccessibleName("Without a system tray")
        self.tray_note.setVisible(HAS_AUTOSTART and bool(self.tray_note.text()))
        if HAS_AUTOSTART:
            form.addRow(self.start_at_login)
            # Not disabled: starting at login still works, only the window shows at once.
            form.addRow(self.tray_note)
            form.addRow(hint_label("Alerts reach you from the tray without opening the window.",
                                   self))  # fmt: skip
            # Once the dialog shows, its buttons exist: OK and Apply then write the entry too.
            self.window().installEventFilter(self)
        else:
            self.start_at_login.hide()

    def watch_notifier(self, notifier: AlertNotifier) -> None:
        """Follow whether the app's notifier can reach a notification service."""
        self.show_notification_status(notifier.status)
        notifier.status_changed.connect(self.show_notification_status)

    @Slot(str)
    def show_notification_status(self, status: str) -> None:
        """The notifier's status: "" when pop-ups work, else why not (a sentence).

        A slot, so the connection ends with this page: the notifier outlives the dialog.
        """
        self.notifications.setEnabled(not status)  # its tick stays as saved: nothing changes
        self.notifications_note.setText(f"{sentence(status)} {STILL_IN_TODAY}" if status else "")
        self.notifications_note.setVisible(bool(status))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._buttons is None and event.type() == QEvent.Type.Show:
            self._buttons = self.window().findChild(QDialogButtonBox)
            if self._buttons is not None:
                self._buttons.clicked.connect(self._button_clicked)
        return False

    def _button_clicked(self, button: QAbstractButton) -> None:
        assert self._buttons is not None
        role = self._buttons.buttonRole(button)
        if role in (QDialogButtonBox.ButtonRole.AcceptRole, QDialogButtonBox.ButtonRole.ApplyRole):
            self.apply_start_at_login()

    def apply_start_at_login(self) -> bool:
        """Write or remove the autostart entry as the box says; False (and why, in a box) if not."""
        wanted = self.start_at_login.isChecked()
        if wanted == autostart.is_enabled():
            return True
        try:
            if wanted:
                autostart.enable(autostart.current_command())
            else:
                autostart.disable()
        except OSError as exc:
            # A message box, not a line on the page: OK may be about to close the dialog.
            where = autostart.autostart_file().parent
            self.start_at_login.setChecked(autostart.is_enabled())
            QMessageBox.warning(
                self,
                "Start at login",
                f"Followthrough could not change its entry in {where}: {exc.strerror or exc}.",
            )
            return False
        return True

    def show_preferences(self, prefs: Preferences) -> None:
        self.notifications.setChecked(prefs.notifications)
        self.quiet.setChecked(prefs.quiet)
        self.work_start.setTime(QTime.fromString(prefs.work_start, CLOCK))
        self.work_end.setTime(QTime.fromString(prefs.work_end, CLOCK))
        for day, box in self.days.items():
            box.setChecked(day in prefs.work_days)

    def values(self) -> dict[str, Any]:
        return {
            "notifications": self.notifications.isChecked(),
            "quiet": self.quiet.isChecked(),
            "work_start": self.work_start.time().toString(CLOCK),
            "work_end": self.work_end.time().toString(CLOCK),
            "work_days": tuple(day for day, box in self.days.items() if box.isChecked()),
        }


class DraftsPage(SettingsPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sender_name = QLineEdit(self, placeholderText="Ana Silva")
        self.signature = QPlainTextEdit(self)
        # Tab moves on, as in every other field: a signature has no use for tab characters.
        self.signature.setTabChangesFocus(True)
        self.signature.setPlaceholderText("Ana Silva\nAcme · +33 1 23 45 67 89")
        self.sender_name.setAccessibleName("Your name")
        self.signature.setAccessibleName("Signature")

        form = tidy_form(QFormLayout(self))
        form.addRow(hint_label("Drafts are signed with these.", self))
        for field, text, edit in (("sender_name", "Your &name", self.sender_name),
                                  ("signature", "&Signature", self.signature)):  # fmt: skip
            label = QLabel(text, self)
            label.setBuddy(edit)
            form.addRow(label, edit)
            form.addRow("", self.problem_slot(field))

    def show_preferences(self, prefs: Preferences) -> None:
        self.sender_name.setText(prefs.sender_name)
        self.signature.setPlainText(prefs.signature)

    def values(self) -> dict[str, Any]:
        return {
            "sender_name": self.sender_name.text(),
            "signature": self.signature.toPlainText(),
        }
