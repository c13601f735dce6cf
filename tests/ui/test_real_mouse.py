"""Real mouse and keys on the real app: a card clicked, a Lead-menu key, a dialog answered.

The app runs on a private Xvfb with a private session bus (tests/support/desktop.py's
desktop), under tests/support/xapp.py: the app's own command line, plus a report of where each
card is on the screen, since the app has no test hooks. Every gesture is a real X event sent
by xdotool; every outcome is read back with the `followthrough` command line, from the data.

The card clicked last is the one current lead, and every Lead-menu key acts on it: a click on
Bo Chen and Ctrl+Shift+W marks Bo Chen won, nobody else; Ana Silva clicked, then Dev Rao in
another column, and Delete asks "Delete Dev Rao?" (Cancel is the default button: Enter on a
surprise dialog destroys nothing), answered with the Delete button's own key, Alt+D; Cleo Park
dragged with the pressed mouse button onto Recycle asks when to come back, and Enter parks the
lead; then Ctrl+Q, and the app exits with 0 and nothing on stderr.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from followthrough.domain.leads import NewLead
from followthrough.domain.states import State
from followthrough.paths import prepare_data_dir
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from tests.cli.conftest import installed_command
from tests.support.components import require_program
from tests.support.desktop import AppDied, Driver, Stuck, desktop, screenshot

pytestmark = pytest.mark.xvfb

ROOT = Path(__file__).resolve().parents[2]
LEADS = (
    ("Ana Silva", State.HOT),
    ("Cleo Park", State.HOT),
    ("Bo Chen", State.WARM),
    ("Dev Rao", State.WARM),
)
STEP = 20.0  # seconds for one step to show: a window, a report, a write seen by the CLI
START = 40.0  # the app's start on a busy machine: the window, then the board's first load
POLL = 0.05
DRAG_STEPS = 12
SCREENSHOT = "real-mouse-bo-chen-clicked.png"

T = TypeVar("T")


def make_data(folder: Path) -> Path:
    now = datetime.now(UTC)
    db = Database.open(prepare_data_dir(folder), now)
    try:
        for name, state in LEADS:
            lead = NewLead.create(name=name, state=state, company=f"{name} Ltd", now=now)
            add_lead(db, lead, now)
    finally:
        db.close()  # the app opens it next, in its own process
    return folder


def cli(data: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`followthrough --data-dir DATA ARGS...`, the installed command."""
    return subprocess.run(
        [*installed_command(), "--data-dir", str(data), *args],
        env=env, capture_output=True, text=True, timeout=STEP,
    )  # fmt: skip


def leads(data: Path, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Every lead, on the board or not, by name; momentum (read as of now) left out."""
    done = cli(data, env, "list", "--state", "all", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    return {row["name"]: {k: v for k, v in row.items() if k != "momentum"} for row in rows}


class Session:
    """The app under real input: the driver's gestures, the report's cards, the CLI's data."""

    def __init__(self, driver: Driver, env: dict[str, str], data: Path, report: Path) -> None:
        self.driver = driver
        self.env = env
        self.data = data
        self.report_file = report

    def wait(self, what: str, probe: Callable[[], T | None], timeout: float = STEP) -> T:
        """Poll until `probe` gives a value; the app must live meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value is not None:
                return value
            self.driver.alive()
            if time.monotonic() > deadline:
                raise Stuck(f"{what}: not after {timeout:.0f} s")
            time.sleep(POLL)

    # what the screen shows (tests/support/xapp.py)

    def report(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.report_file.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
        except FileNotFoundError:
            return None

    def report_where(
        self, what: str, holds: Callable[[dict[str, Any]], bool], timeout: float = STEP
    ) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            report = self.report()
            return report if report is not None and holds(report) else None

        return self.wait(what, probe, timeout)

    # what the data holds (the CLI)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return cli(self.data, self.env, *args)

    def leads(self) -> dict[str, dict[str, Any]]:
        return leads(self.data, self.env)

    def leads_where(
        self, what: str, holds: Callable[[dict[str, dict[str, Any]]], bool]
    ) -> dict[str, dict[str, Any]]:
        def probe() -> dict[str, dict[str, Any]] | None:
            leads = self.leads()
            return leads if holds(leads) else None

        return self.wait(what, probe)

    # gestures

    def click_card(self, name: str) -> None:
        """Move the real pointer to the card's middle and click it; wait until it is chosen."""
        report = self.report_where(f"{name}'s card on the board", lambda r: name in r["cards"])
        x, y = report["cards"][name]
        self.driver.step(f"click {name} at {x},{y}")
        self.driver.focus()
        done = self.driver.xdo("mousemove", "--sync", str(x), str(y), "click", "1")
        assert done.returncode == 0, done.stderr
        # The card is highlighted, alone, and the lead panel has read and shows its lead.
        self.report_where(
            f"{name} chosen and shown in the lead panel",
            lambda r: r["chosen"] == [name] and r["panel"] == name,
        )

    def drag_card(self, name: str, state: str) -> None:
        """Press on the card, move the pointer in steps to the column, let go there."""
        report = self.report_where(f"{name}'s card on the board", lambda r: name in r["cards"])
        (x, y), (to_x, to_y) = report["cards"][name], report["columns"][state]
        self.driver.step(f"drag {name} from {x},{y} to {state} at {to_x},{to_y}")
        self.driver.focus()
        moves = []
        for step in range(1, DRAG_STEPS + 1):  # a drag starts once the pointer has moved a bit
            moves += ["mousemove", "--sync", str(x + (to_x - x) * step // DRAG_STEPS),
                      str(y + (to_y - y) * step // DRAG_STEPS), "sleep", "0.03"]  # fmt: skip
        done = self.driver.xdo(
            "mousemove", "--sync", str(x), str(y), "mousedown", "1", *moves, "mouseup", "1"
        )
        assert done.returncode == 0, done.stderr

    def press(self, keys: str, window: str | None = None) -> None:
        self.driver.step(f"press {keys}")
        self.driver.focus(window)
        self.driver.keys(keys)


@contextmanager
def running_app(folder: Path, data: Path) -> Iterator[tuple[Session, subprocess.Popen[bytes]]]:
    """The app on a desktop of its own; stopped with SIGABRT (its stacks) if still running."""
    report = folder / "cards.json"
    with desktop(folder / "desktop") as place:
        driver = Driver(place.env, random.Random(0))
        with (folder / "stderr.txt").open("wb") as err:
            app = subprocess.Popen(
                [sys.executable, "-m", "tests.support.xapp",
                 "--data-dir", str(data), "--report", str(report)],
                cwd=ROOT, env=place.env, stdout=subprocess.DEVNULL, stderr=err,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        driver.app = app
        try:
            yield Session(driver, place.env, data, report), app
        finally:
            if app.poll() is None:
                app.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
                try:
                    app.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    app.kill()
                    app.wait()
            # Shown by pytest under "Captured stdout" when the test fails.
            print((folder / "stderr.txt").read_text(encoding="utf-8", errors="replace"), end="")


def test_click_a_card_press_its_key_answer_the_dialog_with_real_x_input(
    tmp_path: Path, test_output: Path
) -> None:
    for program in ("Xvfb", "xdotool", "dbus-daemon"):
        require_program(program)
    data = make_data(tmp_path / "data")
    shot = test_output / SCREENSHOT
    shot.unlink(missing_ok=True)
    before = leads(data, dict(os.environ))  # as prepared, before the app starts
    assert {name: lead["state"] for name, lead in before.items()} == {
        name: state.value for name, state in LEADS
    }
    problem = ""
    with running_app(tmp_path, data) as (session, app):
        driver = session.driver
        try:
            driver.attach(timeout=START)
            session.report_where(
                "the board's four cards", lambda r: len(r["cards"]) == len(LEADS), timeout=START
            )

            # A click on Bo Chen (Warm), then the Lead menu's Mark as Won key.
            session.click_card("Bo Chen")
            screenshot(session.env, shot)  # for a person to look at: Bo Chen chosen
            session.press("ctrl+shift+w")
            after_won = session.leads_where(
                "Bo Chen won", lambda leads: leads["Bo Chen"]["state"] == "won"
            )
            assert after_won.keys() == before.keys()
            for name in ("Ana Silva", "Cleo Park", "Dev Rao"):
                assert after_won[name] == before[name], f"{name} changed too"

            # The board without Bo Chen: Dev Rao's card moved up to where Bo Chen's was.
            session.report_where("Bo Chen off the board", lambda r: "Bo Chen" not in r["cards"])
            session.click_card("Ana Silva")
            session.click_card("Dev Rao")  # chosen last, in another column: the current lead
            session.press("Delete")
            box = driver.wait_for_window("^Delete Dev Rao\\?$")
            title = driver.xdo("getwindowname", box).stdout.strip()
            assert title == "Delete Dev Rao?"
            # Enter would press Cancel, the default button: the Delete button's key deletes.
            session.press("alt+d", window=box)
            driver.wait_until_gone("^Delete Dev Rao\\?$")
            after_delete = session.leads_where(
                "Dev Rao deleted", lambda leads: "Dev Rao" not in leads
            )
            assert after_delete == {
                name: after_won[name] for name in ("Ana Silva", "Cleo Park", "Bo Chen")
            }
            assert after_delete["Ana Silva"]["state"] == "hot"
            assert session.cli("show", "Dev Rao", "--json").returncode == 3  # not found
            shown = session.cli("show", "Ana Silva", "--json")
            assert shown.returncode == 0, shown.stderr
            assert json.loads(shown.stdout)["state"] == "hot"

            # A real drag: Cleo Park's card pressed, carried to Recycle and let go there.
            # Recycle asks when to come back; Enter takes the typed date (Park is the default).
            session.drag_card("Cleo Park", "recycle")
            park = driver.wait_for_window("^Park Cleo Park in Recycle$")
            driver.focus(park)
            driver.keys("plus", "2", "w")  # "+2w": in two weeks
            session.press("Return", window=park)
            driver.wait_until_gone("^Park Cleo Park in Recycle$")
            parked = session.leads_where(
                "Cleo Park parked", lambda leads: leads["Cleo Park"]["state"] == "recycle"
            )
            assert parked["Ana Silva"] == after_delete["Ana Silva"]
            assert parked["Cleo Park"]["recycle_until"] is not None

            session.press("ctrl+q")
            try:
                app.wait(timeout=STEP)
            except subprocess.TimeoutExpired:
                raise Stuck(f"still running {STEP:.0f} s after Ctrl+Q") from None
        except (Stuck, AppDied) as exc:
            problem = f"{exc}; last steps: {' | '.join(driver.steps[-6:])}"
            failed = screenshot(session.env, test_output / "real-mouse-failure.png")
            if failed is not None:
                problem += f"; screenshot: {failed}"
    stderr = (tmp_path / "stderr.txt").read_text(encoding="utf-8", errors="replace")
    assert not problem, f"{problem}\nstderr:\n{stderr}"
    assert app.returncode == 0, stderr
    assert stderr == ""
