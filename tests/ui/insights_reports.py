"""Stand-in reports for the Insights window's tests: real reads of the test's database, laid
out by hand as ReportViews, so the window is tested apart from the report services.

Also run as a program (`python -m tests.ui.insights_reports DATA_DIR PNG`) to screenshot the window
on a real X server.
"""

from __future__ import annotations

import sys
import threading
from collections import defaultdict
from datetime import tzinfo
from pathlib import Path

from followthrough.domain.figures import Rate
from followthrough.domain.period import Period
from followthrough.domain.reportview import (
    Bar,
    Chart,
    ChartKind,
    Figure,
    ReportView,
    Row,
    Span,
    Table,
)
from followthrough.domain.states import BOARD_STATES, State
from followthrough.services.insights.catalog import ReportKey, ReportSpec
from followthrough.services.lead_queries import list_leads
from followthrough.store.db import Database

HOUR = 3600
# Per state: a reply rate and a time to reply, chosen so that sorting by value and sorting
# by the words shown give different orders.
RATES = {State.HOT: Rate(9, 14), State.WARM: Rate(2, 3), State.RECYCLE: Rate(10, 12)}
SPANS = {State.HOT: Span(6 * HOUR), State.WARM: Span(3.5 * 24 * HOUR), State.RECYCLE: Span(2700)}
# Set, a read of the quiet report waits for RELEASE: its answer arrives when a test says.
HOLD = threading.Event()
RELEASE = threading.Event()


def quiet_report(db: Database, period: Period, zone: tzinfo) -> ReportView:
    if HOLD.is_set():
        RELEASE.wait(10)
    leads = list_leads(db, states=BOARD_STATES)
    by_state: dict[State, list[int]] = defaultdict(list)
    for lead in leads:
        by_state[lead.state].append(lead.id)
    shown = [State.HOT, State.WARM, State.RECYCLE]
    rows = tuple(
        Row((state.label, len(by_state[state]), RATES[state], SPANS[state]),
            tuple(by_state[state]))
        for state in shown
    )  # fmt: skip
    chart = Chart(
        "Went quiet, by state",
        ChartKind.BARS,
        ("Quiet", "Re-engaged"),
        tuple(
            Bar(state.label, (float(len(by_state[state])), 1.0), tuple(by_state[state]))
            for state in BOARD_STATES
        ),
    )
    days = round(period.seconds / 86400)
    return ReportView(
        ReportKey.SILENCE.value,
        "Where silence happens",
        period.since,
        period.until,
        (
            Figure("Leads", len(leads), "Leads on the board"),
            Figure("Days", days, "How far back the report looks"),
            Figure("Replied", Rate(3, 7), "Leads that replied after going quiet"),
            Figure("Median reply", Span(3.5 * 24 * HOUR), "Half replied sooner than this"),
        ),
        chart,
        (Table("By state", ("State", "Leads", "Replied", "Reply time"), rows),),
    )


def empty_report(db: Database, period: Period, zone: tzinfo) -> ReportView:
    return ReportView(
        ReportKey.OUTCOMES.value,
        "What works",
        period.since,
        period.until,
        (),
        Chart("Alerts acted on", ChartKind.BARS, ("Acted on",), (Bar("Silence", (0.0,)),)),
        (Table("Per template", ("Template", "Sent", "Replied"), ()),),
    )


SPECS = (
    ReportSpec(ReportKey.SILENCE, "Where silence happens",
               "Leads that went quiet, by state, and how many came back", 30, quiet_report),
    ReportSpec(ReportKey.OUTCOMES, "What works",
               "Alerts, templates and intents: what got a reply", 60, empty_report),
)  # fmt: skip


def screenshot(data_dir: str, png: str) -> int:
    """Show the window on the display in DISPLAY, with the stand-in reports, and save it."""
    from PySide6.QtWidgets import QApplication

    from followthrough.paths import prepare_data_dir
    from followthrough.ui.insights.window import InsightsWindow
    from followthrough.ui.ops import Operations

    app = QApplication.instance() or QApplication([])
    db = Database.open(prepare_data_dir(Path(data_dir)))
    ops = Operations(db)
    window = InsightsWindow(ops, lambda _lead_id: None, reports=SPECS)
    window.resize(1180, 760)

    def loaded(_key: str) -> None:
        window.loaded.disconnect(loaded)
        page = window.page()
        assert page is not None
        assert page.view is not None
        warm = page.view.tables[0].rows[1]
        window.show_leads(warm.lead_ids, "By state: Warm")
        ops.run(lambda _db: None, lambda _none: shoot())  # after the leads' read, in order

    def shoot() -> None:
        app.processEvents()
        window.grab().save(png)
        app.quit()

    window.loaded.connect(loaded)
    window.show()
    code = app.exec()
    ops.shutdown()
    db.close()
    return code


if __name__ == "__main__":
    sys.exit(screenshot(sys.argv[1], sys.argv[2]))
