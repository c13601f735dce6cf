"""Painting a lead as a card: one delegate for every row, no widget per lead."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from followthrough.ui.board.model import LeadRole
from followthrough.ui.timefmt import due_words

CARD_HEIGHT = 78
PAD = 8
OVERDUE = QColor("#c0392b")


class CardDelegate(QStyledItemDelegate):
    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(option.rect.width() or 240, CARD_HEIGHT)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        palette = option.palette
        card = option.rect.adjusted(4, 3, -4, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(palette.color(
            QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base))  # fmt: skip
        painter.drawRoundedRect(card, 6, 6)
        text = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )

        inner = card.adjusted(PAD, PAD - 2, -PAD, -PAD)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text)
        name = index.data(Qt.ItemDataRole.DisplayRole) or ""
        company = index.data(LeadRole.COMPANY)
        title = f"{name} · {company}" if company else name
        line = painter.fontMetrics().height()
        painter.drawText(QRect(inner.x(), inner.y(), inner.width() - 28, line),
                         Qt.AlignmentFlag.AlignLeft, painter.fontMetrics().elidedText(
                             title, Qt.TextElideMode.ElideRight, inner.width() - 28))  # fmt: skip

        alerts = index.data(LeadRole.OPEN_ALERTS) or 0
        if alerts:
            badge = QRect(inner.right() - 22, inner.y(), 22, line)
            painter.setBrush(OVERDUE)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(badge, line / 2, line / 2)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(alerts))

        painter.setFont(option.font)
        step = index.data(LeadRole.NEXT_STEP)
        due = index.data(LeadRole.DUE)
        now = datetime.now(UTC)
        if due is not None:
            when = due_words(due, now)
            step_text = f"{step} — {when}" if step else f"back {when}"
        else:
            step_text = step or "No next step"
        overdue = due is not None and step is not None and due < now
        painter.setPen(OVERDUE if overdue and not selected else text)
        painter.drawText(QRect(inner.x(), inner.y() + line + 2, inner.width(), line),
                         Qt.AlignmentFlag.AlignLeft, painter.fontMetrics().elidedText(
                             step_text, Qt.TextElideMode.ElideRight, inner.width()))  # fmt: skip

        momentum = index.data(LeadRole.MOMENTUM)
        if momentum is not None:
            track = QRect(inner.x(), inner.bottom() - 4, inner.width(), 4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Midlight))
            painter.drawRoundedRect(track, 2, 2)
            filled = QRect(track.x(), track.y(), int(track.width() * momentum / 100), 4)
            # On a selected card the highlight is the background: fill with its text colour.
            painter.setBrush(
                palette.color(
                    QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
                )
            )
            painter.drawRoundedRect(filled, 2, 2)
        painter.restore()
