"""The facts the reports read out of an event's JSON payload, kept in covering indexes.

A report reads tens of thousands of events over a period — every message sent, every move —
and a few facts from each one's payload (the template a message used, the state a move went
to). Reading each payload from the table costs one random page read per event; kept in an
index beside the kind and time, those facts are read from the index alone (DESIGN §3).

SQLite matches an indexed expression only when a query spells it the same way, constant
included: a bound parameter for the path would miss the index. So both the indexes
(store/models.py, migration 0009) and the queries (`payload_fact`) are built from here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, TextClause, func, literal_column, text

# Facts read over a period, by kind (ix_event_kind_facts): a sent message's template and
# intent; a move's target, source and reason category.
KIND_FACTS = ("template", "intent", "to", "from", "category")
# Facts read walking one lead's timeline (ix_event_lead_timeline): the state a move left,
# the decision a message asked for.
TIMELINE_FACTS = ("from", "decision")


def fact_sql(key: str) -> str:
    """The indexed expression, as SQL over the bare table."""
    if not key.isidentifier():  # spliced into SQL: only plain names
        raise ValueError(f"not a payload fact: {key!r}")
    return f"json_extract(payload, '$.{key}')"


def index_expressions(keys: tuple[str, ...]) -> list[TextClause]:
    return [text(fact_sql(key)) for key in keys]


def payload_fact(event: Any, key: str) -> ColumnElement[Any]:
    """`json_extract(<alias>.payload, '$.<key>')` with the path inline, as the index has it."""
    fact_sql(key)  # the same check
    return func.json_extract(event.c.payload, literal_column(f"'$.{key}'"))
