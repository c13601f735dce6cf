"""Writes by another connection are noticed; a closed watch says nothing changed."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from sqlalchemy.exc import DatabaseError, OperationalError

from followthrough.store.change_watch import ChangeWatch
from followthrough.store.db import Database
from followthrough.store.faults import is_damage
from followthrough.store.models import Setting


def test_a_commit_elsewhere_is_seen_once(db: Database) -> None:
    watch = ChangeWatch(db.path)
    try:
        assert not watch.changed()
        with db.write() as session:
            session.add(Setting(key="k", value={"v": 1}, updated_at=datetime.now(UTC)))
        assert watch.changed()
        assert not watch.changed()
    finally:
        watch.close()
    with db.write() as session:
        session.add(Setting(key="k2", value={"v": 2}, updated_at=datetime.now(UTC)))
    assert not watch.changed()


def test_damage_is_told_apart_from_locks_and_full_disks() -> None:
    malformed = sqlite3.DatabaseError("database disk image is malformed")
    assert is_damage(malformed)
    assert is_damage(DatabaseError("SELECT ...", {}, malformed))
    locked = sqlite3.OperationalError("database is locked")
    assert not is_damage(locked)
    assert not is_damage(OperationalError("SELECT ...", {}, locked))
    assert not is_damage(ValueError("database disk image is malformed"))
