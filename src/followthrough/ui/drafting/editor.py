"""The template editor: the library on the left, a template's text and its live preview right.

Built-ins are read-only; "Duplicate to edit" makes the user's own copy. Unsaved text is kept
per template while the user looks at others, so moving around never loses work.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.templates import TemplateSpec, format_template, parse_template
from followthrough.errors import InvalidData
from followthrough.services import templates
from followthrough.services.database import Database
from followthrough.services.lead_queries import list_leads
from followthrough.services.readmodels import LeadView
from followthrough.ui.changes import TEMPLATES, Changes
from followthrough.ui.drafting.ask import ask
from followthrough.ui.drafting.highlight import attention_style, finding_selections, line_selection
from followthrough.ui.drafting.preview import Preview, preview_template
from followthrough.ui.ops import Operations

PREVIEW_PAUSE_MS = 250  # render once typing pauses, not on every key
FILE_FILTER = "Template files (*.tmpl);;All files (*)"


class TemplateEditor(QDialog):
    loaded = Signal()  # the template list is (re)filled
    previewed = Signal()  # the preview (or the problem that stops it) is on screen

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.specs: dict[str, TemplateSpec] = {}
        self.unsaved: dict[str, str] = {}  # slug → text typed and not saved yet
        self.current: str | None = None
        self.preview: Preview | None = None
        self._showing = False  # filling the text field is not typing
        self.setWindowTitle("Templates")
        self.resize(980, 640)
        self._build()
        self._pause = QTimer(self, singleShot=True, interval=PREVIEW_PAUSE_MS)
        self._pause.timeout.connect(self.refresh_preview)
        self._run(lambda db: list_leads(db, limit=50), self._fill_leads, on_error=self._say)
        self._reload(None)

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.library = QListWidget(self)
        self.library.setAccessibleName("Templates")
        self.library.currentItemChanged.connect(self._picked)
        self.duplicate = _button("D&uplicate", self, self.duplicate_current)
        self.delete = _button("&Delete…", self, self.delete_current)
        self.import_button = _button("&Import…", self, self.import_file)
        self.export_button = _button("E&xport…", self, self.export_current)
        left = QWidget(self)
        side = QVBoxLayout(left)
        side.setContentsMargins(0, 0, 0, 0)
        library_label = QLabel("&Library", left)
        library_label.setBuddy(self.library)
        side.addWidget(library_label)
        side.addWidget(self.library)
        for pair in ((self.duplicate, self.delete), (self.import_button, self.export_button)):
            holder = QWidget(left)
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            for button in pair:
                row.addWidget(button)
            side.addWidget(holder)

        self.read_only_note = QLabel("Built-in templates are read-only.", self)
        self.duplicate_to_edit = _button("Duplicate to &edit", self, self.duplicate_current)
        self.text = QPlainTextEdit(self)
        self.text.setAccessibleName("Template text")
        self.text.setTabChangesFocus(True)
        self.text.textChanged.connect(self._typed)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        self.problem.setStyleSheet(attention_style(self.palette()))
        self.lead = QComboBox(self)
        self.lead.setAccessibleName("Preview for")
        self.lead.addItem("A sample lead", None)
        self.lead.currentIndexChanged.connect(lambda _: self.refresh_preview())
        self.preview_subject = QLineEdit(self, readOnly=True)
        self.preview_subject.setAccessibleName("Preview subject")
        self.preview_body = QPlainTextEdit(self, readOnly=True)
        self.preview_body.setAccessibleName("Preview message")
        self.preview_notes = QLabel(self)
        self.preview_notes.setWordWrap(True)
        self.preview_notes.setAccessibleName("Preview findings")
        self.save = _button("&Save", self, self.save_current)
        self.status = QLabel(self)
        self.status.setAccessibleName("Status")
        close = _button("Close", self, self.close)

        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter belongs to the field being typed in

        note = QWidget(self)  # a widget, not a bare layout, in the form (see SentForm)
        note_row = QHBoxLayout(note)
        note_row.setContentsMargins(0, 0, 0, 0)
        note_row.addWidget(self.read_only_note, 1)
        note_row.addWidget(self.duplicate_to_edit)
        right = QWidget(self)
        form = QFormLayout(right)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(note)
        form.addRow("&Text", self.text)
        form.addRow("", self.problem)
        form.addRow("Preview &for", self.lead)
        form.addRow("Subject", self.preview_subject)
        form.addRow("Message", self.preview_body)
        form.addRow("", self.preview_notes)
        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        bottom = QHBoxLayout()
        layout.addLayout(bottom)  # parented first: Python never owns it alone
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.save)
        bottom.addWidget(close)

    # --- the library ----------------------------------------------------------------------

    def _reload(self, select: str | None) -> None:
        self._run(
            templates.list_templates, lambda specs: self._fill(specs, select), on_error=self._say
        )

    def _fill(self, specs: list[TemplateSpec], select: str | None) -> None:
        self.specs = {spec.slug: spec for spec in specs}
        wanted = select or self.current
        self.library.blockSignals(True)
        self.library.clear()
        for spec in specs:
            item = QListWidgetItem(self._label(spec), self.library)
            item.setData(Qt.ItemDataRole.UserRole, spec.slug)
            item.setToolTip(f"{spec.slug} · {spec.intent.replace('_', ' ')} · {spec.channel}")
        self.library.blockSignals(False)
        slugs = [spec.slug for spec in specs]
        row = slugs.index(wanted) if wanted in slugs else 0
        self.current = None
        if specs:
            self.library.setCurrentRow(row)
        self.loaded.emit()

    def _label(self, spec: TemplateSpec) -> str:
        mark = "• " if spec.slug in self.unsaved else ""
        return f"{mark}{spec.title} (built-in)" if spec.builtin else f"{mark}{spec.title}"

    def _picked(self, item: QListWidgetItem | None, _: QListWidgetItem | None = None) -> None:
        slug = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if slug is None or slug == self.current:
            return
        self.current = slug
        spec = self.specs[slug]
        self._showing = True
        self.text.setPlainText(self.unsaved.get(slug, format_template(spec)))
        self._showing = False
        self.text.setReadOnly(spec.builtin)
        self.read_only_note.setVisible(spec.builtin)
        self.duplicate_to_edit.setVisible(spec.builtin)
        self.delete.setEnabled(not spec.builtin)
        self.save.setEnabled(slug in self.unsaved)
        self.problem.clear()
        self.refresh_preview()

    def _fill_leads(self, leads: list[LeadView]) -> None:
        for lead in leads:
            self.lead.addItem(
                f"{lead.name} · {lead.company}" if lead.company else lead.name, lead.id
            )
        if leads:  # a real lead shows what the template would really say
            self.lead.setCurrentIndex(1)

    # --- editing and the preview ----------------------------------------------------------

    def _typed(self) -> None:
        if self._showing or self.current is None or self.specs[self.current].builtin:
            return
        first_change = self.current not in self.unsaved
        self.unsaved[self.current] = self.text.toPlainText()
        if first_change:
            self.library.currentItem().setText(self._label(self.specs[self.current]))
        self.save.setEnabled(True)
        self._pause.start()

    def refresh_preview(self) -> None:
        self._pause.stop()
        text, lead_id = self.text.toPlainText(), self.lead.currentData()
        # An answer to older text is already out of date: only the newest one is shown.
        self._run(lambda db: preview_template(db, text, lead_id), self._show_preview,
                  on_error=self._say, latest="preview")  # fmt: skip

    def _show_preview(self, preview: Preview) -> None:
        self.preview = preview
        self.problem.setText(preview.problem)
        marks = [] if preview.line is None else [line_selection(self.text, preview.line)]
        self.text.setExtraSelections(marks)
        self.preview_subject.setText(preview.subject)
        self.preview_body.setPlainText(preview.body)
        self.preview_body.setExtraSelections(
            finding_selections(self.preview_body, preview.findings)
        )
        notes = [f"• {finding.message}" for finding in preview.findings]
        self.preview_notes.setText("\n".join(notes) if notes else "")
        self.previewed.emit()

    # --- saving, copying, deleting, files -------------------------------------------------

    def save_current(self) -> None:
        slug = self.current
        if slug is None or self.specs[slug].builtin:
            return
        text = self.text.toPlainText()
        try:
            spec = parse_template(text)
        except InvalidData as problem:
            self._refused(problem.message)
            return

        def saved(stored: TemplateSpec) -> None:
            self.unsaved.pop(slug, None)
            if stored.slug != slug:  # renamed: the old name's unsaved text went with it
                self.current = None
            self.save.setEnabled(False)
            self.status.setText(f"Saved {stored.title}")
            self._reload(stored.slug)

        self._run(lambda db: templates.save_template(db, spec, slug), saved,
                  writes=TEMPLATES, on_error=self._refused)  # fmt: skip

    def _refused(self, message: str) -> None:
        self.problem.setText(f"Not saved: {message}")

    def duplicate_current(self) -> None:
        slug = self.current
        if slug is None:
            return

        def made(copy: TemplateSpec) -> None:
            self.status.setText(f"Made {copy.title}: edit it, then save")
            self._reload(copy.slug)
            self.text.setFocus()

        self._run(lambda db: templates.duplicate_template(db, slug), made,
                  writes=TEMPLATES, on_error=self._say)  # fmt: skip

    def delete_current(self) -> QMessageBox | None:
        slug = self.current
        if slug is None or self.specs[slug].builtin:
            return None
        title = self.specs[slug].title

        def gone(_: None) -> None:
            self.unsaved.pop(slug, None)
            self.current = None
            self.status.setText(f"Deleted {title}")
            self._reload(None)

        def delete() -> None:
            self._run(lambda db: templates.delete_template(db, slug), gone,
                      writes=TEMPLATES, on_error=self._say)  # fmt: skip

        return ask(self, "Delete template", f"Delete “{title}”? This cannot be undone.",
                   [("&Delete", QMessageBox.ButtonRole.DestructiveRole, delete),
                    ("Keep it", QMessageBox.ButtonRole.RejectRole, None)])  # fmt: skip

    def import_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import a template", "", FILE_FILTER)
        if not name:
            return

        def imported(spec: TemplateSpec) -> None:
            self.status.setText(f"Imported {spec.title}")
            self._reload(spec.slug)

        self._run(lambda db: templates.import_template_file(db, Path(name)), imported,
                  writes=TEMPLATES, on_error=self._say)  # fmt: skip

    def export_current(self) -> None:
        slug = self.current
        if slug is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the template", f"{slug}.tmpl", FILE_FILTER
        )
        if not name:
            return
        note = " (the saved version; unsaved changes are not in it)" if slug in self.unsaved else ""
        self._run(lambda db: templates.export_template_file(db, slug, Path(name)),
                  lambda path: self.status.setText(f"Exported to {path}{note}"),
                  on_error=self._say)  # fmt: skip

    def _say(self, message: str) -> None:
        self.status.setText(message)

    # --- the window's life ----------------------------------------------------------------

    def reject(self) -> None:
        """Escape, Close and the window's close box all end here: unsaved work asks first."""
        if not self.unsaved:
            super().reject()
            return
        count = len(self.unsaved)
        ask(self, "Unsaved templates",
            f"{count} template{'s have' if count > 1 else ' has'} unsaved changes. Close anyway?",
            [("&Discard and close", QMessageBox.ButtonRole.DestructiveRole, self._discard),
             ("Keep editing", QMessageBox.ButtonRole.RejectRole, None)])  # fmt: skip

    def _discard(self) -> None:
        self.unsaved.clear()
        self.close()

    def done(self, result: int) -> None:
        self.ops.drop_pending(self)  # answers still on their way are for a closed window
        super().done(result)

    def _run(
        self,
        work: Callable[[Database], Any],
        on_done: Callable[[Any], Any],
        *,
        writes: Changes | bool = False,
        on_error: Callable[[str], None],
        latest: str | None = None,
    ) -> None:
        # Owned by the window: nothing comes back once it is closed (see done) or deleted.
        self.ops.run(work, on_done, writes=writes, on_error=on_error, owner=self, latest=latest)


def _button(text: str, parent: QWidget, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text, parent)
    button.clicked.connect(lambda _checked=False: slot())
    return button
