"""Where a message's iCalendar part is, from the structure the IMAP server describes.

An invitation's answer (METHOD:REPLY, METHOD:CANCEL) travels as a text/calendar part, alone
or inside a multipart message beside a text and an HTML version, perhaps attachments. The
server describes the parts (BODYSTRUCTURE) without sending them; this finds the first
text/calendar part, its section number ("2", "1.3"), how it is encoded and how big it is, so
that this one part, and nothing else of the body, is fetched. Attached messages
(message/rfc822) are not looked into: a forwarded invitation is not an answer to us.

Pure: it reads the bytes imaplib hands over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_ATOM = re.compile(rb'[^\s()"{]+')
_LITERAL = re.compile(rb"\{(\d+)\}\r\n")
_DEPTH_MAX = 40  # nested lists; servers cap MIME nesting well below this


@dataclass(frozen=True)
class CalendarPart:
    section: str  # "1" for a message that is only the calendar; "2", "1.3" in a multipart
    encoding: str  # "base64", "quoted-printable", "7bit"…, lower-case
    charset: str
    size: int  # bytes as the server keeps it (encoded)


def calendar_parts(data: list[Any]) -> dict[int, CalendarPart]:
    """UID → its first text/calendar part, for the messages of one BODYSTRUCTURE fetch."""
    found: dict[int, CalendarPart] = {}
    for record in _records(data):
        items = dict(zip(record[0::2], record[1::2], strict=False))
        uid, structure = items.get(b"UID"), items.get(b"BODYSTRUCTURE")
        if not isinstance(uid, bytes) or not uid.isdigit() or not isinstance(structure, list):
            continue
        part = _find(structure, "")
        if part is not None:
            found[int(uid)] = part
    return found


def _find(body: list[Any], prefix: str) -> CalendarPart | None:
    if body and isinstance(body[0], list):  # multipart: the parts, then the subtype
        for number, child in enumerate((p for p in body if isinstance(p, list)), start=1):
            part = _find(child, f"{prefix}{number}.")
            if part is not None:
                return part
        return None
    if len(body) < 7:
        return None
    kind, subtype = _word(body[0]), _word(body[1])
    if (kind, subtype) != ("text", "calendar"):
        return None
    params = body[2] if isinstance(body[2], list) else []
    pairs = dict(zip((_word(p) for p in params[0::2]), params[1::2], strict=False))
    charset = pairs.get("charset")
    size = body[6]
    return CalendarPart(
        section=prefix.rstrip(".") or "1",
        encoding=_word(body[5]) or "7bit",
        charset=charset.decode("ascii", "replace") if isinstance(charset, bytes) else "utf-8",
        size=int(size) if isinstance(size, bytes) and size.isdigit() else 0,
    )


def _word(value: Any) -> str:
    return value.decode("ascii", "replace").lower() if isinstance(value, bytes) else ""


def _records(data: list[Any]) -> list[list[Any]]:
    """The parenthesised lists of a FETCH response, literals put back in their place."""
    stream = b""
    for piece in data:
        if isinstance(piece, tuple):
            stream += piece[0] + b"\r\n" + piece[1]  # head ends "{n}": the literal follows
        elif isinstance(piece, bytes):
            stream += piece + b"\r\n"
    try:
        values, _ = _values(stream, 0, top=True)
    except RecursionError:  # not an answer any server gives: read as no calendar at all
        return []
    return [v for v in values if isinstance(v, list)]


def _values(buf: bytes, at: int, top: bool = False, depth: int = 0) -> tuple[list[Any], int]:
    """The values from `at` up to the closing parenthesis (or the end, at the top)."""
    if depth > _DEPTH_MAX:
        raise RecursionError("nested too deep")
    out: list[Any] = []
    while at < len(buf):
        char = buf[at : at + 1]
        if char in b" \r\n\t":
            at += 1
        elif char == b"(":
            inner, at = _values(buf, at + 1, depth=depth + 1)
            out.append(inner)
        elif char == b")":
            if top:
                at += 1  # an unbalanced close in a garbled answer: skipped
                continue
            return out, at + 1
        elif char == b'"':
            text, at = _quoted(buf, at + 1)
            out.append(text)
        elif (literal := _LITERAL.match(buf, at)) is not None:
            size = int(literal.group(1))
            start = literal.end()
            out.append(buf[start : start + size])
            at = start + size
        else:
            atom = _ATOM.match(buf, at)
            if atom is None:  # a stray "{": one byte on
                at += 1
                continue
            word = atom.group(0)
            out.append(None if word.upper() == b"NIL" else word)
            at = atom.end()
    return out, at


def _quoted(buf: bytes, at: int) -> tuple[bytes, int]:
    text = bytearray()
    while at < len(buf):
        char = buf[at]
        if char == 0x5C and at + 1 < len(buf):  # backslash: the next byte as it is
            text.append(buf[at + 1])
            at += 2
        elif char == 0x22:
            return bytes(text), at + 1
        else:
            text.append(char)
            at += 1
    return bytes(text), at
