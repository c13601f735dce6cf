"""What an import did (or, checked only, would do): counts, skipped rows, a copyable report."""

from __future__ import annotations

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from followthrough.services.csvimport import ImportReport, RowProblem
from followthrough.ui.transfer.fields import field_label

# A file with a broken column can skip every row; the table stays quick (the service
# itself keeps only the first thousand problems).
PROBLEMS_SHOWN = 1000


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def skipped(report: ImportReport) -> int:
    """Rows left out for a problem; the report lists only the first of a great many."""
    return max(report.skipped, len(report.problems))


def counts_line(report: ImportReport) -> str:
    """E.g. 3 leads added, 1 merged, 0 duplicates skipped, 2 rows skipped (checked: "to add")."""
    leads = _count(report.added, "lead", "leads")
    duplicates = _count(report.duplicates, "duplicate", "duplicates")
    rows = _count(skipped(report), "row", "rows")
    if report.dry_run:
        return f"{leads} to add, {report.merged:,} to merge, {duplicates} to skip, {rows} to skip."
    return f"{leads} added, {report.merged:,} merged, {duplicates} skipped, {rows} skipped."


def heading(report: ImportReport) -> str:
    if report.dry_run:
        return "Checked: nothing was changed."
    return "Import finished."


def problem_line(problem: RowProblem) -> str:
    field = field_label(problem.field)
    return f"Line {problem.line}" + (f", {field}" if field else "") + f": {problem.reason}"


def report_text(report: ImportReport) -> str:
    """The whole report as plain text, for the clipboard."""
    lines = [heading(report), counts_line(report)]
    if report.backup is not None:
        lines.append(f"Backup made before the import: {report.backup}")
    if report.problems:
        lines += ["", "Rows skipped:"]
        lines += [problem_line(problem) for problem in report.problems]
        unlisted = skipped(report) - len(report.problems)
        if unlisted > 0:
            lines.append(f"…and {unlisted:,} more.")
    return "\n".join(lines) + "\n"


class SummaryPage(QWidget):
    """The last page of the import dialog; the dialog connects its buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: ImportReport | None = None
        self.heading = QLabel(self)
        self.heading.setAccessibleName("Result")
        bold = QFont(self.heading.font())
        bold.setBold(True)
        self.heading.setFont(bold)
        self.counts = QLabel(self)
        self.counts.setAccessibleName("What was imported")
        self.counts.setWordWrap(True)
        self.backup = QLabel(self)
        self.backup.setAccessibleName("Backup")
        self.backup.setWordWrap(True)
        self.problems_title = QLabel("Rows skipped:", self)
        self.problems = QTableWidget(0, 3, self)
        self.problems.setAccessibleName("Rows skipped")
        self.problems.setHorizontalHeaderLabels(["Line", "Field", "Reason"])
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems.verticalHeader().setVisible(False)
        header = self.problems.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.more = QLabel(self)
        self.more.setWordWrap(True)

        self.copy_button = QPushButton("&Copy report", self)
        self.copy_button.setAccessibleName("Copy report")
        self.copy_button.clicked.connect(self.copy_report)
        self.back_button = QPushButton("&Back to the mapping", self)
        self.back_button.setAccessibleName("Back to the mapping")
        self.import_button = QPushButton("&Import", self)
        self.import_button.setAccessibleName("Import for real")
        self.done_button = QPushButton("&Done", self)
        self.done_button.setAccessibleName("Done")
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        for button in (self.back_button, self.import_button, self.done_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        for widget in (self.heading, self.counts, self.backup, self.problems_title):
            layout.addWidget(widget)
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.more)
        layout.addLayout(buttons)

    def show_report(self, report: ImportReport) -> None:
        self.report = report
        self.heading.setText(heading(report))
        self.counts.setText(counts_line(report))
        self.backup.setText(
            f"Your data as it was before the import is saved in {report.backup}."
            if report.backup is not None
            else ""
        )
        self.backup.setVisible(report.backup is not None)
        shown = report.problems[:PROBLEMS_SHOWN]
        self.problems.setRowCount(len(shown))
        for row, problem in enumerate(shown):
            cells = (str(problem.line), field_label(problem.field), problem.reason)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.problems.setItem(row, column, item)
        hidden = skipped(report) - len(shown)
        self.more.setText(f"…and {hidden:,} more rows skipped for a problem." if hidden else "")
        self.more.setVisible(hidden > 0)
        for widget in (self.problems_title, self.problems):
            widget.setVisible(bool(report.problems))
        # After a check the user goes on for real, or back to change the mapping.
        self.import_button.setVisible(report.dry_run)
        self.back_button.setVisible(report.dry_run)
        (self.import_button if report.dry_run else self.done_button).setDefault(True)
        (self.done_button if report.dry_run else self.import_button).setDefault(False)

    def copy_report(self) -> None:
        if self.report is not None:
            QGuiApplication.clipboard().setText(report_text(self.report))
