"""Shared by the file tests: running the real command, reading what it left behind."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from followthrough.cli import main
from followthrough.paths import ENV_DATA_DIR
from tests.cli.conftest import Result, installed_command
from tests.conftest import NOW
from tests.support.snapshot import folder_listing

STAMP = NOW.strftime("%Y%m%dT%H%M%SZ")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run_cli(*args: str, env: dict[str, str] | None = None, data: Path | None = None) -> Result:
    """The installed `followthrough`, as a person would run it."""
    environ = {k: v for k, v in os.environ.items() if k != ENV_DATA_DIR}
    if data is not None:
        environ[ENV_DATA_DIR] = str(data)
    environ.update(env or {})
    done = subprocess.run(
        [*installed_command(), *args], capture_output=True, text=True, env=environ, timeout=120
    )
    return Result(done.returncode, done.stdout, done.stderr)


def in_process(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def one_line(result: Result) -> str:
    """The single `followthrough: ...` line a fault prints, and nothing else on stderr."""
    assert result.err.count("\n") == 1, result.err
    assert result.err.startswith("followthrough: "), result.err
    return result.err


def fill_leads(database: Path, leads: int, text_size: int) -> None:
    """`leads` real lead rows, each with a long next step, written straight by SQLite."""
    with closing(sqlite3.connect(database)) as conn:
        conn.execute(
            """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            INSERT INTO lead (name, tags, state, state_since, created_at, updated_at,
                              next_step, search_key)
            SELECT 'Lead ' || i, '[]', 'hot', '2026-11-23 10:00:00.000000',
                   '2026-11-23 10:00:00.000000', '2026-11-23 10:00:00.000000',
                   printf('%.*c', ?, 'x'), 'lead ' || i
            FROM n""",
            (leads, text_size),
        )
        conn.commit()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    """Temporary files (ours start with a dot) anywhere under `folder`."""
    return [name for name in folder_listing(folder) if Path(name).name.startswith(".")]
