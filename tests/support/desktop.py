"""A desktop of the app's own, as a user has one, and real X input into the app's window.

`desktop(folder)` starts a private Xvfb and, where dbus-daemon is installed, a private D-Bus
session bus with a desktop notification server (tests/support/notification_server.py) and,
where gnome-keyring is installed, an unlocked Secret Service (tests/support/secretservice.py).
HOME and the XDG folders are in `folder`; nothing of the caller's own desktop leaks in. The
app and xdotool run with the `env` it yields.

`Driver` sends real X input to the app's window through xdotool and waits for windows to show
and to go. Every step checks that the app still runs, so a crash is told as one at once
(AppDied) rather than as a window that never came; a step that does not happen in time raises
Stuck. `screenshot` keeps what the screen shows, where ImageMagick's `import` is installed.

Used by tests/stress/long_session.py (long sessions of gestures, by hand and in CI) and by
tests/ui/test_real_mouse.py.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.components import find_program, stop_process
from tests.support.notification_server import (
    NotificationServer,
    notification_server,
    private_session_bus,
)
from tests.support.secretservice import unlocked_keyring_daemon

SCREEN = "1600x1000x24"
MAIN_TITLE = "^Followthrough$"
START_TIMEOUT = 120.0  # a first start on 20k leads, on a busy machine
STEP_TIMEOUT = 20.0  # a dialog to open or close, a key to land
WINDOW_POLL = 1.0  # seconds between two checks that the app lives, while waiting for a window
PAUSE = (0.15, 0.5)  # seconds between two gestures, as a quick person would


class Stuck(Exception):
    """A step did not happen in time: the app hangs, or ignored the input."""


class AppDied(Exception):
    """The app's process ended in the middle of the session."""


# --- the desktop: X server, session bus, notifications, keyring -------------------------------


@contextmanager
def x_server(screen: str = SCREEN) -> Iterator[str]:
    """A private Xvfb; -displayfd lets the server pick a free display number and tell us."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [find_program("Xvfb"), "-displayfd", str(write_fd), "-screen", "0", screen,
         # -noreset: a server that starts over when its last client leaves refuses the
         # clients that connect meanwhile; a probe that connects and disconnects (the tray
         # check) could then make a tray host started alongside fail with "cannot open display".
         "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # blocks until the server is ready
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        stop_process(server)


@dataclass
class Desktop:
    env: dict[str, str]  # for the app and xdotool: DISPLAY, the bus, HOME and XDG folders
    server: NotificationServer | None
    services: list[str]

    def notifications(self) -> int:
        return len(self.server.calls) if self.server is not None else 0


@contextmanager
def desktop(folder: Path) -> Iterator[Desktop]:
    """Xvfb, and where dbus-daemon is installed a session bus with notifications and keyring."""
    home = folder / "home"
    runtime = folder / "run"
    for path in (home, runtime):
        path.mkdir(mode=0o700, parents=True)
    # Nothing of the caller's desktop leaks in: its bus, its Qt settings, its data folder.
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("QT_", "FOLLOWTHROUGH_", "DBUS_", "XDG_", "WAYLAND_", "DISPLAY"))
    }
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        QT_QPA_PLATFORM="xcb",
        PYTHONFAULTHANDLER="1",  # a crash prints the Python stacks of every thread
    )
    with ExitStack() as stack:
        env["DISPLAY"] = stack.enter_context(x_server())
        services = [f"Xvfb {env['DISPLAY']}"]
        server: NotificationServer | None = None
        if shutil.which("dbus-daemon"):
            env["DBUS_SESSION_BUS_ADDRESS"] = stack.enter_context(private_session_bus())
            server = stack.enter_context(notification_server(env["DBUS_SESSION_BUS_ADDRESS"]))
            services += ["session bus", "notifications"]
            # Without a Secret Service, the Mail settings' keyring probe asks the session bus
            # to start a keyring, and a locked keyring's password prompt (gcr-prompter) grabs
            # the keyboard: the xdotool input would go to it, not to the app.
            keyring = shutil.which("gnome-keyring-daemon")
            if keyring is not None:
                log = folder / "keyring.log"
                stack.enter_context(unlocked_keyring_daemon(keyring, env, log, STEP_TIMEOUT))
                services.append("keyring")
        else:
            env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/no-session-bus"
        yield Desktop(env, server, services)


def screenshot(env: dict[str, str], path: Path) -> Path | None:
    """The whole screen of `env`'s DISPLAY in `path`; None where ImageMagick is not installed."""
    program = shutil.which("import")
    if program is None:
        return None
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        subprocess.run([program, "-window", "root", str(path)], env=env, timeout=30,
                       capture_output=True, check=True)  # fmt: skip
        return path
    return None


# --- driving the window -------------------------------------------------------------------------


class Driver:
    """Real X input into the app's window, through xdotool; each gesture checks the app lives."""

    app: subprocess.Popen[bytes]  # set once the app is started

    def __init__(self, env: dict[str, str], rng: random.Random) -> None:
        self.env = env
        self.rng = rng
        self.xdotool = find_program("xdotool")
        self.window = ""
        self.width = self.height = 0
        self.steps: list[str] = []

    def xdo(self, *args: str, timeout: float = STEP_TIMEOUT) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run([self.xdotool, *args], env=self.env, capture_output=True,
                                  text=True, timeout=timeout)  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            self.alive()
            raise Stuck(f"xdotool {' '.join(args)}: no result in {timeout:.0f} s") from exc

    def alive(self) -> None:
        if self.app.poll() is not None:
            raise AppDied(f"the app ended during: {self.steps[-1] if self.steps else 'start'}")

    def step(self, text: str) -> None:
        self.steps.append(text)
        self.alive()

    def pause(self) -> None:
        time.sleep(self.rng.uniform(*PAUSE))

    # windows

    def wait_for_window(self, title: str, timeout: float = STEP_TIMEOUT) -> str:
        """The id of a visible window titled `title` (a regular expression), once there is one."""
        deadline = time.monotonic() + timeout
        search = [self.xdotool, "search", "--sync", "--onlyvisible", "--name", title]
        while True:
            # --sync: xdotool waits until such a window exists; a second at a time, so that
            # an app that died meanwhile is noticed at once, not after the whole timeout.
            with contextlib.suppress(subprocess.TimeoutExpired):
                found = subprocess.run(search, env=self.env, capture_output=True, text=True,
                                       timeout=WINDOW_POLL)  # fmt: skip
                if found.returncode == 0 and found.stdout.split():
                    return found.stdout.split()[0]
            self.alive()
            if time.monotonic() > deadline:
                raise Stuck(f"no window titled {title} after {timeout:.0f} s")

    def wait_until_gone(self, title: str, timeout: float = STEP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while self.xdo("search", "--onlyvisible", "--name", title).returncode == 0:
            self.alive()
            if time.monotonic() > deadline:
                raise Stuck(f"the window titled {title} is still open after {timeout:.0f} s")
            time.sleep(0.1)

    def attach(self, timeout: float = START_TIMEOUT) -> None:
        self.step("wait for the main window")
        self.window = self.wait_for_window(MAIN_TITLE, timeout)
        geometry = self.xdo("getwindowgeometry", self.window).stdout
        size = geometry.split("Geometry:")[1].split()[0]
        self.width, self.height = (int(n) for n in size.split("x"))

    def focus(self, window: str | None = None) -> None:
        # No window manager on Xvfb: windowactivate needs one (_NET_ACTIVE_WINDOW), windowfocus
        # sets the X input focus itself, and Qt activates the window on the FocusIn it gets.
        done = self.xdo("windowfocus", "--sync", window or self.window)
        if done.returncode != 0:
            self.alive()
            raise Stuck(f"could not focus window {window or self.window}: {done.stderr.strip()}")

    def keys(self, *keys: str) -> None:
        self.xdo("key", "--delay", "40", *keys)

    def click(self, x: int, y: int) -> None:
        """A left click at (x, y) in the app's window."""
        self.xdo("mousemove", "--window", self.window, str(x), str(y), "click", "1")


def visible_main_window(xdotool: str, env: dict[str, str]) -> str:
    """The X id of the app's main window, once it shows on env's DISPLAY (a minute at most)."""
    # --sync blocks until a visible window with that exact title exists.
    found = subprocess.run(
        [xdotool, "search", "--sync", "--onlyvisible", "--name", MAIN_TITLE],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    return found.stdout.split()[0]


def assert_painted_board(shot: Path) -> None:
    """The screenshot at `shot` is of a window at least 1000x600 with a board painted in it."""
    from PySide6.QtGui import QImage  # Qt only for the tests that take screenshots

    image = QImage(str(shot))
    assert image.width() >= 1000
    assert image.height() >= 600
    # A painted board, not a blank frame: cards, text and badges make many distinct colours.
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 50
