"""Render the README's screenshots: the sample pipeline with a lead chosen, light and dark.

    xvfb-run -a -s "-screen 0 1920x1200x24" .venv/bin/python docs/make_screenshot.py docs/

writes board-1600x1000-light.png, board-1600x1000-dark.png, board-1000x700-light.png and
board-1000x700-dark.png into the folder given (any one with --only NAME).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from followthrough.paths import prepare_data_dir
from followthrough.services.alerts import tick
from followthrough.services.preferences import update_preferences
from followthrough.services.sample import load_sample
from followthrough.store.db import Database
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from followthrough.ui.theme import dark_palette

SHOTS = {
    "board-1600x1000-light.png": (1600, 1000, False),
    "board-1600x1000-dark.png": (1600, 1000, True),
    "board-1000x700-light.png": (1000, 700, False),
    "board-1000x700-dark.png": (1000, 700, True),
}
CHOSEN = "Priya Nair"  # a Hot lead with an overdue step and an alert: the panel has a story


def _wait(signal: object, ms: int = 10_000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)  # type: ignore[attr-defined]
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def shoot(app: QApplication, ops: Operations, target: Path, size: tuple[int, int]) -> None:
    window = MainWindow(ops)
    window.resize(*size)
    window.show()
    _wait(window.board_loaded)
    if window.today.model.rowCount() == 0:
        _wait(window.today.loaded)
    lead_id = next(
        column.model.lead_at(row).id
        for column in window.columns.values()
        for row in range(column.model.rowCount())
        if column.model.lead_at(row).name == CHOSEN
    )
    window.select_lead(lead_id)
    _wait(window.lead_panel.loaded)
    _settle(app)
    window.grab().save(str(target))
    window.close()
    window.deleteLater()
    _settle(app)


def main(folder: Path, only: str | None) -> int:
    app = QApplication(sys.argv[:1])
    light = QPalette(app.palette())
    with tempfile.TemporaryDirectory() as data:
        db = Database.open(prepare_data_dir(Path(data)))
        load_sample(db)
        update_preferences(db, {"sender_name": "Sam Reyes", "sender_asked": True})
        tick(db)
        ops = Operations(db)
        for name, (width, height, dark) in SHOTS.items():
            if only and name != only:
                continue
            app.setPalette(dark_palette() if dark else light)
            shoot(app, ops, folder / name, (width, height))
        ops.shutdown()
        db.close()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--only", choices=sorted(SHOTS))
    args = parser.parse_args()
    sys.exit(main(args.folder, args.only))
