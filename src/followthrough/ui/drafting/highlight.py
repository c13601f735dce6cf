"""Marking lint findings and template errors in a text field, in colours the palette allows."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QColor, QPalette, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from followthrough.domain.drafting import LintFinding


def attention_colour(palette: QPalette) -> QColor:
    """A red that reads on the palette's text background: deep on light, soft on dark."""
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    return QColor.fromHsl(4, 190, 160 if dark else 95)


def attention_style(palette: QPalette) -> str:
    """Style sheet text for a label that explains a problem."""
    return f"color: {attention_colour(palette).name()}"


def finding_selections(
    edit: QPlainTextEdit, findings: Iterable[LintFinding]
) -> list[QTextEdit.ExtraSelection]:
    """A wavy underline under each body finding; an empty span marks the letters beside it."""
    colour = attention_colour(edit.palette())
    size = edit.document().characterCount() - 1
    marks = []
    for finding in findings:
        if finding.field != "body":
            continue
        start, end = max(0, min(finding.start, size)), max(0, min(finding.end, size))
        if end <= start:  # an empty merge value has no letters of its own
            start, end = max(0, start - 1), min(size, start + 1)
        marks.append(_mark(edit, start, end, _wavy(colour)))
    return marks


def line_selection(edit: QPlainTextEdit, line: int) -> QTextEdit.ExtraSelection:
    """The whole of line `line` (1-based) tinted, for an error that names it."""
    block = edit.document().findBlockByNumber(max(line - 1, 0))
    tint = QColor(attention_colour(edit.palette()))
    tint.setAlpha(60)  # blended over the palette's own background, never replacing it
    style = QTextCharFormat()
    style.setBackground(tint)
    style.setProperty(QTextFormat.Property.FullWidthSelection, True)
    return _mark(edit, block.position(), block.position(), style)


def _wavy(colour: QColor) -> QTextCharFormat:
    style = QTextCharFormat()
    style.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    style.setUnderlineColor(colour)
    return style


def _mark(
    edit: QPlainTextEdit, start: int, end: int, style: QTextCharFormat
) -> QTextEdit.ExtraSelection:
    selection = QTextEdit.ExtraSelection()
    cursor = QTextCursor(edit.document())
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    selection.cursor = cursor
    selection.format = style
    return selection
