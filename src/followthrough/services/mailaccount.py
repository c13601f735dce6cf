"""The mailbox to watch: its settings in the database, its password in the keyring.

One account at a time. The settings row never holds the password; the keyring entry is
named by `MailAccount.key`, so a different server or user is a different entry.
"""

from __future__ import annotations

from datetime import datetime

from followthrough.domain.mailaccount import MailAccount
from followthrough.services import mailwatch, secrets
from followthrough.services.clock import utcnow
from followthrough.store.db import Database
from followthrough.store.models import Setting

ACCOUNT_KEY = "mail.account"


def get_account(db: Database) -> MailAccount | None:
    with db.read() as session:
        row = session.get(Setting, ACCOUNT_KEY)
        value = None if row is None else row.value
    return None if not value else MailAccount.from_json(dict(value))


def set_account(
    db: Database, account: MailAccount, password: str, now: datetime | None = None
) -> None:
    """Keep the password in the keyring, then the settings: without a keyring, neither."""
    secrets.store_password(account.key, password)
    save_account(db, account, now)


def save_account(db: Database, account: MailAccount, now: datetime | None = None) -> None:
    """Save the settings; replacing another mailbox forgets what was read from the old one."""
    replaced = save_settings(db, account, now)
    if replaced is not None:
        secrets.forget_password(replaced.key)  # its password has no use left


def save_settings(
    db: Database, account: MailAccount, now: datetime | None = None
) -> MailAccount | None:
    """The database part of `save_account`; the mailbox it replaced, whose password can go.

    For a caller that does its keyring calls elsewhere (the app: not on its database thread).
    """
    now = now or utcnow()
    with db.write() as session:
        row = session.get(Setting, ACCOUNT_KEY)
        previous = MailAccount.from_json(dict(row.value)) if row and row.value else None
        if row is None:
            session.add(Setting(key=ACCOUNT_KEY, value=account.to_json(), updated_at=now))
        else:
            row.value, row.updated_at = account.to_json(), now
    if previous is None or previous.key == account.key:
        return None
    # Another mailbox: its UIDs mean nothing here.
    mailwatch.forget_state(db)
    return previous


def forget_account(db: Database) -> MailAccount | None:
    """Remove the settings, the keyring entry and the watch state; the account that was."""
    account = get_account(db)
    if account is not None:
        # The password first: a keyring that refuses (locked) leaves everything as it was.
        secrets.forget_password(account.key)
    forget_settings(db)
    return account


def forget_settings(db: Database) -> None:
    """The database part of `forget_account`: the settings and the watch state."""
    with db.write() as session:
        row = session.get(Setting, ACCOUNT_KEY)
        if row is not None:
            session.delete(row)
    mailwatch.forget_state(db)
