"""The errors every layer may raise, each with the exit code the CLI gives it.

Pure Python on purpose: domain code raises these too, and it imports nothing heavy.
"""

from __future__ import annotations


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
