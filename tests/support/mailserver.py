"""A real IMAP server for tests: Dovecot on localhost, with TLS and a throwaway certificate.

`MailServer` writes a config of its own into a temporary folder (no system config is read),
starts `dovecot -F` on two free ports (plain + STARTTLS, and implicit TLS), and puts
messages in place with IMAP APPEND, as a mail client would. One user, password in a
passwd-file; mail in Maildir under the folder. `stop()`/`start()` take the server down
and up again (the mail stays); `reset_uidvalidity(folder)` recreates a folder so the
server hands out a new UIDVALIDITY, as after a server migration.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from followthrough.domain.mailaccount import MailAccount, Security
from tests.support.components import require_program, stop_process

USER = "founder@example.com"
PASSWORD = "correct horse battery"
STARTUP_TIMEOUT = 15.0

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {plain_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accounts() -> tuple[str, str, int, int]:
    """(internal user, login user, mail uid, mail gid) that Dovecot accepts here."""
    if os.geteuid() == 0:
        # Root runs Dovecot's own unprivileged users (the package creates them) and keeps
        # the mail as nobody: Dovecot refuses to touch mail as root.
        nobody = pwd.getpwnam("nobody")
        return "dovecot", "dovenull", nobody.pw_uid, nobody.pw_gid
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid


def message(
    sender: str,
    to: str,
    subject: str,
    *,
    date: datetime,
    cc: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    body: str = "Hello.\n",
) -> bytes:
    """An RFC 5322 message as a mail client would store it."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    if cc:
        mail["Cc"] = cc
    mail["Subject"] = subject
    mail["Date"] = format_datetime(date)
    mail["Message-ID"] = message_id or make_msgid(domain="example.com")
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    return mail.as_bytes()


class MailServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.dovecot = require_program("dovecot")
        self.openssl = require_program("openssl")
        self.plain_port = _free_port()
        self.tls_port = _free_port()
        self.host = "127.0.0.1"
        self.user = USER
        self.password = PASSWORD
        self.cafile = root / "cert.pem"
        self._setup()

    def _setup(self) -> None:
        _, _, uid, gid = _accounts()
        root = self.root
        for sub in ("run", "state", "home"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)  # Dovecot's own users must reach the config and the mail
        if os.geteuid() == 0:
            os.chown(root / "home", uid, gid)
        subprocess.run(
            [self.openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-keyout", str(root / "key.pem"), "-out", str(self.cafile), "-days", "2",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.set_password(self.password)
        self._write_config()

    def _write_config(self) -> None:
        internal, login, uid, gid = _accounts()
        (self.root / "dovecot.conf").write_text(
            CONFIG.format(
                root=self.root,
                internal=internal,
                login=login,
                mail_uid=uid,
                mail_gid=gid,
                plain_port=self.plain_port,
                tls_port=self.tls_port,
            )
        )

    def account(self, security: Security = Security.TLS, **fields: Any) -> MailAccount:
        """The mail settings a person would save for this server: its host, user, the port
        of `security` and its certificate; `fields` change any other setting."""
        port = self.tls_port if security is Security.TLS else self.plain_port
        return MailAccount.create(
            host=self.host, user=self.user, security=security, port=port,
            ca_file=str(self.cafile), **fields,
        )  # fmt: skip

    def set_password(self, password: str) -> None:
        """Change the account's password.

        Dovecot rereads the file at most once a second: a login right after a change may
        still see the old one. Tests that need another password start a server with it.
        """
        self.password = password
        users = self.root / "users"
        users.write_text(f"{self.user}:{{PLAIN}}{password}::::::\n")
        os.chmod(users, 0o644)

    def start(self) -> None:
        """Start Dovecot and wait until it listens.

        The ports were free when chosen, but another process (a second test run, a server
        started by another suite) can take one before Dovecot binds it; Dovecot then exits
        at once. That is retried on new ports; what Dovecot said is kept for the error.
        """
        config = str(self.root / "dovecot.conf")
        said = ""
        for _attempt in range(3):
            errors = self.root / "dovecot.stderr"
            with errors.open("wb") as err:
                # In the foreground (-F): the test owns the process and stops it for sure.
                self.process = subprocess.Popen(
                    [self.dovecot, "-F", "-c", config],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                )  # fmt: skip
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not self._listening():
                exited = self.process.poll() is not None
                if exited or time.monotonic() > deadline:
                    log = self.root / "dovecot.log"
                    said = " ".join(
                        path.read_text(errors="replace").strip()
                        for path in (log, errors)
                        if path.exists()
                    )
                    self.stop()
                    if not exited:
                        raise RuntimeError(
                            f"dovecot did not listen within {STARTUP_TIMEOUT:g} s: {said}"
                        )
                    break  # exited at once: most likely a port taken meanwhile
                time.sleep(0.05)  # polling the port until it answers (a bounded wait)
            else:
                return
            self.plain_port, self.tls_port = _free_port(), _free_port()
            self._write_config()
        raise RuntimeError(f"dovecot did not start: {said}")

    def stop(self) -> None:
        process = getattr(self, "process", None)
        if process is not None:
            stop_process(process, grace=STARTUP_TIMEOUT)

    def _listening(self) -> bool:
        for port in (self.plain_port, self.tls_port):
            try:
                with socket.create_connection((self.host, port), timeout=0.5):
                    pass
            except OSError:
                return False
        return True

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cafile))

    @contextmanager
    def client(self) -> Iterator[imaplib.IMAP4_SSL]:
        imap = imaplib.IMAP4_SSL(self.host, self.tls_port, ssl_context=self.ssl_context())
        try:
            imap.login(self.user, self.password)
            yield imap
        finally:
            with suppress(imaplib.IMAP4.error, OSError):
                imap.logout()

    def append(self, folder: str, *messages: bytes) -> None:
        """Put messages in a folder with IMAP APPEND (creating the folder if need be)."""
        with self.client() as imap:
            imap.create(folder)  # fails harmlessly when it exists
            for raw in messages:
                status, detail = imap.append(folder, None, None, raw)
                if status != "OK":
                    raise RuntimeError(f"APPEND to {folder} failed: {detail}")

    def reset_uidvalidity(self, folder: str) -> None:
        """Recreate `folder` with the same messages: a new UIDVALIDITY, UIDs from 1 again."""
        with self.client() as imap:
            imap.select(folder)
            _, data = imap.uid("FETCH", "1:*", "(RFC822)")
            kept = [part[1] for part in data if isinstance(part, tuple)]
            imap.close()
            if folder.upper() == "INBOX":
                imap.select(folder)
                imap.store("1:*", "+FLAGS", "\\Deleted")
                imap.expunge()
                imap.close()
                # INBOX cannot be deleted: Dovecot renews its UIDVALIDITY when its index goes.
                self.stop()
                index = self.root / "home" / self.user / "Maildir"
                for name in ("dovecot-uidlist", "dovecot.index", "dovecot.index.cache",
                             "dovecot.index.log"):  # fmt: skip
                    (index / name).unlink(missing_ok=True)
                self.start()
            else:
                imap.delete(folder)
        self.append(folder, *kept)

    def uidvalidity(self, folder: str) -> int:
        with self.client() as imap:
            imap.select(folder, readonly=True)
            _, data = imap.response("UIDVALIDITY")
            return int(data[0])


@contextmanager
def mail_server(password: str | None = None) -> Iterator[MailServer]:
    """A started server in a folder of its own; stopped and removed afterwards.

    `password`: the account's, set before the start (see `MailServer.set_password` for why
    a change made later is not always seen at once).
    """
    # /tmp, not pytest's tmp_path: Dovecot's unprivileged users must be able to reach it.
    root = Path(tempfile.mkdtemp(prefix="ft-imap-"))
    server = MailServer(root)
    if password is not None:
        server.set_password(password)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
