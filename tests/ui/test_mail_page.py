"""The Mail settings tab against a real Dovecot and a real keyring (gnome-keyring)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from followthrough.domain.mailaccount import MailAccount, Security
from followthrough.errors import NotFound
from followthrough.services.mailaccount import get_account, set_account
from followthrough.services.mailserver import MailError, test_connection
from followthrough.services.secrets import read_password
from followthrough.store.db import Database
from followthrough.ui.ops import Operations
from followthrough.ui.settings.fields import sentence
from followthrough.ui.settings.mail_page import MailPage
from tests.support.database import record_session_threads
from tests.support.mailserver import MailServer
from tests.support.secretservice import no_keyring

OpenPage = Callable[[], MailPage]


@pytest.fixture
def open_page(qtbot: QtBot, ops: Operations) -> Iterator[OpenPage]:
    pages: list[MailPage] = []

    def open_() -> MailPage:
        page = MailPage(ops)
        qtbot.addWidget(page)
        with qtbot.waitSignal(page.loaded, timeout=10000):
            page.show()
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.shutdown()  # nothing of the page may still use the keyring or the database


def fill(page: MailPage, server: MailServer, password: str | None = None) -> None:
    """What a person with a self-hosted server types (STARTTLS on the plain port)."""
    page.host.setText(server.host)
    page.security.setCurrentIndex(page.security.findData(Security.STARTTLS))
    page.port.setValue(server.plain_port)
    page.user.setText(server.user)
    page.password.setText(server.password if password is None else password)
    page.ca_file.setText(str(server.cafile))


def account_for(server: MailServer) -> MailAccount:
    return server.account(Security.STARTTLS)


def test_saving_puts_the_password_in_the_keyring_and_never_in_the_database(
    qtbot: QtBot, keyring_home: Path, server: MailServer, open_page: OpenPage, db: Database
) -> None:
    page = open_page()
    assert page.form.isEnabled()
    assert page.password.echoMode() == page.password.EchoMode.Password
    fill(page, server)
    page.interval.setValue(15)
    with qtbot.waitSignal(page.saved, timeout=10000):
        qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)

    account = get_account(db)
    assert account is not None
    assert (account.host, account.port, account.security) == (
        server.host,
        server.plain_port,
        Security.STARTTLS,
    )
    assert account.interval_minutes == 15
    assert read_password(account.key) == server.password
    # Never shown back: the field is emptied, and says where the password went.
    assert page.password.text() == ""
    assert page.saved_note.text() == "Saved in the keyring."
    data_folder = Path(db.path).parent
    secret = server.password.encode()
    for file in data_folder.rglob("*"):
        if file.is_file():
            assert secret not in file.read_bytes(), file.name


def test_a_saved_account_is_shown_with_its_password_left_in_the_keyring(
    keyring_home: Path, server: MailServer, open_page: OpenPage, db: Database
) -> None:
    set_account(db, account_for(server), server.password)
    page = open_page()
    assert page.host.text() == server.host
    assert page.security.currentData() == Security.STARTTLS
    assert page.port.value() == server.plain_port
    assert page.password.text() == ""
    assert page.password.placeholderText() == "saved in the keyring"
    assert page.saved_note.text() == "Saved in the keyring."


def test_test_connection_reports_success_with_the_folders_then_a_wrong_password(
    qtbot: QtBot, keyring_home: Path, server: MailServer, open_page: OpenPage
) -> None:
    page = open_page()
    fill(page, server)
    with qtbot.waitSignal(page.tested, timeout=10000) as outcome:
        qtbot.mouseClick(page.test, Qt.MouseButton.LeftButton)
    assert outcome.args == [True]
    assert page.result.text().startswith("Connected.")
    assert "INBOX" in page.result.text()
    assert "Sent" in page.result.text()

    page.password.setText("not the password")
    with qtbot.waitSignal(page.tested, timeout=10000) as outcome:
        qtbot.mouseClick(page.test, Qt.MouseButton.LeftButton)
    assert outcome.args == [False]
    with pytest.raises(MailError) as refused:
        test_connection(account_for(server), "not the password")
    assert refused.value.kind == "auth"
    assert page.result.text() == sentence(str(refused.value))
    assert "not the password" not in page.result.text()
    # What was typed stays, to be corrected.
    assert page.password.text() == "not the password"
    assert page.host.text() == server.host


def test_detect_folders_fills_the_folders_from_the_server(
    qtbot: QtBot, keyring_home: Path, server: MailServer, open_page: OpenPage
) -> None:
    page = open_page()
    fill(page, server)
    page.inbox.setEditText("")
    page.sent.setEditText("Outbox")
    with qtbot.waitSignal(page.folders_detected, timeout=10000):
        qtbot.mouseClick(page.detect, Qt.MouseButton.LeftButton)
    assert page.inbox.currentText() == "INBOX"
    assert page.sent.currentText() == "Sent"
    assert page.sent.findText("Sent") >= 0  # offered in the list, still editable
    assert page.sent.isEditable()


def test_a_refused_value_is_explained_next_to_its_field_and_nothing_is_saved(
    qtbot: QtBot, keyring_home: Path, server: MailServer, open_page: OpenPage, db: Database
) -> None:
    page = open_page()
    fill(page, server)
    page.host.setText("")
    page.sent.setEditText("  ")
    qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    assert page.problem_text("host") == "The server name is empty or not a host name."
    assert page.user.text() == server.user  # the rest of what was typed stays
    assert page.password.text() == server.password
    page.host.setText(server.host)
    qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    assert page.problem_text("host") == ""
    assert page.problem_text("sent") == "The sent folder name is empty."
    assert page.form.isEnabled()  # nothing was started
    assert get_account(db) is None


def test_changing_security_suggests_the_usual_port_unless_one_was_typed(
    qtbot: QtBot, keyring_home: Path, open_page: OpenPage
) -> None:
    page = open_page()
    assert page.port.value() == 993
    page.security.setCurrentIndex(page.security.findData(Security.STARTTLS))
    assert page.port.value() == 143
    page.port.lineEdit().selectAll()
    qtbot.keyClicks(page.port.lineEdit(), "1143")
    page.security.setCurrentIndex(page.security.findData(Security.TLS))
    assert page.port.value() == 1143


def test_forget_account_removes_the_settings_and_the_keyring_entry(
    qtbot: QtBot, keyring_home: Path, server: MailServer, open_page: OpenPage, db: Database
) -> None:
    account = account_for(server)
    set_account(db, account, server.password)
    page = open_page()
    with qtbot.waitSignal(page.forgotten, timeout=10000):
        qtbot.mouseClick(page.forget, Qt.MouseButton.LeftButton)
    assert get_account(db) is None
    assert page.host.text() == ""
    assert page.saved_note.text() == ""
    with pytest.raises(NotFound):
        read_password(account.key)


def test_without_a_keyring_the_form_is_off_and_says_why(
    monkeypatch: pytest.MonkeyPatch, open_page: OpenPage
) -> None:
    with no_keyring(monkeypatch):
        page = open_page()
        assert not page.keyring_note.isHidden()
        assert "no keyring is available" in page.keyring_note.text()
        assert "never kept anywhere else" in page.keyring_note.text()
        assert not page.form.isEnabled()
        assert not page.save.isEnabled()
        assert not page.test.isEnabled()


def test_the_settings_dialog_has_a_mail_tab(
    qtbot: QtBot, keyring_home: Path, ops: Operations
) -> None:
    from followthrough.ui.settings import SettingsDialog

    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    with qtbot.waitSignals([dialog.loaded, dialog.mail.loaded], timeout=10000):
        dialog.show()
    titles = [dialog.tabs.tabText(index) for index in range(dialog.tabs.count())]
    assert "&Mail" in titles
    dialog.tabs.setCurrentWidget(dialog.mail)
    assert dialog.mail.isVisible()
    assert dialog.mail.form.isEnabled()
    dialog.mail.shutdown()


def test_saving_and_forgetting_write_to_the_database_only_on_its_own_thread(
    qtbot: QtBot,
    keyring_home: Path,
    server: MailServer,
    open_page: OpenPage,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = replace(account_for(server), user="someone.else@example.com")
    set_account(db, first, "the old mailbox's password")
    page = open_page()
    used_on = record_session_threads(monkeypatch)
    fill(page, server)  # another mailbox: the old one's password goes too
    with qtbot.waitSignal(page.saved, timeout=10000):
        qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    with pytest.raises(NotFound):
        read_password(first.key)
    with qtbot.waitSignal(page.forgotten, timeout=10000):
        qtbot.mouseClick(page.forget, Qt.MouseButton.LeftButton)
    seen_on = set(used_on)
    assert get_account(db) is None
    assert seen_on == {"followthrough-db"}  # never the keyring's thread
