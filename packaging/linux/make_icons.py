"""Render the app's SVG icon into the hicolor theme sizes a Linux desktop looks for.

Each size is drawn from the SVG itself, not scaled from a bigger picture, so small ones stay
sharp. The PNGs are committed; run this again after the SVG changes:
    QT_QPA_PLATFORM=offscreen python packaging/linux/make_icons.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SVG = ROOT / "resources" / "icons" / "followthrough.svg"
APP_ID = "app.followthrough.Followthrough"  # followthrough.APP_ID; this script runs from a clone
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
THEME = HERE / "icons" / "hicolor"


def png_path(size: int, theme: Path = THEME) -> Path:
    return theme / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def svg_path(theme: Path = THEME) -> Path:
    return theme / "scalable" / "apps" / f"{APP_ID}.svg"


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for size in SIZES:
        target = png_path(size)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(size).save(str(target), "PNG"):
            print(f"could not write {target}", file=sys.stderr)
            return 1
        print(f"wrote {target.relative_to(ROOT)}")
    svg_path().parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, svg_path())
    print(f"wrote {svg_path().relative_to(ROOT)}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
