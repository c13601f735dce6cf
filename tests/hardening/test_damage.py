"""A damaged database is never written to, and an export of one says so.

The damage is real: bytes overwritten in the middle of a real database file, which SQLite
still opens (its header and schema are intact) but which the quick check finds.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from followthrough.domain.leads import NewLead
from followthrough.paths import DATABASE_NAME, prepare_data_dir
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from followthrough.store.health import MARKER, known_good
from tests.cli.conftest import CliRunner
from tests.conftest import NOW
from tests.support.snapshot import folder_listing

STORAGE = 5


@pytest.fixture
def pipeline(cli: CliRunner, data_dir: Path) -> Path:
    db = Database.open(prepare_data_dir(data_dir))
    try:
        for number in range(150):
            new = NewLead.create(name=f"Lead {number:03} " + "x" * 200, company="Acme", now=NOW)
            add_lead(db, new, NOW)
    finally:
        db.close()
    assert cli("add", "Ana Silva").code == 0
    database = data_dir / DATABASE_NAME
    assert known_good(database)  # our own writes leave the file noted as whole
    return database


def _damage_the_middle(database: Path) -> bytes:
    """Random bytes over the middle one of the pages holding the leads (a page in the middle
    of the file may be the empty root of an index whose unused bytes nothing reads)."""
    with closing(sqlite3.connect(database)) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        leaves = [
            number
            for (number,) in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'lead' AND pagetype = 'leaf' "
                "ORDER BY pageno"
            )
        ]
    with database.open("r+b") as handle:
        handle.seek(page * (leaves[len(leaves) // 2] - 1) + 100)
        handle.write(os.urandom(page - 200))
    return database.read_bytes()


@pytest.mark.parametrize(
    "args",
    [
        ["add", "Bob"],
        ["log", "Lead 001", "sent"],
        ["move", "Lead 002", "warm"],
        ["policy", "--set", "hot_silence_days=3"],
        ["due"],
        ["export", "--format", "csv", "--output", "-"],
        ["export", "--format", "json", "--output", "-"],
    ],
)
def test_damage_stops_writes_and_exports_with_the_way_back(
    cli: CliRunner, data_dir: Path, pipeline: Path, args: list[str]
) -> None:
    backup = Path(cli("backup", "--json").json()["path"])
    damaged = _damage_the_middle(pipeline)
    listing = _listing(data_dir)
    result = cli(*args)
    assert result.code == STORAGE, (result.out[:200], result.err)
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert f"the database in {data_dir} is damaged" in lines[0]
    restore = f"followthrough --data-dir {shlex.quote(str(data_dir))} restore {backup}"
    assert lines[0].endswith(restore)
    assert "Traceback" not in result.err
    assert pipeline.read_bytes() == damaged
    assert _listing(data_dir) == listing
    wal = pipeline.with_name(pipeline.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # opened, never written


def _listing(data_dir: Path) -> list[str]:
    # SQLite may leave an empty WAL and its index beside a file it could not checkpoint.
    return [name for name in folder_listing(data_dir) if not name.endswith(("-wal", "-shm"))]


def test_the_check_is_skipped_only_while_the_file_is_as_it_was_noted(
    cli: CliRunner, data_dir: Path, pipeline: Path
) -> None:
    marker = data_dir / MARKER
    assert oct(marker.stat().st_mode & 0o777) == "0o600"
    # A write by another program changes the file: noted no more, so checked again.
    with closing(sqlite3.connect(pipeline)) as conn:
        conn.execute("UPDATE lead SET company = 'Other' WHERE id = 1")
        conn.commit()
    assert not known_good(pipeline)
    assert cli("add", "Bob").code == 0  # checked, found whole, written, noted
    assert known_good(pipeline)
    marker.unlink()  # a lost note costs one check, nothing else
    assert cli("add", "Cleo").code == 0
    assert known_good(pipeline)
