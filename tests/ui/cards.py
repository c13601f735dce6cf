"""Using the board as a person does: cards found by name and clicked with the mouse."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QListView, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from followthrough.domain.states import State
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations

WAIT = 5000


def shown_window(qtbot: QtBot, ops: Operations, size: tuple[int, int] | None = None) -> MainWindow:
    """The main window on `ops`, shown, exposed and with its board loaded; resized first to
    `size` when given (1400x900 leaves every column and side pane unfolded)."""
    window = MainWindow(ops)
    if size is not None:
        window.resize(*size)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.board_loaded, timeout=WAIT):
        window.show()
    qtbot.waitExposed(window)
    return window


def names(window: MainWindow, state: State) -> list[str]:
    model = window.columns[state.value].model
    return [model.data(model.index(row)) for row in range(model.rowCount())]


def card(window: MainWindow, name: str) -> tuple[QListView, QRect]:
    """The list view holding this lead's card, and the card's rectangle in its viewport."""
    for column in window.columns.values():
        for row in range(column.model.rowCount()):
            index = column.model.index(row)
            if column.model.data(index) == name:
                column.view.scrollTo(index)
                return column.view, column.view.visualRect(index)
    raise AssertionError(f"{name} is not on the board")


def click_card(qtbot: QtBot, window: MainWindow, name: str) -> None:
    """A left click in the middle of the card, with the real mouse-event path."""
    view, rect = card(window, name)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.current.id is not None, timeout=WAIT)


def right_click_card(window: MainWindow, name: str) -> QMenu:
    """Open a card's menu as a right click does (press, then the context-menu event)."""
    view, rect = card(window, name)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.RightButton, pos=rect.center())
    menus = [m for m in window.findChildren(QMenu) if m.isVisible()]
    if not menus:  # platforms that do not turn a right click into a menu request
        event = QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse,
            rect.center(),
            view.viewport().mapToGlobal(rect.center()),
        )
        QApplication.sendEvent(view.viewport(), event)
        menus = [m for m in window.findChildren(QMenu) if m.isVisible()]
    assert len(menus) == 1, menus
    return menus[0]


def highlighted(window: MainWindow) -> list[str]:
    """Every card drawn as selected, across the board."""
    found = []
    for column in window.columns.values():
        for index in column.view.selectionModel().selectedIndexes():
            found.append(column.model.data(index))
    return found


def press(qtbot: QtBot, window: MainWindow, key: Qt.Key, modifiers: object = None) -> None:
    """A key pressed where the keyboard focus is (a shortcut reaches its action from there)."""
    target = QApplication.focusWidget() or window
    if modifiers is None:
        qtbot.keyClick(target, key)
    else:
        qtbot.keyClick(target, key, modifiers)  # type: ignore[arg-type]


def open_box(qtbot: QtBot, window: MainWindow) -> QMessageBox:
    qtbot.waitUntil(
        lambda: any(b.isVisible() for b in window.findChildren(QMessageBox)), timeout=WAIT
    )
    [box] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    return box


def click_button(qtbot: QtBot, box: QMessageBox, text: str) -> None:
    [button] = [b for b in box.buttons() if b.text().replace("&", "") == text]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def centre(widget: object) -> QPoint:
    return widget.rect().center()  # type: ignore[attr-defined, no-any-return]
