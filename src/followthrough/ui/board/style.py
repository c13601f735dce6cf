"""The board's colours, all derived from the palette, so light and dark themes both read well.

No colour is fixed except the alert red and its dark-theme twin: everything else is a blend of
the palette's own roles, so a theme that changes the palette changes the board with it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QWidget

Role = QPalette.ColorRole


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """`a` moved `amount` (0..1) of the way to `b`."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(Role.Window).lightness() < 128


def panel_colour(palette: QPalette) -> QColor:
    """A column's background: a shade off the window, towards the text colour."""
    return mix(palette.color(Role.Window), palette.color(Role.WindowText), 0.05)


def card_colour(palette: QPalette, selected: bool) -> QColor:
    base = palette.color(Role.Base)
    return mix(base, palette.color(Role.Highlight), 0.16) if selected else base


def border_colour(palette: QPalette, selected: bool, hovered: bool) -> QColor:
    if selected:
        return palette.color(Role.Highlight)
    towards = palette.color(Role.Highlight) if hovered else palette.color(Role.Text)
    return mix(palette.color(Role.Base), towards, 0.45 if hovered else 0.18)


def secondary_text(palette: QPalette) -> QColor:
    """Text that supports the main line: company, dates, empty-column hints."""
    return mix(palette.color(Role.Text), palette.color(Role.Base), 0.4)


def alert_colour(palette: QPalette) -> QColor:
    """Overdue steps and the alert badge: a red that reads on either background."""
    return QColor("#ff8a80") if is_dark(palette) else QColor("#c62828")


def momentum_colour(palette: QPalette) -> QColor:
    return palette.color(Role.Highlight)


PANEL_RADIUS = 10


def paint_panel(widget: QWidget) -> None:
    """The soft rounded panel a column, Today and the lead sit on (call from paintEvent)."""
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    palette = widget.palette()
    panel = panel_colour(palette)
    painter.setPen(mix(panel, palette.color(Role.Mid), 0.35))
    painter.setBrush(panel)
    painter.drawRoundedRect(
        QRectF(widget.rect()).adjusted(0.5, 0.5, -0.5, -0.5), PANEL_RADIUS, PANEL_RADIUS
    )
    painter.end()


CARD_GAP = 3  # between a card's edge and the next card
CARD_RADIUS = 7


def paint_card(painter: QPainter, option: QStyleOptionViewItem, pad: int) -> QRect:
    """A card's frame, as chosen or hovered; the rectangle its content goes in.

    The caller has saved the painter and restores it afterwards.
    """
    palette = option.palette
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
    gap = CARD_GAP + 0.5
    card = QRectF(option.rect).adjusted(gap, gap, -gap, -gap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(border_colour(palette, selected, hovered))
    painter.setBrush(card_colour(palette, selected))
    painter.drawRoundedRect(card, CARD_RADIUS, CARD_RADIUS)
    if selected:  # a second ring: the chosen card stands out without a flood of colour
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(card.adjusted(1, 1, -1, -1), CARD_RADIUS - 1, CARD_RADIUS - 1)
    return card.toAlignedRect().adjusted(pad, pad - 2, -pad, -pad)
