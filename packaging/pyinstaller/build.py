"""Build the one-folder bundle: `python packaging/pyinstaller/build.py [--dist DIR]`.

The bundle lands in DIR/Followthrough (default: dist/ at the top of the repository), its
executable is DIR/Followthrough/followthrough (followthrough.exe on Windows). Prints how long
the build took and how big the folder is, so a change that bloats it shows at once.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SPEC = HERE / "followthrough.spec"


def folder_size(folder: Path) -> int:
    """Bytes in the folder's files, symbolic links not followed (what unpacking takes)."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
    return total


def build(dist: Path, work: Path) -> Path:
    subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
            "--distpath", str(dist), "--workpath", str(work), str(SPEC),
        ],
        check=True,
        cwd=ROOT,
    )  # fmt: skip
    return dist / "Followthrough"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Followthrough bundle (one folder).")
    parser.add_argument(
        "--dist", type=Path, default=ROOT / "dist", help="where to put it (default: dist/)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "build" / "pyinstaller",
        help="PyInstaller's scratch folder (default: build/pyinstaller/)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        bundle = build(args.dist.resolve(), args.work.resolve())
    except subprocess.CalledProcessError as exc:
        print(f"build.py: PyInstaller failed (exit {exc.returncode})", file=sys.stderr)
        return 1
    seconds = time.monotonic() - started
    executable = bundle / ("followthrough.exe" if os.name == "nt" else "followthrough")
    if not executable.exists():
        print(f"build.py: no executable at {executable}", file=sys.stderr)
        return 1
    size = folder_size(bundle)
    print(f"built {executable} in {seconds:.0f} s; unpacked size {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
