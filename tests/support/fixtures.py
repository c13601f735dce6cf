"""The fixtures of real system components that every test directory shares (loaded by
tests/conftest.py as a plugin).

`server`: a real Dovecot (tests/support/mailserver.py), one per test module: it takes about
a second to start, so a module's tests share it and keep apart by folder or by account.
`keyring_home`: a real, unlocked Secret Service (tests/support/secretservice.py), one per
test, so no test sees another's passwords; its value is the keyring's home folder.
`caldav`: a real CalDAV server (Radicale, tests/support/radicale.py), one per test, with one
user whose password is made for the test.
`x_display`: a private X server (Xvfb, tests/support/desktop.py), one per test; its value is
the DISPLAY to give the app.
`syncthing_pair`: two real Syncthing instances on loopback (tests/support/syncthing.py), one
per test, sharing one folder, each with its own empty copy of it; connected and idle.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.components import require_program
from tests.support.desktop import x_server
from tests.support.icsserver import IcsServer, ics_server
from tests.support.mailserver import MailServer, mail_server
from tests.support.radicale import Radicale, radicale_server
from tests.support.secretservice import secret_service
from tests.support.syncthing import SyncthingCluster, syncthing_cluster


@pytest.fixture(scope="module")
def server() -> Iterator[MailServer]:
    with mail_server() as running:
        yield running


@pytest.fixture
def ics_feed() -> Iterator[IcsServer]:
    """A calendar's private address, served on loopback (tests/support/icsserver.py)."""
    with ics_server() as served:
        yield served


@pytest.fixture
def caldav() -> Iterator[Radicale]:
    """A CalDAV account on loopback (tests/support/radicale.py), calendars made per test."""
    with radicale_server() as running:
        yield running


@pytest.fixture
def keyring_home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with secret_service(monkeypatch) as home:
        yield home


@pytest.fixture
def x_display() -> Iterator[str]:
    require_program("Xvfb")  # skipped where it is missing, failed under CI
    with x_server("1280x800x24") as display:
        yield display


@pytest.fixture
def syncthing_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncthingCluster]:
    """`.a` and `.b`, with `.a.folder` and `.b.folder` the shared folder's two copies."""
    root = tmp_path_factory.mktemp("syncthing")
    # Printed, so a failed test shows where the full logs are and how they ended (pytest
    # shows a test's captured output only when it fails); the folder is kept either way.
    print(f"Syncthing homes and logs: {root}")
    with syncthing_cluster(root) as pair:
        yield pair
        print(pair.report())
