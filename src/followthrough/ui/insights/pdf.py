"""The weekly review as a PDF: the review's HTML page printed by Qt, on A4.

QTextDocument lays out the page and QPdfWriter paginates it: no browser engine, nothing
added to the bundle. QTextDocument draws no SVG, so the page handed here is the variant
whose charts are table cells with widths and background colours
(`services.insights.review.weekly_review_html(..., svg_charts=False)`); rendering each chart
to an image resource would also work, but would paint text as pixels and make the file
heavier for no gain in what it says.

Needs a QGuiApplication (fonts), which the window has; nothing here touches the clipboard.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

MARGIN_MM = 15.0
RESOLUTION_DPI = 300  # fine enough for text and bars; the default 1200 only adds weight
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def write_pdf(html: str, path: Path) -> None:
    """Print `html` to a PDF file at `path` (overwritten), A4 with 15 mm margins."""
    document = QTextDocument()
    document.setHtml(html)
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter
    )
    writer.setCreator("Followthrough")
    found = _TITLE.search(html)
    if found:
        writer.setTitle(unescape(found.group(1)).strip())
    document.print_(writer)
    # The file is complete once the writer is gone: end it here, not at the next collection.
    del writer
