"""The board read a page at a time: same order as the list, counts, search, index use."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from followthrough.domain.leads import NewLead
from followthrough.domain.states import BOARD_STATES, State
from followthrough.services.alerts import list_alerts, tick, today_alerts
from followthrough.services.board import load_board, load_column_page
from followthrough.services.lead_queries import list_leads
from followthrough.services.leads import add_lead
from followthrough.store.board_reads import ORDER
from followthrough.store.db import Database
from tests.conftest import NOW


def _fill(db: Database, n: int) -> None:
    for i in range(n):
        state = BOARD_STATES[i % 3]
        add_lead(
            db,
            NewLead.create(
                name=f"Lead {i:03d}",
                company="Acme" if i % 4 == 0 else "Globex",
                state=state,
                next_step="Call" if i % 2 else None,
                next_step_due=NOW + timedelta(hours=i) if i % 2 else None,
                recycle_until=NOW + timedelta(days=30 + i) if state is State.RECYCLE else None,
                now=NOW,
            ),
            NOW - timedelta(days=3),
        )


def test_pages_follow_the_lists_order_and_counts(db: Database) -> None:
    _fill(db, 45)
    board = load_board(db, per_column=5, now=NOW)
    full = list_leads(db, now=NOW)
    for state in BOARD_STATES:
        expected = [lead.id for lead in full if lead.state is state]
        page = board[state]
        assert page.total == len(expected) == 15
        shown = [lead.id for lead in page.leads]
        offset = len(shown)
        while offset < page.total:
            more = load_column_page(db, state, None, offset, 4, now=NOW)
            shown += [lead.id for lead in more.leads]
            offset += len(more.leads)
        assert shown == expected
        assert page.leads[0] == next(lead for lead in full if lead.id == shown[0])


def test_search_counts_and_filters_each_column(db: Database) -> None:
    _fill(db, 45)
    board = load_board(db, "  ACME ", per_column=100, now=NOW)
    expected = list_leads(db, search="acme", now=NOW)
    assert sum(page.total for page in board.values()) == len(expected) == 12
    assert [lead.id for state in BOARD_STATES for lead in board[state].leads] == [
        lead.id for lead in expected
    ]
    assert all(page.total == 0 for page in load_board(db, "zzz", now=NOW).values())


def test_open_alert_counts_ride_along(db: Database) -> None:
    _fill(db, 6)
    raised = tick(db, NOW + timedelta(days=10))
    assert raised
    page = load_board(db, now=NOW + timedelta(days=10))
    counts = {lead.id: lead.open_alerts for p in page.values() for lead in p.leads}
    for alert in raised:
        assert counts[alert.lead_id] >= 1


def test_a_column_page_is_read_from_the_board_index(db: Database) -> None:
    with db.read() as session:
        plan = session.connection().execute(
            text(
                f"EXPLAIN QUERY PLAN SELECT id FROM lead WHERE state = 'warm' "
                f"AND instr(search_key, 'a') > 0 ORDER BY {ORDER} LIMIT 100"
            )
        )
        details = " ".join(str(row[-1]) for row in plan)
    assert "ix_lead_board" in details
    assert "TEMP B-TREE" not in details  # no sort: the index is already in board order


def test_today_shows_the_most_urgent_first_and_the_total(db: Database) -> None:
    _fill(db, 30)
    tick(db, NOW + timedelta(days=20))
    everything = list_alerts(db)
    top = today_alerts(db, limit=7)
    assert top.total == len(everything) > 7
    assert [a.id for a in top.alerts] == [a.id for a in everything[:7]]
