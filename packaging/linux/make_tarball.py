"""Pack the built app bundle with its desktop integration into one .tar.gz for Linux users.

    python packaging/linux/make_tarball.py dist/Followthrough [--output FILE]

The archive unpacks into one folder holding the bundle (`Followthrough/`), the desktop entry,
the AppStream metainfo, the icons, and `install.sh` / `uninstall.sh` for `~/.local`.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
APP_ID = "app.followthrough.Followthrough"
SCRIPTS = ("install.sh", "uninstall.sh")
EXECUTABLE = 0o755
READABLE = 0o644


def version() -> str:
    # Read from the source, not imported: this script runs with any Python, app installed or not.
    for line in (ROOT / "src" / "followthrough" / "__init__.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise SystemExit("make_tarball: no __version__ in src/followthrough/__init__.py")


def archive_name() -> str:
    return f"followthrough-{version()}-linux-{platform.machine() or 'x86_64'}"


def _neutral(info: tarfile.TarInfo) -> tarfile.TarInfo:
    # Who built it is nobody's business, and unpacking must not try to restore our owners.
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _add(tar: tarfile.TarFile, source: Path, name: str, mode: int | None = None) -> None:
    def fix(info: tarfile.TarInfo) -> tarfile.TarInfo:
        if mode is not None:
            info.mode = mode
        return _neutral(info)

    tar.add(source, arcname=name, filter=fix)


def build(dist_dir: Path, output: Path) -> Path:
    program = dist_dir / "followthrough"
    if not program.is_file():
        raise SystemExit(f"make_tarball: no bundle here: {program} is missing (build it first)")
    top = archive_name()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    with tarfile.open(partial, "w:gz", compresslevel=9) as tar:
        _add(tar, dist_dir, f"{top}/Followthrough")
        for name in (f"{APP_ID}.desktop", f"{APP_ID}.metainfo.xml"):
            _add(tar, HERE / name, f"{top}/{name}", READABLE)
        _add(tar, HERE / "icons", f"{top}/icons")
        for name in SCRIPTS:
            _add(tar, HERE / name, f"{top}/{name}", EXECUTABLE)
    partial.replace(output)  # never a half-written archive under the real name
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist_dir", metavar="DIST_DIR", type=Path, help="the bundle folder")
    parser.add_argument("--output", metavar="FILE", type=Path,
                        help="the archive to write (default: next to DIST_DIR)")  # fmt: skip
    args = parser.parse_args(argv)
    dist_dir = args.dist_dir.resolve()
    output = args.output or dist_dir.parent / f"{archive_name()}.tar.gz"
    built = build(dist_dir, output)
    print(f"wrote {built} ({built.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
