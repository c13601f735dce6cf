"""The Draft dialog: a draft for an alert, findings as you type, Copy, mail link, Mark as sent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QTextCursor
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.services import alerts, lead_queries, leads
from followthrough.store.db import Database
from followthrough.store.models import Template
from followthrough.ui.drafting.dialog import DraftDialog
from followthrough.ui.drafting.message import mailto_link, message_html
from followthrough.ui.ops import Operations


@pytest.fixture(autouse=True)
def clean_clipboard() -> Iterator[None]:
    yield
    QGuiApplication.clipboard().clear()


@pytest.fixture
def silent_lead(db: Database) -> tuple[int, int]:
    """A Hot lead we wrote to three days ago and who has not answered: a silence alert."""
    now = datetime.now(UTC)
    new = NewLead.create(
        name="Ana Silva", now=now, email="ana@acme.com", company="Acme", next_step="Pilot call"
    )
    lead = leads.add_lead(db, new, now)
    leads.log_event(db, lead.id, SignalKind.SENT, at=now - timedelta(days=3), now=now)
    [alert] = alerts.tick(db, now)
    assert alert.rule == "silence"
    return lead.id, alert.id


def open_dialog(qtbot: QtBot, ops: Operations, lead_id: int, alert_id: int | None) -> DraftDialog:
    dialog = DraftDialog(ops, lead_id, alert_id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.drafted, timeout=5000):
        dialog.show()
    return dialog


def findings(dialog: DraftDialog) -> list[str]:
    return [f.code for f in dialog.findings]


def test_a_silence_alert_gets_a_clean_draft_with_other_templates_to_choose(
    qtbot: QtBot, ops: Operations, silent_lead: tuple[int, int]
) -> None:
    dialog = open_dialog(qtbot, ops, *silent_lead)
    assert dialog.windowTitle() == "Follow-up for Ana Silva"
    assert dialog.subject.text()
    assert "Ana" in dialog.body.toPlainText()
    assert dialog.findings_list.count() == 0, findings(dialog)
    assert dialog.template.count() > 1  # the best match first, then the alternatives
    assert dialog.copy.isEnabled()
    assert dialog.mark.isEnabled()
    words, limit = dialog.words.text().removesuffix(" words").split(" / ")
    assert 0 < int(words) <= int(limit) == 120

    first_body = dialog.body.toPlainText()
    with qtbot.waitSignal(dialog.drafted, timeout=5000):
        dialog.template.setCurrentIndex(1)
        dialog.template.activated.emit(1)
    assert dialog.draft is not None
    assert dialog.draft.template == dialog.template.itemData(1)
    assert dialog.body.toPlainText() != first_body


def test_findings_follow_the_typing(
    qtbot: QtBot, ops: Operations, silent_lead: tuple[int, int]
) -> None:
    dialog = open_dialog(qtbot, ops, *silent_lead)
    dialog.body.moveCursor(QTextCursor.MoveOperation.Start)
    qtbot.keyClicks(dialog.body, "Just checking in. ")
    assert findings(dialog) == ["filler"]
    assert dialog.findings_list.item(0).text() == dialog.findings[0].message
    [mark] = dialog.body.extraSelections()
    assert mark.cursor.selectedText() == "Just checking in"
    assert mark.format.underlineStyle() == mark.format.UnderlineStyle.WaveUnderline
    for _ in range(len("Just checking in. ")):
        qtbot.keyClick(dialog.body, Qt.Key.Key_Backspace)
    assert findings(dialog) == []
    assert dialog.body.extraSelections() == []


def test_copy_puts_plain_text_and_html_on_the_clipboard(
    qtbot: QtBot, ops: Operations, silent_lead: tuple[int, int]
) -> None:
    dialog = open_dialog(qtbot, ops, *silent_lead)
    dialog.body.setPlainText("Hi Ana,\n\nThursday at 10:00 <for> the pilot?\n\nSam")
    qtbot.mouseClick(dialog.copy, Qt.MouseButton.LeftButton)
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.text() == "Hi Ana,\n\nThursday at 10:00 <for> the pilot?\n\nSam"
    assert mime.hasHtml()
    assert "<p>Thursday at 10:00 &lt;for&gt; the pilot?</p>" in mime.html()
    assert dialog.status.text() == "Copied"
    qtbot.mouseClick(dialog.copy_subject, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == dialog.subject.text()


class MailApp(QObject):
    """Stands in for the desktop's mail program: Qt hands it the mailto: links it opens."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open_link(self, url: QUrl) -> None:
        self.opened.append(url)


@pytest.fixture
def mail_app() -> Iterator[MailApp]:
    app = MailApp()
    QDesktopServices.setUrlHandler("mailto", app, "open_link")
    yield app
    QDesktopServices.unsetUrlHandler("mailto")


def test_open_in_mail_app_sends_an_encoded_link(
    qtbot: QtBot, ops: Operations, silent_lead: tuple[int, int], mail_app: MailApp
) -> None:
    dialog = open_dialog(qtbot, ops, *silent_lead)
    dialog.subject.setText("Pilot & scope?")
    dialog.body.setPlainText("Hi Ana,\n\n50% off = no?")
    dialog.open_mail.click()
    [url] = mail_app.opened
    assert url.scheme() == "mailto"
    assert url.toEncoded().data().decode() == (
        "mailto:ana@acme.com?subject=Pilot%20%26%20scope%3F&body=Hi%20Ana%2C%0D%0A%0D%0A50%25%20off%20%3D%20no%3F"
    )


def test_a_link_too_long_for_mail_apps_offers_copy_instead(
    qtbot: QtBot, ops: Operations, silent_lead: tuple[int, int], mail_app: MailApp
) -> None:
    dialog = open_dialog(qtbot, ops, *silent_lead)
    dialog.body.setPlainText("Word " * 500)
    box = dialog.open_in_mail_app()
    assert box is not None
    assert "Some mail apps cut links" in box.text()
    assert mail_app.opened == []
    [copy] = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole]
    copy.click()
    assert QGuiApplication.clipboard().text() == dialog.body.toPlainText()
    assert mail_app.opened == []


def test_mark_as_sent_logs_the_message_closes_the_alert_and_sets_the_next_step(
    qtbot: QtBot, ops: Operations, db: Database, silent_lead: tuple[int, int]
) -> None:
    lead_id, alert_id = silent_lead
    dialog = open_dialog(qtbot, ops, lead_id, alert_id)
    assert dialog.draft is not None
    template = dialog.draft.template
    dialog.mark.click()
    form = dialog.sent_form
    assert form.isVisible()
    assert form.next_step.text() == "Pilot call"
    form.next_step.setText("Pilot call with Ana's team")
    qtbot.keyClicks(form.due, "yesterday-ish")
    assert not form.log.isEnabled()
    assert "cannot read" in form.hint.text().lower()
    assert form.due.text() == "yesterday-ish"  # what was typed stays, to be corrected
    form.due.setText("+3d")
    assert form.log.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        form.log.click()

    detail = lead_queries.get_lead(db, lead_id)
    sent = [e for e in detail.timeline if e.kind == SignalKind.SENT]
    assert sent[0].payload["template"] == template
    assert sent[0].text is not None
    assert dialog.body.toPlainText() in sent[0].text
    assert alerts.get_alert(db, alert_id).status == "done"
    assert detail.lead.next_step == "Pilot call with Ana's team"
    assert detail.lead.next_step_due is not None
    ahead = detail.lead.next_step_due - datetime.now(UTC)
    assert timedelta(days=2, hours=23) < ahead <= timedelta(days=3)


def test_a_broken_template_explains_itself_and_leaves_nothing_to_copy(
    qtbot: QtBot, ops: Operations, db: Database, silent_lead: tuple[int, int]
) -> None:
    lead_id, alert_id = silent_lead
    # Saving checks a template, so a broken one can only be a row written before that check.
    with db.write() as session:
        session.add(
            Template(
                slug="broken", title="Broken", intent="advance", decision="next_step",
                states=[], triggers=["silence"], channel="email", subject="Hello",
                body="Hi {{ lead.nmae }},\n\nThursday at 10?", builtin=False,
                created_at=datetime.now(UTC), updated_at=datetime.now(UTC),
            )
        )  # fmt: skip
    dialog = DraftDialog(ops, lead_id, alert_id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.drafted, timeout=5000):
        dialog.show()
    index = dialog.template.findData("broken")
    assert index >= 0
    with qtbot.waitSignal(dialog.drafted, timeout=5000):
        dialog.template.setCurrentIndex(index)
        dialog.template.activated.emit(index)
    assert dialog.problem.isVisible()
    assert "nmae" in dialog.problem.text()
    assert "line" in dialog.problem.text()
    assert dialog.body.toPlainText() == ""
    assert dialog.subject.text() == ""
    assert not dialog.copy.isEnabled()
    assert not dialog.mark.isEnabled()


def test_message_html_and_mailto_link_escape_what_they_must() -> None:
    assert message_html("a <b>\nc\n\n\nd & e") == "<p>a &lt;b&gt;<br>c</p><p>d &amp; e</p>"
    assert mailto_link(" x@y.org ", "", "a b") == "mailto:x@y.org?body=a%20b"
