"""The tray icon: how many alerts are open, at a glance, and a way back into the app.

The count is painted onto the app icon as a badge, in the palette's highlight colours so it
reads on a light or a dark panel alike; the tooltip says it in words for screen readers.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QFont, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from followthrough.shipped import resource_path

SIZES = (16, 22, 24, 32, 48, 64)  # what panels ask for; each drawn sharp, not scaled
MOST_SHOWN = 99  # a badge has room for two digits


def tooltip_for(count: int) -> str:
    if count == 0:
        return "Followthrough — no open alerts"
    return f"Followthrough — {count} open alert{'s' if count != 1 else ''}"


def badge_text(count: int) -> str:
    return f"{MOST_SHOWN}+" if count > MOST_SHOWN else str(count)


def icon_with_badge(count: int, renderer: QSvgRenderer, palette: QPalette) -> QIcon:
    icon = QIcon()
    for size in SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        if count > 0:
            _paint_badge(painter, badge_text(count), size, palette)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def _paint_badge(painter: QPainter, text: str, size: int, palette: QPalette) -> None:
    # Bottom right, over about 60% of the icon: big enough to read at 16 px.
    side = size * 0.6
    width = side if len(text) == 1 else side * (0.6 + 0.3 * len(text))
    width = min(width, float(size))
    box = QRectF(size - width, size - side, width, side)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
    painter.drawRoundedRect(box, side / 2, side / 2)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(6, int(side * (0.75 if len(text) == 1 else 0.6))))
    painter.setFont(font)
    painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


class TrayIcon(QObject):
    open_requested = Signal()  # show the main window
    today_requested = Signal()  # show the main window with the Today list in front
    quit_requested = Signal()  # leave the app for good (closing the window only hides it)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.count = 0
        self._renderer = QSvgRenderer(str(resource_path("icons", "followthrough.svg")), self)
        self.tray = QSystemTrayIcon(self)
        self.menu = QMenu()  # a menu needs a widget parent; the tray has none to give
        self.menu.setAccessibleName("Followthrough")
        self.open_action = self.menu.addAction("&Open Followthrough")
        self.today_action = self.menu.addAction("&Today")
        self.menu.addSeparator()
        self.quit_action = self.menu.addAction("&Quit")
        self.open_action.triggered.connect(self.open_requested)
        self.today_action.triggered.connect(self.today_requested)
        self.quit_action.triggered.connect(self.quit_requested)
        self.tray.setContextMenu(self.menu)
        self.tray.activated.connect(self._activated)
        self._paint()
        # A switch between light and dark redraws the badge; connected after the theme's own
        # handler (ui/theme.py), so the new palette is already in place.
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)

    @staticmethod
    def is_available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.tray.show()

    def hide(self) -> None:
        self.tray.hide()

    def notify(self, title: str, text: str) -> None:
        """A short message from the icon itself (the tray host shows it beside the icon)."""
        self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10000)

    def set_count(self, count: int) -> None:
        """Show how many alerts are open (the Today list's total)."""
        if count != self.count:
            self.count = max(0, count)
            self._paint()

    def _paint(self) -> None:
        self.tray.setIcon(icon_with_badge(self.count, self._renderer, QGuiApplication.palette()))
        self.tray.setToolTip(tooltip_for(self.count))

    @Slot(Qt.ColorScheme)
    def _scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        self._paint()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # A plain click opens the window; the menu is for the rest.
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_requested.emit()
