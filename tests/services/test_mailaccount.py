"""The mailbox settings: saved without the password, replaced, forgotten with its keyring entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import keyring
import pytest

from followthrough.domain.mailaccount import MailAccount, Security
from followthrough.services import mailaccount, secrets
from followthrough.services.mailwatch import check_mail
from followthrough.store.db import Database
from tests.conftest import NOW
from tests.support.mailserver import MailServer, message
from tests.support.secretservice import no_keyring


@pytest.fixture(scope="module")
def server(server: MailServer) -> MailServer:
    """The module's server (tests/support/mailfixtures.py) with a message in INBOX to read."""
    server.append("INBOX", message("someone@example.org", server.user, "Hello",
                                   date=NOW - timedelta(days=1)))  # fmt: skip
    return server


def _starttls(server: MailServer) -> MailAccount:
    return server.account(Security.STARTTLS)


def test_the_settings_round_trip_and_hold_no_password(
    db: Database, server: MailServer, keyring_home: Path, data_dir: Path
) -> None:
    assert mailaccount.get_account(db) is None
    account = _starttls(server)
    mailaccount.set_account(db, account, server.password, NOW)
    assert mailaccount.get_account(db) == account
    assert keyring.get_password(secrets.SERVICE, account.key) == server.password
    db.close()  # checkpoint: everything is in the database file itself
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert files
    assert all(server.password.encode() not in p.read_bytes() for p in files)


def test_without_a_keyring_neither_password_nor_settings_are_kept(
    db: Database, server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with no_keyring(monkeypatch), pytest.raises(secrets.KeyringUnavailable):
        mailaccount.set_account(db, _starttls(server), server.password, NOW)
    assert mailaccount.get_account(db) is None


def test_another_mailbox_starts_afresh_and_its_old_password_goes(
    db: Database, server: MailServer, keyring_home: Path
) -> None:
    first = _starttls(server)
    mailaccount.set_account(db, first, server.password, NOW)
    assert check_mail(db, first, server.password, now=NOW).read >= 1
    assert check_mail(db, first, server.password, now=NOW).read == 0

    # The same mailbox checked less often: what was read stays read.
    slower = replace(first, interval_minutes=30)
    mailaccount.save_account(db, slower, NOW)
    assert check_mail(db, slower, server.password, now=NOW).read == 0

    # Another entry point (implicit TLS): another account, read from its start.
    other = server.account(Security.TLS)
    mailaccount.set_account(db, other, server.password, NOW)
    assert keyring.get_password(secrets.SERVICE, first.key) is None
    assert keyring.get_password(secrets.SERVICE, other.key) == server.password
    assert check_mail(db, other, server.password, now=NOW).read >= 1


def test_forgetting_removes_settings_password_and_position(
    db: Database, server: MailServer, keyring_home: Path
) -> None:
    account = _starttls(server)
    mailaccount.set_account(db, account, server.password, NOW)
    check_mail(db, account, server.password, now=NOW)
    assert mailaccount.forget_account(db) == account
    assert mailaccount.get_account(db) is None
    assert keyring.get_password(secrets.SERVICE, account.key) is None
    assert mailaccount.forget_account(db) is None
    mailaccount.set_account(db, account, server.password, NOW)
    assert check_mail(db, account, server.password, now=NOW).read >= 1
