"""The keyboard shortcut sheet (F1): every shortcut the window has, read from its menus.

Built from the menu bar itself (submenus included), so the sheet cannot drift from what the
keys really do. Each action is listed once, with each of its keys once; a key two actions
claim does neither (Qt calls it ambiguous and runs nothing), so it is left out, and logged.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenu,
    QMenuBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

# Keys handled by the views themselves rather than by a menu action: (what, keys), like the
# menus' rows, so each lands in its column.
VIEW_KEYS = (
    ("Move between cards in a column", "Arrow keys"),
    ("Move between the Today list, the columns and the lead panel", "Tab or Shift+Tab"),
    ("Open the selected card's menu", "Menu key or Shift+F10"),
    ("Save the field", "Enter (in a field)"),
    ("Put the saved value back", "Escape (in a field)"),
)
SUBMENU = " › "  # "Lead › Log"
OTHER = "Other"  # window actions with a key that sit in no menu
KEYS_JOINER = " or "

Section = tuple[str, list[tuple[str, str]]]


def _words(text: str) -> str:
    """A menu text as read: no mnemonic marks ("&&" is a real ampersand), no ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def _keys(action: QAction) -> list[str]:
    keys: list[str] = []
    for sequence in action.shortcuts():
        text = sequence.toString(QKeySequence.SequenceFormat.NativeText)
        if text and text not in keys:  # Redo may get Ctrl+Shift+Z from the platform and us
            keys.append(text)
    return keys


def _collect(menu: QMenu, title: str, found: list[tuple[str, QAction]]) -> None:
    for action in menu.actions():
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            _collect(submenu, f"{title}{SUBMENU}{_words(action.text())}", found)
        elif action.text() and _keys(action):
            found.append((title, action))


def menu_shortcuts(bar: QMenuBar) -> list[Section]:
    """(section title, [(action text, keys)]) for every action that has a shortcut."""
    found: list[tuple[str, QAction]] = []
    for menu_action in bar.actions():
        menu = menu_action.menu()
        if isinstance(menu, QMenu):
            _collect(menu, _words(menu_action.text()), found)
    window = bar.window()
    if window is not bar:
        listed = {id(action) for _, action in found}
        for action in window.findChildren(QAction):
            owner = action.parent()
            if isinstance(owner, QWidget) and owner.window() is not window:
                continue  # an open dialog's own keys work only in that dialog
            if id(action) not in listed and action.text() and _keys(action):
                found.append((OTHER, action))

    claims: dict[str, set[str]] = {}  # key → the actions (by their words) that claim it
    unique: list[tuple[str, QAction]] = []
    seen: set[int] = set()
    for title, action in found:
        if id(action) in seen:
            continue  # one action in two menus: listed where it is first met
        seen.add(id(action))
        unique.append((title, action))
        for key in _keys(action):
            claims.setdefault(key, set()).add(_words(action.text()))
    clashing = {key for key, owners in claims.items() if len(owners) > 1}
    for key in sorted(clashing):
        log.warning("the shortcut %s is claimed by %s: it does none", key, sorted(claims[key]))

    sections: dict[str, list[tuple[str, str]]] = {}
    for title, action in unique:
        keys = [key for key in _keys(action) if key not in clashing]
        row = (_words(action.text()), KEYS_JOINER.join(keys))
        rows = sections.setdefault(title, [])
        if keys and row not in rows:  # the same words and keys twice say nothing new
            rows.append(row)
    return [(title, rows) for title, rows in sections.items() if rows]


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
