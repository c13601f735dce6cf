"""The errors every layer may raise, each with the exit code the CLI gives it.

Pure Python on purpose: domain code raises these too, and it imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping


class FollowthroughError(Exception):
    """An error the user can act on; its message is one sentence meant for them."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidData(FollowthroughError):
    """Input that breaks a rule of the data (a malformed e-mail, an empty name...)."""

    exit_code = 4

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class FieldError(InvalidData):
    """A rule about fields broken, told without naming any face's controls for them.

    `field` is the field the problem is about (a form shows the message beside its box).
    The message may name fields as `{name}` placeholders: `str()` reads them in the plain
    words given in `names`, a face in its own (the CLI its options) through `worded`.
    `needs` is the field whose value would mend it, when the message asks for one: the CLI
    points at its option after the message; a form already shows it beside the right box.
    """

    def __init__(
        self,
        template: str,
        field: str,
        *,
        names: Mapping[str, str] | None = None,
        needs: str | None = None,
    ) -> None:
        self.template = template
        self.names = dict(names or {})
        self.needs = needs
        super().__init__(template.format_map(self.names), field)

    def worded(self, name_of: Callable[[str], str]) -> str:
        """The message with each field it names called as `name_of` calls it."""
        return self.template.format_map({name: name_of(name) for name in self.names})


class NotFound(FollowthroughError):
    """No lead (or other record) answers to what the user named."""

    exit_code = 3


class Ambiguous(FollowthroughError):
    """What the user named matches several records; `candidates` lists them."""

    exit_code = 3

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


class StorageError(FollowthroughError):
    """The data folder or database cannot be used as it is; nothing was changed."""

    exit_code = 5


class NewerSchemaError(StorageError):
    """The database was written by a newer version of Followthrough."""


class DatabaseBusy(StorageError):
    """Another writer (the app, a command) held the database past the busy timeout.

    Nothing was written; the same action a moment later usually works.
    """


class UsageError(FollowthroughError):
    """The command was called wrongly (a missing confirmation, nothing to do)."""

    exit_code = 2


class DisplayUnavailable(FollowthroughError):
    """The app cannot open a window here (no display); the commands still work."""

    exit_code = 6
