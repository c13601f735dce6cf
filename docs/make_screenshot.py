"""Render the README's screenshot: the sample pipeline with its most urgent alert selected.

    xvfb-run -a -s "-screen 0 1400x900x24" \
        .venv/bin/python docs/make_screenshot.py docs/screenshot.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from followthrough.paths import prepare_data_dir
from followthrough.services.alerts import tick
from followthrough.services.sample import load_sample
from followthrough.store.db import Database
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations


def _wait(signal: object) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)  # type: ignore[attr-defined]
    QTimer.singleShot(10_000, loop.quit)
    loop.exec()


def main(target: Path) -> int:
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as folder:
        db = Database.open(prepare_data_dir(Path(folder)))
        load_sample(db)
        tick(db)
        ops = Operations(db)
        window = MainWindow(ops)
        window.show()
        _wait(window.board_loaded)
        if window.today.model.rowCount() == 0:
            _wait(window.today.loaded)
        window.today.view.setCurrentIndex(window.today.model.index(1))
        _wait(window.lead_panel.loaded)
        app.processEvents()
        window.grab().save(str(target))
        ops.shutdown()
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
