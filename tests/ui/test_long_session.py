"""A short long session: the real app on Xvfb, real X input for a while, Ctrl+Q, a clean exit.

One repetition of tests/stress/long_session.py on a small pipeline, so that CI runs what the
script repeats by the hour: every dialog opened and closed by its shortcut, cards clicked,
moved and the moves undone, a search typed and cleared, columns scrolled, then Ctrl+Q. The
app must exit with code 0 and say nothing at all on stderr (no Qt warning, no traceback).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stress.long_session import GESTURE_KINDS, build_pipeline, run_repetition
from tests.support.components import require_program

pytestmark = pytest.mark.xvfb

LEADS = 2000
SECONDS = 15.0


@pytest.mark.timeout(300)  # the data, the app's start, 15 s of input and the quit, on a busy CI
def test_a_session_of_real_input_ends_with_ctrl_q_and_a_clean_exit(tmp_path: Path) -> None:
    for program in ("Xvfb", "xdotool", "dbus-daemon"):
        require_program(program)
    template = build_pipeline(tmp_path / "cache", LEADS)

    outcome = run_repetition(template, tmp_path / "session", SECONDS, seed=1)

    if not outcome.clean:
        pytest.fail(outcome.report(), pytrace=False)
    assert outcome.gestures >= GESTURE_KINDS
