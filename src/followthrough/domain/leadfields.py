"""Checks and normal forms for the fields a user types about a lead."""

from __future__ import annotations

import re
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


# Unicode's "Cc" category is exactly these two ranges; a regex tests a name in one C call,
# where asking unicodedata per character was the slowest step of a large import.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _has_control_chars(text: str) -> bool:
    return _CONTROL.search(text) is not None


def clean_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise InvalidData("the name is empty", "name")
    if len(name) > NAME_MAX:
        raise InvalidData(f"the name is {len(name)} characters long (at most {NAME_MAX})", "name")
    if _has_control_chars(name):
        raise InvalidData("the name contains control characters", "name")
    return name


def clean_optional(value: str | None, field: str, limit: int = TEXT_MAX) -> str | None:
    """Trim a free-text field; empty means unset."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if len(text) > limit:
        raise InvalidData(f"the {field} is {len(text)} characters long (at most {limit})", field)
    return text


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
        tag = " ".join(value.split()).lstrip("#")
        if not tag:
            continue
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
    return "\n".join(part.casefold() for part in parts)
