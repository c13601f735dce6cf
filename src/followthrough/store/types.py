"""Column types that keep the house rule "every stored time is UTC"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Dialect, func
from sqlalchemy.types import TypeDecorator

from followthrough.store.utc import utc_from_stored

__all__ = ["UTCDateTime", "iso_from_stored_sql", "utc_from_stored"]


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and hands them back aware.

    A naive datetime is refused outright: guessing its zone is how off-by-hours bugs start.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store a naive datetime: {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return utc_from_stored(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        # SQLite hands back text. SQLAlchemy's own DateTime parser is a regex; the C
        # `fromisoformat` reads the same "YYYY-MM-DD HH:MM:SS.ffffff" several times faster,
        # and every list and every tick reads thousands of these.
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: Any) -> datetime | None:
            return self.process_result_value(value, dialect)

        return process


def iso_from_stored_sql(column: Any) -> ColumnElement[Any]:
    """SQL for a stored time as ISO 8601 UTC with microseconds: 2026-11-23T10:00:00.000000Z.

    Every stored time is SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff" (migrations only copy
    such values), so one replace makes it ISO 8601; parsing each time would double the cost
    of an export.
    """
    return func.replace(column, " ", "T").concat("Z")
