"""The main window's one read: columns, every state's count, and where the chosen lead stands."""

from __future__ import annotations

from datetime import timedelta

from followthrough.domain.leads import NewLead
from followthrough.domain.states import State
from followthrough.services import alerts
from followthrough.services.alerts import today_alerts
from followthrough.services.board_snapshot import read_board, read_window
from followthrough.services.leads import add_lead, delete_lead, move_lead
from followthrough.services.timeline import lead_timeline
from followthrough.store.db import Database
from tests.conftest import NOW


def _pipeline(db: Database) -> None:
    for name, state in (("Ana Silva", State.HOT), ("Bo Chen", State.WARM),
                        ("Cleo Park", State.WARM), ("Dev Rao", State.HOT)):  # fmt: skip
        add_lead(db, NewLead.create(name=name, state=state, now=NOW), NOW)
    move_lead(db, 3, State.LOST, now=NOW)


def test_counts_hold_every_lead_stored_whatever_the_search(db: Database) -> None:
    _pipeline(db)
    board = read_board(db, "ana", now=NOW)
    assert board.shown == 1
    assert board.on_board == 3
    assert board.total == 4  # what an export holds
    assert board.stored[State.LOST] == 1
    assert not board.first_run


def test_an_empty_database_is_a_first_run(db: Database) -> None:
    board = read_board(db, now=NOW)
    assert board.first_run
    assert board.focus is None


def test_the_chosen_lead_is_found_or_its_absence_named(db: Database) -> None:
    _pipeline(db)
    on_board = read_board(db, focus=1, now=NOW).focus
    assert on_board is not None
    assert on_board.absence is None
    assert on_board.lead is not None
    assert on_board.lead.name == "Ana Silva"
    hidden = read_board(db, "bo", focus=1, now=NOW).focus
    assert hidden is not None
    assert hidden.absence == "hidden by the search"
    lost = read_board(db, focus=3, now=NOW).focus
    assert lost is not None
    assert lost.absence == "marked Lost"
    delete_lead(db, 4)
    deleted = read_board(db, focus=4, now=NOW).focus
    assert deleted is not None
    assert deleted.absence == "deleted"
    assert deleted.lead is None


def test_the_window_read_holds_today_and_the_focused_leads_timeline(db: Database) -> None:
    _pipeline(db)
    now = NOW + timedelta(days=30)  # Ana and Dev have long gone quiet
    raised = alerts.tick(db, now)
    window = read_window(db, focus=1, now=now)
    assert window.board == read_board(db, focus=1, now=now)
    assert window.today == today_alerts(db)
    assert window.today.total == len(raised) > 0
    assert window.lead is not None
    assert window.lead == lead_timeline(db, 1, now)
    # A lead the board does not show has no details to show: the panel says why instead.
    assert read_window(db, "bo", focus=1, now=now).lead is None
    assert read_window(db, focus=3, now=now).lead is None  # lost
    assert read_window(db, now=now).lead is None
