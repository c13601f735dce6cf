"""The "Mail" tab: the mailbox watched for replies, its password kept in the keyring only.

Its buttons act at once, like the Data tab's: the account is saved by "Save account", not by
the dialog's OK. Everything that talks to the server or the keyring runs on a thread of the
page's own (`Background`), never on the database worker nor on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from followthrough.domain.mailaccount import (
    DEFAULT_INTERVAL_MINUTES,
    MAX_INTERVAL_MINUTES,
    MailAccount,
    Security,
)
from followthrough.errors import FollowthroughError, InvalidData, NotFound
from followthrough.services.mailaccount import forget_settings, get_account, save_settings
from followthrough.services.mailserver import detect_folders, test_connection
from followthrough.services.secrets import (
    KeyringUnavailable,
    forget_password,
    keyring_problem,
    read_password,
    store_password,
)
from followthrough.services.turns import DatabaseTurn
from followthrough.ui.ops import Background, Operations
from followthrough.ui.settings.fields import SettingsPage, hint_label, sentence, warning_colour
from followthrough.ui.settings.layout import same_width, tidy_form, widget_row

SECURITY_CHOICES = ((Security.TLS, "TLS"), (Security.STARTTLS, "STARTTLS"))
NOTHING_SAVED = "type the password: none is saved in the keyring for this account"


@dataclass(frozen=True)
class KeyringState:
    problem: str | None  # why no password can be kept; None when the keyring works
    saved: bool  # the account shown has a password in the keyring


def _keyring_state(account: MailAccount | None) -> KeyringState:
    problem = keyring_problem()
    if problem is not None or account is None:
        return KeyringState(problem, False)
    try:
        read_password(account.key)
    except NotFound:
        return KeyringState(None, False)
    except KeyringUnavailable as exc:
        return KeyringState(exc.reason, False)
    return KeyringState(None, True)


def _password(account: MailAccount, typed: str) -> str:
    """What the person typed, else what the keyring holds for this account."""
    if typed:
        return typed
    try:
        return read_password(account.key)
    except NotFound:
        raise InvalidData(NOTHING_SAVED, "password") from None


def _save(on_database: DatabaseTurn, account: MailAccount, typed: str) -> MailAccount:
    if typed:
        store_password(account.key, typed)
    else:
        _password(account, typed)  # an account without any password cannot be watched
    replaced = on_database(lambda db: save_settings(db, account))
    if replaced is not None:
        forget_password(replaced.key)  # another mailbox: the old password has no use left
    return account


def _forget(on_database: DatabaseTurn) -> MailAccount | None:
    account = on_database(get_account)
    if account is not None:
        # The password first: a keyring that refuses (locked) leaves everything as it was.
        forget_password(account.key)
    on_database(forget_settings)
    return account


class MailPage(SettingsPage):
    loaded = Signal()  # the stored account and the keyring's state are on screen
    saved = Signal(object)  # the MailAccount now saved (the watcher checks it at once)
    forgotten = Signal()  # no account any more
    folders_detected = Signal(dict)  # {"inbox": name, "sent": name or ""}
    tested = Signal(bool)  # the connection test's outcome is shown

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.account: MailAccount | None = None
        self.keyring = KeyringState(None, False)
        self._port_typed = False
        self._thread = Background("mail-settings", self)
        self._build()
        self._set_busy(True)  # until the stored account is shown
        self.ops.run(get_account, self._show_account, on_error=self._load_refused)

    # --- the form -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.keyring_note = QLabel(self)
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setStyleSheet(f"color: {warning_colour(self.palette())}")
        self.keyring_note.setAccessibleName("Keyring problem")
        self.keyring_note.hide()
        self.form = QWidget(self)
        self.host = QLineEdit(self.form, placeholderText="imap.example.com")
        self.security = QComboBox(self.form)
        for mode, text in SECURITY_CHOICES:
            self.security.addItem(text, mode)
        self.port = QSpinBox(self.form)
        self.port.setRange(1, 65535)
        self.port.setValue(Security.TLS.default_port)
        self.user = QLineEdit(self.form, placeholderText="you@example.com")
        self.password = QLineEdit(self.form)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.inbox = QComboBox(self.form, editable=True)
        self.sent = QComboBox(self.form, editable=True)
        self.inbox.setEditText("INBOX")
        self.sent.setEditText("Sent")
        self.detect = QPushButton("&Detect folders", self.form)
        self.interval = QSpinBox(self.form, suffix=" minutes")
        self.interval.setRange(1, MAX_INTERVAL_MINUTES)
        self.interval.setValue(DEFAULT_INTERVAL_MINUTES)
        self.ca_file = QLineEdit(self.form, placeholderText="Only for a server with its own")
        self.browse = QPushButton("&Browse…", self.form)
        self.test = QPushButton("Test &connection", self.form)
        self.save = QPushButton("Sa&ve account", self.form)
        self.forget = QPushButton("For&get account", self.form)
        self.result = QLabel(self.form)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Mail account result")
        for widget, name in ((self.host, "Mail server"), (self.security, "Security"),
                             (self.port, "Port"), (self.user, "User name"),
                             (self.password, "Password"), (self.inbox, "Inbox folder"),
                             (self.sent, "Sent folder"), (self.detect, "Detect folders"),
                             (self.interval, "Check every"), (self.ca_file, "Certificate file"),
                             (self.browse, "Choose a certificate file"),
                             (self.test, "Test the connection"), (self.save, "Save the account"),
                             (self.forget, "Forget the account")):  # fmt: skip
            widget.setAccessibleName(name)

        self.security.currentIndexChanged.connect(self._suggest_port)
        self.port.lineEdit().textEdited.connect(self._port_edited)
        self.detect.clicked.connect(self.detect_folders)
        self.browse.clicked.connect(self.choose_ca_file)
        self.test.clicked.connect(self.test_connection)
        self.save.clicked.connect(self.save_account)
        self.forget.clicked.connect(self.forget_account)

        same_width((self.port, self.interval))
        form = tidy_form(QFormLayout(self.form))
        form.setContentsMargins(0, 0, 0, 0)
        ca_row = widget_row(self.form, self.ca_file, self.browse)
        rows: tuple[tuple[str, str, QWidget], ...] = (
                ("host", "&Server", self.host), ("security", "Securit&y", self.security),
                ("port", "P&ort", self.port), ("user", "&User name", self.user),
                ("password", "&Password", self.password),
                ("inbox", "&Inbox folder", widget_row(self.form, self.inbox, self.detect)),
                ("sent", "S&ent folder", self.sent),
                ("interval", "Chec&k every", self.interval),
                ("ca_file", "Certificate &authority", ca_row),
                )  # fmt: skip
        self.saved_note = hint_label("", self.form)
        self.saved_note.setAccessibleName("Password state")
        buddies: dict[str, QWidget] = {"inbox": self.inbox, "ca_file": self.ca_file}
        for field, text, shown in rows:
            label = QLabel(text, self.form)
            label.setBuddy(buddies.get(field, shown))
            form.addRow(label, shown)
            form.addRow("", self.problem_slot(field))
            if field == "password":
                form.addRow("", self.saved_note)
        form.addRow(hint_label("The password is kept in your system's keyring only.", self.form))
        form.addRow(widget_row(self.form, self.test, self.save, self.forget, stretch=True))
        form.addRow(self.result)

        page = tidy_form(QFormLayout(self))
        page.addRow(self.keyring_note)
        page.addRow(self.form)

    def _port_edited(self, _text: str) -> None:
        self._port_typed = True

    def _suggest_port(self) -> None:
        if not self._port_typed:  # a port the person typed is theirs to keep
            self.port.setValue(self._security().default_port)

    def _security(self) -> Security:
        return Security(self.security.currentData())

    def typed_account(self) -> MailAccount:
        """The account as typed, checked; InvalidData names the field."""
        return MailAccount.create(
            host=self.host.text(),
            user=self.user.text(),
            security=self._security(),
            port=self.port.value(),
            inbox=self.inbox.currentText(),
            sent=self.sent.currentText(),
            interval_minutes=self.interval.value(),
            ca_file=self.ca_file.text(),
        )

    # --- showing what is stored ---------------------------------------------------------------

    def _show_account(self, account: MailAccount | None) -> None:
        self.account = account
        if account is not None:
            self.host.setText(account.host)
            self.security.setCurrentIndex(self.security.findData(account.security))
            self.port.setValue(account.port)
            self._port_typed = account.port != account.security.default_port
            self.user.setText(account.user)
            self.inbox.setEditText(account.inbox)
            self.sent.setEditText(account.sent)
            self.interval.setValue(account.interval_minutes)
            self.ca_file.setText(account.ca_file or "")
        self._thread.run(
            lambda: _keyring_state(account),
            self._keyring_read,
            lambda error: self._keyring_read(KeyringState(str(error), False)),
        )

    def _keyring_read(self, state: KeyringState) -> None:
        self._show_keyring(state)
        self.loaded.emit()

    def _show_keyring(self, state: KeyringState) -> None:
        self.keyring = state
        if state.problem is not None:
            self.keyring_note.setText(
                f"Mail watching is off: {state.problem.rstrip('.')}. "
                "The password is never kept anywhere else."
            )
        self.keyring_note.setVisible(state.problem is not None)
        self.saved_note.setText("Saved in the keyring." if state.saved else "")
        self.password.setPlaceholderText("saved in the keyring" if state.saved else "")
        self._set_busy(False)

    def _load_refused(self, message: str) -> None:
        self._set_busy(False)
        self._say(message, ok=False)
        self.loaded.emit()

    # --- the buttons ----------------------------------------------------------------------------

    def _checked(self) -> MailAccount | None:
        self.clear_problems()
        self.result.clear()
        try:
            return self.typed_account()
        except InvalidData as exc:
            self._refused(exc)
            return None

    def test_connection(self) -> None:
        account = self._checked()
        if account is None:
            return
        typed = self.password.text()
        self._start("Connecting…")
        self._thread.run(
            lambda: test_connection(account, _password(account, typed)),
            self._tested,
            self._test_failed,
        )

    def _tested(self, folders: dict[str, str]) -> None:
        self._set_busy(False)
        sent = folders.get("sent") or "none marked by the server"
        self._say(f"Connected. Inbox: {folders.get('inbox', '')}; sent mail: {sent}.", ok=True)
        self.tested.emit(True)

    def _test_failed(self, error: FollowthroughError) -> None:
        self._refused(error)
        self.tested.emit(False)

    def detect_folders(self) -> None:
        self.clear_problems()
        self.result.clear()
        try:
            # The folders may still be empty or wrong: they are what is being looked for.
            account = MailAccount.create(
                host=self.host.text(), user=self.user.text(), security=self._security(),
                port=self.port.value(), ca_file=self.ca_file.text(),
            )  # fmt: skip
        except InvalidData as exc:
            self._refused(exc)
            return
        typed = self.password.text()
        self._start("Asking the server for its folders…")
        self._thread.run(
            lambda: detect_folders(account, _password(account, typed)),
            self._detected,
            self._refused,
        )

    def _detected(self, folders: dict[str, str]) -> None:
        self._set_busy(False)
        for combo, name in ((self.inbox, folders.get("inbox", "")),
                            (self.sent, folders.get("sent", ""))):  # fmt: skip
            if name and combo.findText(name) < 0:
                combo.addItem(name)
            if name:
                combo.setEditText(name)
        if folders.get("sent"):
            self._say("Folders found on the server.", ok=True)
        else:
            self._say("The server marks no sent folder: type its name.", ok=True)
        self.folders_detected.emit(dict(folders))

    def choose_ca_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "Choose the server's certificate authority", self.ca_file.text(),
            "Certificates (*.pem *.crt);;All files (*)",
        )  # fmt: skip
        if chosen:
            self.ca_file.setText(chosen)

    def save_account(self) -> None:
        account = self._checked()
        if account is None:
            return
        typed = self.password.text()
        on_database = self.ops.call
        self._start("Saving…")
        # Not on the database worker: saving talks to the keyring, which may be slow to answer;
        # its database writes are handed to the worker (Operations.call).
        self._thread.run(lambda: _save(on_database, account, typed), self._saved, self._refused)

    def _saved(self, account: MailAccount) -> None:
        self.account = account
        self.password.clear()
        self._show_keyring(KeyringState(None, True))
        self._say("Saved. Mail is checked from now on.", ok=True)
        self.saved.emit(account)

    def forget_account(self) -> None:
        self.clear_problems()
        on_database = self.ops.call
        self._start("Forgetting the account…")
        self._thread.run(lambda: _forget(on_database), self._forgot, self._refused)

    def _forgot(self, _account: MailAccount | None) -> None:
        self.account = None
        for edit in (self.host, self.user, self.password, self.ca_file):
            edit.clear()
        self._show_keyring(KeyringState(None, False))
        self._say("The account and its password are forgotten.", ok=True)
        self.forgotten.emit()

    # --- saying how it went -----------------------------------------------------------------------

    def _start(self, doing: str) -> None:
        self._set_busy(True)
        self.result.setText(doing)
        self.result.setStyleSheet("")

    def _refused(self, error: FollowthroughError) -> None:
        self._set_busy(False)
        field = error.field if isinstance(error, InvalidData) else None
        if field is not None and self.owns(field):
            self.show_problem(field, str(error))
            self.result.clear()
        else:
            self._say(str(error), ok=False)

    def _say(self, text: str, *, ok: bool) -> None:
        self.result.setText(sentence(text) if text else "")
        self.result.setStyleSheet("" if ok else f"color: {warning_colour(self.palette())}")

    def _set_busy(self, busy: bool) -> None:
        # Without a safe keyring nothing can be saved or tested: the form stays off.
        self.form.setEnabled(not busy and self.keyring.problem is None)

    def shutdown(self) -> None:
        """Take no more work; what comes back after this is dropped. A save in flight
        finishes on its thread (it is one transaction), without the window waiting on it."""
        self._thread.shutdown(wait=False)
