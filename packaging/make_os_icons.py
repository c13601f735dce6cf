"""Render the app's SVG icon into the Windows .ico and the macOS .icns the bundles use.

Qt writes both formats on any OS, so the icons are made (and committed) from Linux:
    QT_QPA_PLATFORM=offscreen python packaging/make_os_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "followthrough.svg"
TARGETS = {  # file → the pixel size its format is best kept at
    ROOT / "packaging" / "windows" / "followthrough.ico": 256,
    ROOT / "packaging" / "macos" / "followthrough.icns": 1024,
}


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for target, size in TARGETS.items():
        if not render(size).save(str(target)):
            print(f"could not write {target}", file=sys.stderr)
            return 1
        print(f"wrote {target.relative_to(ROOT)} ({size}×{size})")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
