"""Showing stored UTC moments in the user's local time, the way people read dates."""

from __future__ import annotations

from datetime import datetime


def local_day(moment: datetime) -> str:
    """'Mon 1 Mar 2027, 09:00' in local time (the year only when it is not this year)."""
    local = moment.astimezone()
    year = "" if local.year == datetime.now().astimezone().year else f" {local.year}"
    return f"{local:%a} {local.day} {local:%b}{year}, {local:%H:%M}"


def due_words(due: datetime, now: datetime) -> str:
    """Short form for a card: 'today 14:00', or 'Fri 27 Nov 09:00'."""
    local = due.astimezone()
    if local.date() == now.astimezone().date():
        return f"today {local:%H:%M}"
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def local_date(moment: datetime) -> str:
    """'Tue 5 Jan 2027' in local time, always with the year: archives span years."""
    local = moment.astimezone()
    return f"{local:%a} {local.day} {local:%b} {local.year}"


def short_day(moment: datetime, now: datetime) -> str:
    """'Tue 5 Jan' in local time; with the year when it is not this year's."""
    local = moment.astimezone()
    year = "" if local.year == now.astimezone().year else f" {local.year}"
    return f"{local:%a} {local.day} {local:%b}{year}"
