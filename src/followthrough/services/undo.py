"""Undo and redo for changes to a lead: a lead's whole record, taken before and after a change.

A snapshot is the lead's row with its events and alerts, exactly as stored. Undoing puts the
"before" snapshot back; redoing puts the "after" one back. One mechanism covers add, edit, move,
log and delete, and what is restored is what was there, ids included. Putting back writes only
the rows that differ, and of those only the columns that differ (services/undo_rows.py): an
undone edit is an update of the lead, not the lead deleted and written again.

Before restoring, the lead must still be as the change left it: if something else touched it
meanwhile (the CLI logged a reply, the mail watch saw one), restoring would silently throw that
away, so it is refused instead. Alerts are left out of that comparison: the engine raises and
clears them on its own, and re-plans the lead after a restore anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, select
from sqlmodel import Session

from followthrough.domain.policy import Policy
from followthrough.errors import InvalidData
from followthrough.services.clock import utcnow
from followthrough.services.one_transaction import OneTransaction
from followthrough.services.planning import replan_leads
from followthrough.services.policy import POLICY_KEY, load_policy, write_policy
from followthrough.services.setting_rows import put_setting
from followthrough.services.undo_rows import Rows, write_difference
from followthrough.store.db import Database
from followthrough.store.models import Setting
from followthrough.store.tables import ALERT, EVENT, LEAD, MATCH_SKIP, MEETING, SETTING

T = TypeVar("T")

# Columns the engine rewrites by itself; a difference there is not somebody else's change.
_ENGINE_COLUMNS = frozenset({"next_check_at"})


@dataclass(frozen=True)
class LeadSnapshot:
    lead_id: int
    lead: dict[str, Any] | None  # None: the lead does not exist at that point
    events: tuple[dict[str, Any], ...] = ()
    alerts: tuple[dict[str, Any], ...] = ()
    skips: tuple[dict[str, Any], ...] = ()  # what must not match it ("Not this lead")
    meetings: tuple[dict[str, Any], ...] = ()  # its meetings found in the calendar

    @property
    def name(self) -> str:
        return str(self.lead["name"]) if self.lead else f"lead #{self.lead_id}"

    def same_record(self, other: LeadSnapshot) -> bool:
        """Do both hold the same lead and timeline (alerts and engine bookkeeping aside)?"""
        if (self.lead is None) != (other.lead is None):
            return False
        if self.lead is not None and other.lead is not None:
            mine = {k: v for k, v in self.lead.items() if k not in _ENGINE_COLUMNS}
            theirs = {k: v for k, v in other.lead.items() if k not in _ENGINE_COLUMNS}
            if mine != theirs:
                return False
        return (self.events, self.skips, self.meetings) == (
            other.events,
            other.skips,
            other.meetings,
        )


def record_change(
    db: Database, lead_id: int | None, change: Callable[[Database], int]
) -> tuple[LeadSnapshot, LeadSnapshot]:
    """Make a change to one lead, with snapshots of it before and after: what undo needs.

    `change` calls the services as usual and returns the id of the lead it changed (`lead_id`
    is None for a lead it adds). The three run in one transaction, so nothing else (the CLI,
    the mail watch) can write in between and land in either snapshot, and a change that fails
    leaves nothing behind, not even half of itself.
    """
    with db.write() as session:
        conn = session.connection()
        before = _snapshot(conn, lead_id) if lead_id is not None else None
        changed = change(OneTransaction(db, session))
        session.flush()  # the snapshot reads the tables, not the session's pending objects
        after = _snapshot(conn, changed)
    return before or LeadSnapshot(changed, None), after


def take_snapshot(db: Database, lead_id: int) -> LeadSnapshot:
    with db.read() as session:
        return _snapshot(session.connection(), lead_id)


def _snapshot(conn: Connection, lead_id: int) -> LeadSnapshot:
    lead = conn.execute(select(LEAD).where(LEAD.c.id == lead_id)).mappings().first()
    if lead is None:
        return LeadSnapshot(lead_id, None)
    events = conn.execute(
        select(EVENT).where(EVENT.c.lead_id == lead_id).order_by(EVENT.c.id)
    ).mappings()
    alerts = conn.execute(
        select(ALERT).where(ALERT.c.lead_id == lead_id).order_by(ALERT.c.id)
    ).mappings()
    skips = conn.execute(
        select(MATCH_SKIP).where(MATCH_SKIP.c.lead_id == lead_id).order_by(MATCH_SKIP.c.id)
    ).mappings()
    meetings = conn.execute(
        select(MEETING).where(MEETING.c.lead_id == lead_id).order_by(MEETING.c.id)
    ).mappings()
    return LeadSnapshot(
        lead_id,
        dict(lead),
        tuple(dict(row) for row in events),
        tuple(dict(row) for row in alerts),
        tuple(dict(row) for row in skips),
        tuple(dict(row) for row in meetings),
    )


def restore_snapshot(
    db: Database,
    target: LeadSnapshot,
    expected: LeadSnapshot,
    now: datetime | None = None,
) -> LeadSnapshot:
    """Put a lead back as `target` holds it, if it is still as `expected` holds it.

    Returns the snapshot as restored (what a redo must find). Refuses, changing nothing, when
    the lead was changed by something else since.
    """
    now = now or utcnow()
    with db.write() as session:
        conn = session.connection()
        current = _snapshot(conn, target.lead_id)
        if not current.same_record(expected):
            raise InvalidData(
                f"{current.name} changed since, elsewhere; undoing now would lose that change",
                "undo",
            )
        # Only the rows that differ are written: with sync on, each write is an op every
        # other device applies (services/undo_rows.py).
        write_difference(
            conn,
            LEAD,
            current.lead,
            target.lead,
            [
                Rows(EVENT, current.events, target.events),
                Rows(ALERT, current.alerts, target.alerts),
                Rows(MATCH_SKIP, current.skips, target.skips),
                Rows(MEETING, current.meetings, target.meetings),
            ],
        )
        if target.lead is not None:
            # The restored record may be due for alerts (or no longer): plan it as of now.
            replan_leads(conn, [target.lead_id], now, load_policy(session))
        return _snapshot(conn, target.lead_id)


# --- settings: the same before/after mechanism for a change of some setting rows --------


@dataclass(frozen=True)
class SettingsSnapshot:
    """Some setting rows exactly as stored, by key (None: no row, the defaults apply)."""

    values: tuple[tuple[str, Any], ...]


def record_settings_change(
    db: Database, keys: tuple[str, ...], change: Callable[[Session], T]
) -> tuple[T, SettingsSnapshot, SettingsSnapshot]:
    """Change some settings, with the rows of `keys` before and after: one transaction."""
    with db.write() as session:
        before = _settings(session, keys)
        result = change(session)
        session.flush()
        after = _settings(session, keys)
    return result, before, after


def restore_settings(
    db: Database, target: SettingsSnapshot, expected: SettingsSnapshot, now: datetime | None = None
) -> SettingsSnapshot:
    """Put the settings back as `target` holds them, if they are still as `expected` holds
    them. The policy goes back through its own save path, so every board lead is re-planned."""
    now = now or utcnow()
    keys = tuple(key for key, _ in target.values)
    with db.write() as session:
        if _settings(session, keys) != expected:
            raise InvalidData(
                "the settings changed since, elsewhere; undoing now would lose that change",
                "undo",
            )
        for key, value in target.values:
            if key == POLICY_KEY:
                # No row was the defaults: written out in full, they read back the same.
                write_policy(session, dict(value) if value else Policy().to_json(), now)
                continue
            if value is not None:
                put_setting(session, key, value, now)
            elif (row := session.get(Setting, key)) is not None:
                session.delete(row)
        session.flush()
        return _settings(session, keys)


def _settings(session: Session, keys: tuple[str, ...]) -> SettingsSnapshot:
    rows = session.connection().execute(
        select(SETTING.c.key, SETTING.c.value).where(SETTING.c.key.in_(keys))
    )
    stored: dict[str, Any] = {row.key: row.value for row in rows}
    return SettingsSnapshot(tuple((key, stored.get(key)) for key in keys))
