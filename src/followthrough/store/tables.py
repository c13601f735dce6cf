"""The tables as SQLAlchemy Core sees them, typed, for the statements services build.

SQLModel's classes carry their table as `__table__`, which its stubs do not declare: reading
it in every service meant a `type: ignore` at each use. They are read here once, through
SQLAlchemy's own typed inspection, so a renamed model fails at import, not at a query.
"""

from __future__ import annotations

from sqlalchemy import Table, inspect
from sqlmodel import SQLModel

from followthrough.store.models import (
    Alert,
    Event,
    Lead,
    MailSeen,
    MatchSkip,
    Meeting,
    Setting,
    SyncClock,
    SyncId,
    SyncOp,
    SyncPeer,
    SyncState,
    Template,
)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table a SQLModel table class maps to."""
    table = inspect(model).local_table
    assert isinstance(table, Table), model
    return table


LEAD = table_of(Lead)
EVENT = table_of(Event)
ALERT = table_of(Alert)
TEMPLATE = table_of(Template)
SETTING = table_of(Setting)
MAIL_SEEN = table_of(MailSeen)
MATCH_SKIP = table_of(MatchSkip)
MEETING = table_of(Meeting)
SYNC_STATE = table_of(SyncState)
SYNC_IDS = table_of(SyncId)
SYNC_OP = table_of(SyncOp)
SYNC_CLOCK = table_of(SyncClock)
SYNC_PEER = table_of(SyncPeer)
