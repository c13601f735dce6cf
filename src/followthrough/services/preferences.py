"""Reading and changing the person's preferences (notifications, working hours, sender)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from followthrough.domain.preferences import Preferences
from followthrough.errors import InvalidData
from followthrough.services.clock import utcnow
from followthrough.store.db import Database
from followthrough.store.models import Setting

PREFERENCES_KEY = "preferences"


def get_preferences(db: Database) -> Preferences:
    with db.read() as session:
        return load_preferences(session)


def load_preferences(session: Session) -> Preferences:
    value = session.exec(select(Setting.value).where(Setting.key == PREFERENCES_KEY)).first()
    try:
        return Preferences.from_json(value)
    except InvalidData:
        # A value edited by hand into something unusable must not stop the app: defaults.
        return Preferences()


def update_preferences(
    db: Database, changes: dict[str, Any], now: datetime | None = None
) -> Preferences:
    """Change some preferences; unknown names and bad values are refused, nothing written."""
    now = now or utcnow()
    check_preference_names(changes)
    with db.write() as session:
        return write_preferences(session, changes, now)


def check_preference_names(changes: dict[str, Any]) -> None:
    known = Preferences().to_json()
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise InvalidData(
            f"unknown preference {unknown[0]} (known: {', '.join(known)})", unknown[0]
        )


def write_preferences(session: Session, changes: dict[str, Any], now: datetime) -> Preferences:
    """`update_preferences` inside the caller's transaction (names already checked)."""
    row = session.get(Setting, PREFERENCES_KEY)
    try:
        current = Preferences.from_json(row.value if row else None)
    except InvalidData:
        current = Preferences()
    prefs = Preferences.from_json({**current.to_json(), **changes})
    if row is None:
        session.add(Setting(key=PREFERENCES_KEY, value=prefs.to_json(), updated_at=now))
    else:
        row.value, row.updated_at = prefs.to_json(), now
    return prefs
