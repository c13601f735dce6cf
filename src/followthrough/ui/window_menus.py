"""The main window's menus and the keys on them, declared as data and built by one function.

Every shortcut lives on a menu action, so the menus teach the keys and the F1 sheet (read
from the menus) cannot drift from what the keys do. Each key is bound once: binding one key
to two actions makes Qt drop both as an "ambiguous shortcut".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget
from shiboken6 import Shiboken

from followthrough.domain.states import BOARD_STATES, State

if TYPE_CHECKING:
    from followthrough.services.readmodels import LeadView
    from followthrough.ui.actions import LeadActions
    from followthrough.ui.lead_commands import LeadCommands
    from followthrough.ui.window_dialogs import WindowDialogs


class MenuHost(Protocol):
    """What the menus act on: the main window is one."""

    @property
    def commands(self) -> LeadCommands: ...
    @property
    def dialogs(self) -> WindowDialogs: ...
    @property
    def lead_actions(self) -> LeadActions: ...
    def focus_search(self) -> None: ...
    def request_quit(self) -> None: ...
    def request_mail_check(self) -> None: ...
    def has_sample(self) -> bool: ...
    def log_actions(self) -> Iterable[QAction]: ...
    def card_views(self) -> Iterable[QWidget]: ...


Keys = QKeySequence | QKeySequence.StandardKey | str | None


@dataclass(frozen=True)
class Every:
    """All the platform's keys for a standard action (Redo is Ctrl+Shift+Z and Ctrl+Y), or
    a list of keys; a plain key binds only the platform's first."""

    keys: QKeySequence.StandardKey | tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    name: str  # how the window and the tests find the action: menus["undo"]
    text: str
    run: Callable[[MenuHost], object]
    keys: Keys | Every = None
    enabled_when: Callable[[MenuHost], bool] | None = None  # checked on WindowMenus.update
    tip: str | None = None
    on_cards_only: bool = False  # its key works only where a card has the focus


@dataclass(frozen=True)
class Borrowed:
    """A submenu of actions another widget owns, with their shortcuts (the lead panel's Log)."""

    text: str
    actions: Callable[[MenuHost], Iterable[QAction]]


SEPARATOR = None
Item = Entry | Borrowed | None


def _move(state: State, host: MenuHost) -> object:
    return host.commands.move_current(state)


_MOVES = tuple(
    Entry(f"move {state.value}", f"Move to {state.label}{'…' if state is State.RECYCLE else ''}",
          partial(_move, state), f"Ctrl+{number}")
    for number, state in enumerate(BOARD_STATES, start=1)
)  # fmt: skip

MENUS: tuple[tuple[str, str, tuple[Item, ...]], ...] = (
    ("file", "&File", (
        Entry("add", "&Add a lead…", lambda h: h.dialogs.quick_add(), QKeySequence.StandardKey.New),
        SEPARATOR,
        Entry("import", "&Import…", lambda h: h.dialogs.open_import(), "Ctrl+I"),
        Entry("export", "&Export…", lambda h: h.dialogs.export_data(), "Ctrl+Shift+E"),
        Entry("backups", "&Backups…", lambda h: h.dialogs.open_backups()),
        Entry("check mail", "Check &mail now", lambda h: h.request_mail_check(), "F5"),
        Entry("clear sample", "&Remove the sample leads…", lambda h: h.commands.clear_sample(),
              enabled_when=lambda h: h.has_sample()),
        SEPARATOR,
        Entry("settings", "&Settings…", lambda h: h.dialogs.open_settings(), "Ctrl+,"),
        Entry("templates", "&Templates…", lambda h: h.dialogs.open_templates(), "Ctrl+Shift+T"),
        SEPARATOR,
        Entry("quit", "&Quit", lambda h: h.request_quit(), QKeySequence.StandardKey.Quit),
    )),
    ("edit", "&Edit", (
        Entry("undo", "&Undo", lambda h: h.lead_actions.undo(), QKeySequence.StandardKey.Undo,
              enabled_when=lambda h: bool(h.lead_actions.next_undo())),
        # The platform's Redo keys only (Ctrl+Shift+Z here, with Ctrl+Y on Windows): adding
        # Ctrl+Shift+Z again would bind it twice, and Qt ignores a key bound twice.
        Entry("redo", "&Redo", lambda h: h.lead_actions.redo(),
              Every(QKeySequence.StandardKey.Redo),
              enabled_when=lambda h: bool(h.lead_actions.next_redo())),
        SEPARATOR,
        Entry("find", "&Find", lambda h: h.focus_search(), QKeySequence.StandardKey.Find),
    )),
    ("view", "&View", (
        Entry("archive", "&Archive: won and lost…", lambda h: h.dialogs.open_archive(),
              "Ctrl+Shift+A"),
        Entry("insights", "&Insights…", lambda h: h.dialogs.open_insights(), "Ctrl+Shift+I",
              tip="Where silence happens, what works, what moved and why"),
    )),
    ("lead", "&Lead", (
        *_MOVES,
        Entry("move left", "Move one column &left", lambda h: h.commands.shift_current(-1),
              "Ctrl+Shift+Left"),
        Entry("move right", "Move one column &right", lambda h: h.commands.shift_current(1),
              "Ctrl+Shift+Right"),
        SEPARATOR,
        Entry("won", "Mark as &Won", lambda h: h.commands.move_current(State.WON),
              "Ctrl+Shift+W"),
        Entry("lost", "Mark as &Lost", lambda h: h.commands.move_current(State.LOST),
              "Ctrl+Shift+L"),
        SEPARATOR,
        # Delete must not fire while the person edits text: only where a card has the focus.
        Entry("delete", "&Delete…", lambda h: h.commands.delete_current(),
              QKeySequence.StandardKey.Delete, on_cards_only=True),
        Entry("draft", "D&raft a follow-up…", lambda h: h.commands.draft_current(), "Ctrl+D"),
        SEPARATOR,
        Borrowed("Lo&g", lambda h: h.log_actions()),  # the lead panel owns their shortcuts
    )),
    ("help", "&Help", (
        Entry("shortcuts", "&Keyboard shortcuts", lambda h: h.dialogs.show_shortcuts(),
              Every(("F1", "Ctrl+/"))),
        Entry("log folder", "Open &log folder", lambda _h: _open_log_folder(),
              tip="Where the details of what went wrong are written, for a bug report"),
        Entry("about", "&About Followthrough", lambda h: h.dialogs.show_about()),
    )),
)  # fmt: skip


class WindowMenus:
    """The built menus: menus["undo"] is the Undo action, menus.menu("help") the Help menu."""

    def __init__(self, host: MenuHost) -> None:
        self.host = host
        self._actions: dict[str, QAction] = {}
        self._menus: dict[str, QMenu] = {}
        self._enabled_when: dict[str, Callable[[MenuHost], bool]] = {}

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def menu(self, name: str) -> QMenu:
        return self._menus[name]

    def moves(self) -> dict[State, QAction]:
        return {state: self._actions[f"move {state.value}"] for state in BOARD_STATES}

    def keys(self, name: str) -> str:
        """The first key of an action as the platform writes it ("Ctrl+Z")."""
        return self[name].shortcut().toString(QKeySequence.SequenceFormat.NativeText)

    def update(self) -> None:
        """Enable each action whose condition holds now (after a read, an undo...)."""
        for name, holds in self._enabled_when.items():
            self._actions[name].setEnabled(holds(self.host))


def build_menus(window: QMainWindow, host: MenuHost) -> WindowMenus:
    """Build MENUS on the window's menu bar; the actions' keys work wherever the focus is."""
    menus = WindowMenus(host)
    bar = window.menuBar()
    for menu_name, title, items in MENUS:
        menu = menus._menus[menu_name] = bar.addMenu(title)
        for item in items:
            if item is None:
                menu.addSeparator()
            elif isinstance(item, Borrowed):
                submenu = menu.addMenu(item.text)
                for action in item.actions(host):
                    submenu.addAction(action)
            else:
                menus._actions[item.name] = _action(window, menu, item, host)
                if item.enabled_when is not None:
                    menus._enabled_when[item.name] = item.enabled_when
    history = host.lead_actions
    history.stack.indexChanged.connect(lambda _index: _name_history(menus))
    history.stack.cleanChanged.connect(lambda _clean: _name_history(menus))
    _name_history(menus)
    return menus


def _action(window: QMainWindow, menu: QMenu, entry: Entry, host: MenuHost) -> QAction:
    action = QAction(entry.text, window)
    keys = entry.keys
    if isinstance(keys, Every):
        if isinstance(keys.keys, tuple):
            action.setShortcuts([QKeySequence(key) for key in keys.keys])
        else:
            action.setShortcuts(keys.keys)
    elif keys is not None:
        action.setShortcut(QKeySequence(keys))
    if entry.tip:
        action.setStatusTip(entry.tip)
    run = entry.run
    action.triggered.connect(lambda _checked=False: run(host))  # Qt passes `checked` along
    menu.addAction(action)
    if entry.on_cards_only:
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for view in host.card_views():
            view.addAction(action)
    else:
        window.addAction(action)  # shortcuts work whichever widget has the focus
    return action


def card_menu(menus: WindowMenus, lead: LeadView, where: QPoint, parent: QWidget) -> QMenu:
    """Right-click (or the Menu key) on a card: the card is chosen, then its menu opens."""
    menu = QMenu(parent)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    for state, action in menus.moves().items():
        if state is not lead.state:
            menu.addAction(action)
    menu.addSeparator()
    menu.addAction(menus["won"])
    menu.addAction(menus["lost"])
    menu.addSeparator()
    menu.addAction(menus["draft"])
    menu.addAction(menus["delete"])
    menu.popup(where)
    return menu


def _open_log_folder() -> None:
    from followthrough.ui.uncaught import open_log_folder  # on first use, not at start-up

    open_log_folder()


def _name_history(menus: WindowMenus) -> None:
    """ "Undo Move Ana Silva to Warm": the Edit menu says what the keys would do."""
    history = menus.host.lead_actions
    undo, redo = menus["undo"], menus["redo"]
    if not (Shiboken.isValid(history.stack) and Shiboken.isValid(undo)):
        return  # the window is being torn down: the stack empties itself on its way out
    next_undo, next_redo = history.next_undo(), history.next_redo()
    undo.setText(f"&Undo {next_undo}" if next_undo else "&Undo")
    redo.setText(f"&Redo {next_redo}" if next_redo else "&Redo")
    menus.update()
