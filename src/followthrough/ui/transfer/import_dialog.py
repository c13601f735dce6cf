"""Importing leads from a CSV file: choose it, check the mapping, import or check only, read
what happened. Every file read and every write runs on the operations worker."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from followthrough.services.csvimport import (
    Duplicates,
    ImportCancelled,
    ImportPreview,
    ImportReport,
    import_csv,
    preview_csv,
)
from followthrough.services.database import Database
from followthrough.ui.lead.inline import problem_colour, sentence
from followthrough.ui.ops import Operations
from followthrough.ui.transfer.mapping_table import MappingTable
from followthrough.ui.transfer.preview_model import ImportedRowsModel
from followthrough.ui.transfer.summary import SummaryPage

FILE_FILTER = "CSV files (*.csv *.txt);;All files (*)"
CANCELLED = "Import cancelled: nothing was changed."
PROGRESS_STEPS = 1000  # the bar counts in thousandths: a file's size may not fit in an int


class ProgressRelay(QObject):
    """Carries the service's progress calls from the worker thread to the GUI thread."""

    progressed = Signal(object, object)  # bytes read, total bytes

    def report(self, done: int, total: int) -> None:
        # Called on the worker: emitting to an object of the GUI thread queues the call.
        self.progressed.emit(done, total)


class ImportDialog(QDialog):
    previewed = Signal()  # the file was read for the mapping page (or refused, see file_problem)
    import_finished = Signal(object)  # an ImportReport, of a real import or of a check
    import_cancelled = Signal()  # the user cancelled: nothing was written
    import_failed = Signal(str)  # the file could not be imported at all: nothing was written

    def __init__(
        self, ops: Operations, parent: QWidget | None = None, path: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.preview: ImportPreview | None = None
        self._request = 0  # answers about an earlier chosen file are dropped
        self._loaded_path = ""
        self._cancel = threading.Event()
        self._running = False
        self._close_when_done = False
        self.relay = ProgressRelay(self)
        self.relay.progressed.connect(self._progressed)
        self.setWindowTitle("Import leads")
        self.resize(820, 640)

        self.pages = QStackedWidget(self)
        self.setup_page = self._build_setup_page()
        self.progress_page = self._build_progress_page()
        self.summary = SummaryPage(self)
        self.summary.done_button.clicked.connect(self.accept)
        self.summary.back_button.clicked.connect(self._back_to_mapping)
        self.summary.import_button.clicked.connect(lambda: self.start(dry_run=False))
        for page in (self.setup_page, self.progress_page, self.summary):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self._colour_problems()
        self._set_mapping_ready(False)
        if path is not None:
            self.path.setText(str(path))
            self.load_file()

    # --- pages ----------------------------------------------------------------------------------

    def _build_setup_page(self) -> QWidget:
        page = QWidget(self)
        file_label = QLabel("&File:", page)
        self.path = QLineEdit(page)
        self.path.setAccessibleName("File to import")
        self.path.setPlaceholderText("A CSV file exported from a spreadsheet, contacts or a CRM")
        self.path.editingFinished.connect(self.load_file)
        file_label.setBuddy(self.path)
        self.browse_button = QPushButton("&Browse…", page)
        self.browse_button.setAccessibleName("Browse for a file")
        self.browse_button.clicked.connect(self.browse)
        file_row = QHBoxLayout()
        for widget in (file_label, self.path, self.browse_button):
            file_row.addWidget(widget)
        self.file_problem = self._problem_label("Problem with the file", page)

        self.mapping_title = QLabel("Which lead field each &column fills:", page)
        self.mapping = MappingTable(page)
        self.mapping_title.setBuddy(self.mapping)
        self.mapping.mapping_changed.connect(self._mapping_changed)
        self.preview_title = QLabel("The first rows, as they would be &imported:", page)
        self.rows_model = ImportedRowsModel()
        self.rows_view = QTableView(page)
        self.rows_view.setAccessibleName("Imported rows preview")
        self.rows_view.setModel(self.rows_model)
        self.rows_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.preview_title.setBuddy(self.rows_view)
        self.mapping_problem = self._problem_label("Problem with the mapping", page)

        self.duplicates_box = QGroupBox("When an e-mail is already there", page)
        self.skip_duplicates = QRadioButton("&Skip the row", self.duplicates_box)
        self.skip_duplicates.setAccessibleName("Skip rows whose e-mail is already there")
        self.merge_duplicates = QRadioButton("&Merge the row into the lead", self.duplicates_box)
        self.merge_duplicates.setAccessibleName("Merge rows whose e-mail is already there")
        self.skip_duplicates.setChecked(True)
        self._duplicates = QButtonGroup(self)
        choices = QHBoxLayout(self.duplicates_box)
        for choice in (self.skip_duplicates, self.merge_duplicates):
            self._duplicates.addButton(choice)
            choices.addWidget(choice)
        choices.addStretch(1)

        self.notice = QLabel(page)
        self.notice.setAccessibleName("Last import")
        self.notice.setWordWrap(True)
        self.check_button = QPushButton("Check &only", page)
        self.check_button.setAccessibleName("Check only")
        self.check_button.setToolTip("Read the whole file and report, without changing anything")
        self.check_button.clicked.connect(lambda: self.start(dry_run=True))
        self.import_button = QPushButton("&Import", page)
        self.import_button.setAccessibleName("Import")
        self.import_button.clicked.connect(lambda: self.start(dry_run=False))
        self.close_button = QPushButton("Close", page)
        self.close_button.setAccessibleName("Close")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.notice, 1)
        for button in (self.check_button, self.import_button, self.close_button):
            buttons.addWidget(button)
        # Enter in the path field loads the file (editingFinished): no button may take the
        # same key press too, or Enter would also open the file chooser (Browse is the first
        # button a dialog would make default) or start an import.
        for button in (self.browse_button, self.check_button, self.import_button,
                       self.close_button):  # fmt: skip
            button.setAutoDefault(False)

        layout = QVBoxLayout(page)
        layout.addLayout(file_row)
        layout.addWidget(self.file_problem)
        layout.addWidget(self.mapping_title)
        layout.addWidget(self.mapping, 3)
        layout.addWidget(self.preview_title)
        layout.addWidget(self.rows_view, 2)
        layout.addWidget(self.mapping_problem)
        layout.addWidget(self.duplicates_box)
        layout.addLayout(buttons)
        return page

    def _build_progress_page(self) -> QWidget:
        page = QWidget(self)
        self.progress_label = QLabel(page)
        self.progress_label.setAccessibleName("Progress")
        self.progress = QProgressBar(page)
        self.progress.setAccessibleName("Share of the file read")
        self.progress.setRange(0, PROGRESS_STEPS)
        self.cancel_button = QPushButton("&Cancel", page)
        self.cancel_button.setAccessibleName("Cancel the import")
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _problem_label(self, name: str, parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setAccessibleName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setVisible(False)
        return label

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_problems()

    def _colour_problems(self) -> None:
        colour = problem_colour(self.palette())
        for label in (self.file_problem, self.mapping_problem):
            palette = label.palette()
            palette.setColor(QPalette.ColorRole.WindowText, colour)
            label.setPalette(palette)

    # --- choosing the file ----------------------------------------------------------------------

    def browse(self) -> None:
        current = Path(self.path.text().strip()).expanduser()
        folder = str(current.parent) if self.path.text().strip() else str(Path.home())
        name, _ = QFileDialog.getOpenFileName(self, "Choose a file to import", folder, FILE_FILTER)
        if name:
            self.path.setText(name)
            self.load_file()

    def load_file(self) -> None:
        """Read the start of the chosen file for the mapping page (on the worker)."""
        text = self.path.text().strip()
        if not text or text == self._loaded_path:
            return  # leaving the field unchanged is not a new choice
        self._loaded_path = text
        self._request += 1
        request = self._request
        path = Path(text).expanduser()
        self.preview = None
        self._set_mapping_ready(False)
        self._show(self.file_problem, "")
        self.notice.setText("Reading the file…")
        self.ops.run(
            lambda _db: preview_csv(path),
            lambda preview: self._previewed(request, preview),
            on_error=lambda message: self._preview_refused(request, message),
        )

    def _previewed(self, request: int, preview: ImportPreview) -> None:
        if request != self._request:
            return
        self.preview = preview
        self.notice.setText("")
        self.mapping.show_columns(preview.format.columns, preview.rows, preview.mapping)
        self._set_mapping_ready(True)
        self._mapping_changed()
        self.previewed.emit()

    def _preview_refused(self, request: int, message: str) -> None:
        if request != self._request:
            return
        # The path stays as typed: the user corrects it or picks another file.
        self.notice.setText("")
        self._show(self.file_problem, sentence(message))
        self.mapping.show_columns((), [], {})
        self.rows_model.show([], {})
        self._set_mapping_ready(False)
        self.previewed.emit()

    def _set_mapping_ready(self, ready: bool) -> None:
        for widget in (self.mapping, self.rows_view, self.duplicates_box):
            widget.setEnabled(ready)
        if not ready:
            self._show(self.mapping_problem, "")
        self.check_button.setEnabled(ready and self.mapping.problem() is None)
        self.import_button.setEnabled(ready and self.mapping.problem() is None)

    def _mapping_changed(self) -> None:
        if self.preview is None:
            return
        self.rows_model.show(self.preview.rows, self.mapping.mapping())
        problem = self.mapping.problem()
        self._show(self.mapping_problem, problem or "")
        self.check_button.setEnabled(problem is None)
        self.import_button.setEnabled(problem is None)

    @staticmethod
    def _show(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

    def on_duplicate(self) -> Duplicates:
        return Duplicates.MERGE if self.merge_duplicates.isChecked() else Duplicates.SKIP

    # --- importing ------------------------------------------------------------------------------

    def start(self, *, dry_run: bool) -> None:
        """Import the file as mapped, or with `dry_run` only check it; on the worker."""
        if self.preview is None or self.mapping.problem() is not None or self._running:
            return
        path = Path(self._loaded_path).expanduser()
        mapping = self.mapping.mapping()
        on_duplicate = self.on_duplicate()
        cancel = self._cancel = threading.Event()
        relay = self.relay

        def work(db: Database) -> ImportReport | None:
            try:
                return import_csv(
                    db,
                    path,
                    mapping=mapping,
                    on_duplicate=on_duplicate,
                    dry_run=dry_run,
                    progress=relay.report,
                    cancelled=cancel.is_set,
                )
            except ImportCancelled:
                return None  # an answer, not a failure: the dialog says so in its own words

        self._running = True
        self.progress.setValue(0)
        self.progress_label.setText("Checking the file…" if dry_run else "Importing the leads…")
        self.cancel_button.setEnabled(True)
        self.pages.setCurrentWidget(self.progress_page)
        self.cancel_button.setFocus()
        self.ops.run(work, self._finished, writes=not dry_run, on_error=self._failed)

    def _progressed(self, done: int, total: int) -> None:
        if self._running and total > 0:
            self.progress.setValue(min(PROGRESS_STEPS, done * PROGRESS_STEPS // total))

    def cancel(self) -> None:
        """Ask the running import to stop; the service rolls everything back."""
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText("Cancelling…")

    def _finished(self, report: ImportReport | None) -> None:
        self._running = False
        if report is None:
            self._back_to_mapping()
            self.notice.setText(CANCELLED)
            self.import_cancelled.emit()
        else:
            self.summary.show_report(report)
            self.pages.setCurrentWidget(self.summary)
            self.import_finished.emit(report)
        self._close_if_asked()

    def _failed(self, message: str) -> None:
        self._running = False
        self._back_to_mapping()
        self._show(self.file_problem, f"Nothing was imported. {sentence(message)}")
        self.import_failed.emit(message)
        self._close_if_asked()

    def _back_to_mapping(self) -> None:
        self.notice.setText("")
        self.pages.setCurrentWidget(self.setup_page)

    def _close_if_asked(self) -> None:
        if self._close_when_done:
            super().reject()

    def reject(self) -> None:
        # Escape or closing the window while an import runs cancels it; the dialog closes
        # once the service has rolled back, so no answer comes back to a closed dialog.
        if self._running:
            self._close_when_done = True
            self.cancel()
            return
        super().reject()
