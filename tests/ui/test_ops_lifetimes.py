"""The workers never let go last of what the GUI made: it is freed on the GUI thread.

A dialog captured by a work closure or a callback, freed by the worker thread after the GUI
had dropped it, was destroyed on the wrong thread while the GUI thread painted it — the
segfaults in paint events this suite once had. These tests drop every GUI-side reference
while the work runs and check on which thread the captured object goes.
"""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from followthrough.errors import InvalidData
from followthrough.store.db import Database
from followthrough.ui.ops import Background, Operations


class Witness:
    """Notes the thread it is freed on."""

    freed_on: list[str]

    def __init__(self, freed_on: list[str]) -> None:
        self.freed_on = freed_on

    def __del__(self) -> None:
        self.freed_on.append(threading.current_thread().name)


def _gate() -> tuple[threading.Event, threading.Event]:
    return threading.Event(), threading.Event()


@pytest.mark.parametrize("fails", [False, True])
def test_what_the_database_work_captured_is_freed_on_the_gui_thread(
    qtbot: QtBot, ops: Operations, fails: bool
) -> None:
    freed: list[str] = []
    started, release = _gate()
    delivered: list[object] = []

    def submit() -> None:
        witness = Witness(freed)  # held only by the closures below

        def work(_db: Database) -> int:
            started.set()
            release.wait(5)
            if fails:
                raise InvalidData(f"refused ({witness!r})", "name")
            return id(witness)

        ops.run(work, lambda result: delivered.append(result), on_error=delivered.append)

    submit()  # every GUI-side reference to the witness is gone when this returns
    assert started.wait(5)
    release.set()  # the worker finishes and drops its own references now
    qtbot.waitUntil(lambda: bool(delivered), timeout=5000)
    qtbot.waitUntil(lambda: bool(freed), timeout=5000)
    assert freed == [threading.main_thread().name]


def test_what_a_background_callback_captured_is_freed_on_the_gui_thread(qtbot: QtBot) -> None:
    lane = Background("test")
    freed: list[str] = []
    started, release = _gate()
    delivered: list[object] = []

    def submit() -> None:
        witness = Witness(freed)

        def work() -> int:
            started.set()
            release.wait(5)
            return 1

        lane.run(work, lambda _result: delivered.append(witness), lambda exc: None)

    try:
        submit()
        assert started.wait(5)
        release.set()
        qtbot.waitUntil(lambda: bool(delivered), timeout=5000)
        delivered.clear()  # the last reference, dropped here on the GUI thread
        qtbot.waitUntil(lambda: bool(freed), timeout=5000)
        assert freed == [threading.main_thread().name]
    finally:
        lane.shutdown()


def test_an_unexpected_error_is_delivered_as_a_message_not_raised_in_qt(
    qtbot: QtBot, ops: Operations
) -> None:
    said: list[str] = []

    def broken(_db: Database) -> None:
        raise KeyError("a bug")

    with qtbot.waitSignal(ops.failed, timeout=5000) as failed:
        ops.run(broken)
    said.append(failed.args[0])
    assert said == ["something went wrong; the details are in the log (Help › Open log folder)"]
    assert not ops.busy


def test_a_method_of_a_closed_dialog_is_not_called_back(qtbot: QtBot, ops: Operations) -> None:
    # Found by the long session: Settings closed while its reads waited behind other work;
    # their answers then reached the deleted dialog's boxes ("Internal C++ object already
    # deleted"). A callback that is a method of a Qt object has it as its owner.
    import shiboken6
    from PySide6.QtWidgets import QSpinBox, QWidget

    class Page(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.box = QSpinBox(self)

        def show_value(self, value: int) -> None:
            self.box.setValue(value)  # raises once the page is deleted

    page = Page()
    started, release = _gate()
    ops.run(lambda db: (started.set(), release.wait(5))[1] and 7, page.show_value)
    assert started.wait(5)
    shiboken6.delete(page)  # closed, WA_DeleteOnClose
    release.set()
    seen: list[bool] = []
    ops.run(lambda db: True, seen.append)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)  # an exception would fail the test here
