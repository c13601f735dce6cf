"""Linux desktop integration: the entry, the metainfo and the icons validate, and the tarball
installs into ~/.local (and uninstalls) as a user would run it."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from followthrough import APP_ID, APP_NAME, __version__
from tests.support.components import require_program

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
SVG = ROOT / "resources" / "icons" / "followthrough.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
MAX_TARBALL_BYTES = 50 * 1000 * 1000


def desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_entry_validates_and_names_the_app_by_its_id() -> None:
    validate = require_program("desktop-file-validate")
    checked = subprocess.run([validate, str(DESKTOP)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == ""  # no hints either
    entry = desktop_entry(DESKTOP)
    assert entry["Name"] == APP_NAME
    assert entry["Exec"] == "followthrough"
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    # Qt names a window's X11 class after the application name (see ui/app.py).
    assert entry["StartupWMClass"] == APP_NAME
    assert entry["Categories"].split(";")[0] == "Office"


def test_the_metainfo_validates_and_matches_the_app() -> None:
    appstreamcli = require_program("appstreamcli")
    checked = subprocess.run(
        [appstreamcli, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    component = ET.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP.name
    assert component.findtext("provides/binary") == "followthrough"
    releases = component.findall("releases/release")
    assert releases[0].get("version") == __version__  # the newest comes first


@pytest.mark.parametrize("size", SIZES)
def test_each_png_icon_has_its_size_and_shows_the_logo(size: int) -> None:
    from PySide6.QtGui import QImage

    image = QImage(str(LINUX / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"))
    assert not image.isNull()
    assert (image.width(), image.height()) == (size, size)
    colours = {image.pixelColor(x, y).name() for x in range(size) for y in range(size)
               if image.pixelColor(x, y).alpha() == 255}  # fmt: skip
    assert len(colours) >= 3  # the logo's background and its bars, not one flat square


def test_the_scalable_icon_is_the_apps_own_svg() -> None:
    scalable = LINUX / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == SVG.read_bytes()


def fake_bundle(folder: Path) -> Path:
    """A stand-in for the built app: a script that says how it was called."""
    bundle = folder / "Followthrough"
    bundle.mkdir(parents=True)
    program = bundle / "followthrough"
    program.write_text('#!/bin/sh\necho "fake followthrough $*"\n')
    program.chmod(0o755)
    (bundle / "_internal").mkdir()
    (bundle / "_internal" / "library.txt").write_text("part of the bundle\n")
    return bundle


def make_tarball(bundle: Path, output: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(LINUX / "make_tarball.py"), str(bundle), "--output", str(output)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def unpack(tarball: Path, into: Path) -> Path:
    into.mkdir()
    with tarfile.open(tarball) as tar:
        tar.extractall(into, filter="tar")
    [top] = into.iterdir()
    return top


def user_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    return {**env, "HOME": str(home)}


def test_the_tarball_installs_into_local_and_uninstalls(tmp_path: Path) -> None:
    validate = require_program("desktop-file-validate")
    bundle = fake_bundle(tmp_path / "dist")
    tarball = tmp_path / "out" / f"followthrough-{__version__}-linux-x86_64.tar.gz"
    built = make_tarball(bundle, tarball)
    assert built.returncode == 0, built.stderr
    top = unpack(tarball, tmp_path / "unpacked")
    assert top.name.startswith(f"followthrough-{__version__}-linux-")
    for name in ("install.sh", "uninstall.sh", "Followthrough/followthrough"):
        assert os.access(top / name, os.X_OK), name

    home = tmp_path / "ana home"  # a space, as some home folders have
    home.mkdir()
    installed = subprocess.run(["sh", str(top / "install.sh")], env=user_env(home),
                               capture_output=True, text=True, timeout=60)  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    local = home / ".local"
    program = local / "lib" / "followthrough" / "followthrough"
    share = local / "share"
    expected = [
        program,
        local / "lib" / "followthrough" / "_internal" / "library.txt",
        local / "lib" / "followthrough" / "uninstall.sh",
        share / "applications" / f"{APP_ID}.desktop",
        share / "metainfo" / f"{APP_ID}.metainfo.xml",
        share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        *(share / "icons" / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in SIZES),
    ]
    assert [path for path in expected if not path.is_file()] == []

    desktop = share / "applications" / f"{APP_ID}.desktop"
    checked = subprocess.run([validate, str(desktop)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    entry = desktop_entry(desktop)
    assert entry["TryExec"] == str(program)
    assert entry["Exec"] == f'"{program}"'  # quoted: the home folder has a space

    ran = subprocess.run([str(local / "bin" / "followthrough"), "--version"],
                         capture_output=True, text=True, timeout=30)  # fmt: skip
    assert ran.stdout.strip() == "fake followthrough --version"

    removed = subprocess.run(["sh", str(local / "lib" / "followthrough" / "uninstall.sh")],
                             env=user_env(home), capture_output=True, text=True,
                             timeout=60)  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    assert [path for path in expected if path.exists()] == []
    assert not (local / "bin" / "followthrough").is_symlink()


def test_installing_again_replaces_the_old_copy(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path / "dist")
    tarball = tmp_path / "app.tar.gz"
    assert make_tarball(bundle, tarball).returncode == 0
    top = unpack(tarball, tmp_path / "unpacked")
    home = tmp_path / "home"
    home.mkdir()
    leftover = home / ".local" / "lib" / "followthrough" / "from-the-old-version.txt"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("old\n")
    for _ in range(2):
        done = subprocess.run(["sh", str(top / "install.sh")], env=user_env(home),
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert not leftover.exists()
    assert (home / ".local" / "lib" / "followthrough" / "followthrough").is_file()


def test_make_tarball_refuses_a_folder_without_the_app(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = make_tarball(tmp_path / "empty", tmp_path / "app.tar.gz")
    assert done.returncode != 0
    assert "missing" in done.stderr
    assert not (tmp_path / "app.tar.gz").exists()


def test_the_real_bundle_packs_into_at_most_50_mb(tmp_path: Path) -> None:
    bundle = ROOT / "dist" / "Followthrough"
    if not (bundle / "followthrough").is_file():
        message = "dist/Followthrough is not built (see packaging/pyinstaller)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    tarball = tmp_path / "followthrough.tar.gz"
    built = make_tarball(bundle, tarball)
    assert built.returncode == 0, built.stderr
    size = tarball.stat().st_size
    assert size <= MAX_TARBALL_BYTES, f"{size / 1e6:.1f} MB"
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
    assert any(name.endswith("/Followthrough/followthrough") for name in names)
