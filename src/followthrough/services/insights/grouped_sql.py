"""Groups counted by SQLite, handed to Python as one row per group.

A report over a large pipeline has tens of thousands of cases but a handful of groups (a
template, a state). Turning each case into a Python object costs more than SQLite's whole
walk, so a report groups in SQL and receives, per group, the case count and the lead ids and
figures behind it as comma-joined text (`group_concat`), which Python splits in one call.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, func


def joined(value: Any) -> ColumnElement[str]:
    """Every non-NULL `value` of the group, comma-joined (NULL for none)."""
    return func.group_concat(value, ",")


def cases(query: Select[Any], name: str) -> CTE:
    """The per-case query as a table computed once.

    Left inline, SQLite would copy each case expression into every place the grouping
    query names it (the key, a filter, an aggregate) and run its correlated walk each time.
    """
    return query.cte(name).prefix_with("MATERIALIZED")


def ints(text: str | None) -> list[int]:
    return list(map(int, text.split(","))) if text else []


def floats(text: str | None) -> list[float]:
    return list(map(float, text.split(","))) if text else []


def seconds_figure(seconds: Any) -> ColumnElement[float]:
    """A duration in seconds to the millisecond, as the reports show and compare them: the
    julianday() arithmetic behind it leaves a few microseconds of noise."""
    return func.round(seconds, 3)
