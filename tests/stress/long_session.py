"""Long sessions in the real app on a real X server, driven by real input, each ended by Ctrl+Q.

    python -m tests.stress.long_session --leads 20000 --repeat 20
    python -m tests.stress.long_session --leads 2000 --repeat 3 --seconds 20 --keep

The data folder (`--leads` leads with their histories, and the alerts a first tick raises:
tests/bench/pipelines.py) is built once per run of this script and copied afresh for each
repetition. A repetition starts a private Xvfb and a private D-Bus session bus with a
desktop notification server and, where gnome-keyring is installed, an unlocked Secret
Service: a desktop as a user has one (tests/support/desktop.py). It launches the installed
`followthrough --data-dir DIR` on them (HOME and the XDG folders in a temporary folder) and
works in the window with real X input through xdotool (the desktop's `Driver`) for
`--seconds`: clicks cards in every column, types a search and clears it, opens and closes
the dialogs by their shortcuts (Ctrl+N, Ctrl+comma, Ctrl+D, F1, Ctrl+Shift+T, Ctrl+I, each
closed with Escape), moves cards with Ctrl+1 / Ctrl+2 and undoes with Ctrl+Z, scrolls the
columns, then quits with Ctrl+Q.

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
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.components import stop_process
from tests.support.desktop import (
    START_TIMEOUT,
    STEP_TIMEOUT,
    AppDied,
    Driver,
    Stuck,
    desktop,
    screenshot,
)

SEED = 7
QUIT_TIMEOUT = 60.0  # Ctrl+Q to the process's end: queued writes finish first

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
    from tests.bench.gui import build  # one recipe for a large pipeline, the benchmark's

    data = cache / f"pipeline-{leads}-{seed}"
    complete = cache / f"pipeline-{leads}-{seed}.complete"
    if complete.exists():
        return data
    shutil.rmtree(data, ignore_errors=True)
    build(data, leads, seed)
    complete.touch()
    return data


# --- the gestures -------------------------------------------------------------------------------


class BoardGestures(Driver):
    """What a quick person does in the window: the Driver's real input, as gestures on the board
    and its dialogs, picked at random (from `rng`, so that a seed replays a session)."""

    # where things are

    def card(self, column: str, row: int) -> tuple[int, int]:
        rows = max(1, (self.height - FIRST_CARD_Y - BOTTOM_MARGIN) // CARD_PITCH + 1)
        return round(self.width * COLUMN_X[column]), FIRST_CARD_Y + CARD_PITCH * (row % rows)

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


def run_repetition(template: Path, folder: Path, seconds: float, seed: int) -> Outcome:
    """One session on a fresh copy of `template`, in `folder` (made here, kept afterwards)."""
    folder.mkdir(parents=True)
    data = folder / "data"
    shutil.copytree(template, data)
    outcome = Outcome(folder=folder)
    started = time.monotonic()
    command = [*installed_command(), "--data-dir", str(data)]
    with desktop(folder) as place:
        driver = BoardGestures(place.env, random.Random(seed))
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
            outcome.screenshot = screenshot(place.env, folder / "screen.png")
        finally:
            # Hung or left running: SIGABRT makes faulthandler print every thread's stack.
            stop_process(app, ask=signal.SIGABRT)
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
