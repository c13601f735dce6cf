"""A setting row written in the caller's transaction: the one upsert every service that keeps
a setting (the calendar's state, retired templates, the mail watch's positions, backups'
retention, undo) shares."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from followthrough.store.models import Setting


def put_setting(session: Session, key: str, value: Any, now: datetime) -> None:
    """Set `key` to `value` (JSON). Give a new object, not one read and changed in place:
    the JSON column only sees a change when the value is replaced."""
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
