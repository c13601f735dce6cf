"""The Settings dialog and its pages."""

from followthrough.ui.settings.dialog import SettingsDialog

__all__ = ["SettingsDialog"]
