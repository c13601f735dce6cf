"""Finding the system components a test needs (Xvfb, D-Bus, ...), and stopping those it started.

A missing component skips the test on a developer's machine but fails it under CI=true:
CI installs everything, so a missing piece there is a broken install, not a reason to pass.
Scripts run by hand (tests/stress/) have no test to skip: `find_program` raises instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess

import pytest


def find_program(name: str) -> str:
    """The program's path; FileNotFoundError, saying where to get it, when it is missing."""
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} is not installed (on Debian: see .ci/run for the package)")
    return path


def require_program(name: str) -> str:
    try:
        return find_program(name)
    except FileNotFoundError as missing:
        message = str(missing)
    # Outside the except block, so that the skip or failure is not chained to the lookup.
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def stop_process(
    process: subprocess.Popen[bytes], grace: float = 10.0, ask: signal.Signals = signal.SIGTERM
) -> None:
    """Ask a process we started to end (`ask`); kill it if it has not within `grace` seconds.

    SIGABRT asks a Python process run with PYTHONFAULTHANDLER=1 to print every thread's stack
    on its way out: what a hung app was doing.
    """
    if process.poll() is None:
        process.send_signal(ask)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
