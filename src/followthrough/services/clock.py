"""The one place services read the wall clock and the machine's time zone; everything below
takes `now` and `zone` as arguments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo


def utcnow() -> datetime:
    return datetime.now(UTC)


class SystemZone(tzinfo):
    """The zone the machine is set to, with its daylight-saving rules.

    `datetime.now().astimezone().tzinfo` would be a fixed offset, wrong for any moment on
    the other side of a clock change; this asks the C library for each moment, as a bare
    `astimezone()` does, so it follows TZ (and time.tzset()) like the rest of the app.
    """

    def fromutc(self, dt: datetime) -> datetime:
        local = dt.replace(tzinfo=UTC).astimezone()
        naive = local.replace(tzinfo=None)
        # The second pass of a wall-clock hour the clocks go back over is fold=1.
        fold = int(naive.astimezone().utcoffset() != local.utcoffset())
        return naive.replace(tzinfo=self, fold=fold)

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None if dt is None else dt.replace(tzinfo=None).astimezone().utcoffset()

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None if dt is None else dt.replace(tzinfo=None).astimezone().tzname()

    def __repr__(self) -> str:
        return "SystemZone()"


LOCAL_ZONE = SystemZone()


def local_zone() -> tzinfo:
    """The zone the person reads times in: the machine's."""
    return LOCAL_ZONE
