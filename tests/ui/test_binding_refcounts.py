"""The Qt binding keeps Python's own singletons alive: calls and emits leave None/True alone.

PySide6 6.12.0 under Python 3.11 dropped a reference to None on every call of a void Qt method
and to True or False on every emit of a bool signal; a working day of clicks took None's count
to zero and the interpreter aborted ("none_dealloc", "bool_dealloc"). pyproject.toml keeps that
release out; this test fails if a binding with the fault comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

CALLS = 2_000


class _Flag(QObject):
    toggled = Signal(bool)


def test_void_qt_calls_keep_none_alive(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        label.setText("Ana Silva")
    # Other code may take or drop a few references meanwhile; a fault loses one per call.
    assert sys.getrefcount(None) - before > -CALLS // 2


def test_bool_signals_keep_true_and_false_alive(qtbot: QtBot) -> None:
    flag = _Flag()
    seen: list[bool] = []
    flag.toggled.connect(seen.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(CALLS):
        flag.toggled.emit(True)
        flag.toggled.emit(False)
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert len(seen) == 2 * CALLS
    seen.clear()
    assert after[0] - before[0] > -CALLS // 2
    assert after[1] - before[1] > -CALLS // 2
