"""The facts kept for the reports (each touch's state and answer, each alert's standing when
raised) give the same figures as walking the timelines, and are filled in where missing."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from followthrough.domain.period import Period
from followthrough.domain.reportview import ReportView
from followthrough.paths import prepare_data_dir
from followthrough.services.export import export_json
from followthrough.services.insights.catalog import REPORTS, build_report
from followthrough.services.jsonimport import import_json
from followthrough.services.sample import load_sample
from followthrough.services.touch_facts import fill_missing_facts
from followthrough.store.db import Database
from followthrough.store.tables import ALERT, EVENT
from tests.conftest import NOW

PARIS = ZoneInfo("Europe/Paris")
EVENT_FACTS = (EVENT.c.lead_state, EVENT.c.answered_at)
ALERT_FACTS = (
    ALERT.c.raised_state,
    ALERT.c.raised_stage_signal,
    ALERT.c.raised_unanswered,
    ALERT.c.raised_decision,
)


def every_view(db: Database) -> dict[str, ReportView]:
    return {
        spec.key.value: build_report(db, spec.key, Period.last(spec.default_days, NOW), PARIS)
        for spec in REPORTS
    }


def kept(db: Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with db.read() as session:
        conn = session.connection()
        events = conn.execute(select(EVENT.c.id, *EVENT_FACTS).order_by(EVENT.c.id)).all()
        alerts = conn.execute(select(ALERT.c.id, *ALERT_FACTS).order_by(ALERT.c.id)).all()
    return [tuple(row) for row in events], [tuple(row) for row in alerts]


def forget(db: Database) -> None:
    """As a database from before the facts were kept (or an old export imported) has them."""
    with db.write() as session:
        conn = session.connection()
        conn.execute(update(EVENT).values(lead_state=None, answered_at=None))
        conn.execute(update(ALERT).values({column.name: None for column in ALERT_FACTS}))


def test_kept_facts_give_the_figures_the_timelines_give(db: Database) -> None:
    load_sample(db, NOW)
    with db.read() as session:
        conn = session.connection()
        touches = conn.execute(select(func.count()).where(EVENT.c.lead_state.is_not(None)))
        answered = conn.execute(select(func.count()).where(EVENT.c.answered_at.is_not(None)))
        standing = conn.execute(select(func.count()).where(ALERT.c.raised_state.is_not(None)))
        counts = (touches.scalar_one(), answered.scalar_one(), standing.scalar_one())
    # The services kept them as the sample's history was written: dozens of each.
    assert all(n >= 20 for n in counts), counts
    kept_views, kept_facts = every_view(db), kept(db)

    forget(db)
    walked_views = every_view(db)
    for key, view in kept_views.items():
        assert walked_views[key] == view, key

    touches_filled, alerts_filled = fill_missing_facts_in(db)
    assert (touches_filled, alerts_filled) == (counts[0], counts[2])
    assert kept(db) == kept_facts  # filled in exactly as the services had kept them
    assert every_view(db) == kept_views


def fill_missing_facts_in(db: Database) -> tuple[int, int]:
    with db.write() as session:
        return fill_missing_facts(session.connection())


def test_an_export_from_before_the_kept_facts_imports_with_them_filled_in(
    db: Database, tmp_path: Path
) -> None:
    load_sample(db, NOW)
    exported = tmp_path / "export.json"
    export_json(db, exported, NOW)
    data = json.loads(exported.read_text(encoding="utf-8"))
    for event in data["events"]:
        for column in EVENT_FACTS:
            del event[column.name]
    for alert in data["alerts"]:
        for column in ALERT_FACTS:
            del alert[column.name]
    older = tmp_path / "older.json"
    older.write_text(json.dumps(data), encoding="utf-8")

    fresh = Database.open(prepare_data_dir(tmp_path / "fresh"), NOW)
    try:
        import_json(fresh, older, NOW)
        assert kept(fresh) == kept(db)
        assert every_view(fresh) == every_view(db)
    finally:
        fresh.close()
