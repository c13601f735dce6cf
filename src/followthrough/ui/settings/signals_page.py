"""The "Signals" tab: the rules that read proposal and scheduling tools' notification mail.

The rules are shown in the order they are tried (the first that fits a mail is the one used),
each with its own on/off box. Like the Mail tab's buttons, everything here acts at once rather
than on the dialog's OK, and each change keeps the whole list in one transaction
(services/signalrules.save_rules), on the operations worker.

Switching a rule, moving and removing one show at once and are saved behind the scenes, in the
order they were made; a save that fails says so and puts back the list as kept. A rule added
or changed in the editor (signals_rule_editor.py) is checked by the domain first; its window
closes only once the rule is kept. Below the list, a sample mail is tried against the rules as
kept (signals_tester.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from followthrough.domain.signalrules import SignalRule, check_rules
from followthrough.errors import InvalidData
from followthrough.services.signalrules import list_rules, reset_rules, save_rules
from followthrough.ui.changes import SETTINGS, Changes
from followthrough.ui.ops import Operations
from followthrough.ui.settings.fields import SettingsPage, hint_label
from followthrough.ui.settings.signals_rule_editor import RuleEditor, kind_words
from followthrough.ui.settings.signals_tester import RuleTester

INTRO = (
    "When a proposal or scheduling tool e-mails you that a lead opened, booked or cancelled "
    "something, these rules log it on the lead. They are tried from the top; the first that "
    "fits a mail is used."
)
PATTERN_LINE = (
    "A subject pattern is the subject as the tool writes it, with {name}, {company}, {title} "
    "or {any} where it changes."
)
COLUMNS = ("Rule", "From", "Subject pattern", "Logs as")


class SignalsPage(SettingsPage):
    loaded = Signal()  # the rules as kept are on screen
    saved = Signal()  # a change to the rules is kept

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.rules: tuple[SignalRule, ...] = ()
        self.editor: RuleEditor | None = None  # the rule being written, while its window is open
        self.confirmation: QMessageBox | None = None  # "Restore the shipped rules?" while open
        self._filling = False  # the table is being filled: its check boxes are not the person's
        self._fitted = False  # the columns were sized to the rules once; then they are the person's
        self._loaded = False
        self._build()
        self._update_buttons()
        self.ops.run(list_rules, self._show_loaded, on_error=self._load_refused)
        # Kept elsewhere too (the command line, a backup restored): shown as kept.
        self.ops.changed.connect(self._data_changed)

    # --- the page --------------------------------------------------------------------------------

    def _build(self) -> None:
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setAccessibleName("Signal rules, in the order they are tried")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        rows = self.table.verticalHeader()
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 10)  # more rules in view
        rows.hide()  # the width goes to the patterns; the intro says
        # the rules are tried from the top
        self.table.itemChanged.connect(self._switched)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit_rule())

        self.up = QPushButton("Move &up", self)
        self.down = QPushButton("Move do&wn", self)
        self.add = QPushButton("&Add…", self)
        self.edit = QPushButton("&Edit…", self)
        self.remove = QPushButton("Remo&ve", self)
        self.restore = QPushButton("Restore s&hipped rules…", self)
        for button, name, action in (
            (self.up, "Try the rule earlier", lambda: self.move_rule(-1)),
            (self.down, "Try the rule later", lambda: self.move_rule(1)),
            (self.add, "Add a rule", self.add_rule),
            (self.edit, "Edit the rule", self.edit_rule),
            (self.remove, "Remove the rule", self.remove_rule),
            (self.restore, "Restore the shipped rules", self.ask_restore),
        ):
            button.setAccessibleName(name)
            button.clicked.connect(action)
        buttons = QWidget(self)  # a widget, not a bare layout: see data_page.py
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.up, self.down, self.add, self.edit, self.remove):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.restore)

        self.note = hint_label("", self)  # what the last button did
        self.note.setAccessibleName("Signal rules note")
        self.note.hide()
        self.tester = RuleTester(self.ops, self)

        layout = QVBoxLayout(self)
        layout.addWidget(hint_label(INTRO, self))
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        layout.addWidget(self.problem_slot("rules"))
        layout.addWidget(self.note)
        layout.addWidget(hint_label(PATTERN_LINE, self))
        layout.addWidget(self.tester)

    def _fill(self, selected: int | None = None) -> None:
        self._filling = True
        try:
            self.table.setRowCount(len(self.rules))
            muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
            for row, rule in enumerate(self.rules):
                texts = (rule.name, rule.sender, rule.pattern, kind_words(rule.kind))
                items = [QTableWidgetItem(text) for text in texts]
                for column, (text, item) in enumerate(zip(texts, items, strict=True)):
                    item.setToolTip(text)
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    if not rule.enabled:
                        item.setForeground(muted)  # an off rule reads as off at a glance
                    self.table.setItem(row, column, item)
                switch = items[0]
                switch.setFlags(switch.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                switch.setCheckState(Qt.CheckState.Checked if rule.enabled
                                     else Qt.CheckState.Unchecked)  # fmt: skip
                switch.setToolTip(f"{rule.name}: {'on' if rule.enabled else 'off'}")
        finally:
            self._filling = False
        if self.rules and not self._fitted:
            self._fit_columns()
        if selected is not None and 0 <= selected < len(self.rules):
            self.table.selectRow(selected)
        else:
            self.table.clearSelection()
        self._update_buttons()

    def _fit_columns(self) -> None:
        # Name, sender and kind as wide as they need up to a few words (longer ones are cut,
        # whole in their tooltip), so that the subject pattern keeps most of the width.
        self._fitted = True
        metrics = self.table.fontMetrics()
        check = self.table.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
        for column, widest in ((0, "Proposify: viewing"), (1, "@proposify.com"),
                               (3, "Meeting cancelled")):  # fmt: skip
            self.table.resizeColumnToContents(column)
            cap = metrics.horizontalAdvance(widest) + 20 + (check + 8) * (column == 0)
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), cap))

    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _update_buttons(self) -> None:
        row = self.selected_row() if self._loaded else None
        for button in (self.add, self.restore):
            button.setEnabled(self._loaded)
        self.table.setEnabled(self._loaded)
        self.edit.setEnabled(row is not None)
        self.remove.setEnabled(row is not None)
        self.up.setEnabled(row is not None and row > 0)
        self.down.setEnabled(row is not None and row < len(self.rules) - 1)

    def _say(self, text: str) -> None:
        self.clear_problems()
        self.note.setText(text)
        self.note.setVisible(bool(text))

    # --- reading ---------------------------------------------------------------------------------

    def _show_loaded(self, rules: tuple[SignalRule, ...]) -> None:
        self._loaded = True
        self.rules = rules
        self._fill()
        self.loaded.emit()

    def _load_refused(self, message: str) -> None:
        self.show_problem("rules", f"cannot read the signal rules: {message}")
        self.loaded.emit()

    # --- changes shown at once, kept behind the scenes -------------------------------------------

    def _switched(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 0:
            return
        row = item.row()
        on = item.checkState() == Qt.CheckState.Checked
        rule = self.rules[row]
        if rule.enabled == on:
            return
        rules = list(self.rules)
        rules[row] = rule.with_enabled(on)
        self._keep(rules, row, f"“{rule.name}” is {'on' if on else 'off'}.")

    def move_rule(self, step: int) -> None:
        row = self.selected_row()
        if row is None or not 0 <= row + step < len(self.rules):
            return
        rules = list(self.rules)
        rules[row], rules[row + step] = rules[row + step], rules[row]
        self._keep(rules, row + step, "")
        self.table.setFocus()  # so that the next move is one key away

    def remove_rule(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        gone = self.rules[row]
        rules = [*self.rules[:row], *self.rules[row + 1 :]]
        self._keep(rules, min(row, len(rules) - 1), f"Removed the rule “{gone.name}”.")

    def _keep(self, rules: Sequence[SignalRule], selected: int | None, said: str) -> None:
        kept = tuple(rules)
        self.ops.drop_pending(self, "rules")  # a read asked before this change is out of date
        self.rules = kept
        self._fill(selected)
        self._say(said)
        # Saves run on the one worker in the order they were asked: the last one wins.
        self.ops.run(lambda db: save_rules(db, kept), self._kept, writes=SETTINGS,
                     on_error=self._keep_refused)  # fmt: skip

    def _kept(self, _rules: tuple[SignalRule, ...]) -> None:
        self.saved.emit()

    def _keep_refused(self, message: str) -> None:
        # The screen showed a change that was not kept: show the list as it is kept.
        self.show_problem("rules", f"the change was not kept: {message}")
        self._read_again()

    def _data_changed(self, changes: Changes) -> None:
        if changes.settings and self._loaded:
            self._read_again()

    def _read_again(self) -> None:
        self.ops.run(list_rules, self._reread, latest="rules")

    def _reread(self, rules: tuple[SignalRule, ...]) -> None:
        if rules != self.rules:
            self.rules = rules
            self._fill(self.selected_row())

    # --- writing a rule --------------------------------------------------------------------------

    def add_rule(self) -> RuleEditor:
        return self._open_editor(None)

    def edit_rule(self) -> RuleEditor | None:
        row = self.selected_row()
        return self._open_editor(self.rules[row]) if row is not None else None

    def _open_editor(self, rule: SignalRule | None) -> RuleEditor:
        editor = RuleEditor(rule, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.submitted.connect(lambda typed: self._submitted(editor, typed))
        self.editor = editor
        editor.open()
        return editor

    def _submitted(self, editor: RuleEditor, rule: SignalRule) -> None:
        rules = list(self.rules)
        index = self._index_of(editor.original)
        if index is None:
            rules.append(rule)
            index = len(rules) - 1
        else:
            rules[index] = rule
        try:
            kept = check_rules(rules)  # a name used twice is refused before anything is written
        except InvalidData as exc:
            editor.show_problem(exc.field, str(exc))
            return
        at = index

        def done(saved: tuple[SignalRule, ...]) -> None:
            self.rules = saved
            self._fill(at)
            self._say(f"Kept the rule “{rule.name}”.")
            self.saved.emit()
            if Shiboken.isValid(editor):
                editor.accept()

        def refused(message: str) -> None:
            if Shiboken.isValid(editor):
                editor.show_problem(None, f"the rule was not kept: {message}")
            else:
                self.show_problem("rules", f"the rule was not kept: {message}")

        self.ops.drop_pending(self, "rules")
        self.ops.run(lambda db: save_rules(db, kept), done, writes=SETTINGS, on_error=refused,
                     owner=self)  # fmt: skip

    def _index_of(self, rule: SignalRule | None) -> int | None:
        if rule is None:
            return None
        for index, shown in enumerate(self.rules):
            if shown.name.casefold() == rule.name.casefold():
                return index
        return None

    # --- the shipped rules -----------------------------------------------------------------------

    def ask_restore(self) -> QMessageBox:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Restore the shipped rules")
        box.setText("Replace your signal rules with the ones the app comes with?")
        box.setInformativeText("Rules you added or changed are removed.")
        self.confirm_button = box.addButton("&Restore", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # a stray Enter must not throw the person's rules away
        box.setEscapeButton(cancel)
        self.confirm_button.clicked.connect(self.restore_shipped)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirmation = box
        box.open()
        return box

    def restore_shipped(self) -> None:
        self.ops.drop_pending(self, "rules")
        self.ops.run(reset_rules, self._restored, writes=SETTINGS, on_error=self._keep_refused)

    def _restored(self, rules: tuple[SignalRule, ...]) -> None:
        self.rules = rules
        self._fill()
        self._say("The shipped rules are back.")
        self.saved.emit()
