"""Response time: how fast we answer (last 20 leads that replied) and how fast buyers do."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from followthrough.domain.figures import Rate
from followthrough.domain.period import Period
from followthrough.domain.reportview import ChartKind, cell_text
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.services import leads
from followthrough.services.insights.catalog import ReportKey, build_report
from followthrough.services.insights.response import compute_response
from followthrough.store.db import Database
from tests.conftest import NOW
from tests.services.insights.history import DAY, HOUR, add, log

T = NOW - 40 * DAY  # 14 Oct 2026, 10:00 UTC: summer time in Paris and New York
PERIOD = Period.last(60, NOW)


def history(db: Database) -> tuple[list[int], list[int]]:
    """22 Warm leads reply a day apart; we answer lead i after i + 1 hours, the last not yet.
    Before them, six Hot leads we wrote to: five answer after 12, 24, … 60 hours."""
    hot = [add(db, f"Hot {k}", T - 12 * DAY) for k in range(6)]
    for k, lead_id in enumerate(hot):
        log(db, lead_id, SignalKind.SENT, T - 10 * DAY)
        if k < 5:
            log(db, lead_id, SignalKind.REPLIED, T - 10 * DAY + (k + 1) * 12 * HOUR)
    # Moved on after answering: the touch still counts where the lead was when we wrote.
    leads.move_lead(db, hot[0], State.WARM, at=T - 5 * DAY, now=T - 5 * DAY)
    warm = [add(db, f"Warm {i:02d}", T - DAY, State.WARM) for i in range(22)]
    for i, lead_id in enumerate(warm):
        log(db, lead_id, SignalKind.REPLIED, T + i * DAY)
        if i < 21:
            log(db, lead_id, SignalKind.SENT, T + i * DAY + (i + 1) * HOUR)
    return hot, warm


def test_our_answers_over_the_last_twenty_and_theirs_by_state(db: Database) -> None:
    hot, warm = history(db)
    found = compute_response(db, PERIOD)

    assert [a.lead_id for a in found.ours] == warm[:1:-1]  # newest first; the two oldest out
    assert [a.lead_id for a in found.waiting] == [warm[21]]
    assert found.median_seconds == 12 * 3600  # of 3 h … 21 h
    assert found.p90_seconds == 20 * 3600  # the 18th of 19
    assert found.variance == pytest.approx(30 * 3600**2)  # (19² − 1) / 12 hours²
    assert found.spread_seconds == pytest.approx(30**0.5 * 3600)

    hot_answers = found.for_state(State.HOT)
    assert hot_answers is not None
    assert hot_answers.answered == Rate(5, 6)
    assert (hot_answers.median_seconds, hot_answers.p90_seconds) == (36 * 3600, 60 * 3600)
    assert hot_answers.lead_ids == tuple(hot)
    warm_answers = found.for_state(State.WARM)
    assert warm_answers is not None
    assert warm_answers.answered == Rate(0, 21)
    assert warm_answers.median_seconds is None


@pytest.mark.parametrize(
    ("zone", "latest", "oldest"),
    [
        ("Europe/Paris", "2026-11-04 11:00", "2026-10-16 12:00"),
        ("America/New_York", "2026-11-04 05:00", "2026-10-16 06:00"),
    ],
)
def test_the_page_shows_reply_times_in_the_readers_zone(
    db: Database, zone: str, latest: str, oldest: str
) -> None:
    _hot, warm = history(db)
    view = build_report(db, ReportKey.RESPONSE, PERIOD, ZoneInfo(zone))
    assert view.title == "Response time"
    assert [(f.label, cell_text(f.value)) for f in view.figures] == [
        ("We answer in", "12 h"),
        ("p90", "20 h"),
        ("Spread", "5.5 h"),
        ("Waiting for us", "1"),
    ]
    assert view.figures[2].hint == "standard deviation; variance 388,800,000 s²"
    assert view.chart is not None
    assert view.chart.kind is ChartKind.DISTRIBUTION
    assert [(b.label, b.values) for b in view.chart.bars] == [
        ("< 1 h", (0,)), ("1–4 h", (1,)), ("4–24 h", (18,)), ("1–3 days", (0,)),
        ("> 3 days", (0,)),
    ]  # fmt: skip
    ours, theirs = view.tables
    assert ours.title == "Our answers (last 20 leads that replied)"
    first, *_, last = ([cell_text(c) for c in row.cells] for row in ours.rows)
    assert first == ["Warm 21", latest, "still waiting"]
    assert last == ["Warm 02", oldest, "3 h"]
    assert ours.rows[0].lead_ids == (warm[21],)
    assert [[cell_text(c) for c in row.cells] for row in theirs.rows] == [
        ["Hot", "6", "5 of 6 (83 %)", "1.5 days", "2.5 days"],
        ["Warm", "21", "0 of 21 (0 %)", "—", "—"],
    ]
    assert view.to_json()["figures"][1]["value"] == 20 * 3600
    assert "388800000" in view.notes[-1]


def test_nobody_replied(db: Database) -> None:
    view = build_report(db, ReportKey.RESPONSE, PERIOD, ZoneInfo("UTC"))
    assert [cell_text(f.value) for f in view.figures] == ["—", "—", "—", "0"]
    assert all(not t.rows for t in view.tables)
