"""The app's engine clock: alerts appear when (simulated) time passes, CLI writes show live."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.services import leads
from followthrough.store.db import Database
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from followthrough.ui.scheduler import Scheduler
from tests.cli.conftest import installed_command
from tests.conftest import NOW


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_an_alert_is_raised_when_simulated_time_passes(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    lead = leads.add_lead(db, NewLead.create(name="Ana", now=NOW, next_step="Pilot"), NOW)
    leads.log_event(db, lead.id, SignalKind.SENT, at=NOW, now=NOW)
    clock = FakeClock(NOW + timedelta(days=1))
    scheduler = Scheduler(ops, clock)
    with qtbot.assertNotEmitted(scheduler.raised, wait=300):
        scheduler.start()
    clock.now = NOW + timedelta(days=2, minutes=1)
    with qtbot.waitSignal(scheduler.raised, timeout=5000) as raised:
        scheduler.tick_now()
    assert [(a.lead_name, a.rule) for a in raised.args[0]] == [("Ana", "silence")]
    scheduler.stop()


def test_a_cli_write_shows_up_in_the_window(
    qtbot: QtBot, db: Database, ops: Operations, data_dir: Path
) -> None:
    window = MainWindow(ops)
    qtbot.addWidget(window)
    scheduler = Scheduler(ops)
    with qtbot.waitSignal(window.board_loaded, timeout=5000):
        window.show()
        scheduler.start()
    env = {**os.environ, "FOLLOWTHROUGH_DATA_DIR": str(data_dir)}
    done = subprocess.run([*installed_command(), "add", "From The CLI", "--state", "warm"],
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    model = window.columns[State.WARM.value].model
    # Within 2 s of the write (the watch polls every second).
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=2500)
    assert model.data(model.index(0)) == "From The CLI"
    scheduler.stop()


def test_quitting_with_a_check_for_outside_writes_queued_is_quiet(
    qtbot: QtBot, ops: Operations, caplog: object
) -> None:
    # Found by the long session: Ctrl+Q while the poll's check waited on the worker closed
    # the watch's connection under it ("Cannot operate on a closed database" in the log).
    import threading

    scheduler = Scheduler(ops, FakeClock(NOW))
    release = threading.Event()
    failed: list[str] = []
    ops.failed.connect(failed.append)
    ops.run(lambda db: release.wait(5))  # the worker is busy with something else
    scheduler._check_outside_writes()  # the poll fires: its check waits in the queue
    scheduler.stop()  # the app quits
    release.set()
    seen: list[bool] = []
    ops.run(lambda db: True, seen.append)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert failed == []
    assert "closed database" not in caplog.text  # type: ignore[attr-defined]
