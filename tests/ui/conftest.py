"""Qt tests run with the app's own rule for Python's cycle collector: the GUI thread only.

Without it, a worker thread (the database runner, a mail check) can trip a collection that
destroys a widget, font or palette from an earlier test while the GUI thread paints: the
intermittent segfaults in QListView/QGroupBox paint events this suite used to have.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from followthrough import logfile
from followthrough.store.db import Database
from followthrough.ui.gc_guard import GuiThreadCollector
from followthrough.ui.ops import Operations


@pytest.fixture(scope="package", autouse=True)
def _collect_on_the_gui_thread(qapp: QApplication) -> Iterator[GuiThreadCollector]:
    collector = GuiThreadCollector(qapp)
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def _collect_after_each_test() -> Iterator[None]:
    # What a test dropped is freed here, on this thread, not in the middle of the next test.
    yield
    gc.collect()


@pytest.fixture
def log_file() -> Iterator[Path]:
    """The app's log, opened where the app opens it (the test's own XDG_STATE_HOME)."""
    path = logfile.open_log()
    assert path is not None
    yield path
    logfile.close_log()


@pytest.fixture
def ops(db: Database) -> Iterator[Operations]:
    """The app's operation runner on the test's own database, stopped after the test."""
    runner = Operations(db)
    yield runner
    runner.shutdown()
