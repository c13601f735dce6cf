"""Commands run on a real full disk: a small tmpfs in a private mount namespace, filled up.

`unshare --user --map-root-user --mount` gives an unprivileged user a mount namespace of its
own, where a tmpfs of a few megabytes can be mounted and filled to the last byte; the data
folder is copied onto it and each command runs there as the installed app would.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.components import require_program

_INSIDE = r"""
import json, os, shutil, subprocess, sys

disk, seed, commands = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
data = os.path.join(disk, "data")
shutil.copytree(seed, data)
filler = os.path.join(disk, "filler")
# Unbuffered: a buffered file keeps what the last write could not place and raises
# "no space left" again when it is closed, outside the try.
with open(filler, "wb", buffering=0) as out:
    try:
        while True:
            out.write(b"\0" * 65536)
    except OSError:
        pass
# Fill what a partial block left too, byte by byte.
try:
    with open(filler, "ab", buffering=0) as out:
        while True:
            out.write(b"\0")
except OSError:
    pass
results = []
for command in commands:
    done = subprocess.run([sys.executable, "-m", "followthrough", "--data-dir", data, *command],
                          capture_output=True, text=True, timeout=120)
    results.append({"args": command, "code": done.returncode, "out": done.stdout,
                    "err": done.stderr})
print(json.dumps({"data": data, "results": results}))
"""


def run_on_full_disk(tmp_path: Path, seed: Path, commands: list[list[str]]) -> dict[str, Any]:
    unshare = require_program("unshare")
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = f"mount -t tmpfs -o size=4m tmpfs {shlex.quote(str(disk))}"
    probe = subprocess.run([unshare, "--user", "--map-root-user", "--mount", "sh", "-c",
                            f"{mount} && true"], capture_output=True, text=True, check=False)  # fmt: skip
    if probe.returncode != 0:
        message = f"cannot mount a small tmpfs here: {probe.stderr.strip()}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    inner = shlex.join([sys.executable, "-c", _INSIDE, str(disk), str(seed), json.dumps(commands)])
    done = subprocess.run(
        [unshare, "--user", "--map-root-user", "--mount", "sh", "-c", f"{mount} && {inner}"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))
