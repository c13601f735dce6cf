"""Sizes that keep text whole: a field as wide as the example it shows.

A placeholder is the field's own instructions ("tomorrow, fri 14:00, +3d"); cut at the
field's edge it stops instructing, so a form asks its fields to be at least that wide.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLineEdit, QStyle, QStyleOptionFrame

# QLineEdit keeps this many pixels free on each side of its text (its `horizontalMargin`),
# plus one for the cursor at the end; neither is exposed by Qt.
TEXT_SIDE = 2
CURSOR = 1


def text_width(line: QLineEdit) -> int:
    """The pixels a line edit has for its text at its current width."""
    option = QStyleOptionFrame()
    line.initStyleOption(option)
    contents = line.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, line)
    margins = line.textMargins()
    return contents.width() - margins.left() - margins.right() - 2 * TEXT_SIDE


def width_for(line: QLineEdit, text: str) -> int:
    """The width `line` needs to show `text` whole, frame and margins included."""
    option = QStyleOptionFrame()
    line.initStyleOption(option)
    margins, contents = line.textMargins(), line.contentsMargins()
    inner = (
        line.fontMetrics().horizontalAdvance(text)
        + 2 * TEXT_SIDE
        + CURSOR
        + margins.left()
        + margins.right()
        + contents.left()
        + contents.right()
    )
    size = QSize(inner, line.fontMetrics().height())
    return (
        line.style().sizeFromContents(QStyle.ContentsType.CT_LineEdit, option, size, line).width()
    )


def fit_placeholder(line: QLineEdit) -> None:
    """Never narrower than its placeholder text (call again after changing the placeholder)."""
    if line.placeholderText():
        line.setMinimumWidth(max(line.minimumWidth(), width_for(line, line.placeholderText())))
