"""Stored times, written and read back as text: kept free of SQLAlchemy so plain sqlite3
statements (the import's, the planner's) use the same format as UTCDateTime."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def utc_from_stored(value: str) -> datetime:
    """A stored UTC time ("YYYY-MM-DD HH:MM:SS.ffffff", as SQLAlchemy writes it) as aware.

    Parsing the offset in is about six times faster than `.replace(tzinfo=UTC)` afterwards,
    and the engine reads thousands of these per tick.
    """
    return datetime.fromisoformat(value + "+00:00")


@overload
def stored_text(moment: datetime) -> str: ...
@overload
def stored_text(moment: None) -> None: ...
def stored_text(moment: datetime | None) -> str | None:
    """An aware time as UTCDateTime stores it ("YYYY-MM-DD HH:MM:SS.ffffff", UTC); None stays.

    For statements that skip SQLAlchemy's type processing; what they write reads back as
    any stored time does.
    """
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
