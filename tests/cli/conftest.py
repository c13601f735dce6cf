"""Running the CLI: in-process for speed, or as the installed command for realism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from followthrough.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


CliRunner = Callable[..., Result]


@pytest.fixture
def cli(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run `followthrough --data-dir <tmp> ARGS...` in this process."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(["--data-dir", str(data_dir), *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def installed_command() -> list[str]:
    """The `followthrough` script pip installed beside this interpreter."""
    script = Path(sys.executable).with_name("followthrough")
    assert script.exists(), f"{script} missing: install the project with pip first"
    return [str(script)]


@pytest.fixture
def run_installed(data_dir: Path) -> CliRunner:
    def run(*args: str, data: Path | None = data_dir) -> Result:
        env = {**os.environ}
        if data is not None:
            env["FOLLOWTHROUGH_DATA_DIR"] = str(data)
        done = subprocess.run(
            [*installed_command(), *args], capture_output=True, text=True, env=env, timeout=60
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run
