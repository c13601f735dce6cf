"""Does this PySide6 give back the references it takes on None, True and False?

    python -m tests.stress.pyside_refcounts

Before Python 3.12, None, True and False are ordinary objects with a reference count. A
binding that drops one reference too many on each call drains them while the app runs, and
the process dies once the count reaches zero, most often while the interpreter finalizes
after Ctrl+Q: "Fatal Python error: none_dealloc: deallocating None" (or bool_dealloc).
From 3.12 on they are immortal and the same binding is harmless.

Each probe repeats one way the app uses Qt (a Python override of a virtual that Qt calls,
a single-shot connection) and prints how the three counts moved. Exit code 1 when one of
them lost about a reference per call.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QApplication, QWidget

CALLS = 200  # few enough that a leaking probe cannot drain True (a few thousand references)
Index = QModelIndex | QPersistentModelIndex


class _Model(QAbstractListModel):
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        return "card" if role == Qt.ItemDataRole.DisplayRole else None

    def fetchMore(self, parent: Index) -> None:
        pass

    def canFetchMore(self, parent: Index) -> bool:
        return False


class _Widget(QWidget):
    def resizeEvent(self, event: object) -> None:
        pass


class _Sender(QObject):
    happened = Signal()


def _counts() -> tuple[int, int, int]:
    gc.collect()
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


_alive: list[QObject] = []


def probes() -> dict[str, Callable[[], object]]:
    model = _Model()
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    index = proxy.index(0, 0)
    widget = _Widget()
    widget.show()
    sizes = [QSize(200, 100), QSize(210, 100)]
    sender = _Sender()

    def resize() -> None:
        sizes.reverse()
        widget.resize(sizes[0])

    def single_shot() -> None:
        sender.happened.connect(lambda: None, Qt.ConnectionType.SingleShotConnection)
        sender.happened.emit()

    _alive.extend([model, proxy, widget, sender])  # as long as the process
    return {
        "data() returning None, called by Qt": lambda: proxy.data(index, 0x0100),
        "data() returning a str, called by Qt": lambda: proxy.data(index),
        "fetchMore() (returns None), called by Qt": lambda: proxy.fetchMore(QModelIndex()),
        "canFetchMore() returning False, called by Qt": lambda: proxy.canFetchMore(QModelIndex()),
        "resizeEvent() (returns None), called by Qt": resize,
        "SingleShotConnection: connect, then emit": single_shot,
    }


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(f"Python {sys.version.split()[0]}, PySide6 {pyside_version}")
    print(
        f"{f'change in reference counts after {CALLS} calls':46} {'None':>6} {'True':>6} {'False':>6}"
    )
    leaking = 0
    every = probes()
    for name, probe in every.items():
        probe()  # the first call may cache something
        before = _counts()
        for _ in range(CALLS):
            probe()
        moved = [after - was for after, was in zip(_counts(), before, strict=True)]
        leaks = min(moved) <= -CALLS // 2
        leaking += leaks
        note = "  <- drops a reference per call" if leaks else ""
        print(f"{name:46} {moved[0]:+6d} {moved[1]:+6d} {moved[2]:+6d}{note}")
        app.processEvents()
    print(f"{leaking} of {len(every)} probes drop references" if leaking else "none drops any")
    return 1 if leaking else 0


if __name__ == "__main__":
    code = main()
    # The drained counts would crash the interpreter's own finalization (exit code 134),
    # which is the bug shown, not this script's answer: leave without finalizing.
    sys.stdout.flush()
    os._exit(code)
