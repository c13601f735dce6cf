"""Timed interactions in the real main window (offscreen), on a given data folder.

    python -m tests.bench.gui_interactions DATA_DIR --repeat 7

Prints one JSON object: what Today showed when the board first came up (its open alerts,
how many it lists, and whether its list had loaded by then: `--smoke` stops its "board
ready" clock on the board's signal and counts on that order), samples in ms for a search
(text set → board shown with the matches; the 120 ms pause the field waits for between
keystrokes is left out, it is not work), a drag-move persisted (the drop → the move
committed and on the undo stack), and the process's peak resident memory in MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QMimeData, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from followthrough.domain.states import State
from followthrough.paths import prepare_data_dir
from followthrough.store.db import Database
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations

SEARCHES = ("a", "acme", "silva", "zzq", "saas", "ana s")


def _wait(signal: object, timeout_ms: int = 30_000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)  # type: ignore[attr-defined]
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)  # type: ignore[attr-defined]


def _drop(window: MainWindow, source: State, target: State) -> None:
    model = window.columns[source.value].model
    mime = model.mimeData([model.index(0)])
    assert isinstance(mime, QMimeData)
    viewport = window.columns[target.value].view.viewport()
    point = QPoint(viewport.width() // 2, 20)
    args = (Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)  # fmt: skip
    # Qt's own signatures: a QPoint for the drag events, a QPointF for the drop (PySide6
    # before 6.12 takes nothing else).
    QApplication.sendEvent(viewport, QDragEnterEvent(point, *args))
    QApplication.sendEvent(viewport, QDragMoveEvent(point, *args))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(point), *args))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(data_dir: Path, repeat: int) -> dict[str, object]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = Database.open(prepare_data_dir(data_dir))
    ops = Operations(db)
    window = MainWindow(ops)
    today_loaded: list[bool] = []
    window.today.loaded.connect(lambda: today_loaded.append(True))
    window.show()
    _wait(window.board_loaded)
    results: dict[str, object] = {
        "leads_on_board": window.board_count.text(),
        "today_loaded_with_board": bool(today_loaded),
        "today_total": window.today.total,
        "today_listed": window.today.model.rowCount(),
    }

    search: list[float] = []
    for _ in range(repeat):
        for text in SEARCHES:
            window.search.blockSignals(True)  # set the text without the typing pause
            window.search.setText(text)
            window.search.blockSignals(False)
            start = time.perf_counter()
            window.refresh()
            _wait(window.board_loaded)
            search.append((time.perf_counter() - start) * 1000)
    window.search.blockSignals(True)
    window.search.clear()
    window.search.blockSignals(False)
    window.refresh()
    _wait(window.board_loaded)
    results["search_ms"] = search

    moves: list[float] = []
    for i in range(repeat):
        source, target = (State.HOT, State.WARM) if i % 2 == 0 else (State.WARM, State.HOT)
        start = time.perf_counter()
        _drop(window, source, target)
        _wait(window.lead_actions.done)
        moves.append((time.perf_counter() - start) * 1000)
        _wait(window.board_loaded)
    results["drag_move_ms"] = moves
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    window.close()
    ops.shutdown()
    db.close()
    del app
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.gui_interactions")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.data_dir, args.repeat)), flush=True)
    # Leave without the interpreter's teardown of Qt objects: only the numbers matter here,
    # and PySide's finalisation order is not what is being measured.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
