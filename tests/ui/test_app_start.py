"""Starting the app: --smoke reports its timings, and a second start defers to the first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from followthrough.ui.app import no_display_reason
from followthrough.ui.single_instance import SingleInstance, server_name


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
                XDG_DATA_HOME=str(tmp_path / "xdg"), XDG_CONFIG_HOME=str(tmp_path / "cfg"))  # fmt: skip


def test_smoke_opens_the_window_on_the_data_and_prints_its_timings(tmp_path: Path) -> None:
    data = tmp_path / "data"
    subprocess.run([sys.executable, "-m", "followthrough", "--data-dir", str(data), "add",
                    "Ana Silva", "--company", "Acme"], env=_env(tmp_path), check=True)  # fmt: skip
    launched = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "followthrough", "--data-dir", str(data), "--smoke"],
        env={**_env(tmp_path), "FOLLOWTHROUGH_T0": str(launched)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    wall_ms = (time.monotonic() - launched) * 1000
    assert done.returncode == 0, done.stderr
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(timings) == {"first_paint_ms", "exec_to_paint_ms", "ready_ms"}
    assert 0 < timings["exec_to_paint_ms"] <= timings["first_paint_ms"]
    assert timings["first_paint_ms"] <= timings["ready_ms"] < wall_ms


def test_smoke_on_an_unusable_data_folder_fails_with_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "followthrough.sqlite3").write_bytes(b"not a database at all" * 100)
    done = subprocess.run(
        [sys.executable, "-m", "followthrough", "--data-dir", str(data), "--smoke"],
        env=_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 5
    assert done.stderr.startswith("followthrough: ")
    assert "Traceback" not in done.stderr


def test_without_a_display_the_app_says_so_instead_of_aborting(tmp_path: Path) -> None:
    env = {k: v for k, v in _env(tmp_path).items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"
    done = subprocess.run([sys.executable, "-m", "followthrough", "--data-dir",
                           str(tmp_path / "data")], env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 6
    assert done.stderr.strip() == (
        "followthrough: no display to open the app on (DISPLAY and WAYLAND_DISPLAY are unset); "
        "the commands work without one: followthrough --help"
    )
    assert no_display_reason({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_a_second_start_wakes_the_first_and_does_not_run(qtbot: QtBot, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path)
    assert first.acquire()
    second = SingleInstance(tmp_path)
    with qtbot.waitSignal(first.activated, timeout=5000):
        assert not second.acquire()
    first.release()
    # Once the first has gone, the next start runs.
    third = SingleInstance(tmp_path)
    assert third.acquire()
    third.release()


def test_each_data_folder_has_its_own_instance(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    a, b = SingleInstance(tmp_path), SingleInstance(tmp_path / "other")
    (tmp_path / "other").mkdir()
    assert a.acquire()
    assert b.acquire()
    a.release()
    b.release()


def test_second_app_process_exits_without_opening_the_database(
    qtbot: QtBot, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    running = SingleInstance(data)  # stands for an app already open on this folder
    assert running.acquire()
    with qtbot.waitSignal(running.activated, timeout=30_000):
        second = subprocess.Popen(
            [sys.executable, "-m", "followthrough", "--data-dir", str(data)],
            env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    out, err = second.communicate(timeout=60)
    running.release()
    assert second.returncode == 0, err
    assert "already running" in out
    assert not (data / "followthrough.sqlite3").exists()  # it never opened a second writer


_WATCH_THE_START = """
import json, sys
from followthrough.paths import prepare_data_dir
from followthrough.ui import app, main_window
from pathlib import Path

seen = []
shown = main_window.MainWindow.show_first_look

def show_first_look(window, look):
    shown(window, look)
    cards = sum(column.model.rowCount() for column in window.columns.values())
    seen.append({"open": window.ops.is_open, "cards": cards, "today": window.today.total})

main_window.MainWindow.show_first_look = show_first_look
code = app.run_gui(prepare_data_dir(Path(sys.argv[1])), smoke=True)
print(json.dumps(seen))
sys.exit(code)
"""


def test_the_pipeline_shows_before_the_database_layer_is_open(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for name in ("Ana Silva", "Bo Chen", "Cleo Park"):
        subprocess.run([sys.executable, "-m", "followthrough", "--data-dir", str(data), "add",
                        name, "--state", "warm"], env=_env(tmp_path), check=True)  # fmt: skip
    done = subprocess.run([sys.executable, "-c", _WATCH_THE_START, str(data)],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert json.loads(lines[-1]) == [{"open": False, "cards": 3, "today": 0}]
    assert json.loads(lines[-2])["ready_ms"] > 0  # and the smoke run went on to open it


_ATTACH_ONLY = """
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations

app = QApplication([])
ops = Operations(None, path=Path(sys.argv[1]))
window = MainWindow()
window.show()
window.attach(ops)
app.processEvents()
ops.shutdown()
heavy = [m for m in ("sqlalchemy", "sqlmodel", "pydantic", "alembic") if m in sys.modules]
print(heavy)
"""


def test_building_the_window_loads_no_database_layer(tmp_path: Path) -> None:
    # What keeps the first look first: the board, Today and the lead panel are built while
    # SQLAlchemy is still being imported on another thread (ui/startup.py).
    done = subprocess.run([sys.executable, "-c", _ATTACH_ONLY, str(tmp_path / "db.sqlite3")],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
