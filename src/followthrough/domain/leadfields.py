"""Checks and normal forms for the fields a user types about a lead."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from followthrough.errors import InvalidData

NAME_MAX = 500
TEXT_MAX = 2000
TAG_MAX = 60
EMAIL_MAX = 254

# Pragmatic, not RFC 5322: one @, no spaces, a dotted domain. Unicode is allowed on both
# sides (internationalised addresses exist); a typo such as "ana@acme" or "ana@@acme.com"
# is what this is here to catch.
_EMAIL = re.compile(r"^[^\s@<>(),;:\"\[\]]+@([^\s@<>(),;:\"\[\]\.]+\.)+[^\s@<>(),;:\"\[\]\.]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s().\-/]+(\s*(x|ext\.?)\s*\d+)?$", re.IGNORECASE)


# What no field may hold: C0 and C1 control characters (ESC, NUL, BEL... which can drive a
# terminal: clear the screen, set the clipboard) and the bidirectional embeddings, overrides
# and isolates, which make text display in another order than it is stored ("evil" shown
# as "live"). One regex tests a field in one C call: asking unicodedata per character was
# the slowest step of a large import. Multi-line fields (notes) keep tab and newline.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FORBIDDEN_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def refuse_hidden(text: str, field: str, multiline: bool = False) -> str:
    """`text`, refused when it holds a control or text-direction character (see above)."""
    found = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN).search(text)
    if found is not None:
        char = found[0]
        kind = "a text-direction control" if char >= "\u202a" else "a control character"
        raise InvalidData(f"the {field} contains {kind} (U+{ord(char):04X})", field)
    return text


def fold(text: str) -> str:
    """The form text is compared in: case-folded and NFC-composed, so "É", "é" and "e" +
    a combining acute accent (as macOS and some keyboards type it) are one."""
    return unicodedata.normalize("NFC", text.casefold())


def clean_name(value: str) -> str:
    name = unicodedata.normalize("NFC", " ".join(value.split()))
    if not name:
        raise InvalidData("the name is empty", "name")
    if len(name) > NAME_MAX:
        raise InvalidData(f"the name is {len(name)} characters long (at most {NAME_MAX})", "name")
    return refuse_hidden(name, "name")


def clean_optional(
    value: str | None, field: str, limit: int = TEXT_MAX, multiline: bool = False
) -> str | None:
    """Trim a free-text field; empty means unset. One line unless `multiline` (notes):
    runs of spaces, tabs and line breaks in a one-line field become one space."""
    if value is None:
        return None
    if multiline:
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    else:
        text = " ".join(value.split())
    text = unicodedata.normalize("NFC", text)
    if not text:
        return None
    if len(text) > limit:
        raise InvalidData(f"the {field} is {len(text)} characters long (at most {limit})", field)
    return refuse_hidden(text, field, multiline)


def clean_email(value: str | None) -> str | None:
    email = clean_optional(value, "e-mail", EMAIL_MAX)
    if email is None:
        return None
    if not _EMAIL.match(email):
        raise InvalidData(f"'{email}' is not a valid e-mail address", "email")
    return email


def email_key(email: str | None) -> str | None:
    """The form e-mails are compared in: the same mailbox in any letter case is one lead."""
    return email.casefold() if email else None


def clean_phone(value: str | None) -> str | None:
    phone = clean_optional(value, "phone", 40)
    if phone is None:
        return None
    if not _PHONE.match(phone) or sum(map(str.isdigit, phone)) < 3:
        raise InvalidData(f"'{phone}' is not a phone number", "phone")
    return phone


def clean_tags(values: Iterable[str]) -> list[str]:
    """Trim tags, drop empties and case-insensitive repeats, keep the user's order."""
    tags: list[str] = []
    seen: set[str] = set()
    for value in values:
        tag = unicodedata.normalize("NFC", " ".join(value.split()).lstrip("#"))
        if not tag:
            continue
        refuse_hidden(tag, "tag")
        if len(tag) > TAG_MAX:
            raise InvalidData(f"the tag '{tag[:20]}…' is longer than {TAG_MAX} characters", "tag")
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def search_key(name: str, company: str | None, email: str | None, tags: Iterable[str]) -> str:
    """One case-folded line per searchable field; searching is a substring test on it.

    SQLite's LIKE only folds ASCII, so "Émile" would not match "émile": folding here in
    Python keeps search right for every script.
    """
    parts = [name, company or "", email or "", *tags]
    return "\n".join(fold(part) for part in parts)
