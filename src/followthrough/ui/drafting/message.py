"""A finished message in the forms other programs take: HTML for rich paste, a mailto: link."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

# Some mail programs cut mailto: links past about this many characters, losing the message's end.
SAFE_LINK_LENGTH = 1800

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def message_html(body: str) -> str:
    """The body as simple HTML paragraphs, single line breaks kept, everything escaped."""
    paragraphs = [part.strip("\n") for part in _PARAGRAPH_BREAK.split(body.strip())]
    return "".join(
        f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs if part
    )


def mailto_link(address: str, subject: str, body: str) -> str:
    """A mailto: link (RFC 6068): every reserved character percent-encoded, CRLF line ends."""
    query = []
    if subject:
        query.append("subject=" + quote(subject, safe=""))
    if body:
        query.append("body=" + quote(body.replace("\r\n", "\n").replace("\n", "\r\n"), safe=""))
    link = "mailto:" + quote(address.strip(), safe="@")
    return link + ("?" + "&".join(query) if query else "")
