"""What the watcher needs from a message's headers: who, when, which message, sent by a robot?

Pure: it reads the header block the server handed over (never a body) and the server's own
arrival time, and turns them into plain facts. Every rule about mail headers lives here so
it can be tested without a server.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header, decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime

# The only headers fetched from the server (IMAP names them in upper case).
HEADER_FIELDS = (
    "FROM",
    "SENDER",  # a tool mailing "on behalf of" someone names itself here
    "REPLY-TO",  # the visitor a notification is about, for tools that say so
    "TO",
    "CC",
    "DATE",
    "SUBJECT",
    "MESSAGE-ID",
    "AUTO-SUBMITTED",
    "X-AUTOREPLY",
    "PRECEDENCE",
    "CONTENT-TYPE",  # multipart or text/calendar: may carry an invitation's answer
)

# Subjects that out-of-office robots put first, in the languages the users write in.
_AUTO_SUBJECTS = re.compile(
    r"^\s*(?:out of (?:the )?office|automatic reply|auto[- ]?reply|autoreply|absence"
    r"|r[ée]ponse automatique|respuesta autom[áa]tica|fuera de la oficina)\b"
    r"|^\s*abwesen",  # Abwesenheit, Abwesenheitsnotiz, abwesend: German runs words together
    re.IGNORECASE,
)
_ROBOT_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk"})
# compat32 keeps headers as plain strings: the strict policy's objects cost ten times more,
# and a pass may read ten thousand header blocks.
_PARSER = BytesHeaderParser(policy=compat32)


@dataclass(frozen=True)
class MailHeaders:
    senders: tuple[str, ...]  # addresses, case-folded as lead e-mails are compared
    recipients: tuple[str, ...]  # To and Cc together
    subject: str | None
    date: datetime  # UTC
    key: str  # the normalised Message-ID, or a stable stand-in when there is none
    auto_reply: bool
    sender: tuple[str, ...] = ()  # the Sender header: who sent it for the From
    reply_to: tuple[str, ...] = ()
    content_type: str = ""  # "multipart/mixed", lower-case; "" when unsaid (text/plain)

    @property
    def may_hold_calendar(self) -> bool:
        """Whether the message may carry an iCalendar part (an invitation's answer)."""
        return self.content_type.startswith("multipart/") or self.content_type == "text/calendar"


def read_headers(raw: bytes, arrived: datetime) -> MailHeaders:
    """The facts of one header block; `arrived` (the server's time) stands in for a bad Date."""
    message = _PARSER.parsebytes(raw)

    def text(name: str) -> str | None:
        return _text(message.get(name))

    subject = decoded(text("Subject"))
    return MailHeaders(
        senders=addresses([text("From")]),
        recipients=addresses(
            [_text(v) for v in (*message.get_all("To", []), *message.get_all("Cc", []))]
        ),
        subject=subject,
        date=message_date(text("Date"), arrived),
        key=message_key(text("Message-ID"), text("From"), text("Date"), text("Subject")),
        auto_reply=is_auto_reply(message, subject),
        sender=addresses([text("Sender")]),
        reply_to=addresses([text("Reply-To")]),
        content_type=(text("Content-Type") or "").split(";", 1)[0].strip().lower(),
    )


def _text(value: object) -> str | None:
    """A raw header as text. Unencoded 8-bit headers (common, if against the rules) are
    almost always UTF-8; the parser hands them over as opaque bytes."""
    if value is None:
        return None
    if isinstance(value, Header):
        return "".join(
            part.decode("utf-8", "replace") if isinstance(part, bytes) else part
            for part, _charset in decode_header(value)
        )
    return str(value)


def decoded(value: str | None) -> str | None:
    """A header's text with its encoded words (=?utf-8?...?=) decoded, on one line."""
    if value is None:
        return None
    try:
        text = str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError):
        text = value  # an unknown charset: the raw text is still better than nothing
    return " ".join(text.split()) or None


def addresses(values: list[str | None]) -> tuple[str, ...]:
    """The mailbox addresses in address headers, case-folded, in order, each once."""
    found: dict[str, None] = {}
    for _, address in getaddresses([str(v) for v in values if v]):
        address = address.strip().casefold()
        if "@" in address:
            found[address] = None
    return tuple(found)


def message_date(value: str | None, arrived: datetime) -> datetime:
    """The Date header in UTC; the server's arrival time when it is missing or garbled."""
    if not value:
        return arrived
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return arrived
    if moment.tzinfo is None:  # "-0000": the zone is unknown, RFC 5322 says read it as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_internaldate(text: str) -> datetime | None:
    """An IMAP INTERNALDATE ("23-Nov-2026 09:12:00 +0100") in UTC, or None if unreadable."""
    try:
        return datetime.strptime(text.strip(), "%d-%b-%Y %H:%M:%S %z").astimezone(UTC)
    except ValueError:
        return None


def is_auto_reply(message: Message, subject: str | None) -> bool:
    """Sent by a robot (out of office, list, bulk mail), not by a person answering."""
    submitted = (_text(message.get("Auto-Submitted")) or "").strip().lower()
    if submitted and not submitted.startswith("no"):
        return True
    if (_text(message.get("X-Autoreply")) or "").strip().lower() in {"yes", "true", "1"}:
        return True
    if (_text(message.get("Precedence")) or "").strip().lower() in _ROBOT_PRECEDENCE:
        return True
    return bool(subject and _AUTO_SUBJECTS.match(subject))


def message_key(
    message_id: str | None, sender: str | None, date: str | None, subject: str | None
) -> str:
    """What makes a message the same one in every folder and on every read.

    The Message-ID stripped of its brackets and lower-cased; a message without one gets a
    hash of who sent it, when and about what, which a re-read finds again.
    """
    if message_id and (cleaned := message_id.strip().strip("<>").strip().lower()):
        return cleaned
    basis = "\n".join(" ".join((part or "").split()) for part in (sender, date, subject))
    return "sha256:" + hashlib.sha256(basis.encode("utf-8", "surrogateescape")).hexdigest()
