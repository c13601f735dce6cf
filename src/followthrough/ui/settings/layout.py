"""How the settings pages show numbers and line up their fields.

A count of days reads "2 days", not "2.00 days": the method's numbers are whole almost
always, and a fraction typed on the command line (0.25 days) must still show as it is.
Every form of the dialog aligns its labels the same way and lets text fields grow while
number boxes keep one width per page, so a column of numbers reads as a column.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QWidget,
)

LABEL_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
FIELD_GROWTH = QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow


class NumberBox(QDoubleSpinBox):
    """A spin box for a number that may have decimals: shows them only when it has them."""

    def textFromValue(self, value: float) -> str:
        locale = self.locale()
        text = locale.toString(value, "f", self.decimals())
        if not self.isGroupSeparatorShown() and abs(value) >= 1000:
            text = text.replace(locale.groupSeparator(), "")  # as QDoubleSpinBox does
        point = locale.decimalPoint()
        if point in text:
            text = text.rstrip("0").rstrip(point)
        return text

    def sizeHint(self) -> QSize:
        # Qt sizes the box for its widest value as this class shows it; with the zeros gone
        # that is "9999", but "9998.75" may be typed: leave room for the decimals too.
        hint = super().sizeHint()
        metrics = self.fontMetrics()
        top = self.maximum()
        full = self.locale().toString(top, "f", self.decimals())
        shown = self.textFromValue(top)
        extra = metrics.horizontalAdvance(full) - metrics.horizontalAdvance(shown)
        return QSize(hint.width() + max(0, extra), hint.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


def tidy_form(form: QFormLayout) -> QFormLayout:
    """The same label alignment and field growth in every form of the dialog."""
    form.setLabelAlignment(LABEL_ALIGNMENT)
    form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    form.setFieldGrowthPolicy(FIELD_GROWTH)
    return form


def same_width(boxes: Iterable[QAbstractSpinBox]) -> int:
    """Give number boxes one width, the widest one's, and keep it (they do not grow)."""
    boxes = list(boxes)
    width = max((box.sizeHint().width() for box in boxes), default=0)
    for box in boxes:
        box.setFixedWidth(width)
    return width


def same_label_width(labels: Iterable[QLabel]) -> int:
    """Labels of several forms (one per group box) as wide as the widest: fields line up."""
    labels = list(labels)
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)
    return width


def form_labels(form: QFormLayout) -> list[QLabel]:
    """The labels in a form's label column (the empty ones beside problem rows included)."""
    labels = []
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        widget = item.widget() if item is not None else None
        if isinstance(widget, QLabel):
            labels.append(widget)
    return labels


def widget_row(parent: QWidget, *widgets: QWidget, stretch: bool = False) -> QWidget:
    """Widgets side by side: the first takes the width, or, with `stretch`, none does (a row
    of buttons). A widget, not a bare layout: see data_page.py."""
    row = QWidget(parent)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 0 if stretch or widget is not widgets[0] else 1)
    if stretch:
        layout.addStretch(1)
    return row
