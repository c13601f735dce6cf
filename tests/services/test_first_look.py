"""The start-up read: the same board and Today as the full read, from the standard library,
and out of the way whenever the file is anything but a healthy, current database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import fields
from pathlib import Path

import pytest

from followthrough.services import alerts
from followthrough.services.board_snapshot import read_board
from followthrough.services.first_look import first_look
from followthrough.services.readmodels import AlertView, LeadView
from followthrough.store.board_reads import ALERT_COLUMNS, ALERT_TIMES, LEAD_COLUMNS, LEAD_TIMES
from followthrough.store.db import Database
from followthrough.store.tables import ALERT, LEAD
from followthrough.store.types import UTCDateTime
from tests.bench.pipelines import generate_pipeline
from tests.conftest import NOW


def _ticked(db: Database, leads: int = 300) -> None:
    generate_pipeline(db, leads, seed=5, now=NOW)
    alerts.tick(db, NOW)


def test_it_shows_what_the_full_read_shows(db: Database) -> None:
    _ticked(db)
    look = first_look(Path(db.path), NOW, per_column=40, today_limit=30)
    assert look is not None
    assert look.board == read_board(db, per_column=40, now=NOW)
    assert look.today == alerts.today_alerts(db, limit=30)
    # Not trivially equal: cards with their alerts and momentum, and a Today backlog.
    assert look.board.on_board > 120
    assert any(lead.open_alerts for page in look.board.pages.values() for lead in page.leads)
    assert any(
        lead.momentum is not None for lead in look.board.pages[next(iter(look.board.pages))].leads
    )
    assert look.today.total > len(look.today.alerts) == 30


def test_the_columns_it_reads_are_the_tables_own(db: Database) -> None:
    for table, names, times in (
        (LEAD, LEAD_COLUMNS, LEAD_TIMES),
        (ALERT, ALERT_COLUMNS, ALERT_TIMES),
    ):
        columns = {c.name: c for c in table.columns}
        assert set(names) <= set(columns), table
        stored_times = {n for n in names if isinstance(columns[n].type, UTCDateTime)}
        assert stored_times == set(times), table


def test_the_columns_it_reads_are_what_the_views_show() -> None:
    # In the views' own order: a row is read into a view by name, and the SELECT keeps the
    # order the board's queries were measured with.
    for view, names, computed in (
        (LeadView, LEAD_COLUMNS, {"momentum", "open_alerts"}),
        (AlertView, ALERT_COLUMNS, {"lead_name"}),
    ):
        shown = tuple(f.name for f in fields(view) if f.name not in computed)
        assert names == shown, view


def test_a_missing_file_stays_missing(tmp_path: Path) -> None:
    target = tmp_path / "followthrough.sqlite3"
    assert first_look(target, NOW) is None
    assert not target.exists()


def test_it_steps_aside_for_files_the_full_open_must_explain(db: Database, tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    assert first_look(empty, NOW) is None

    foreign = tmp_path / "foreign.sqlite3"
    with closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    assert first_look(foreign, NOW) is None

    # A schema the full open would migrate first.
    with closing(sqlite3.connect(db.path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0005'")
        conn.commit()
    assert first_look(Path(db.path), NOW) is None

    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all, " * 400)
    assert first_look(junk, NOW) is None


def test_it_never_writes_to_the_file(db: Database) -> None:
    _ticked(db, 60)
    db.close()
    path = Path(db.path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = path.read_bytes()
    assert first_look(path, NOW) is not None
    assert path.read_bytes() == before


@pytest.mark.parametrize("module", ["followthrough.services.first_look"])
def test_it_loads_without_the_database_layer(module: str) -> None:
    # Its whole point: it runs while SQLAlchemy and SQLModel are still being imported.
    probe = (
        f"import sys, {module}; "
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'alembic') if m in sys.modules]; "
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
