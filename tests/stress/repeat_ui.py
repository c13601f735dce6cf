"""Run the UI tests many times in a row and count the runs that crashed, failed or passed.

    python -m tests.stress.repeat_ui --runs 20 --busy-half
    python -m tests.stress.repeat_ui --runs 10 --busy-half second -- -x -k board

Each run is `CI=true python -X faulthandler -m pytest tests/ui -q -p no:cacheprovider` (and
whatever follows `--`), a fresh process. Crashes that only show under load (a paint reaching
a half-deleted view, a thread finishing after its owner) need the cores busy: with
--busy-half, one half of the runs (the first, or the second with `--busy-half second`) has
every core kept busy by spinning child processes, the other half runs on a quiet machine.
The spinners are killed at the end, on Ctrl+C too, and stop by themselves if this script is
killed outright.

A run crashed when pytest died by a signal (return code < 0, or 134/139 from a shell), or
its output has a line starting "Fatal Python error" or "Segmentation fault" (the test on the
crash's stack is named); it hung when pytest-timeout stopped it; it failed on any other
non-zero return code (the failed tests are named). Every run's output is kept in a
folder printed at the start. The exit code is 0 only when every run passed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parents[2]
CRASH_CODES = (134, 139)  # SIGABRT, SIGSEGV as a shell reports them (128 + signal)
# At the start of a line, or after the -q progress marks: pytest's own process said it. The
# same words indented, or after "E ", are a test's report quoting a process it ran.
CRASH_LINE = re.compile(r"^[.FEsxX]*((?:Fatal Python error|Segmentation fault).*)$", re.MULTILINE)
HANG_LINE = re.compile(r"^\++ Timeout \++$", re.MULTILINE)  # pytest-timeout (thread method)
# The innermost frame in a test file of a crash's stack (faulthandler: most recent first).
TEST_FRAME = re.compile(r'File ".*?/(tests/\S+\.py)", line (\d+) in (\w+)')
FAILED_LINE = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.MULTILINE)

# Spins until its parent is gone: no spinner outlives this script, even one killed with -9.
SPIN = """
import os, signal
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the script, which kills us
parent = os.getppid()
while os.getppid() == parent:
    for _ in range(200_000):
        pass
"""


@dataclass
class Run:
    number: int
    busy: bool
    code: int
    seconds: float
    log: Path
    verdict: str  # passed, failed, hung, crashed


def pytest_command(extra: list[str]) -> list[str]:
    return [sys.executable, "-X", "faulthandler", "-m", "pytest", "tests/ui", "-q",
            "-p", "no:cacheprovider", *extra]  # fmt: skip


def verdict(code: int, output: str) -> str:
    if code < 0 or code in CRASH_CODES or CRASH_LINE.search(output):
        return "crashed"
    if HANG_LINE.search(output):
        return "hung"
    return "passed" if code == 0 else "failed"


def what_went_wrong(output: str) -> str:
    """Where a crash happened (the test on its stack) and which tests failed."""
    said = []
    crash = CRASH_LINE.search(output)
    if crash:
        frame = TEST_FRAME.search(output, crash.start())
        where = f" in {frame[1]}:{frame[2]} ({frame[3]})" if frame else ""
        said.append(f"{crash[1]}{where}")
    failed = FAILED_LINE.findall(output)
    if failed:
        said.append("failed: " + ", ".join(name.split(" - ")[0] for name in failed))
    return "; ".join(said)


def closing_line(output: str) -> str:
    """pytest's summary ("3 failed, 250 passed in 180.2s"), or the last line there is."""
    lines = [line.strip("= ") for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if " in " in line and any(word in line for word in ("passed", "failed", "error")):
            return line
    return lines[-1][:160] if lines else "(no output)"


class Spinners:
    """Child processes that keep the cores busy while they run."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        if not self.processes:
            self.processes = [
                subprocess.Popen([sys.executable, "-c", SPIN], stdin=subprocess.DEVNULL)
                for _ in range(self.count)
            ]

    def stop(self) -> None:
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.wait()
        self.processes = []


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def run_once(number: int, busy: bool, folder: Path, extra: list[str], timeout: float) -> Run:
    log = folder / f"run-{number:02d}{'-busy' if busy else ''}.log"
    env = {**os.environ, "CI": "true"}
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        out.write(f"$ CI=true {' '.join(pytest_command(extra))}\n")
        out.flush()
        # A session of its own: a timeout or Ctrl+C here ends the run's whole process group.
        process = subprocess.Popen(pytest_command(extra), cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            out.write(f"\n+++ Timeout +++ repeat_ui stopped the run after {timeout:.0f} s\n")
            code = -int(signal.SIGKILL)
        except BaseException:  # Ctrl+C, SIGTERM: the run and what it started end with us
            _kill_group(process)
            raise
    seconds = time.monotonic() - started
    output = log.read_text(encoding="utf-8", errors="replace")
    return Run(number, busy, code, seconds, log, verdict(code, output))


def summary(runs: list[Run], planned: int) -> str:
    def counts(selection: list[Run]) -> str:
        kinds = ("passed", "failed", "hung", "crashed")
        return ", ".join(f"{sum(r.verdict == k for r in selection)} {k}" for k in kinds)

    lines = [f"{len(runs)}/{planned} runs: {counts(runs)}"]
    busy = [r for r in runs if r.busy]
    if busy:
        idle = [r for r in runs if not r.busy]
        lines.append(f"  busy cores ({len(busy)} runs): {counts(busy)}")
        lines.append(f"  quiet      ({len(idle)} runs): {counts(idle)}")
    return "\n".join(lines)


def _stop_on_sigterm(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None, stream: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--busy-half", nargs="?", const="first", choices=("first", "second"), default=None,
        help="keep the cores busy during the first half of the runs (or the second)",
    )  # fmt: skip
    parser.add_argument("--spinners", type=int, default=os.cpu_count() or 2,
                        help="busy processes while busy (default: one per core)")  # fmt: skip
    parser.add_argument(
        "--logs", type=Path, help="where to keep the logs (default: a new temp folder)"
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per run")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments, after --")
    args = parser.parse_args(argv)

    folder = args.logs or Path(tempfile.mkdtemp(prefix="followthrough-repeat-ui-"))
    folder.mkdir(parents=True, exist_ok=True)
    half = args.runs // 2
    busy_runs: set[int] = set()
    if args.busy_half == "first":
        busy_runs = set(range(1, half + 1))
    elif args.busy_half == "second":
        busy_runs = set(range(half + 1, args.runs + 1))
    print(f"logs in {folder}", file=stream, flush=True)

    spinners = Spinners(args.spinners)
    runs: list[Run] = []
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # Ctrl+C stops the runs even when started from a shell that ignores it in the background.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    interrupted = False
    try:
        for number in range(1, args.runs + 1):
            busy = number in busy_runs
            if busy:
                spinners.start()
            else:
                spinners.stop()
            run = run_once(number, busy, folder, args.pytest_args, args.timeout)
            runs.append(run)
            output = run.log.read_text(encoding="utf-8", errors="replace")
            print(f"run {number}/{args.runs}{' [busy]' if busy else ''}: {run.verdict} "
                  f"(exit {run.code}, {run.seconds:.0f} s) {closing_line(output)}  {run.log}",
                  file=stream, flush=True)  # fmt: skip
            if run.verdict != "passed":
                print(f"  {what_went_wrong(output)}", file=stream, flush=True)
    except KeyboardInterrupt:
        interrupted = True
        print("interrupted", file=stream, flush=True)
    finally:
        spinners.stop()
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    print(summary(runs, args.runs), file=stream, flush=True)
    print(f"logs in {folder}", file=stream, flush=True)
    if interrupted:
        return 130
    return 0 if len(runs) == args.runs and all(r.verdict == "passed" for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
