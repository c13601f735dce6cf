"""Start at login: the Settings box writes the autostart entry, and `--tray` starts the app
in the tray (or with its window, where there is no tray to come back from)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot

from followthrough import APP_ID, autostart
from followthrough.ui.app import starts_in_tray
from followthrough.ui.ops import Operations
from followthrough.ui.settings import SettingsDialog
from tests.support.components import require_program
from tests.support.desktop import visible_main_window


@pytest.fixture
def config_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@pytest.fixture
def dialog(qtbot: QtBot, ops: Operations, config_home: Path) -> SettingsDialog:
    return open_settings(qtbot, ops)


def open_settings(qtbot: QtBot, ops: Operations) -> SettingsDialog:
    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    with qtbot.waitSignals([dialog.loaded, dialog.data.location_loaded], timeout=5000):
        dialog.show()
    dialog.tabs.setCurrentWidget(dialog.notifications)
    return dialog


def click(qtbot: QtBot, box: QCheckBox) -> None:
    # On the box itself: the row is wider than the box and its words.
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def entry(config_home: Path) -> Path:
    return config_home / "autostart" / f"{APP_ID}.desktop"


def test_ticking_the_box_and_apply_writes_an_entry_that_starts_in_the_tray(
    qtbot: QtBot, dialog: SettingsDialog, config_home: Path
) -> None:
    box = dialog.notifications.start_at_login
    assert box.text() == "Start at &login (in the tray)"
    assert not box.isChecked()
    click(qtbot, box)
    assert box.isChecked()
    assert not entry(config_home).exists()  # nothing before Apply
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    text = entry(config_home).read_text()
    assert f"Exec={sys.executable} -m followthrough --tray" in text.splitlines()


def test_the_box_shows_an_existing_entry_and_unticking_it_removes_it_on_ok(
    qtbot: QtBot, ops: Operations, config_home: Path
) -> None:
    autostart.enable(["/usr/bin/followthrough"])
    dialog = open_settings(qtbot, ops)
    box = dialog.notifications.start_at_login
    assert box.isChecked()
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)  # the keyboard path: focus and space
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert not entry(config_home).exists()


def test_cancel_leaves_the_login_start_as_it_was(
    qtbot: QtBot, dialog: SettingsDialog, config_home: Path
) -> None:
    click(qtbot, dialog.notifications.start_at_login)
    assert dialog.notifications.start_at_login.isChecked()
    dialog.reject()
    assert not entry(config_home).exists()
    assert not autostart.is_enabled()


def test_a_smoke_run_or_a_normal_start_always_shows_the_window() -> None:
    assert not starts_in_tray(tray=False, smoke=False)
    assert not starts_in_tray(tray=True, smoke=True)


@pytest.mark.xvfb
def test_tray_start_without_a_tray_shows_the_window_the_desktop_entry_names(
    x_display: str,
    tmp_path: Path,
) -> None:
    xdotool = require_program("xdotool")
    xprop = require_program("xprop")
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb",
           "FOLLOWTHROUGH_DATA_DIR": str(tmp_path / "data")}  # fmt: skip
    app = subprocess.Popen([sys.executable, "-m", "followthrough", "--tray"], env=env,
                           stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        # A bare X server has no tray: hiding the window would leave no way back to it.
        window_id = visible_main_window(xdotool, env)
        wm_class = subprocess.run([xprop, "-id", window_id, "WM_CLASS"], env=env,
                                  capture_output=True, text=True, timeout=10, check=True)  # fmt: skip
        # Launchers match the window to packaging/linux's StartupWMClass by this class.
        assert wm_class.stdout.strip().endswith('"Followthrough"'), wm_class.stdout
    finally:
        app.send_signal(signal.SIGTERM)
        _, err = app.communicate(timeout=20)
    assert app.returncode == 0, err


def tray_selection_owned(display: str) -> bool:
    """Does a tray host own the X selection where tray icons dock (the XEmbed tray spec)?"""
    import ctypes
    import ctypes.util

    xlib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XInternAtom.restype = ctypes.c_ulong
    xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    xlib.XGetSelectionOwner.restype = ctypes.c_ulong
    xlib.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    connection = xlib.XOpenDisplay(display.encode())
    assert connection, f"cannot open {display}"
    try:
        atom = xlib.XInternAtom(connection, b"_NET_SYSTEM_TRAY_S0", 0)
        return bool(xlib.XGetSelectionOwner(connection, atom))
    finally:
        xlib.XCloseDisplay(connection)


@pytest.fixture
def tray_host(qtbot: QtBot, x_display: str) -> Iterator[str]:
    """A real tray (trayer, a small panel) on the private X server."""
    trayer = require_program("trayer")
    host = subprocess.Popen([trayer, "--edge", "top", "--widthtype", "pixel", "--width", "200",
                             "--height", "32"], env={**os.environ, "DISPLAY": x_display},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        qtbot.waitUntil(lambda: tray_selection_owned(x_display), timeout=20_000)
        yield x_display
    finally:
        host.terminate()
        host.wait(timeout=10)


@pytest.mark.xvfb
def test_tray_start_shows_only_the_tray_icon_and_a_click_on_it_opens_the_window(
    tray_host: str, tmp_path: Path
) -> None:
    xdotool = require_program("xdotool")
    env = {**os.environ, "DISPLAY": tray_host, "QT_QPA_PLATFORM": "xcb",
           "FOLLOWTHROUGH_DATA_DIR": str(tmp_path / "data")}  # fmt: skip

    def visible(*query: str, sync: bool = False) -> list[str]:
        found = subprocess.run([xdotool, "search", *(["--sync"] if sync else []),
                                "--onlyvisible", *query], env=env, capture_output=True,
                               text=True, timeout=60)  # fmt: skip
        return found.stdout.split()

    app = subprocess.Popen([sys.executable, "-m", "followthrough", "--tray"], env=env,
                           stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        # The icon docks in the tray once the board is loaded, after the window was decided on.
        [icon] = visible("--class", "^Followthrough$", sync=True)
        assert visible("--name", "^Followthrough$") == []  # the main window stays hidden
        subprocess.run([xdotool, "mousemove", "--window", icon, "5", "5", "click", "1"],
                       env=env, check=True, timeout=10)  # fmt: skip
        assert visible("--name", "^Followthrough$", sync=True) != []
        assert app.poll() is None, "the app exited while its window was up"
        # A logout sends SIGTERM: the app quits although its window would hide to the tray.
        app.terminate()
        assert app.wait(timeout=30) == 0
    finally:
        if app.poll() is None:
            app.kill()
        app.communicate(timeout=20)
