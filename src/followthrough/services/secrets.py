"""Passwords, kept only in the OS keyring: the one module that talks to `keyring`.

There is no fallback. Without a keyring that keeps secrets safe (the desktop's Secret
Service, the macOS Keychain, the Windows Credential Locker) the features that need a
password stay off, and the reason is said plainly.
"""

from __future__ import annotations

import contextlib
from typing import Any

from followthrough.errors import FollowthroughError, NotFound

SERVICE = "Followthrough"

NO_KEYRING = "no keyring is available on this system (no Secret Service)"
LOCKED = "the keyring is locked"
PLAIN_TEXT = "the only keyring stores passwords in plain text: refused"


class KeyringUnavailable(FollowthroughError):
    """No safe keyring to keep a password in; nothing was saved anywhere else."""

    exit_code = 5

    def __init__(self, reason: str, feature: str = "mail checking") -> None:
        super().__init__(
            f"{reason}: {feature} stays off (passwords are never kept in plain text instead)"
        )
        self.reason = reason


def backend_name() -> str:
    """The keyring in use, by its class, for reports (`followthrough doctor`)."""
    import keyring

    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def keyring_problem() -> str | None:
    """Why no password can be kept safely here, or None when a safe keyring is there."""
    reason = _unsafe_backend()
    if reason is None and _default_collection_locked():
        return LOCKED
    return reason


def require_safe_keyring() -> None:
    """KeyringUnavailable unless a safe keyring is there (before asking for a password).

    A locked keyring passes: saving or reading offers the desktop's unlock prompt."""
    _safe_backend()


def store_password(key: str, password: str) -> None:
    backend = _safe_backend()
    with _keyring_errors():
        backend.set_password(SERVICE, key, password)


def read_password(key: str) -> str:
    backend = _safe_backend()
    with _keyring_errors():
        password = backend.get_password(SERVICE, key)
    if password is None:
        raise NotFound(f"no password saved for {key} (run: followthrough mail set-account)")
    return str(password)


def forget_password(key: str) -> None:
    """Remove the entry; an entry already gone (or no keyring at all) is not an error."""
    import keyring.errors

    if _unsafe_backend() is not None:
        return  # nothing can have been stored without a safe keyring
    with _keyring_errors(), contextlib.suppress(keyring.errors.PasswordDeleteError):
        _backend().delete_password(SERVICE, key)


def _backend() -> Any:
    import keyring

    return keyring.get_keyring()


def _is_unsafe(backend: Any) -> str | None:
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return NO_KEYRING
    if isinstance(backend, chainer.ChainerBackend):
        # A chain writes to its first member that accepts: every member must be safe.
        members = list(backend.backends)
        if not members:
            return NO_KEYRING
        reasons = [_is_unsafe(member) for member in members]
        return next((r for r in reasons if r is not None), None)
    if type(backend).__module__.startswith("keyrings.alt"):
        # keyrings.alt keeps files on disk: plain text, or encrypted under a second password
        # the user would type at every start. Neither is what "the OS keyring" promises.
        return PLAIN_TEXT
    return None


def _unsafe_backend() -> str | None:
    return _is_unsafe(_backend())


def _safe_backend() -> Any:
    backend = _backend()
    reason = _is_unsafe(backend)
    if reason is not None:
        raise KeyringUnavailable(reason)
    return backend


def _default_collection_locked() -> bool:
    """Is the Secret Service's default collection locked? Asked without an unlock prompt."""
    from keyring.backends import SecretService

    if not isinstance(_backend(), SecretService.Keyring):
        return False  # the other keyrings unlock with the user's session
    try:
        import secretstorage

        with contextlib.closing(secretstorage.dbus_init()) as connection:
            return bool(secretstorage.get_default_collection(connection).is_locked())
    except Exception:
        # A service that cannot answer: reading or saving will say why, precisely.
        return False


@contextlib.contextmanager
def _keyring_errors() -> Any:
    """Turn the keyring's own failures into one sentence; its messages never hold secrets,
    but the exception chain is dropped anyway so no caller can print more than that."""
    import keyring.errors

    try:
        yield
    except keyring.errors.KeyringLocked:
        raise KeyringUnavailable(f"{LOCKED} (unlock it, then try again)") from None
    except keyring.errors.InitError as exc:
        raise KeyringUnavailable(f"the keyring cannot be opened ({exc})") from None
    except keyring.errors.NoKeyringError:
        raise KeyringUnavailable(NO_KEYRING) from None
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"the keyring refused the request ({exc})") from None
    except Exception as exc:
        # The Secret Service can vanish mid-call (D-Bus errors come from below keyring).
        raise KeyringUnavailable(f"the keyring failed ({type(exc).__name__}: {exc})") from None
