"""A question in a window-modal box that does not block: the answer arrives by callback.

Never `exec()`: a nested event loop would freeze tests and delay the results of background
work that arrive meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget


def ask(
    parent: QWidget,
    title: str,
    text: str,
    choices: list[tuple[str, QMessageBox.ButtonRole, Callable[[], None] | None]],
) -> QMessageBox:
    """Show `text` with one button per choice; the chosen one's action runs after it closes."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setAccessibleName(title)
    actions: dict[QAbstractButton, Callable[[], None] | None] = {}
    for label, role, action in choices:
        button = box.addButton(label, role)
        actions[button] = action
        if role in (QMessageBox.ButtonRole.RejectRole, QMessageBox.ButtonRole.NoRole):
            box.setEscapeButton(button)

    def answered() -> None:
        action = actions.get(box.clickedButton())
        if action is not None:
            action()

    box.finished.connect(answered)
    box.open()
    return box
