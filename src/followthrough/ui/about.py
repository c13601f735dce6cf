"""Help › About: which Followthrough this is, where its data and its log live, its licence.

The version and the licence are read from what the package declares (followthrough's own
`__version__` and its installed metadata), never typed here a second time, so the box says
what was actually shipped. A licence the metadata does not declare is reported as such.
"""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from followthrough import APP_NAME, __version__
from followthrough.logfile import log_folder

DISTRIBUTION = "followthrough"
NO_LICENCE = "none is declared in this package's metadata"
NO_METADATA = "unknown: this build carries no package metadata"
SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


def declared_licence(distribution: str = DISTRIBUTION) -> str:
    """The licence the installed package declares (SPDX expression, licence field or
    classifier), or a phrase saying that it declares none, or that it carries no metadata."""
    try:
        meta = metadata.metadata(distribution)
    except metadata.PackageNotFoundError:  # a bundle built without the package's metadata
        return NO_METADATA
    for field in ("License-Expression", "License"):
        value = _first(meta, field)
        if value and value.upper() != "UNKNOWN":
            return value.splitlines()[0]  # a whole licence text may sit in this field
    classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return ", ".join(c.rsplit(" :: ", 1)[-1] for c in classifiers)
    return NO_LICENCE


def summary(distribution: str = DISTRIBUTION) -> str:
    try:
        return _first(metadata.metadata(distribution), "Summary")
    except metadata.PackageNotFoundError:
        return ""


def _first(meta: metadata.PackageMetadata, field: str) -> str:
    return ((meta.get_all(field) or [""])[0] or "").strip()


class AboutDialog(QDialog):
    def __init__(self, data_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_folder = data_folder
        self.setWindowTitle(f"About {APP_NAME}")
        self.title = QLabel(f"<h2>{APP_NAME}</h2>", self)
        self.title.setAccessibleName(APP_NAME)
        self.version = QLabel(f"Version {__version__}", self)
        self.version.setTextInteractionFlags(SELECTABLE)  # quoted in bug reports
        self.version.setAccessibleName("Version")
        self.summary = QLabel(summary(), self)
        self.summary.setWordWrap(True)
        self.summary.setVisible(bool(self.summary.text()))
        self.folder = QLabel(str(data_folder), self)
        self.folder.setTextFormat(Qt.TextFormat.PlainText)
        self.folder.setTextInteractionFlags(SELECTABLE)  # to copy into a file manager or shell
        self.folder.setWordWrap(True)
        self.folder.setAccessibleName("Data folder")
        self.open_folder = QPushButton("&Open folder", self)
        self.open_folder.setAccessibleName("Open the data folder")
        self.open_folder.setAutoDefault(False)
        self.open_folder.clicked.connect(lambda _checked=False: self.show_folder())
        self.log_folder = QLabel(str(log_folder()), self)
        self.log_folder.setTextFormat(Qt.TextFormat.PlainText)
        self.log_folder.setTextInteractionFlags(SELECTABLE)
        self.log_folder.setWordWrap(True)
        self.log_folder.setAccessibleName("Log folder")
        self.open_log = QPushButton("Open &log folder", self)
        self.open_log.setAccessibleName("Open the log folder")
        self.open_log.setAutoDefault(False)
        self.open_log.clicked.connect(lambda _checked=False: self.show_log_folder())
        self.licence = QLabel(f"Licence: {declared_licence()}", self)
        self.licence.setWordWrap(True)
        self.licence.setTextInteractionFlags(SELECTABLE)
        self.licence.setAccessibleName("Licence")
        self.runtime = QLabel(
            f"Python {platform.python_version()}, Qt {qVersion()}, PySide6 {pyside_version}",
            self,
        )
        self.runtime.setTextInteractionFlags(SELECTABLE)
        self.runtime.setAccessibleName("Runs on")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)

        folder_title = QLabel("Your data is in:", self)
        folder_title.setBuddy(self.open_folder)
        log_title = QLabel("When something goes wrong, the details are written in:", self)
        log_title.setWordWrap(True)
        log_title.setBuddy(self.open_log)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.version, self.summary,
                       folder_title, self._row(self.folder, self.open_folder),
                       log_title, self._row(self.log_folder, self.open_log),
                       self.licence, self.runtime):  # fmt: skip
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def _row(self, path: QLabel, button: QPushButton) -> QWidget:
        row = QWidget(self)  # a widget, not a bare layout: Python may free a layout
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(path, 1)
        layout.addWidget(button)
        return row

    def show_log_folder(self) -> None:
        from followthrough.ui.uncaught import open_log_folder

        open_log_folder()

    def show_folder(self) -> None:
        """Open the data folder in the desktop's file manager."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_folder)))
