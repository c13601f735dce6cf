"""The template chooser's measured reply rates: "replied 9 of 14 (64 %)" beside each title.

Read on the operations worker after the chooser is filled, so the draft shows at once and
the rates follow; a rate from too few sends is not shown as a rate (domain/figures.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox

from followthrough.domain.period import DEFAULT_DAYS, Period

if TYPE_CHECKING:
    from followthrough.domain.figures import Rate
    from followthrough.services.database import Database
    from followthrough.ui.ops import Operations

TITLE_ROLE = Qt.ItemDataRole.UserRole + 1  # the template's own title, before the rate


def rate_words(rate: Rate | None) -> str:
    if rate is None or rate.cases == 0:
        return "not sent yet"
    if rate.percent is None:
        return f"{rate.cases} sent, too few to rate"
    return f"replied {rate.hits} of {rate.cases} ({rate.percent} %)"


class TemplateRates(QObject):
    """Shows each template's reply rate (over the reports' default period) in a chooser."""

    shown = Signal()  # the rates are on the chooser

    def __init__(self, ops: Operations, chooser: QComboBox) -> None:
        super().__init__(chooser)
        self.ops = ops
        self.chooser = chooser

    def read(self) -> None:
        def work(db: Database) -> dict[str, Rate]:
            from followthrough.services.clock import utcnow
            from followthrough.services.insights.outcomes import template_reply_rates

            return template_reply_rates(db, Period.last(DEFAULT_DAYS, utcnow()))

        self.ops.run(work, self._show, latest="template-rates", owner=self, on_error=self._skip)

    def _show(self, rates: dict[str, Rate]) -> None:
        chooser = self.chooser
        for index in range(chooser.count()):
            slug = chooser.itemData(index)
            title = chooser.itemData(index, TITLE_ROLE) or chooser.itemText(index)
            chooser.setItemData(index, title, TITLE_ROLE)
            words = rate_words(rates.get(slug))
            chooser.setItemText(index, f"{title} — {words}")
            tip = f"Answered within the outcome window, last {DEFAULT_DAYS} days: {words}"
            chooser.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self.shown.emit()

    def _skip(self, _message: str) -> None:
        # The rates are a help, not the draft: without them the chooser keeps plain titles.
        self.shown.emit()
