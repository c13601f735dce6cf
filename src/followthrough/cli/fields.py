"""The command line's name for each field the domain and the services speak of.

Their messages name fields (`until`, `next_step`), never options: the GUI shows a message
beside the box it is about, and here the CLI points at the option to use instead.
"""

from __future__ import annotations

from followthrough.errors import FieldError, FollowthroughError

# The fields messages name, and the option that sets each (others: "--" and the name).
_OPTIONS: dict[str, str] = {
    "next_step": "--next-step",
    "due": "--due",
    "until": "--until",
    "reason": "--reason",
}


def option(field: str) -> str:
    """The option that sets `field`: 'until' → '--until'."""
    return _OPTIONS.get(field, "--" + field.replace("_", "-"))


def error_line(error: FollowthroughError) -> str:
    """The error as the CLI says it, fields named by their options."""
    if not isinstance(error, FieldError):
        return str(error)
    text = error.worded(option)
    return f"{text} ({option(error.needs)})" if error.needs else text
