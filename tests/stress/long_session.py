"""Long sessions in the real app on a real X server, driven by real input, each ended by Ctrl+Q.

    python -m tests.stress.long_session --leads 20000 --repeat 20
    python -m tests.stress.long_session --leads 2000 --repeat 3 --seconds 20 --keep

The data folder (`--leads` leads with their histories, and the alerts a first tick raises:
tests/bench/pipelines.py) is built once per run of this script and copied afresh for each
repetition. A repetition starts a private Xvfb and a private D-Bus session bus with a
desktop notification server and, where gnome-keyring is installed, an unlocked Secret
Service: a desktop as a user has one. It launches the installed `followthrough --data-dir
DIR` on them (HOME and the XDG folders in a temporary folder) and works in the window with
real X input through xdotool for `--seconds`: clicks cards in every column, types a search
and clears it, opens and closes the dialogs by their shortcuts (Ctrl+N, Ctrl+comma, Ctrl+D,
F1, Ctrl+Shift+T, Ctrl+I, each closed with Escape), moves cards with Ctrl+1 / Ctrl+2 and
undoes with Ctrl+Z, scrolls the columns, then quits with Ctrl+Q.

A repetition is clean when the app exits with code 0 and writes nothing at all on stderr
(every Qt warning, Python traceback or crash report lands there; the app runs with
PYTHONFAULTHANDLER=1 so a crash prints its Python stacks). One line per repetition, then
"N/N clean exits"; the exit code is 1 when any repetition was not clean. A stuck step (a
dialog that never opens or never closes, an app that does not quit) fails the repetition:
the app is sent SIGABRT, so its Python stacks land in the report, and a screenshot of the
screen is kept when ImageMagick's `import` is installed.

Cards are found from the window's geometry and the board's layout (below), and the board is
known to be ready when a click on a card selects it, which the app shows by opening a draft
on Ctrl+D: the script only uses what a person sees, and the app has no test hooks.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tests.support.notification_server import (
    NotificationServer,
    notification_server,
    private_session_bus,
)

SCREEN = "1600x1000x24"
MAIN_TITLE = "^Followthrough$"
SEED = 7
START_TIMEOUT = 120.0  # a first start on 20k leads, on a busy machine
STEP_TIMEOUT = 20.0  # a dialog to open or close, a key to land
QUIT_TIMEOUT = 60.0  # Ctrl+Q to the process's end: queued writes finish first
WINDOW_POLL = 1.0  # seconds between two checks that the app lives, while waiting for a window
PAUSE = (0.15, 0.5)  # seconds between two gestures, as a quick person would

# Where the cards are. The window opens at 1280×760 (MainWindow.resize); its splitter gives
# Today about 270 px, the board 640 px in three equal columns, the lead 350 px, so the
# columns' middles sit at these fractions of the window's width. Below the menu bar, the
# search field and the column's header, the first card's middle is 123 px from the window's
# top; cards are CARD_HEIGHT (78 px, ui/board/delegate.py) plus 2×2 px spacing apart.
COLUMN_X = {"hot": 0.297, "warm": 0.469, "recycle": 0.63}
FIRST_CARD_Y = 123
CARD_PITCH = 82
BOTTOM_MARGIN = 70  # the column's scroll bar and the status bar, under the last card

# Dialogs opened by a shortcut, and the title each window has (a regular expression).
DIALOGS = {
    "quick add": ("ctrl+n", "^Add a lead$"),
    "settings": ("ctrl+comma", "^Settings$"),
    "draft": ("ctrl+d", "^(Draft a follow-up|Follow-up for .*)$"),
    "shortcuts": ("F1", "^Keyboard shortcuts$"),
    "templates": ("ctrl+shift+t", "^Templates$"),
    "import": ("ctrl+i", "^Import leads$"),
}
# A round of the session: a card clicked, a search, a move undone, a scroll, every dialog.
GESTURE_KINDS = 4 + len(DIALOGS)
SEARCHES = ("acme", "silva", "saas", "zzq", "ana s", "müller")

UNLOCK_PASSWORD = b"throwaway-long-session-keyring"


class Stuck(Exception):
    """A step did not happen in time: the app hangs, or ignored the input."""


class AppDied(Exception):
    """The app's process ended in the middle of the session."""


@dataclass
class Outcome:
    code: int | None = None
    stderr: str = ""
    problem: str = ""  # what went wrong in the session itself (stuck, died early)
    seconds: float = 0.0
    gestures: int = 0
    notifications: int = 0
    folder: Path | None = None
    services: list[str] = field(default_factory=list)  # the desktop the app ran on
    screenshot: Path | None = None
    steps: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.code == 0 and not self.stderr and not self.problem

    def line(self) -> str:
        facts = (f"{self.seconds:.0f} s, {self.gestures} gestures, "
                 f"{self.notifications} notifications")  # fmt: skip
        if self.clean:
            return f"clean exit ({facts})"
        code = _describe_code(self.code)
        parts = [f"NOT CLEAN: {code}"]
        if self.problem:
            parts.append(self.problem)
        if self.stderr:
            parts.append(f"{len(self.stderr.splitlines())} lines on stderr")
        return f"{'; '.join(parts)} ({facts})"

    def report(self) -> str:
        """Everything needed to see what happened: the line, then the details."""
        return "\n".join([self.line(), *self.details()])

    def details(self) -> list[str]:
        """Where its files are, the last steps before a problem, and stderr."""
        lines: list[str] = []
        if self.folder is not None:
            lines.append(f"  files: {self.folder}")
        if self.screenshot is not None:
            lines.append(f"  screenshot: {self.screenshot}")
        if not self.clean and self.steps:
            lines.append("  last steps: " + " | ".join(self.steps[-8:]))
        if self.stderr:
            lines.append("  stderr:")
            lines.extend(f"    {line}" for line in self.stderr.splitlines())
        return lines


def _describe_code(code: int | None) -> str:
    if code is None:
        return "did not exit"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"exit {code} ({signal.Signals(-code).name})"
    return f"exit {code}"


# --- the data -----------------------------------------------------------------------------------


def build_pipeline(cache: Path, leads: int, seed: int = SEED) -> Path:
    """A data folder with `leads` leads, their histories and alerts: built once, then reused."""
    from followthrough.paths import prepare_data_dir
    from followthrough.services import alerts
    from followthrough.store.db import Database
    from tests.bench.pipelines import generate_pipeline

    data = cache / f"pipeline-{leads}-{seed}"
    complete = cache / f"pipeline-{leads}-{seed}.complete"
    if complete.exists():
        return data
    shutil.rmtree(data, ignore_errors=True)
    now = datetime.now(UTC)
    db = Database.open(prepare_data_dir(data), now)
    try:
        generate_pipeline(db, leads, seed=seed, now=now)
        alerts.tick(db, now)
    finally:
        db.close()
    complete.touch()
    return data


# --- the desktop: X server, session bus, notifications, keyring -------------------------------


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} is not installed (on Debian: see .ci/run)")
    return path


def _stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def x_server(screen: str = SCREEN) -> Iterator[str]:
    """A private Xvfb; -displayfd lets the server pick a free display number and tell us."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [_program("Xvfb"), "-displayfd", str(write_fd), "-screen", "0", screen,
         "-nolisten", "tcp"],
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
        _stop(server)


@contextmanager
def unlocked_keyring(env: dict[str, str], log: Path) -> Iterator[bool]:
    """gnome-keyring's Secret Service, unlocked, on the bus in `env`; False where not installed.

    Without one, the Mail settings' keyring probe asks the session bus to start a keyring,
    and a locked keyring's password prompt (gcr-prompter) grabs the keyboard.
    """
    daemon = shutil.which("gnome-keyring-daemon")
    if daemon is None:
        yield False
        return
    with log.open("w") as errors:
        process = subprocess.Popen(
            [daemon, "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env,
        )  # fmt: skip
    assert process.stdin is not None
    process.stdin.write(UNLOCK_PASSWORD)
    process.stdin.close()
    try:
        _wait_for_secret_service(env["DBUS_SESSION_BUS_ADDRESS"], process)
        yield True
    finally:
        _stop(process)


def _wait_for_secret_service(address: str, process: subprocess.Popen[bytes]) -> None:
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    deadline = time.monotonic() + STEP_TIMEOUT
    while True:
        with contextlib.closing(open_dbus_connection(address)) as connection:
            if secretstorage.check_service_availability(connection):
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("gnome-keyring-daemon did not offer the Secret Service")
        time.sleep(0.05)


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
            if stack.enter_context(unlocked_keyring(env, folder / "keyring.log")):
                services.append("keyring")
        else:
            env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/no-session-bus"
        yield Desktop(env, server, services)


# --- driving the window -------------------------------------------------------------------------


class Driver:
    """Real X input into the app's window, through xdotool; each gesture checks the app lives."""

    app: subprocess.Popen[bytes]  # set once the app is started

    def __init__(self, env: dict[str, str], rng: random.Random) -> None:
        self.env = env
        self.rng = rng
        self.xdotool = _program("xdotool")
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

    # where things are

    def card(self, column: str, row: int) -> tuple[int, int]:
        rows = max(1, (self.height - FIRST_CARD_Y - BOTTOM_MARGIN) // CARD_PITCH + 1)
        return round(self.width * COLUMN_X[column]), FIRST_CARD_Y + CARD_PITCH * (row % rows)

    def click(self, x: int, y: int) -> None:
        self.xdo("mousemove", "--window", self.window, str(x), str(y), "click", "1")

    # gestures

    def click_card(self, column: str | None = None, row: int | None = None) -> str:
        column = column or self.rng.choice(list(COLUMN_X))
        row = self.rng.randrange(6) if row is None else row
        self.step(f"click card {row + 1} in {column}")
        self.focus()
        self.click(*self.card(column, row))
        return column

    def search(self) -> None:
        word = self.rng.choice(SEARCHES)
        self.step(f"search {word!r}")
        self.focus()
        self.keys("ctrl+f")
        self.xdo("type", "--delay", "60", word)
        time.sleep(0.4)  # the field waits for a pause in the typing, then the board filters
        self.step("clear the search")
        self.keys("ctrl+a", "BackSpace")

    def open_draft(self, column: str, row: int, tries: int, wait: float) -> str:
        """Click a card, then Ctrl+D: a draft needs a selected lead, so a card that was still
        being loaded (the board right after the start, or after a search) is clicked again."""
        keys, title = DIALOGS["draft"]
        for attempt in range(1, tries + 1):
            self.click_card(column, row)
            self.pause()
            self.step(f"open draft ({keys}), try {attempt}")
            self.keys(keys)
            with contextlib.suppress(Stuck):
                return self.wait_for_window(title, timeout=wait)
        raise Stuck(f"no draft window after {tries} clicks on a card and {keys}")

    def wait_for_board(self, timeout: float = START_TIMEOUT) -> None:
        """Until the board has its cards, asked of the app itself: a click on a card selects
        it once the data is there, and then Ctrl+D opens a draft for it."""
        self.step("wait for the board's cards")
        tries = max(1, int(timeout // 4))
        window = self.open_draft("warm", 0, tries, wait=3.0)
        self.close(window, "draft")

    def close(self, window: str, name: str) -> None:
        self.step(f"close {name} (Escape)")
        self.focus(window)
        self.keys("Escape")
        self.wait_until_gone(DIALOGS[name][1])

    def dialog(self, name: str) -> None:
        keys, title = DIALOGS[name]
        if name == "draft":
            window = self.open_draft(self.rng.choice(("hot", "warm")), self.rng.randrange(6),
                                     tries=3, wait=STEP_TIMEOUT / 3)  # fmt: skip
        else:
            self.step(f"open {name} ({keys})")
            self.focus()
            self.keys(keys)
            window = self.wait_for_window(title)
        time.sleep(self.rng.uniform(0.2, 0.8))  # let it load what it shows
        self.close(window, name)

    def move_and_undo(self) -> None:
        column = self.click_card(self.rng.choice(("hot", "warm")))
        self.pause()
        keys = "ctrl+2" if column == "hot" else "ctrl+1"
        self.step(f"move ({keys})")
        self.keys(keys)
        self.pause()
        self.step("undo (ctrl+z)")
        self.keys("ctrl+z")

    def scroll(self) -> None:
        column = self.rng.choice(list(COLUMN_X))
        x, y = self.card(column, 2)
        notches = self.rng.randint(10, 40)
        self.step(f"scroll {column} down {notches}")
        self.focus()
        self.xdo("mousemove", "--window", self.window, str(x), str(y))
        self.xdo("click", "--repeat", str(notches), "--delay", "25", "5")
        if self.rng.random() < 0.5:
            # The keyboard's way down a long column: End asks for the next pages of cards.
            self.click_card(column, 1)
            self.step(f"End, then Home, in {column}")
            self.keys("End")
            self.pause()
            self.keys("Home")
        else:
            self.step(f"scroll {column} up")
            self.xdo("click", "--repeat", str(notches), "--delay", "25", "4")

    def quit(self) -> None:
        self.step("quit (ctrl+q)")
        self.focus()
        self.keys("ctrl+q")

    def gestures(self) -> list[Callable[[], object]]:
        """Every kind of gesture once, in a shuffled order: one round of the session."""
        every: list[Callable[[], object]] = [
            self.click_card, self.search, self.move_and_undo, self.scroll,
            *(lambda name=name: self.dialog(name) for name in DIALOGS),
        ]  # fmt: skip
        assert len(every) == GESTURE_KINDS
        self.rng.shuffle(every)
        return every

    def session(self, seconds: float) -> int:
        """Rounds of gestures, each with every kind once, until `seconds` have passed.

        The round under way when the time is up is finished: every kind of gesture is made
        at least once however short the session. Returns how many gestures were made.
        """
        done = 0
        deadline = time.monotonic() + seconds
        while True:
            for gesture in self.gestures():
                gesture()
                done += 1
                self.pause()
            if time.monotonic() >= deadline:
                return done


# --- one repetition -----------------------------------------------------------------------------


def installed_command() -> list[str]:
    """The `followthrough` script pip installed beside this interpreter."""
    script = Path(sys.executable).with_name("followthrough")
    if not script.exists():
        raise FileNotFoundError(f"{script} missing: install the project with pip first")
    return [str(script)]


def _screenshot(env: dict[str, str], path: Path) -> Path | None:
    program = shutil.which("import")
    if program is None:
        return None
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        subprocess.run([program, "-window", "root", str(path)], env=env, timeout=30,
                       capture_output=True, check=True)  # fmt: skip
        return path
    return None


def run_repetition(template: Path, folder: Path, seconds: float, seed: int) -> Outcome:
    """One session on a fresh copy of `template`, in `folder` (made here, kept afterwards)."""
    folder.mkdir(parents=True)
    data = folder / "data"
    shutil.copytree(template, data)
    outcome = Outcome(folder=folder)
    started = time.monotonic()
    command = [*installed_command(), "--data-dir", str(data)]
    with desktop(folder) as place:
        driver = Driver(place.env, random.Random(seed))
        with (folder / "stdout.txt").open("wb") as out, (folder / "stderr.txt").open("wb") as err:
            app = subprocess.Popen(command, env=place.env, stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL)  # fmt: skip
        driver.app = app
        try:
            driver.attach()
            driver.wait_for_board()
            outcome.gestures = driver.session(seconds)
            driver.quit()
            try:
                app.wait(timeout=QUIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise Stuck(f"still running {QUIT_TIMEOUT:.0f} s after Ctrl+Q") from None
        except (Stuck, AppDied) as exc:
            outcome.problem = str(exc)
            outcome.screenshot = _screenshot(place.env, folder / "screen.png")
        finally:
            if app.poll() is None:
                # Hung or left running: SIGABRT makes faulthandler print every thread's stack.
                app.send_signal(signal.SIGABRT)
                try:
                    app.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    app.kill()
                    app.wait()
            outcome.notifications = place.notifications()
            outcome.services = place.services
    outcome.code = app.returncode
    outcome.stderr = (folder / "stderr.txt").read_text(encoding="utf-8", errors="replace")
    outcome.seconds = time.monotonic() - started
    outcome.steps = driver.steps
    return outcome


# --- the command --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=45.0, help="input per repetition")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--folder", type=Path, help="work folder (default: a new temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the folders of clean runs too")
    args = parser.parse_args(argv)

    made = args.folder is None
    folder = args.folder or Path(tempfile.mkdtemp(prefix="followthrough-long-session-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"work folder: {folder}", flush=True)
    began = time.monotonic()
    template = build_pipeline(folder / "cache", args.leads, args.seed)
    print(f"data: {args.leads:,} leads ({time.monotonic() - began:.0f} s to build)", flush=True)

    clean = 0
    for number in range(1, args.repeat + 1):
        session = folder / f"repetition-{number:02d}"
        shutil.rmtree(session, ignore_errors=True)
        outcome = run_repetition(template, session, args.seconds, args.seed * 1000 + number)
        clean += outcome.clean
        if number == 1:
            print(f"desktop: {', '.join(outcome.services)}", flush=True)
        print(f"repetition {number}/{args.repeat}: {outcome.line()}", flush=True)
        if not outcome.clean:
            print("\n".join(outcome.details()), flush=True)
        elif not args.keep:
            shutil.rmtree(session, ignore_errors=True)
    print(f"{clean}/{args.repeat} clean exits", flush=True)
    if clean == args.repeat and made and not args.keep:
        shutil.rmtree(folder, ignore_errors=True)  # nothing to look at: the data goes too
    return 0 if clean == args.repeat else 1


if __name__ == "__main__":
    sys.exit(main())
