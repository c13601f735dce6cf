"""A command that meets another writer's lock says so in one line, exit 5, and writes nothing.

The lock is real: a second SQLite connection holds the database's write lock (as the app or
another command does mid-transaction) while the command runs, with the busy timeout short.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from followthrough.cli import main
from followthrough.paths import DATABASE_NAME
from followthrough.store import db as store_db
from tests.support.database import write_lock_held
from tests.support.snapshot import database_rows

Run = Callable[..., tuple[int, str, str]]
BUSY_LINE = (
    "followthrough: the database is busy: another Followthrough (or a command) is writing; "
    "try again in a moment"
)


@pytest.fixture
def run(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def command(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--data-dir", str(data_dir), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return command


@pytest.mark.parametrize(
    "command",
    [
        ("add", "Bob Stone", "--email", "bob@stone.example"),
        ("move", "Ana Silva", "warm"),
        ("log", "Ana Silva", "call", "--note", "left a message"),
    ],
)
def test_a_writing_command_under_another_writers_lock_says_busy_and_changes_nothing(
    run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    assert run("add", "Ana Silva")[0] == 0
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)  # each command opens its own engine
    before = database_rows(data_dir)
    with write_lock_held(data_dir / DATABASE_NAME):
        code, out, err = run(*command)
        assert database_rows(data_dir) == before  # read while the other writer still holds it
    assert (code, out, err.splitlines()) == (5, "", [BUSY_LINE])
    assert database_rows(data_dir) == before
    code, _out, err = run(*command)
    assert (code, err) == (0, "")  # the lock gone, the same command works
    assert database_rows(data_dir) != before
