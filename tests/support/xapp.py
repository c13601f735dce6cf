"""The real app, run as `followthrough --data-dir DIR` runs it, telling a test where its cards are.

    python -m tests.support.xapp --data-dir DIR --report FILE

A test that drives the app with real X input (xdotool) must know where to click, and the app
has no test hooks. This script runs the app's own command line (`followthrough.cli.main`, which
opens the window through `followthrough.ui.app.run_gui`, as the installed `followthrough` does)
in this process, and beside it keeps FILE up to date with what a person sees on the screen:

    {"cards": {"Ana Silva": [x, y], ...},   # each card's centre, in screen (root) pixels
     "columns": {"hot": [x, y], ...},        # each column's middle, where a card is dropped
     "chosen": ["Ana Silva"],                # the cards drawn as chosen (highlighted)
     "panel": "Ana Silva"}                   # the name the lead panel shows ("" when none)

FILE is written whole (a temporary file renamed over it) once the window is attached to its
data, and again every time the board has loaded (`MainWindow.board_loaded`) and every time the
lead panel has loaded (`LeadPanel.loaded`): a reader never sees half a file, and a card that
moved (another lead left its column) is reported where it is now.

Only reading is done here: the app's code, its windows and its event handling are untouched.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

POLL_MS = 20  # how often to look for the main window until it is attached to its data


def card_centres(window: Any) -> dict[str, list[int]]:
    """Every card visible in the board's columns: its lead's name → its centre on the screen."""
    found: dict[str, list[int]] = {}
    for column in window.columns.values():
        view = column.view
        visible = view.viewport().rect()
        for row in range(column.model.rowCount()):
            rect = view.visualRect(column.model.index(row))
            if not rect.isValid() or not visible.contains(rect.center()):
                continue  # scrolled out of sight: there is nothing there to click
            centre = view.viewport().mapToGlobal(rect.center())
            found[column.model.lead_at(row).name] = [centre.x(), centre.y()]
    return found


def column_centres(window: Any) -> dict[str, list[int]]:
    """Each column's list (where a dragged card is dropped): its state → its centre."""
    found: dict[str, list[int]] = {}
    for state, column in window.columns.items():
        viewport = column.view.viewport()
        centre = viewport.mapToGlobal(viewport.rect().center())
        found[state] = [centre.x(), centre.y()]
    return found


def chosen_cards(window: Any) -> list[str]:
    return [
        column.model.lead_at(index.row()).name
        for column in window.columns.values()
        for index in column.view.selectionModel().selectedIndexes()
    ]


def panel_name(window: Any) -> str:
    panel = window.lead_panel
    if panel.pages.currentWidget() is not panel.details:
        return ""
    return str(panel.fields["name"].text())


class CardReport(QObject):
    """Writes the report for the app's main window, once it is attached and after each load."""

    def __init__(self, app: QApplication, path: Path) -> None:
        super().__init__(app)
        self.app = app
        self.path = path
        self.window: Any = None
        self.look = QTimer(self)
        self.look.timeout.connect(self._find_window)
        self.look.start(POLL_MS)

    def _find_window(self) -> None:
        from followthrough.ui.main_window import MainWindow

        for widget in self.app.topLevelWidgets():
            # Attached to its data: the columns exist, and the first board load is under way.
            if isinstance(widget, MainWindow) and widget.columns:
                self.look.stop()
                self.window = widget
                widget.board_loaded.connect(self.write)
                widget.lead_panel.loaded.connect(self.write)
                self.write()  # in case the board loaded before this look
                return

    def write(self) -> None:
        window = self.window
        report = {
            "cards": card_centres(window),
            "columns": column_centres(window),
            "chosen": chosen_cards(window),
            "panel": panel_name(window),
        }
        partial = self.path.with_name(f".{self.path.name}.partial")
        partial.write_text(json.dumps(report), encoding="utf-8")
        os.replace(partial, self.path)  # atomic: a reader sees the old report or the new one


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--report", required=True, type=Path, help="the JSON file to keep")
    args = parser.parse_args(argv)

    # run_gui uses the QApplication that exists (it makes one, with these same arguments, only
    # when there is none): made here first, so the report's timer has an event loop to run in.
    app = QApplication(sys.argv[:1])
    report = CardReport(app, args.report.resolve())
    from followthrough.cli import main as followthrough

    try:
        return followthrough(["--data-dir", str(args.data_dir)])
    finally:
        report.look.stop()


if __name__ == "__main__":
    sys.exit(main())
