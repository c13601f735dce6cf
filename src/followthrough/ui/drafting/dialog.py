"""The Draft dialog: a follow-up to edit, checked as it is typed, then copied, mailed, logged.

Drafting reads the database and renders a template, so it runs on the operations worker;
the lint is pure and fast, so it runs on every keystroke right here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.drafting import MAX_WORDS, LintFinding, lint_draft, word_count
from followthrough.services.database import Database
from followthrough.services.drafting import Draft, draft_for, mark_sent
from followthrough.services.lead_queries import get_lead
from followthrough.services.preferences import get_preferences, update_preferences
from followthrough.services.readmodels import LeadView
from followthrough.services.templates import list_templates
from followthrough.ui.actions import LeadActions, SentMessage
from followthrough.ui.changes import LEADS, SETTINGS, Changes
from followthrough.ui.drafting.handoff import MessageHandoff
from followthrough.ui.drafting.highlight import attention_style, finding_selections
from followthrough.ui.drafting.sender import SenderQuestion
from followthrough.ui.drafting.sent_form import SentForm
from followthrough.ui.drafting.template_rates import TemplateRates
from followthrough.ui.ops import Operations


@dataclass(frozen=True)
class _Drafted:
    draft: Draft
    lead: LeadView
    titles: dict[str, str]  # slug → title, for the template choice
    ask_sender: bool  # no name to sign with, and the person was never asked


class DraftDialog(MessageHandoff, QDialog):
    drafted = Signal()  # a draft (or the reason there is none) is on screen
    sent = Signal()  # the message was logged as sent

    def __init__(
        self,
        ops: Operations,
        lead_id: int,
        alert_id: int | None = None,
        parent: QWidget | None = None,
        *,
        actions: LeadActions | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.lead_actions = actions  # sent messages go on the window's undo stack
        self.lead_id = lead_id
        self.alert_id = alert_id
        self.lead: LeadView | None = None
        self.draft: Draft | None = None
        self.findings: list[LintFinding] = []
        self._empties: list[LintFinding] = []  # empty merge values, moved along with edits
        self.setWindowTitle("Draft a follow-up")
        self.resize(640, 620)
        self._build()
        self._show_draft(None)
        self._redraft(None)

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.template = QComboBox(self)
        self.template.setAccessibleName("Template")
        self.rates = TemplateRates(self.ops, self.template)
        self.about = QLabel(self)  # intent and decision of the chosen template
        self.about.setAccessibleName("What the message asks")
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        self.problem.setStyleSheet(attention_style(self.palette()))
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subject = QLineEdit(self)
        self.subject.setAccessibleName("Subject")
        self.body = QPlainTextEdit(self)
        self.body.setAccessibleName("Message")
        self.body.setTabChangesFocus(True)
        self.words = QLabel(self)
        self.words.setAccessibleName("Word count")
        self.findings_list = QListWidget(self)
        self.findings_list.setAccessibleName("Findings")
        self.findings_list.setMaximumHeight(110)
        self.findings_list.itemActivated.connect(self._go_to_finding)
        self.status = QLabel(self)
        self.status.setAccessibleName("Status")

        self.copy = QPushButton("&Copy", self)
        self.copy.setToolTip("Put the message on the clipboard, as plain text and formatted")
        self.copy_subject = QPushButton("Copy sub&ject", self)
        self.open_mail = QPushButton("&Open in mail app", self)
        self.mark = QPushButton("Mar&k as sent…", self)
        self.close_button = QPushButton("Close", self)
        for button, slot in ((self.copy, self.copy_message),
                             (self.copy_subject, self.copy_subject_line),
                             (self.open_mail, self.open_in_mail_app),
                             (self.mark, self.ask_next_step),
                             (self.close_button, self.reject)):  # fmt: skip
            button.clicked.connect(lambda _checked=False, slot=slot: slot())
        self.sent_form = SentForm(self)
        self.sent_form.hide()
        self.sent_form.confirmed.connect(self.log_sent)
        self.sent_form.cancelled.connect(self._hide_sent_form)
        # Not `sender`: that name is QObject.sender().
        self.sender_question = SenderQuestion(self)
        self.sender_question.hide()
        self.sender_question.answered.connect(self._sign_with)
        self.sender_question.declined.connect(self._unsigned)

        # Nested layouts are added to their parent before being filled, so Python never
        # holds the only reference to one that Qt is still laying out.
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addWidget(self.sender_question)
        form = QFormLayout()
        layout.addLayout(form)
        for label, widget in (("&Template", self.template), ("", self.about),
                              ("&Subject", self.subject), ("&Message", self.body),
                              ("", self.words), ("&Findings", self.findings_list)):  # fmt: skip
            form.addRow(label, widget)
        layout.addWidget(self.sent_form)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        layout.addLayout(buttons)
        for button in (self.copy, self.copy_subject, self.open_mail, self.mark):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        for button in (self.copy, self.copy_subject, self.open_mail, self.mark, self.close_button):
            button.setAutoDefault(False)  # Enter in a field must not copy or send by surprise

        self.template.activated.connect(self._template_chosen)
        self.subject.textChanged.connect(self.relint)
        self.body.textChanged.connect(self.relint)
        self.body.document().contentsChange.connect(self._move_empty_values)

    # --- drafting on the worker -----------------------------------------------------------

    def _redraft(self, slug: str | None) -> None:
        lead_id, alert_id = self.lead_id, self.alert_id

        def work(db: Database) -> _Drafted:
            draft = draft_for(db, lead_id, alert_id, slug)
            lead = get_lead(db, lead_id).lead
            prefs = get_preferences(db)
            unsigned = not (prefs.sender_name or prefs.signature or prefs.sender_asked)
            return _Drafted(draft, lead, {t.slug: t.title for t in list_templates(db)}, unsigned)

        self.status.setText("Drafting…")
        self._run(work, self._drafted, on_error=self._failed)

    def _drafted(self, result: _Drafted) -> None:
        self.lead = result.lead
        self.alert_id = result.draft.alert_id  # the alert chosen when none was named
        self.setWindowTitle(f"Follow-up for {result.lead.name}")
        if self.template.count() == 0:  # the first draft sets the choice; switching keeps it
            for slug in (result.draft.template, *result.draft.alternatives):
                self.template.addItem(result.titles.get(slug, slug), slug)
            self.rates.read()  # each template's measured reply rate, once read
        self.template.setCurrentIndex(max(self.template.findData(result.draft.template), 0))
        self.problem.hide()
        self.status.setText("")
        self._show_draft(result.draft)
        if result.ask_sender:
            self.sender_question.show()
            self.sender_question.name.setFocus()
        self.drafted.emit()

    # --- the signature, asked once --------------------------------------------------------

    def _sign_with(self, name: str) -> None:
        slug = self.draft.template if self.draft else None
        changes = {"sender_name": name, "sender_asked": True}
        self.sender_question.hide()
        self._run(
            lambda db: update_preferences(db, changes),
            lambda _prefs: self._redraft(slug),
            writes=SETTINGS,
            on_error=self._failed,
        )

    def _unsigned(self) -> None:
        self.sender_question.hide()
        self._run(
            lambda db: update_preferences(db, {"sender_asked": True}),
            lambda _prefs: None,
            writes=SETTINGS,
            on_error=self._failed,
        )

    def _failed(self, message: str) -> None:
        self._show_draft(None)
        self.problem.setText(f"No draft: {message}")
        self.problem.show()
        self.status.setText("")
        self.drafted.emit()

    def _template_chosen(self, index: int) -> None:
        slug = self.template.itemData(index)
        if slug and (self.draft is None or slug != self.draft.template):
            self._redraft(slug)

    def _show_draft(self, draft: Draft | None) -> None:
        self.draft = draft
        if draft is not None:
            self.about.setText(f"Intent: {draft.intent.replace('_', ' ')} · asks about "
                               f"{draft.decision.replace('_', ' ')} · {draft.channel}")  # fmt: skip
        else:
            self.about.setText("")
        self.body.blockSignals(True)  # one lint for the whole new text, not one per signal
        self.subject.setText(draft.subject if draft else "")
        self.body.setPlainText(draft.body if draft else "")
        self.body.blockSignals(False)
        self._empties = [f for f in draft.findings if f.code == "empty_value"] if draft else []
        has = draft is not None
        mail = draft is not None and draft.channel == "email"
        for widget in (self.subject, self.body, self.copy, self.mark, self.findings_list):
            widget.setEnabled(has)
        self.copy_subject.setEnabled(mail)
        self.open_mail.setEnabled(mail)
        self.relint()

    # --- the lint, as you type ------------------------------------------------------------

    def relint(self) -> None:
        draft = self.draft
        self.findings = []
        if draft is not None:
            self.findings = lint_draft(
                self.subject.text(),
                self.body.toPlainText(),
                intent=draft.intent,
                channel=draft.channel,
            )
            # Empty merge values are known only from the rendering, so they come from there.
            self.findings += self._empties
            self.findings.sort(key=lambda f: (f.field != "subject", f.start, f.end))
        self.findings_list.clear()
        for finding in self.findings:
            where = "Subject: " if finding.field == "subject" else ""
            item = QListWidgetItem(where + finding.message, self.findings_list)
            item.setData(Qt.ItemDataRole.UserRole, (finding.field, finding.start, finding.end))
        self.body.setExtraSelections(finding_selections(self.body, self.findings))
        self._count_words()

    def _move_empty_values(self, position: int, removed: int, added: int) -> None:
        """Keep empty-value marks on their spot as the body is edited; writing there settles one."""
        kept = []
        for finding in self._empties:
            at = finding.start
            if position <= at <= position + removed:
                continue  # the user edited where the value is missing: nothing left to flag
            if position < at:
                at += added - removed
            kept.append(dataclasses.replace(finding, start=at, end=at))
        self._empties = kept

    def _count_words(self) -> None:
        channel = self.draft.channel if self.draft else "email"
        limit = MAX_WORDS.get(channel, MAX_WORDS["email"])
        self.words.setText(f"{word_count(self.body.toPlainText())} / {limit} words")

    def _go_to_finding(self, item: QListWidgetItem) -> None:
        field, start, end = item.data(Qt.ItemDataRole.UserRole)
        if field == "subject":
            self.subject.setSelection(start, end - start)
            self.subject.setFocus()
            return
        cursor = self.body.textCursor()
        cursor.setPosition(min(start, len(self.body.toPlainText())))
        cursor.setPosition(min(end, len(self.body.toPlainText())), cursor.MoveMode.KeepAnchor)
        self.body.setTextCursor(cursor)
        self.body.setFocus()

    # --- sending --------------------------------------------------------------------------

    def ask_next_step(self) -> None:
        lead = self.lead
        self.sent_form.fill(
            lead.next_step or "" if lead else "", lead.next_step_due if lead else None
        )
        self.sent_form.show()
        self.mark.setEnabled(False)
        # The step usually stays; the date is what the user came to change.
        focus = self.sent_form.due if self.sent_form.next_step.text() else self.sent_form.next_step
        focus.setFocus()

    def _hide_sent_form(self) -> None:
        self.sent_form.hide()
        self.mark.setEnabled(self.draft is not None)
        self.mark.setFocus()

    def log_sent(self) -> None:
        draft = self.draft
        if draft is None:
            return
        step, due = self.sent_form.chosen()
        message = SentMessage(
            subject=self.subject.text(),
            body=self.body.toPlainText(),
            template=draft.template,
            alert_id=self.alert_id,
            next_step=step,
            next_step_due=due,
            channel=draft.channel,
        )
        self.sent_form.log.setEnabled(False)
        name = self.lead.name if self.lead else "the lead"
        if self.lead_actions is not None:  # in the window: one undoable change
            self.lead_actions.log_sent(
                self.lead_id, message, name=name,
                on_done=self.ops.guard(lambda _id: self._logged(None), owner=self),
                on_error=self.ops.guard(self._not_logged),
            )  # fmt: skip
            return
        lead_id = self.lead_id

        def work(db: Database) -> None:
            mark_sent(db, lead_id, subject=message.subject, body=message.body,
                      template=message.template, alert_id=message.alert_id,
                      next_step=message.next_step, next_step_due=message.next_step_due,
                      channel=message.channel)  # fmt: skip

        self._run(work, self._logged, writes=LEADS, on_error=self._not_logged)

    def _logged(self, _: None) -> None:
        self.sent.emit()
        self.accept()

    def _not_logged(self, message: str) -> None:
        self.sent_form.show_problem(f"Not logged: {message}")
        self.sent_form.log.setEnabled(True)

    # --- the dialog's life ----------------------------------------------------------------

    def _run(
        self,
        work: Callable[[Database], Any],
        on_done: Callable[[Any], None],
        *,
        writes: Changes | bool = False,
        on_error: Callable[[str], None],
    ) -> None:
        # Owned by the dialog: nothing comes back once it is closed (see done) or deleted.
        self.ops.run(work, on_done, writes=writes, on_error=on_error, owner=self)

    def done(self, result: int) -> None:
        self.ops.drop_pending(self)  # answers still on their way are for a closed dialog
        # Closing is not typing: the fields may be torn down, and nothing is linted then.
        for source in (self.subject, self.body, self.body.document()):
            source.blockSignals(True)
        super().done(result)
