"""Noticing writes made by another process (the CLI) to the same database file."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class ChangeWatch:
    """`PRAGMA data_version` on a private read-only connection changes whenever any *other*
    connection commits: one cheap query tells whether the data moved under us."""

    def __init__(self, path: Path) -> None:
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
        self._seen = self._version(self._conn)

    @staticmethod
    def _version(conn: sqlite3.Connection) -> int:
        return int(conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """Did another connection commit since the last call? False once closed: a check
        queued behind the app's quit has nothing left to tell."""
        if self._conn is None:
            return False
        version = self._version(self._conn)
        moved, self._seen = version != self._seen, version
        return moved

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
