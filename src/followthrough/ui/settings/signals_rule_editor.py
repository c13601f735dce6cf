"""The small window in which one signal rule is written or changed (Settings › Signals).

It checks what was typed with the domain's own rule (SignalRule.create), on the spot: that is
pure and quick, so nothing waits for the database. A refusal is shown under its field and the
text stays as typed. Keeping the rule is the page's (signals_page.py): it knows the whole list,
which a name must be unique in, and saves it in one go.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.signalrules import NAME_MAX, PATTERN_MAX, RULE_KINDS, SignalRule
from followthrough.domain.signals import SignalKind
from followthrough.errors import InvalidData
from followthrough.ui.settings.fields import SettingsPage, hint_label, sentence, warning_colour
from followthrough.ui.settings.layout import tidy_form

PATTERN_HELP = (
    "Subject pattern: the subject the way the tool writes it. Where it changes from mail to "
    "mail, put {name} for the person, {company} for their company, {title} for a document or "
    "meeting, or {any} for words that do not matter. Capitals make no difference; two "
    "placeholders need some words between them."
)
FIELDS = ("name", "sender", "pattern", "kind")


def kind_words(kind: SignalKind) -> str:
    """What a rule logs, as the person reads it: "Proposal viewed"."""
    return kind.label


class RuleForm(SettingsPage):
    """The four fields of a rule, each with its place to say why it was refused."""

    def __init__(self, rule: SignalRule | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit(self, placeholderText="DocSend: viewed", maxLength=NAME_MAX)
        self.from_edit = QLineEdit(self, placeholderText="@docsend.com or notify@docsend.com")
        self.pattern = QLineEdit(self, placeholderText="{name} viewed {title}")
        self.pattern.setMaxLength(PATTERN_MAX + 50)  # a little over: the domain says by how much
        self.kind = QComboBox(self)
        for kind in RULE_KINDS:
            self.kind.addItem(kind_words(kind), kind)
        named = ((self.name, "Rule name"), (self.from_edit, "From"),
                 (self.pattern, "Subject pattern"), (self.kind, "Logs as"))  # fmt: skip
        for widget, name in named:
            widget.setAccessibleName(name)
        if rule is not None:
            self.name.setText(rule.name)
            self.from_edit.setText(rule.sender)
            self.pattern.setText(rule.pattern)
            self.kind.setCurrentIndex(self.kind.findData(rule.kind))

        form = tidy_form(QFormLayout(self))
        form.setContentsMargins(0, 0, 0, 0)
        labels = {"name": "&Name", "sender": "&From", "pattern": "Subject &pattern",
                  "kind": "&Logs as"}  # fmt: skip
        self.widgets: dict[str, QWidget] = {
            "name": self.name,
            "sender": self.from_edit,
            "pattern": self.pattern,
            "kind": self.kind,
        }
        for field in FIELDS:
            label = QLabel(labels[field], self)
            label.setBuddy(self.widgets[field])
            form.addRow(label, self.widgets[field])
            form.addRow("", self.problem_slot(field))


class RuleEditor(QDialog):
    """Add or change one rule; `submitted` carries it once the domain accepts what was typed."""

    submitted = Signal(object)  # SignalRule, checked

    def __init__(self, rule: SignalRule | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.original = rule
        self.setWindowTitle("Change the rule" if rule is not None else "New signal rule")
        self.form = RuleForm(rule, self)
        self.problem = QLabel(self)  # a refusal that is about no single field (saving failed)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {warning_colour(self.palette())}")
        self.problem.setAccessibleName("Problem")
        self.problem.hide()
        Button = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(Button.Save | Button.Cancel, self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.column = layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        self.help = hint_label(PATTERN_HELP, self)
        self.help.setAccessibleName("How to write a subject pattern")
        layout.addWidget(self.help)  # below the form, not in it: see fit_height
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())
        self.fit_height()

    def fit_height(self) -> None:
        """Tall enough for every wrapped line at the present width: a refusal shown under a
        field must not push the help text or the buttons out of the window. (The help is not
        a row of the form: a form squeezes a wrapped row whatever its height for the width.)"""
        self.column.activate()
        needed = self.column.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    @property
    def save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def typed_rule(self) -> SignalRule:
        """The rule as typed, checked by the domain; InvalidData names the field."""
        form = self.form
        enabled = self.original.enabled if self.original is not None else True
        return SignalRule.create(form.name.text(), form.from_edit.text(), form.pattern.text(),
                                 form.kind.currentData(), enabled)  # fmt: skip

    def submit(self) -> None:
        self.clear_problems()
        try:
            rule = self.typed_rule()
        except InvalidData as exc:
            self.show_problem(exc.field, str(exc))
            return
        self.saving(True)
        self.submitted.emit(rule)

    def saving(self, busy: bool) -> None:
        """While the page keeps the rule, a second Save must not send it twice."""
        self.save_button.setEnabled(not busy)

    def show_problem(self, field: str | None, message: str) -> None:
        self.saving(False)
        if field in FIELDS:
            self.form.show_problem(field, message)
            self.form.widgets[field].setFocus()
        else:
            self.problem.setText(sentence(message))
            self.problem.show()
        self.fit_height()

    def problem_text(self, field: str) -> str:
        return self.form.problem_text(field)

    def clear_problems(self) -> None:
        self.form.clear_problems()
        self.problem.clear()
        self.problem.hide()
