"""Painting a lead as a card: one delegate for every row, no widget per lead.

A card reads top to bottom as a person scans it: who (name, and an alert badge when something
needs them), where (company), and what next (the step and when it is due — or, for a parked
lead, when it comes back and why). A thin bar at the foot shows momentum fading.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from followthrough.domain.states import State
from followthrough.services.readmodels import LeadView
from followthrough.ui.board.model import LeadRole
from followthrough.ui.board.style import (
    CARD_GAP,
    alert_colour,
    border_colour,
    momentum_colour,
    paint_card,
    secondary_text,
)
from followthrough.ui.timefmt import due_words, short_day

PAD = 10  # inside a card
BAR = 3  # the momentum bar's height
# A card takes the column's width; this small hint keeps the list from ever asking for more.
MIN_WIDTH = 120


def card_height(font: QFont) -> int:
    """Three lines of text, the bar and the padding, for the view's font."""
    line = QFontMetrics(font).height()
    return 2 * CARD_GAP + 2 * PAD + 3 * line + 4 + BAR + 6


def step_line(lead: LeadView, now: datetime) -> tuple[str, bool]:
    """The card's third line and whether it is overdue."""
    if lead.state is State.RECYCLE:
        if lead.recycle_until is None:
            return "Parked: no date to come back", False
        back = f"Back {short_day(lead.recycle_until, now)}"
        return (f"{back} · {lead.recycle_reason}" if lead.recycle_reason else back), False
    if lead.next_step and lead.next_step_due is not None:
        overdue = lead.next_step_due < now
        return f"{lead.next_step} · {due_words(lead.next_step_due, now)}", overdue
    return lead.next_step or "No next step yet", False


class CardDelegate(QStyledItemDelegate):
    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(MIN_WIDTH, card_height(option.font))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        lead = index.data(LeadRole.LEAD)
        if not isinstance(lead, LeadView):
            return
        palette: QPalette = option.palette
        painter.save()
        inner = paint_card(painter, option, PAD)
        text = palette.color(QPalette.ColorRole.Text)
        now = datetime.now(UTC)
        bold = QFont(option.font)
        bold.setBold(True)
        line = QFontMetrics(option.font).height()
        top = inner.y()

        # Who, and the badge when alerts are open.
        badge_width = 0
        if lead.open_alerts:
            painter.setFont(option.font)
            label = str(lead.open_alerts)
            badge_width = max(line, painter.fontMetrics().horizontalAdvance(label) + 10)
            badge = QRect(inner.right() - badge_width + 1, top, badge_width, line)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(alert_colour(palette))
            painter.drawRoundedRect(badge, line / 2, line / 2)
            painter.setPen(palette.color(QPalette.ColorRole.Base))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
            badge_width += 6
        painter.setFont(bold)
        painter.setPen(text)
        _line(painter, QRect(inner.x(), top, inner.width() - badge_width, line), lead.name)

        # Where.
        painter.setFont(option.font)
        painter.setPen(secondary_text(palette))
        _line(painter, QRect(inner.x(), top + line + 2, inner.width(), line), lead.company or "—")

        # What next.
        words, overdue = step_line(lead, now)
        painter.setPen(alert_colour(palette) if overdue else text)
        _line(painter, QRect(inner.x(), top + 2 * line + 4, inner.width(), line), words)

        momentum = index.data(LeadRole.MOMENTUM)
        if momentum is not None:
            track = QRectF(inner.x(), inner.bottom() - BAR + 1, inner.width(), BAR)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(border_colour(palette, False, False))
            painter.drawRoundedRect(track, BAR / 2, BAR / 2)
            filled = QRectF(track.x(), track.y(), track.width() * momentum / 100, BAR)
            painter.setBrush(momentum_colour(palette))
            painter.drawRoundedRect(filled, BAR / 2, BAR / 2)
        painter.restore()


def _line(painter: QPainter, area: QRect, words: str) -> None:
    """One line of text, cut with an ellipsis at the card's edge, never past it."""
    shown = painter.fontMetrics().elidedText(words, Qt.TextElideMode.ElideRight, area.width())
    painter.drawText(area, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)
