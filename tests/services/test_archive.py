"""The archive: won and lost leads newest first, with their reasons, searched and paged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from followthrough.domain.leads import NewLead
from followthrough.domain.states import State
from followthrough.services.archive import load_archive
from followthrough.services.leads import add_lead, move_lead
from followthrough.store.board_reads import ARCHIVE_PAGE_SQL
from followthrough.store.db import Database
from tests.conftest import NOW

ARRIVED = NOW - timedelta(days=60)


def _lead(db: Database, name: str, **fields: Any) -> int:
    return add_lead(db, NewLead.create(name=name, now=ARRIVED, **fields), NOW, at=ARRIVED).id


def _close(
    db: Database, lead_id: int, state: State, days_ago: float, reason: str | None = None
) -> None:
    move_lead(db, lead_id, state, reason=reason, at=NOW - timedelta(days=days_ago), now=NOW)


def test_lists_only_won_and_lost_newest_first_with_counts(db: Database) -> None:
    ana = _lead(db, "Ana Silva", company="Acme")
    bruno = _lead(db, "Bruno Berg")
    chloe = _lead(db, "Chloé Dubois")
    _lead(db, "Still Hot")
    _lead(db, "Still Warm", state=State.WARM)
    _close(db, ana, State.WON, days_ago=10)
    _close(db, bruno, State.LOST, days_ago=2)
    _close(db, chloe, State.WON, days_ago=5)

    page = load_archive(db)

    assert [item.lead.name for item in page.leads] == ["Bruno Berg", "Chloé Dubois", "Ana Silva"]
    assert [item.state for item in page.leads] == [State.LOST, State.WON, State.WON]
    assert page.leads[0].state_since == NOW - timedelta(days=2)
    assert page.leads[2].lead.company == "Acme"
    assert (page.won, page.lost, page.total, page.offset) == (2, 1, 3, 0)


def test_same_moment_keeps_a_stable_order(db: Database) -> None:
    ids = [_lead(db, f"Lead {n}") for n in range(3)]
    for lead_id in ids:
        _close(db, lead_id, State.LOST, days_ago=1)
    assert [item.lead.id for item in load_archive(db).leads] == sorted(ids, reverse=True)


def test_the_reason_is_the_one_given_for_the_latest_move_into_that_state(db: Database) -> None:
    lost = _lead(db, "Lost once")
    _close(db, lost, State.LOST, days_ago=9, reason="Chose a competitor")
    twice = _lead(db, "Lost twice")
    _close(db, twice, State.LOST, days_ago=9, reason="No budget")
    move_lead(db, twice, State.WARM, at=NOW - timedelta(days=8), now=NOW)
    _close(db, twice, State.LOST, days_ago=7, reason="Went quiet again")
    silent = _lead(db, "Lost without a word")
    _close(db, silent, State.LOST, days_ago=9, reason="Too early")
    move_lead(db, silent, State.HOT, at=NOW - timedelta(days=8), now=NOW)
    _close(db, silent, State.LOST, days_ago=6)
    # A parked lead's reason is why it was parked, not why it was later won.
    parked = _lead(db, "Parked then won", state=State.RECYCLE, recycle_reason="Budget in Q2",
                   recycle_until=NOW + timedelta(days=30))  # fmt: skip
    _close(db, parked, State.WON, days_ago=1)
    won = _lead(db, "Won with a note")
    _close(db, won, State.WON, days_ago=3, reason="Signed the annual plan\nwith onboarding")

    reasons = {item.lead.name: item.reason for item in load_archive(db).leads}

    assert reasons == {
        "Lost once": "Chose a competitor",
        "Lost twice": "Went quiet again",
        "Lost without a word": None,
        "Parked then won": None,
        "Won with a note": "Signed the annual plan\nwith onboarding",
    }


def test_search_matches_any_letter_case_and_script_and_counts_the_matches(db: Database) -> None:
    emile = _lead(db, "Émile Zola", company="Éclair SAS", email="emile@eclair.fr")
    tagged = _lead(db, "Li Xiaolong", tags=["VIP"])
    chinese = _lead(db, "李小龙")
    other = _lead(db, "Ana Silva", company="Acme")
    on_board = _lead(db, "Émile Board")  # stays on the board: never in the archive
    _close(db, emile, State.LOST, days_ago=4)
    _close(db, tagged, State.WON, days_ago=3)
    _close(db, chinese, State.WON, days_ago=2)
    _close(db, other, State.WON, days_ago=1)

    def names(search: str) -> list[str]:
        return [item.lead.name for item in load_archive(db, search).leads]

    assert names("émile") == names("ÉMILE") == names("  zola ") == ["Émile Zola"]
    assert names("éclair sas") == names("EMILE@ECLAIR") == ["Émile Zola"]
    assert names("vip") == ["Li Xiaolong"]
    assert names("李") == ["李小龙"]
    assert names("nobody") == []
    assert names("   ") == names("") == ["Ana Silva", "李小龙", "Li Xiaolong", "Émile Zola"]
    found = load_archive(db, "l")  # Silva, Xiaolong, Zola (not 李小龙)
    assert (found.won, found.lost) == (2, 1)
    assert on_board not in {item.lead.id for item in load_archive(db, "Émile").leads}
    nothing = load_archive(db, "nobody")
    assert (nothing.won, nothing.lost, nothing.leads) == (0, 0, ())


def test_pages_continue_each_other_and_all_reads_everything(db: Database) -> None:
    ids = [_lead(db, f"Lead {n:02d}") for n in range(11)]
    for n, lead_id in enumerate(ids):
        _close(db, lead_id, State.WON if n % 3 else State.LOST, days_ago=20 - n)
    everything = load_archive(db, limit=None)
    assert [item.lead.id for item in everything.leads] == list(reversed(ids))

    shown: list[int] = []
    while len(shown) < everything.total:
        page = load_archive(db, offset=len(shown), limit=4)
        assert page.offset == len(shown)
        assert (page.won, page.lost) == (everything.won, everything.lost) == (7, 4)
        shown += [item.lead.id for item in page.leads]
    assert shown == list(reversed(ids))
    past_the_end = load_archive(db, offset=11, limit=4)
    assert (past_the_end.leads, past_the_end.total) == ((), 11)
    assert load_archive(db, limit=0).leads == ()


def test_a_page_walks_the_archive_index_in_order(db: Database) -> None:
    with db.read() as session:
        for match in ("", " AND instr(search_key, :needle) > 0"):
            plan = session.connection().execute(
                text("EXPLAIN QUERY PLAN " + ARCHIVE_PAGE_SQL.format(match=match)),
                {"needle": "a", "limit": 100, "offset": 0},
            )
            details = " ".join(str(row[-1]) for row in plan)
            assert "ix_lead_archive" in details
            assert "TEMP B-TREE" not in details  # no sort: the index is already newest first
