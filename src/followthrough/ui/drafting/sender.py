"""Asked once, on the first draft: how the person signs their messages.

Without a name the templates would end on a bare "Best,". The answer goes to the same
preference as Settings › You; "Not now" is remembered too, so the question never nags.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from followthrough.domain.preferences import Preferences
from followthrough.errors import InvalidData

QUESTION = "How do you sign your messages?"


class SenderQuestion(QFrame):
    answered = Signal(str)  # the name to sign with
    declined = Signal()  # "Not now": keep drafting without one, and do not ask again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Your name for the signature")
        self.label = QLabel(QUESTION, self)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("Your name, e.g. Sam Reyes")
        self.name.setAccessibleName("Your name")
        self.label.setBuddy(self.name)
        self.use = QPushButton("&Sign with it", self)
        self.use.setAutoDefault(False)
        self.later = QPushButton("Not &now", self)
        self.later.setAutoDefault(False)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.hide()
        row = QHBoxLayout(self)
        for widget in (self.label, self.name, self.use, self.later):
            row.addWidget(widget)
        row.addWidget(self.problem)
        self.use.clicked.connect(lambda _checked=False: self.submit())
        self.name.returnPressed.connect(self.submit)
        self.later.clicked.connect(lambda _checked=False: self.declined.emit())
        self.name.textChanged.connect(lambda text: self.use.setEnabled(bool(text.strip())))
        self.use.setEnabled(False)

    def submit(self) -> None:
        name = self.name.text().strip()
        if not name:
            return
        try:  # the same rule as Settings: the preferences check it
            Preferences(sender_name=name).checked()
        except InvalidData as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        self.problem.hide()
        self.answered.emit(name)
