"""README's run command opens a window on a real X server (Xvfb), not just offscreen."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import installed_command
from tests.support.components import require_program
from tests.support.desktop import assert_painted_board, visible_main_window

pytestmark = pytest.mark.xvfb


def test_app_shows_its_main_window_under_xvfb(x_display: str, tmp_path: Path) -> None:
    xdotool = require_program("xdotool")
    env = {
        **os.environ,
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "FOLLOWTHROUGH_DATA_DIR": str(tmp_path / "data"),
    }
    app = subprocess.Popen(installed_command(), env=env, stderr=subprocess.PIPE, text=True)
    try:
        window_id = visible_main_window(xdotool, env)
        geometry = subprocess.run(
            [xdotool, "getwindowgeometry", window_id],
            env=env, capture_output=True, text=True, timeout=10, check=True,
        ).stdout  # fmt: skip
        width, height = (int(n) for n in geometry.split("Geometry:")[1].split()[0].split("x"))
        assert width >= 640
        assert height >= 400
        assert app.poll() is None, "the app exited while its window was up"
    finally:
        app.send_signal(signal.SIGTERM)  # what a logout sends: the app quits cleanly
        _, err = app.communicate(timeout=20)
    assert app.returncode == 0, err
    assert "Traceback" not in err


def test_screenshot_of_the_sample_pipeline_on_a_real_x_server(
    x_display: str, tmp_path: Path, test_output: Path
) -> None:
    from followthrough.paths import prepare_data_dir
    from followthrough.services.alerts import tick
    from followthrough.services.sample import load_sample
    from followthrough.store.db import Database

    data = tmp_path / "data"
    db = Database.open(prepare_data_dir(data))
    try:
        load_sample(db)
        tick(db)
    finally:
        db.close()
    shot = test_output / "main-window-sample-pipeline.png"
    shot.unlink(missing_ok=True)
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb"}
    done = subprocess.run(
        [*installed_command(), "--data-dir", str(data), "--smoke", "--screenshot", str(shot)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert_painted_board(shot)
