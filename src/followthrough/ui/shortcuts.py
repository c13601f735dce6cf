"""The keyboard shortcut sheet (F1): every shortcut the window has, read from its menus.

Built from the menu bar itself, so the sheet cannot drift from what the keys really do.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenuBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

# Keys handled by the views themselves rather than by a menu action.
VIEW_KEYS = (
    ("Arrow keys", "Move between cards in a column"),
    ("Tab / Shift+Tab", "Move between the Today list, the columns and the lead panel"),
    ("Menu key / Shift+F10", "Open the selected card's menu"),
    ("Enter (in a field)", "Save the field"),
    ("Escape (in a field)", "Put the saved value back"),
)


def menu_shortcuts(bar: QMenuBar) -> list[tuple[str, list[tuple[str, str]]]]:
    """(menu title, [(action text, shortcut text)]) for every action that has a shortcut."""
    sections = []
    for menu_action in bar.actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        rows = []
        for action in menu.actions():  # type: ignore[attr-defined]
            keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()]
            keys = [k for k in keys if k]
            if keys and action.text():
                rows.append((action.text().replace("&", "").rstrip("…"), " or ".join(keys)))
        if rows:
            sections.append((menu_action.text().replace("&", ""), rows))
    return sections


class ShortcutSheet(QDialog):
    def __init__(self, bar: QMenuBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName("Keyboard shortcuts")
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setRootIsDecorated(False)
        for title, rows in [*menu_shortcuts(bar), ("Board and fields", list(VIEW_KEYS))]:
            section = QTreeWidgetItem(self.tree, [title])
            font = section.font(0)
            font.setBold(True)
            section.setFont(0, font)
            for text, keys in rows:
                QTreeWidgetItem(self.tree, [f"   {text}", keys])
        self.tree.resizeColumnToContents(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(520, 560)
