"""The import's plain statements, the stored-time text they write, and SQLite's failures."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from followthrough.store.db import Database, sqlite_failure
from followthrough.store.lead_import import (
    ImportStatements,
    LeadValues,
    create_indexes,
    drop_lead_indexes,
)
from followthrough.store.models import Lead
from followthrough.store.tables import LEAD
from followthrough.store.utc import stored_text, utc_from_stored

MOMENT = datetime(2026, 3, 1, 9, 30, 0, 5, tzinfo=timezone(timedelta(hours=2)))


def _values(name: str, email_key: str | None, stamp: str) -> LeadValues:
    # name, company, email, email_key, phone, source, tags, search_key, state, state_since,
    # next_step, next_step_due, recycle_until, recycle_reason, next_check_at, created, updated
    return (name, None, email_key, email_key, None, "import t.csv", "[]", name.casefold(),
            "warm", stamp, None, None, None, None, None, stamp, stamp)  # fmt: skip


def test_stored_text_is_what_the_orm_stores_for_the_same_time(db: Database) -> None:
    with db.write() as session:
        session.add(Lead(name="Ada", state="hot", state_since=MOMENT, created_at=MOMENT,
                         updated_at=MOMENT))  # fmt: skip
    with db.read() as session:
        raw = session.connection().execute(text("SELECT state_since FROM lead")).scalar_one()
    assert stored_text(MOMENT) == raw == "2026-03-01 07:30:00.000005"
    assert utc_from_stored(stored_text(MOMENT)) == MOMENT.astimezone(UTC)
    assert stored_text(None) is None


def test_leads_written_plainly_read_back_through_the_orm(db: Database) -> None:
    stamp = stored_text(MOMENT)
    with db.write() as session:
        sql = ImportStatements(session)
        first = sql.insert_leads([_values("Ada", "ada@x.io", stamp), _values("Bo", None, stamp)])
        second = sql.insert_leads([_values("Cy", "cy@x.io", stamp)])
        sql.insert_events([(first[0], "note", "{}", "met at the fair")], stamp)
        assert sql.lead_count() == 3
        assert sql.ids_by_email_key(["ada@x.io", "cy@x.io", "nobody@x.io"]) == {
            "ada@x.io": first[0],
            "cy@x.io": second[0],
        }
        assert sql.ids_by_email_key([]) == {}
    assert first == [1, 2]
    assert second == [3]
    with db.read() as session:
        leads = [session.get(Lead, lead_id) for lead_id in (1, 2, 3)]
        assert [lead.name for lead in leads if lead is not None] == ["Ada", "Bo", "Cy"]
        assert leads[0] is not None
        assert leads[0].state_since == MOMENT
        note = session.connection().execute(text("SELECT lead_id, at, text FROM event")).one()
    assert tuple(note) == (1, stamp, "met at the fair")


def test_a_merge_fills_in_and_moves_the_due_date_only_with_a_new_step(db: Database) -> None:
    stamp = stored_text(MOMENT)
    later = stored_text(MOMENT + timedelta(days=3))
    with db.write() as session:
        sql = ImportStatements(session)
        (ada,) = sql.insert_leads([_values("Ada", "ada@x.io", stamp)])
        assert sql.merge_targets([ada]) == [(ada, "Ada", None, "ada@x.io", None, "[]", None)]
        # (name, company, phone, tags, search_key, next_step, next_step_due, new step?, at, id)
        sql.update_merged([("Ada L", "Acme", "+1", '["x"]', "ada l", "Call", later, 1, later, ada)])
        assert sql.merge_targets([ada]) == [
            (ada, "Ada L", "Acme", "ada@x.io", "+1", '["x"]', "Call")
        ]
        sql.update_merged([("Ada L", "Acme", "+1", '["x"]', "ada l", "Call", None, 0, later, ada)])
        due = session.connection().execute(text("SELECT next_step_due FROM lead")).scalar_one()
    assert due == later


def _lead_indexes(db: Database) -> set[str]:
    with db.read() as session:
        rows = session.connection().execute(
            text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'lead'")
        )
        return {name for (name,) in rows if not name.startswith("sqlite_")}


def test_the_secondary_indexes_set_aside_come_back(db: Database) -> None:
    before = _lead_indexes(db)
    with db.write() as session:
        aside = drop_lead_indexes(session)
        left = {name for (name,) in session.connection().execute(
            text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'lead'"))}  # fmt: skip
        create_indexes(session, aside)
    assert left == {"ux_lead_email_key"}
    assert {index.name for index in aside} == before - left
    assert {index.name for index in LEAD.indexes} == before
    assert _lead_indexes(db) == before


def test_sqlite_failures_are_told_whether_wrapped_or_not() -> None:
    full = sqlite3.OperationalError("database or disk is full")
    assert sqlite_failure(full) == "database or disk is full"
    assert sqlite_failure(OperationalError("INSERT ...", {}, full)) == "database or disk is full"
    assert sqlite_failure(OperationalError("INSERT ...", {}, ValueError("x"))) is None
    assert sqlite_failure(sqlite3.IntegrityError("UNIQUE constraint failed")) is None
    assert sqlite_failure(ValueError("database or disk is full")) is None
