"""The tests' database snapshot (tests/support/snapshot.py) reads every table there is."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import SQLModel

from followthrough.store.db import Database
from tests.support.snapshot import database_rows


def test_the_snapshot_holds_every_table_of_the_models_and_the_schema_version(
    db: Database, data_dir: Path
) -> None:
    rows = database_rows(data_dir)
    assert rows is not None
    # A table a model adds is compared by every "changed nothing" test without being listed.
    assert set(rows) == {*SQLModel.metadata.tables, "alembic_version"}
