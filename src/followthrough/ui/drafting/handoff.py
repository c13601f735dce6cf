"""Handing a finished draft to the person's mail: the clipboard, or a mailto: link.

A mix-in of the draft dialog: it reads the dialog's subject, body, lead and status line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QWidget

from followthrough.ui.drafting.ask import ask
from followthrough.ui.drafting.message import SAFE_LINK_LENGTH, mailto_link, message_html

if TYPE_CHECKING:
    from followthrough.services.readmodels import LeadView


class MessageHandoff:
    subject: QLineEdit
    body: QPlainTextEdit
    status: QLabel
    lead: LeadView | None

    def copy_message(self) -> None:
        body = self.body.toPlainText()
        mime = QMimeData()
        mime.setText(body)
        mime.setHtml(message_html(body))
        QGuiApplication.clipboard().setMimeData(mime)
        self.status.setText("Copied")

    def copy_subject_line(self) -> None:
        QGuiApplication.clipboard().setText(self.subject.text())
        self.status.setText("Subject copied")

    def mail_link(self) -> str:
        email = self.lead.email if self.lead and self.lead.email else ""
        return mailto_link(email, self.subject.text(), self.body.toPlainText())

    def open_in_mail_app(self) -> QMessageBox | None:
        """Open the message in the mail app; a link some apps would cut asks first."""
        link = self.mail_link()
        if len(link) <= SAFE_LINK_LENGTH:
            self._open_link(link)
            return None
        assert isinstance(self, QWidget)
        return ask(
            self,
            "Long message",
            f"This message makes a link of {len(link):,} characters. Some mail apps cut links "
            "past about 1,800, so the end of the message could be lost.\n\n"
            "Copy it and paste it into a new mail instead?",
            [
                ("&Copy instead", QMessageBox.ButtonRole.AcceptRole, self.copy_message),
                ("&Open anyway", QMessageBox.ButtonRole.ActionRole, lambda: self._open_link(link)),
                ("Cancel", QMessageBox.ButtonRole.RejectRole, None),
            ],
        )

    def _open_link(self, link: str) -> None:
        if QDesktopServices.openUrl(QUrl.fromEncoded(link.encode("ascii"))):
            self.status.setText("Opened in your mail app")
        else:
            self.status.setText("No mail app answered: use Copy instead")
