"""Reading a choice a user typed (a state, a signal kind, a channel) into its enum."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from followthrough.errors import InvalidData

E = TypeVar("E", bound=StrEnum)


def parse_choice(text: str, allowed: Iterable[E], what: str, field: str) -> E:
    """Case-, dash- and space-insensitive; an unknown value is refused listing the choices."""
    options = list(allowed)
    wanted = text.strip().casefold().replace("-", "_").replace(" ", "_")
    for option in options:
        if option.value == wanted:
            return option
    choices = ", ".join(option.value for option in options)
    raise InvalidData(f"unknown {what} '{text}' (choose {choices})", field)
