"""Following the system's light or dark appearance.

Every widget and the card delegate paint with palette roles, never fixed colours, so one
palette decides the look. Where the platform reports a dark scheme but hands Qt a light
palette (Fusion under some desktops), a dark palette is applied; when the system switches,
the app switches with it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

Role = QPalette.ColorRole


def dark_palette() -> QPalette:
    palette = QPalette()
    colours = {
        Role.Window: "#2b2d30",
        Role.WindowText: "#e6e6e6",
        Role.Base: "#1f2023",
        Role.AlternateBase: "#27292c",
        Role.ToolTipBase: "#3a3d41",
        Role.ToolTipText: "#e6e6e6",
        Role.Text: "#e6e6e6",
        Role.Button: "#34373b",
        Role.ButtonText: "#e6e6e6",
        Role.BrightText: "#ff6b6b",
        Role.Highlight: "#3d7bd9",
        Role.HighlightedText: "#ffffff",
        Role.Link: "#7fb0ff",
        Role.PlaceholderText: "#8a8d91",
        Role.Mid: "#4a4d52",
        Role.Midlight: "#3f4246",
        Role.Dark: "#151618",
        Role.Light: "#505358",
    }
    for role, name in colours.items():
        palette.setColor(role, QColor(name))
    for role in (Role.Text, Role.WindowText, Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7d82"))
    return palette


def is_dark(palette: QPalette) -> bool:
    return palette.color(Role.Window).lightness() < 128


def apply_color_scheme(app: QGuiApplication, scheme: Qt.ColorScheme) -> None:
    """Make the palette match `scheme` if the platform did not already."""
    if scheme == Qt.ColorScheme.Dark and not is_dark(app.palette()):
        app.setPalette(dark_palette())
    elif scheme == Qt.ColorScheme.Light and is_dark(app.palette()):
        app.setPalette(QPalette())  # back to the style's own light palette


def follow_system_scheme(app: QGuiApplication) -> None:
    hints = app.styleHints()
    apply_color_scheme(app, hints.colorScheme())
    hints.colorSchemeChanged.connect(lambda scheme: apply_color_scheme(app, scheme))
