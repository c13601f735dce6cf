"""Painting an alert in Today: who, what kind of moment it is, and why now — like a card.

The lead's name leads the eye; the rule sits on the right as a quiet label; the reason (one
sentence saying why now) wraps below in up to three lines.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QTextLayout, QTextOption
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from followthrough.domain.alerts import AlertRule
from followthrough.services.readmodels import AlertView
from followthrough.ui.board.style import CARD_GAP, alert_colour, paint_card, secondary_text

PAD = 9
REASON_LINES = 3
ALERT_ROLE = Qt.ItemDataRole.UserRole + 1
# What each rule is called on its label: the words a person uses, not the code's.
RULE_WORDS: dict[str, str] = {
    AlertRule.DUE: "Due",
    AlertRule.STALL: "No next step",
    AlertRule.SILENCE: "Silence",
    AlertRule.GUARD: "Close the loop",
    AlertRule.COOL: "Cooling",
    AlertRule.FADE: "Fading",
    AlertRule.PARK: "Needs a date",
    AlertRule.REACTIVATE: "Back today",
    AlertRule.PROPOSAL_VIEWS: "Proposal viewed",
    AlertRule.MEETING_MISSED: "Meeting missed",
    AlertRule.PRICING_SILENCE: "Pricing, then silence",
    AlertRule.LINK_CLICKS: "Link clicked",
    AlertRule.ENGAGEMENT_DROP: "Engagement dropped",
}
URGENT: frozenset[str] = frozenset({AlertRule.DUE, AlertRule.MEETING_MISSED, AlertRule.GUARD})


def rule_words(rule: str) -> str:
    """The label of a stored rule name; one of an earlier version is shown as written."""
    return RULE_WORDS.get(rule, rule.replace("_", " ").capitalize())


class AlertDelegate(QStyledItemDelegate):
    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        line = QFontMetrics(option.font).height()
        return QSize(120, 2 * CARD_GAP + 2 * PAD + (1 + REASON_LINES) * line + 4)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        alert = index.data(ALERT_ROLE)
        if not isinstance(alert, AlertView):
            return
        palette: QPalette = option.palette
        painter.save()
        inner = paint_card(painter, option, PAD)
        metrics = QFontMetrics(option.font)
        line = metrics.height()
        # The name comes first: the label takes what the name leaves, and gives way (cut
        # short) before the name does when both are long.
        bold = QFont(option.font)
        bold.setBold(True)
        name_needs = QFontMetrics(bold).horizontalAdvance(alert.lead_name) + 8
        label_room = max(int(inner.width() * 0.45), inner.width() - name_needs)
        label = metrics.elidedText(rule_words(alert.rule), Qt.TextElideMode.ElideRight, label_room)
        painter.setFont(option.font)
        label_width = metrics.horizontalAdvance(label)
        painter.setPen(alert_colour(palette) if alert.rule in URGENT else secondary_text(palette))
        painter.drawText(
            QRect(inner.right() - label_width + 1, inner.y(), label_width, line),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            label,
        )
        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        name_width = max(0, inner.width() - label_width - 8)
        name = painter.fontMetrics().elidedText(
            alert.lead_name, Qt.TextElideMode.ElideRight, name_width
        )
        painter.drawText(
            QRect(inner.x(), inner.y(), name_width, line),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            name,
        )
        painter.setFont(option.font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        _wrapped(painter, option.font, alert.reason, inner.x(), inner.y() + line + 4, inner.width())
        painter.restore()


def _wrapped(painter: QPainter, font: QFont, text: str, x: int, y: int, width: int) -> None:
    """Up to REASON_LINES lines of `text`, the last one cut with an ellipsis if it goes on."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    metrics = QFontMetrics(font)
    lines: list[str] = []
    layout.beginLayout()
    while len(lines) < REASON_LINES:
        wrapped = layout.createLine()
        if not wrapped.isValid():
            break
        wrapped.setLineWidth(width)
        lines.append(text[wrapped.textStart() : wrapped.textStart() + wrapped.textLength()])
    more = layout.createLine().isValid()
    layout.endLayout()
    if more and lines:
        rest = text[sum(len(part) for part in lines[:-1]) :]
        lines[-1] = metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)
    for number, words in enumerate(lines):
        area = QRect(x, y + number * metrics.height(), width, metrics.height())
        painter.drawText(area, int(Qt.AlignmentFlag.AlignLeft), words.rstrip())
