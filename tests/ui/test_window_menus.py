"""The menus are built from their declaration, and dialogs open once, brought forward after."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from followthrough.ui.drafting.editor import TemplateEditor
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from followthrough.ui.window_menus import MENUS, Entry, Every

WAIT = 5000


def shown(qtbot: QtBot, ops: Operations) -> MainWindow:
    window = MainWindow(ops)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.board_loaded, timeout=WAIT):
        window.show()
    return window


def test_every_declared_entry_is_on_its_menu_with_its_keys(qtbot: QtBot, ops: Operations) -> None:
    window = shown(qtbot, ops)
    bar = [action.text() for action in window.menuBar().actions()]
    assert bar == [title for _name, title, _items in MENUS]
    for name, _title, items in MENUS:
        on_menu = window.menus.menu(name).actions()
        for entry in (item for item in items if isinstance(item, Entry)):
            action = window.menus[entry.name]
            assert action in on_menu
            if isinstance(entry.keys, Every):
                assert len(action.shortcuts()) >= 1
            elif entry.keys is not None:
                assert action.shortcut() == QKeySequence(entry.keys)
    assert not window.menus["clear sample"].isEnabled()  # no sample pipeline loaded
    assert not window.menus["undo"].isEnabled()  # nothing done yet


def test_a_dialog_asked_for_again_is_brought_forward_not_opened_twice(
    qtbot: QtBot, ops: Operations
) -> None:
    window = shown(qtbot, ops)
    editor = window.dialogs.open_templates()
    qtbot.waitUntil(editor.isVisible, timeout=WAIT)
    assert window.dialogs.open_templates() is editor
    assert len(window.findChildren(TemplateEditor)) == 1
    editor.reject()
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    again = window.dialogs.open_templates()
    assert again is not editor  # the closed one went away; a new one opens
    again.reject()
