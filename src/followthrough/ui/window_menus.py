"""The main window's menus and the keys on them, declared in one place.

Every shortcut lives on a menu action, so the menus teach the keys and the F1 sheet (read
from the menus) cannot drift from what the keys do. Each key is bound once: binding one key
to two actions makes Qt drop both as an "ambiguous shortcut".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu
from shiboken6 import Shiboken

from followthrough.domain.states import BOARD_STATES, State

if TYPE_CHECKING:
    from followthrough.ui.main_window import MainWindow

Keys = QKeySequence | QKeySequence.StandardKey | str | None


def _action(
    window: MainWindow,
    menu: QMenu,
    text: str,
    slot: Callable[[], object],
    shortcut: Keys = None,
    tip: str | None = None,
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())  # Qt passes `checked` along
    menu.addAction(action)
    window.addAction(action)  # shortcuts work whichever widget has the focus
    return action


def install_menus(window: MainWindow) -> None:
    """Build File, Edit, View, Lead and Help on `window` (its attributes name the actions)."""
    bar = window.menuBar()
    commands = window.commands

    file = window.file_menu = bar.addMenu("&File")
    window.add_action = _action(
        window, file, "&Add a lead…", window.quick_add, QKeySequence.StandardKey.New
    )
    file.addSeparator()
    window.import_action = _action(window, file, "&Import…", window.open_import, "Ctrl+I")
    window.export_action = _action(window, file, "&Export…", window.export_data, "Ctrl+Shift+E")
    window.backups_action = _action(window, file, "&Backups…", window.open_backups)
    window.check_mail_action = _action(
        window, file, "Check &mail now", lambda: window.check_mail_requested.emit(), "F5"
    )
    window.clear_sample_action = _action(
        window, file, "&Remove the sample leads…", commands.clear_sample
    )
    window.clear_sample_action.setEnabled(False)
    file.addSeparator()
    window.settings_action = _action(
        window, file, "&Settings…", window.open_settings, QKeySequence("Ctrl+,")
    )
    window.templates_action = _action(
        window, file, "&Templates…", window.open_templates, "Ctrl+Shift+T"
    )
    file.addSeparator()
    window.quit_action = _action(
        window, file, "&Quit", lambda: window.quit_requested.emit(), QKeySequence.StandardKey.Quit
    )

    edit = bar.addMenu("&Edit")
    history = window.actions
    window.undo_action = _action(window, edit, "&Undo", history.undo, QKeySequence.StandardKey.Undo)
    # The platform's Redo keys only (Ctrl+Shift+Z here, with Ctrl+Y on Windows): adding
    # Ctrl+Shift+Z again would bind it twice, and Qt ignores a key bound twice.
    window.redo_action = _action(window, edit, "&Redo", history.redo)
    window.redo_action.setShortcuts(QKeySequence.StandardKey.Redo)  # all of them, not the first
    history.stack.indexChanged.connect(lambda _index: _name_history(window))
    history.stack.cleanChanged.connect(lambda _clean: _name_history(window))
    _name_history(window)
    edit.addSeparator()
    window.find_action = _action(
        window, edit, "&Find", window.focus_search, QKeySequence.StandardKey.Find
    )

    view = bar.addMenu("&View")
    window.archive_action = _action(
        window, view, "&Archive: won and lost…", window.open_archive, "Ctrl+Shift+A"
    )

    lead = window.lead_menu = bar.addMenu("&Lead")
    window.move_actions = {}
    for number, state in enumerate(BOARD_STATES, start=1):
        dots = "…" if state is State.RECYCLE else ""
        window.move_actions[state] = _action(
            window, lead, f"Move to {state.label}{dots}",
            lambda state=state: commands.move_current(state), f"Ctrl+{number}",
        )  # fmt: skip
    window.move_left_action = _action(
        window, lead, "Move one column &left", lambda: commands.shift_current(-1),
        "Ctrl+Shift+Left",
    )  # fmt: skip
    window.move_right_action = _action(
        window, lead, "Move one column &right", lambda: commands.shift_current(1),
        "Ctrl+Shift+Right",
    )  # fmt: skip
    lead.addSeparator()
    window.won_action = _action(
        window, lead, "Mark as &Won", lambda: commands.move_current(State.WON), "Ctrl+Shift+W"
    )
    window.lost_action = _action(
        window, lead, "Mark as &Lost", lambda: commands.move_current(State.LOST), "Ctrl+Shift+L"
    )
    lead.addSeparator()
    window.delete_action = _action(
        window, lead, "&Delete…", commands.delete_current, QKeySequence.StandardKey.Delete
    )
    # Delete must not fire while the person edits text: only where a card has the focus.
    window.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    window.removeAction(window.delete_action)
    for column in window.columns.values():
        column.view.addAction(window.delete_action)
    window.draft_action = _action(
        window, lead, "D&raft a follow-up…", commands.draft_current, "Ctrl+D"
    )
    lead.addSeparator()
    log_menu = lead.addMenu("Lo&g")
    for log_action in window.lead_panel.log_actions.values():
        log_menu.addAction(log_action)  # the panel owns their shortcuts

    help_menu = window.help_menu = bar.addMenu("&Help")
    window.shortcuts_action = _action(
        window, help_menu, "&Keyboard shortcuts", window.show_shortcuts, QKeySequence("F1")
    )
    window.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("Ctrl+/")])
    window.log_folder_action = _action(
        window, help_menu, "Open &log folder", _open_log_folder,
        tip="Where the details of what went wrong are written, for a bug report",
    )  # fmt: skip
    window.about_action = _action(window, help_menu, "&About Followthrough", window.show_about)


def _open_log_folder() -> None:
    from followthrough.ui.uncaught import open_log_folder  # on first use, not at start-up

    open_log_folder()


def _name_history(window: MainWindow) -> None:
    """ "Undo Move Ana Silva to Warm": the Edit menu says what the keys would do."""
    history = window.actions
    if not (Shiboken.isValid(history.stack) and Shiboken.isValid(window.undo_action)):
        return  # the window is being torn down: the stack empties itself on its way out
    undo, redo = history.next_undo(), history.next_redo()
    window.undo_action.setText(f"&Undo {undo}" if undo else "&Undo")
    window.undo_action.setEnabled(bool(undo))
    window.redo_action.setText(f"&Redo {redo}" if redo else "&Redo")
    window.redo_action.setEnabled(bool(redo))
