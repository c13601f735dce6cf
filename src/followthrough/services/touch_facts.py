"""Keep each touch's facts (domain/touchfacts.py) in step with its lead's timeline.

Called by every write that changes a timeline, in its transaction, as the lead's touch
counters are: the facts are recomputed from the whole timeline, so back-dated events and
undo leave them right, and only the touches whose facts changed are written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, select, update

from followthrough.domain.signals import TimelineEntry, TouchSummary, summarize_touches
from followthrough.domain.touchfacts import FactsEntry, touch_facts
from followthrough.services.insights.replies import is_touch_sql
from followthrough.services.insights.timeline_sql import standing_at
from followthrough.store.tables import ALERT, EVENT
from followthrough.store.touch_rows import keep_touch_facts, lead_states, touch_rows
from followthrough.store.utc import stored_text


def recount_timelines(
    conn: Connection, lead_ids: Sequence[int], states: Mapping[int, str] | None = None
) -> dict[int, TouchSummary]:
    """Read the leads' timelines once: keep each touch's facts, and return each lead's
    touch counters (`unanswered`, the last times each way) for the caller to store.

    `states`: the leads' current states when the caller holds them (else they are read).
    """
    return _recount(conn, lead_ids, states)[0]


def refresh_touch_facts(conn: Connection, lead_ids: Sequence[int]) -> int:
    """Recompute the leads' touch facts; returns how many touches changed."""
    return _recount(conn, lead_ids, None)[1]


def _recount(
    conn: Connection, lead_ids: Sequence[int], states: Mapping[int, str] | None
) -> tuple[dict[int, TouchSummary], int]:
    if not lead_ids:
        return {}, 0
    if states is None:
        states = lead_states(conn, lead_ids)
    timelines: dict[int, list[FactsEntry]] = {lead_id: [] for lead_id in lead_ids}
    kept: dict[int, tuple[str | None, str | None]] = {}
    for event_id, lead_id, at, kind, direction, moved_from, state, answered in touch_rows(
        conn, lead_ids
    ):
        timelines[lead_id].append(FactsEntry(event_id, at, kind, direction, moved_from))
        kept[event_id] = (state, answered)
    summaries: dict[int, TouchSummary] = {}
    changes: list[tuple[str, datetime | None, int]] = []
    for lead_id, timeline in timelines.items():
        # In time order already (ties by id): the order summarize_touches keeps.
        summaries[lead_id] = summarize_touches(
            TimelineEntry(e.at, e.kind, e.direction) for e in timeline
        )
        for event_id, facts in touch_facts(timeline, states[lead_id]).items():
            if kept[event_id] != (facts.state, stored_text(facts.answered_at)):
                changes.append((facts.state, facts.answered_at, event_id))
    keep_touch_facts(conn, changes)
    return summaries, len(changes)


def fill_missing_facts(conn: Connection, batch: int = 500) -> tuple[int, int]:
    """Keep the facts wherever rows lack them — touches and alerts written by an older
    version, or imported from its export — so the reports need not walk timelines for them.
    Returns (touches, alerts) filled. The alerts' facts are read from the timeline at the
    moment each was raised, as the silence report would read them."""
    missing = (
        conn.execute(
            select(EVENT.c.lead_id)
            .distinct()
            .where(EVENT.c.lead_state.is_(None), is_touch_sql(EVENT))
        )
        .scalars()
        .all()
    )
    touches = sum(
        refresh_touch_facts(conn, missing[start : start + batch])
        for start in range(0, len(missing), batch)
    )
    alerts = conn.execute(
        update(ALERT)
        .where(ALERT.c.raised_state.is_(None))
        .values(**standing_at(ALERT.c.lead_id, ALERT.c.raised_at))
    ).rowcount
    return touches, alerts
