"""The runner's owner guard: answers for a closed owner, or to a read a newer one replaced,
are dropped; a write is announced whoever is left to hear of it."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from followthrough.errors import InvalidData
from followthrough.store.db import Database
from followthrough.ui.changes import SETTINGS
from followthrough.ui.ops import Operations

WAIT = 5000


def held(gate: threading.Event, value: object) -> object:
    def work(_db: Database) -> object:
        gate.wait(WAIT / 1000)
        return value

    return work


def settle(qtbot: QtBot, ops: Operations) -> None:
    done: list[bool] = []
    ops.run(lambda db: True, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT)


def test_only_the_newest_answer_under_one_name_is_shown(qtbot: QtBot, ops: Operations) -> None:
    owner, other = QObject(), QObject()
    gate = threading.Event()
    shown: list[object] = []
    ops.run(held(gate, "old"), shown.append, owner=owner, latest="search")
    ops.run(lambda db: "page of old", shown.append, owner=owner, follows="search")
    ops.run(lambda db: "other's", shown.append, owner=other, latest="search")  # not replaced
    ops.run(lambda db: "new", shown.append, owner=owner, latest="search")
    ops.run(lambda db: "page of new", shown.append, owner=owner, follows="search")
    gate.set()
    settle(qtbot, ops)
    assert shown == ["other's", "new", "page of new"]


def test_a_failure_of_a_replaced_read_is_dropped_too(qtbot: QtBot, ops: Operations) -> None:
    owner = QObject()
    said: list[str] = []

    def refused(_db: Database) -> None:
        raise InvalidData("gone", "name")

    ops.run(refused, on_error=said.append, owner=owner, latest="lead")
    ops.drop_pending(owner, "lead")  # the lead is no longer wanted
    settle(qtbot, ops)
    assert said == []


def test_nothing_reaches_a_closed_owner_but_its_write_is_announced(
    qtbot: QtBot, ops: Operations
) -> None:
    owner = QObject()
    gate = threading.Event()
    shown: list[object] = []
    ops.run(held(gate, "read"), shown.append, owner=owner)
    with qtbot.waitSignal(ops.changed, timeout=WAIT) as told:
        ops.run(lambda db: "written", shown.append, owner=owner, writes=SETTINGS)
        ops.drop_pending(owner)  # the dialog closed
        gate.set()
    assert told.args == [SETTINGS]
    ops.run(lambda db: "asked after reopening", shown.append, owner=owner)
    settle(qtbot, ops)
    assert shown == ["asked after reopening"]


def test_a_failed_write_of_a_closed_owner_is_said_in_the_window(
    qtbot: QtBot, ops: Operations
) -> None:
    owner = QObject()
    said: list[str] = []

    def refused(_db: Database) -> None:
        raise InvalidData("the lead changed since", "name")

    with qtbot.waitSignal(ops.failed, timeout=WAIT) as failed:
        ops.run(refused, on_error=said.append, owner=owner, writes=True)
        ops.drop_pending(owner)
    assert failed.args == ["the lead changed since"]
    assert said == []


def test_a_guarded_callback_goes_quiet_once_its_owner_closes(qtbot: QtBot, ops: Operations) -> None:
    class View(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[int] = []

        def show(self, value: int) -> None:
            self.seen.append(value)

    view = View()
    elsewhere: list[int] = []
    guarded = ops.guard(view.show, otherwise=elsewhere.append)
    assert guarded is not None
    guarded(1)
    ops.drop_pending(view)
    guarded(2)
    assert (view.seen, elsewhere) == ([1], [2])
    assert ops.guard(None) is None
