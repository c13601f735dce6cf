"""A folder nobody may write to, root included."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.components import require_program


@contextmanager
def read_only_folder(folder: Path) -> Iterator[Path]:
    """`folder` made unwritable for everyone (root ignores mode bits: chattr +i)."""
    if os.geteuid() == 0:
        chattr = require_program("chattr")
        subprocess.run([chattr, "+i", str(folder)], check=True)
        try:
            yield folder
        finally:
            subprocess.run([chattr, "-i", str(folder)], check=True)
    else:
        folder.chmod(0o500)
        try:
            yield folder
        finally:
            folder.chmod(0o700)
