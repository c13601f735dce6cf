"""The "Notifications" and "Drafts" tabs: the person's own habits, kept in `Preferences`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTimeEdit,
    QWidget,
)

from followthrough.domain.preferences import WEEKDAYS, Preferences
from followthrough.ui.settings.fields import SettingsPage, hint_label

CLOCK = "HH:mm"


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

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.notifications)
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

        form = QFormLayout(self)
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
