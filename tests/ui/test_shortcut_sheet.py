"""F1: the sheet lists every shortcut of the real window, submenus included, each once."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu
from pytestqt.qtbot import QtBot

from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from followthrough.ui.shortcuts import VIEW_KEYS, ShortcutSheet
from tests.ui.cards import shown_window


def sheet_rows(sheet: ShortcutSheet) -> list[tuple[str, str, str]]:
    """(section, action, keys) as the tree shows them."""
    rows, section = [], ""
    tree = sheet.tree
    for index in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(index)
        if not item.text(1):
            section = item.text(0)
        else:
            rows.append((section, item.text(0).strip(), item.text(1)))
    return rows


def open_sheet(qtbot: QtBot, window: QMainWindow) -> ShortcutSheet:
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(
        lambda: any(s.isVisible() for s in window.findChildren(ShortcutSheet)), timeout=2000
    )
    [sheet] = [s for s in window.findChildren(ShortcutSheet) if s.isVisible()]
    return sheet


def menu_keys(menu: QMenu) -> Iterator[tuple[str, str]]:
    """(action words, key) for every action of a menu and of its submenus."""
    for action in menu.actions():
        if action.menu() is not None:
            yield from menu_keys(action.menu())  # type: ignore[arg-type]
            continue
        for sequence in action.shortcuts():
            key = sequence.toString(QKeySequence.SequenceFormat.NativeText)
            if key:
                yield action.text().replace("&", "").rstrip("…"), key


def test_the_sheet_lists_every_key_of_the_window_once(
    qtbot: QtBot, ops: Operations, caplog: pytest.LogCaptureFixture
) -> None:
    window: MainWindow = shown_window(qtbot, ops)
    with caplog.at_level(logging.WARNING, logger="followthrough.ui.shortcuts"):
        sheet = open_sheet(qtbot, window)
    assert not caplog.records  # no key of the real window is claimed twice
    rows = sheet_rows(sheet)

    log = [(action, keys) for section, action, keys in rows if section == "Lead › Log"]
    assert log == [
        ("Sent", "Ctrl+Shift+S"),
        ("Replied", "Ctrl+Shift+R"),
        ("Call", "Ctrl+Shift+C"),
        ("Meeting held", "Ctrl+Shift+H"),
        ("Meeting missed", "Ctrl+Shift+M"),
        ("Proposal viewed", "Ctrl+Shift+V"),
        ("Note", "Ctrl+Shift+N"),
    ]
    listed = {(action, key) for _, action, keys in rows for key in keys.split(" or ")}
    for menu_action in window.menuBar().actions():
        for action, key in menu_keys(menu_action.menu()):  # type: ignore[arg-type]
            assert (action, key) in listed

    pairs = [(action, keys) for _, action, keys in rows]
    assert len(pairs) == len(set(pairs)), "a row is listed twice"
    every_key = [key for _, _, keys in rows for key in keys.split(" or ")]
    assert len(every_key) == len(set(every_key)), "a key is listed for two actions"
    # The view's own keys sit in the Keys column like the rest.
    assert ("Board and fields", "Move between cards in a column", "Arrow keys") in rows


def test_a_key_two_actions_claim_is_left_out_and_a_shared_action_listed_once(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    file_menu = window.menuBar().addMenu("&File")
    opening = QAction("&Open…", window, shortcuts=[QKeySequence("Ctrl+O"), QKeySequence("Ctrl+O")])
    printing = QAction("&Print", window, shortcut=QKeySequence("Ctrl+P"))
    preview = QAction("Print pre&view", window, shortcut=QKeySequence("Ctrl+P"))
    help_action = QAction("&Help", window, shortcut=QKeySequence("F1"))
    for action in (opening, printing, help_action):
        file_menu.addAction(action)
        window.addAction(action)
    more = file_menu.addMenu("&More")
    more.addAction(opening)  # the same action in a submenu too
    more.addAction(preview)
    with caplog.at_level(logging.WARNING, logger="followthrough.ui.shortcuts"):
        sheet = ShortcutSheet(window.menuBar(), window)
    # Open once, with its key once; Print and Print preview share a key that does neither.
    assert sheet_rows(sheet) == [
        ("File", "Open", "Ctrl+O"),
        ("File", "Help", "F1"),
        *[("Board and fields", action, keys) for action, keys in VIEW_KEYS],
    ]
    assert "Ctrl+P" in caplog.text
