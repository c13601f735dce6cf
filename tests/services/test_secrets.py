"""Passwords in the OS keyring only: a real gnome-keyring, a locked one, none at all."""

from __future__ import annotations

import contextlib
from pathlib import Path

import keyring
import pytest
from keyring.backends import null

from followthrough.errors import NotFound
from followthrough.paths import DataPaths
from followthrough.services import secrets
from followthrough.services.doctor import run_checks
from tests.support.secretservice import no_keyring

KEY = "founder@example.com@imap.example.com:993"
PASSWORD = "s3cret-Ünïcode pass"


def _lock_default_collection() -> None:
    import secretstorage

    with contextlib.closing(secretstorage.dbus_init()) as connection:
        secretstorage.get_default_collection(connection).lock()


def _doctor_keyring(paths: DataPaths) -> str:
    return next(check.detail for check in run_checks(paths) if check.name == "keyring")


def test_a_password_round_trips_through_the_secret_service(
    keyring_home: Path, data_paths: DataPaths
) -> None:
    assert secrets.keyring_problem() is None
    assert _doctor_keyring(data_paths) == "keyring.backends.SecretService.Keyring"
    secrets.store_password(KEY, PASSWORD)
    # Stored where any keyring client finds it: service "Followthrough", one entry per account.
    assert keyring.get_password("Followthrough", KEY) == PASSWORD
    assert secrets.read_password(KEY) == PASSWORD
    secrets.store_password(KEY, "changed")
    assert secrets.read_password(KEY) == "changed"
    secrets.forget_password(KEY)
    assert keyring.get_password("Followthrough", KEY) is None


def test_a_missing_entry_is_named_and_forgetting_it_twice_is_fine(keyring_home: Path) -> None:
    with pytest.raises(NotFound, match="no password saved for " + KEY):
        secrets.read_password(KEY)
    secrets.forget_password(KEY)
    secrets.forget_password(KEY)


def test_a_locked_keyring_is_reported_not_bypassed(
    keyring_home: Path, data_paths: DataPaths
) -> None:
    secrets.store_password(KEY, PASSWORD)
    _lock_default_collection()
    assert secrets.keyring_problem() == "the keyring is locked"
    with pytest.raises(secrets.KeyringUnavailable, match="the keyring is locked") as caught:
        secrets.read_password(KEY)
    assert caught.value.exit_code == 5
    with pytest.raises(secrets.KeyringUnavailable, match="locked"):
        secrets.store_password(KEY, "other")
    assert _doctor_keyring(data_paths).startswith("the keyring is locked")


def test_without_a_keyring_nothing_is_stored_anywhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, data_paths: DataPaths
) -> None:
    with no_keyring(monkeypatch):
        problem = secrets.keyring_problem()
        assert problem == "no keyring is available on this system (no Secret Service)"
        with pytest.raises(secrets.KeyringUnavailable) as caught:
            secrets.store_password(KEY, PASSWORD)
        assert str(caught.value).startswith(problem)
        assert "never kept in plain text" in str(caught.value)
        assert PASSWORD not in str(caught.value)
        with pytest.raises(secrets.KeyringUnavailable):
            secrets.read_password(KEY)
        secrets.forget_password(KEY)  # nothing to forget: no error
        # The doctor and the mail commands judge the keyring with the same words.
        assert _doctor_keyring(data_paths).startswith(problem)
    leaked = [p for p in tmp_path.rglob("*") if p.is_file() and PASSWORD.encode() in p.read_bytes()]
    assert leaked == []


def test_the_null_keyring_counts_as_none(monkeypatch: pytest.MonkeyPatch) -> None:
    with no_keyring(monkeypatch):
        # no_keyring's exit chooses the backend again
        keyring.set_keyring(null.Keyring())  # type: ignore[no-untyped-call]
        assert secrets.keyring_problem() == secrets.NO_KEYRING
        with pytest.raises(secrets.KeyringUnavailable):
            secrets.require_safe_keyring()
