"""Exporting the weekly review from the Insights window: a web page, or a PDF for printing.

The page is made on the worker (services/insights/review.py); a PDF is then printed here on
the GUI thread, because Qt's text document and PDF writer are GUI objects.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from followthrough.services.clock import local_zone, utcnow
from followthrough.services.database import Database
from followthrough.services.export import write_private_text
from followthrough.services.insights.review import weekly_review_html
from followthrough.ui.insights.pdf import write_pdf
from followthrough.ui.ops import Operations

FILTERS = "Web page (*.html);;PDF for printing (*.pdf)"


def default_name(now: datetime) -> str:
    """`weekly-review-2026-12-04.html`, dated in the person's own calendar."""
    return f"weekly-review-{now.astimezone().date().isoformat()}.html"


class ReviewExport(QObject):
    """Asks where, makes the page off the GUI thread, writes the file; says how it went."""

    written = Signal(str)  # the file's path
    failed = Signal(str)  # what went wrong, in words

    def __init__(self, ops: Operations, parent: QWidget) -> None:
        super().__init__(parent)
        self.ops = ops
        self.window = parent

    def ask(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export the weekly review", default_name(utcnow()), FILTERS
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the review to `path`: a PDF when it ends in .pdf, else an HTML page."""
        pdf = path.suffix.lower() == ".pdf"
        now, zone = utcnow(), local_zone()

        def make(db: Database) -> str:
            # Qt's PDF printer draws no SVG: the bars become table cells for it.
            page = weekly_review_html(db, now, zone, svg_charts=not pdf)
            if not pdf:  # written on the worker too: whole, private, never half a file
                write_private_text(path, page, overwrite=True)
            return page

        def made(page: str) -> None:
            if pdf:
                try:
                    write_pdf(page, path)
                except OSError as error:
                    self.failed.emit(f"Cannot write {path}: {error.strerror or error}")
                    return
            self.written.emit(str(path))

        self.ops.run(make, made, on_error=self.failed.emit, owner=self)
