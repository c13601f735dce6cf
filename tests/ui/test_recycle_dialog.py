"""Recycle's presets: "In 1 month" is the same day next month in the morning, not four weeks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QPushButton
from pytestqt.qtbot import QtBot

from followthrough.domain.reasons import ReasonCategory
from followthrough.ui.board.recycle import RecycleDialog
from followthrough.ui.timefmt import local_day


def preset(dialog: RecycleDialog, name: str) -> QPushButton:
    [button] = [b for b in dialog.findChildren(QPushButton) if b.accessibleName() == name]
    return button


@pytest.mark.parametrize(
    ("now", "name", "expected"),
    [
        # 31 January, 11:00 in Paris: next month has no 31st, so its last day.
        (datetime(2027, 1, 31, 10, 0, tzinfo=UTC), "In 1 month", datetime(2027, 2, 28, 8, 0)),
        (datetime(2028, 1, 31, 10, 0, tzinfo=UTC), "In 1 month", datetime(2028, 2, 29, 8, 0)),
        # 15 November → 15 February, 09:00 Paris (08:00 UTC), not 13 weeks = 14 February.
        (datetime(2026, 11, 15, 10, 0, tzinfo=UTC), "In 3 months", datetime(2027, 2, 15, 8, 0)),
        # Across the change to summer time the morning is still 09:00 local (07:00 UTC).
        (datetime(2027, 3, 15, 10, 0, tzinfo=UTC), "In 1 month", datetime(2027, 4, 15, 7, 0)),
    ],
)
def test_month_presets_are_calendar_months_in_the_morning(
    qtbot: QtBot, now: datetime, name: str, expected: datetime
) -> None:
    dialog = RecycleDialog("Ana Silva", clock=lambda: now)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QTest.mouseClick(preset(dialog, name), Qt.MouseButton.LeftButton)
    until, _reason = dialog.chosen()
    assert until == expected.replace(tzinfo=UTC)
    assert until.astimezone().hour == 9  # conftest's zone is Europe/Paris
    assert dialog.hint.text() == f"→ {local_day(until)}"
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_a_typed_month_offset_is_read_the_same_way(qtbot: QtBot) -> None:
    dialog = RecycleDialog("Ana Silva", clock=lambda: datetime(2027, 1, 31, 10, tzinfo=UTC))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.until, "+1mo")
    assert dialog.chosen()[0] == datetime(2027, 2, 28, 8, 0, tzinfo=UTC)
    assert dialog.hint.wordWrap()


def test_the_usual_reason_is_checked_and_kept_unless_another_is_clicked(qtbot: QtBot) -> None:
    dialog = RecycleDialog("Ana Silva", clock=lambda: datetime(2027, 1, 31, 10, tzinfo=UTC))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.picker.checked() is None  # the usual one is still being read
    dialog.show_default(ReasonCategory.WENT_SILENT)
    assert dialog.picker.checked() is ReasonCategory.WENT_SILENT
    assert dialog.category() is None  # kept: the move stores the usual one itself
    button = dialog.picker.buttons[ReasonCategory.FIT]
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())
    assert dialog.category() is ReasonCategory.FIT
    # A usual answer arriving late does not undo the person's click.
    dialog.show_default(ReasonCategory.TIMING)
    assert dialog.category() is ReasonCategory.FIT
    assert [b.isChecked() for b in dialog.picker.buttons.values()].count(True) == 1
