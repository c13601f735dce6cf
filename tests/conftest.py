"""Shared fixtures: every test gets its own data folder and SQLite file, in a fixed zone."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

# Qt tests run offscreen unless a test starts a real X server itself (see tests/ui).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from followthrough.paths import DataPaths, prepare_data_dir
from followthrough.store.db import Database

# Real system components (IMAP server, Secret Service, X server) as fixtures for every test.
pytest_plugins = ("tests.support.fixtures",)

# A zone with a DST change and a non-zero offset, so UTC/local mix-ups show.
TEST_TZ = "Europe/Paris"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """Name the main thread after the test it runs.

    pytest-timeout's thread method (pyproject.toml) prints every thread's stack under the
    thread's name when a test hangs, then ends the run: the main thread's name is then the
    test's id, even under -q where no test name is printed.
    """
    main = threading.main_thread()
    name = main.name
    main.name = item.nodeid
    try:
        return (yield)
    finally:
        main.name = name


@pytest.fixture(autouse=True)
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TZ", TEST_TZ)
    time.tzset()
    yield TEST_TZ
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(autouse=True)
def _no_ambient_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A test must never reach the developer's real data folder.
    monkeypatch.delenv("FOLLOWTHROUGH_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))  # the log folder
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def data_paths(data_dir: Path) -> DataPaths:
    return prepare_data_dir(data_dir)


@pytest.fixture
def db(data_paths: DataPaths) -> Iterator[Database]:
    database = Database.open(data_paths, NOW)
    yield database
    database.close()


@pytest.fixture
def test_output() -> Path:
    """Where tests leave files for people to look at (screenshots): kept after the run."""
    folder = Path(
        os.environ.get("FOLLOWTHROUGH_TEST_OUTPUT") or Path(__file__).parent.parent / "test-output"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(autouse=True)
def _clear_clipboard() -> Iterator[None]:
    """Leave the clipboard empty after each test that used Qt.

    Under the offscreen platform, data left on the clipboard is freed while the interpreter
    shuts down, after Qt's own objects: that crashes the test run at exit.
    """
    yield
    import sys

    if "PySide6.QtGui" in sys.modules:
        from PySide6.QtGui import QGuiApplication

        if QGuiApplication.instance() is not None:
            QGuiApplication.clipboard().clear()
