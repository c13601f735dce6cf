"""File ▸ Export: the leads as a CSV spreadsheet, or everything as a JSON file to import later.

The save dialog picks the file (and asks before replacing one); the export itself runs on the
database worker, so a large pipeline never freezes the window.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QWidget

from followthrough.services.database import Database
from followthrough.services.export import default_file_name, export_csv, export_json
from followthrough.ui.ops import Operations

CSV_FILTER = "CSV spreadsheet (*.csv)"
JSON_FILTER = "Full export, JSON (*.json)"
_FORMAT_OF_FILTER = {CSV_FILTER: "csv", JSON_FILTER: "json"}
STATUS_MS = 15_000


def export_data(parent: QWidget, ops: Operations) -> None:
    """Ask where to export and in which format, then export there."""
    now = datetime.now(UTC)
    suggested = Path.home() / default_file_name("csv", now)
    chosen, selected = QFileDialog.getSaveFileName(
        parent, "Export", str(suggested), f"{CSV_FILTER};;{JSON_FILTER}", CSV_FILTER
    )
    if not chosen:
        return  # cancelled
    path = Path(chosen)
    fmt = _format_for(path, selected)
    if path.suffix.lower() != f".{fmt}":
        # Some platforms' dialogs do not add the filter's suffix; the file must say what it is.
        path = path.with_name(f"{path.name}.{fmt}")
    export_to(parent, ops, path, fmt)


def _format_for(path: Path, selected: str) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in ("csv", "json") else _FORMAT_OF_FILTER.get(selected, "csv")


def export_to(
    parent: QWidget,
    ops: Operations,
    path: Path,
    fmt: str,
    on_done: Callable[[str], None] | None = None,
) -> None:
    """Export to `path` on the worker; report the outcome to the user, then call `on_done`.

    `on_done` receives the message shown (success or failure). The save dialog has already
    asked before replacing a file, so an existing one is overwritten.
    """

    def work(db: Database) -> int:
        if fmt == "csv":
            return export_csv(db, path, overwrite=True)
        return export_json(db, path, overwrite=True)["leads"]

    def done(leads: int) -> None:
        message = f"Exported {leads} lead{'' if leads == 1 else 's'} to {path}"
        if isinstance(parent, QMainWindow):
            parent.statusBar().showMessage(message, STATUS_MS)
        else:
            _show(parent, QMessageBox.Icon.Information, message)
        if on_done is not None:
            on_done(message)

    def failed(reason: str) -> None:
        message = f"The export did not complete: {reason}"
        _show(parent, QMessageBox.Icon.Warning, message)
        if on_done is not None:
            on_done(message)

    ops.run(work, done, on_error=failed)


def _show(parent: QWidget, icon: QMessageBox.Icon, text: str) -> None:
    box = QMessageBox(icon, "Export", text, QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName("Export result")
    box.open()  # window-modal, without a nested event loop the caller would wait in
