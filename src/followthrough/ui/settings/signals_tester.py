"""Trying the signal rules on a sample mail (Settings › Signals): what it would log, and for
whom, or why nothing.

The answer comes from the database (the rules as kept and the leads), so it is asked on the
operations worker, a quarter of a second after the typing stops, and only the answer to the
latest question is shown: typing never waits for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from followthrough.errors import InvalidData
from followthrough.services.signalrules import Trial, try_rule
from followthrough.ui.changes import Changes
from followthrough.ui.ops import Operations
from followthrough.ui.settings.fields import SettingsPage, sentence
from followthrough.ui.settings.layout import tidy_form

if TYPE_CHECKING:
    from followthrough.services.database import Database

TRY_DELAY_MS = 250  # after the last key: long enough not to ask for every letter
ASK = "Type a subject and who the mail is from to see what it would log."


def trial_words(trial: Trial) -> str:
    """What a trial found, as one sentence."""
    rule, kind = trial.rule, trial.kind
    if not trial.why and rule is not None and kind is not None:
        return f"Would log “{kind.label}” for {trial.lead_name} (rule {rule.name})."
    why = trial.why.rstrip(".")
    if rule is not None:
        return f"Rule {rule.name} fits this mail, but it would log nothing: {why}."
    return f"It would log nothing: {why}."


def _try(db: Database, subject: str, sender: str, reply_to: str | None) -> Trial | InvalidData:
    # A refused address is an answer to show next to its field, not a failure of the work.
    try:
        return try_rule(db, subject, sender, reply_to)
    except InvalidData as exc:
        return exc


class RuleTester(SettingsPage):
    """A sample subject, From and Reply-To, and what the rules as kept would log for it."""

    tried = Signal(str)  # the sentence now shown

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        box = QGroupBox("Try a mail", self)
        self.subject = QLineEdit(box, placeholderText="Dana Reyes viewed Proposal for Acme")
        self.from_edit = QLineEdit(box, placeholderText="no-reply@docsend.com")
        self.reply_to = QLineEdit(box, placeholderText="Optional: dana@acme.example")
        self.result = QLabel(ASK, box)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("What it would log")
        form = tidy_form(QFormLayout(box))
        rows = (("subject", "Su&bject", self.subject), ("from", "Fr&om", self.from_edit),
                ("reply_to", "Repl&y-To", self.reply_to))  # fmt: skip
        for field, text, edit in rows:
            label = QLabel(text, box)
            label.setBuddy(edit)
            edit.setAccessibleName(text.replace("&", ""))
            form.addRow(label, edit)
            form.addRow("", self.problem_slot(field))
            edit.textChanged.connect(self.later)
        form.addRow(self.result)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TRY_DELAY_MS)
        self._timer.timeout.connect(self.try_now)
        # The answer rests on the rules and the leads as kept: asked again when they move.
        ops.changed.connect(self._data_changed)

    def _data_changed(self, changes: Changes) -> None:
        if (changes.settings or changes.leads) and self.from_edit.text().strip():
            self.later()

    def later(self) -> None:
        """Ask again once the typing has stopped (or the rules changed)."""
        self._timer.start()

    def try_now(self) -> None:
        self._timer.stop()
        subject, sender = self.subject.text(), self.from_edit.text().strip()
        reply_to = self.reply_to.text().strip() or None
        if not subject.strip() or not sender:
            self.clear_problems()
            self._say(ASK)
            return
        self.ops.run(
            lambda db: _try(db, subject, sender, reply_to),
            self._answered,
            on_error=self._failed,
            latest="trial",  # an older question answered late is not shown over a newer one
        )

    def _answered(self, answer: Trial | InvalidData) -> None:
        self.clear_problems()
        if isinstance(answer, InvalidData):
            if self.owns(answer.field) and answer.field is not None:
                self.show_problem(answer.field, str(answer))
            self._say("Correct the address to see what the mail would log.")
            return
        self._say(trial_words(answer))

    def _failed(self, message: str) -> None:
        self._say(sentence(f"cannot try the rules: {message}"))

    def _say(self, text: str) -> None:
        self.result.setText(text)
        self.tried.emit(text)
