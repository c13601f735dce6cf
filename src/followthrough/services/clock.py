"""The one place services read the wall clock; everything below takes `now` as an argument."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
