"""Finding the system components a test needs (Xvfb, D-Bus, ...).

A missing component skips the test on a developer's machine but fails it under CI=true:
CI installs everything, so a missing piece there is a broken install, not a reason to pass.
"""

from __future__ import annotations

import os
import shutil

import pytest


def require_program(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (on Debian: see .ci/run for the package)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)
