"""The PyInstaller bundle: it starts, migrates, imports, exports, keeps secrets and shows its window.

These run the built folder (`python packaging/pyinstaller/build.py`), never the source tree:
what they prove is that everything loaded at run time made it into the bundle.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from followthrough import __version__
from followthrough.services import secrets
from followthrough.store.migrate import SCHEMA_HEAD
from tests.support.components import require_program
from tests.support.desktop import assert_painted_board, visible_main_window
from tests.support.exports import hubspot_contacts_utf16, outlook_contacts
from tests.support.mailserver import mail_server, message
from tests.support.radicale import calendar, event, radicale_server
from tests.support.secretservice import secret_service

ROOT = Path(__file__).resolve().parents[2]
MAX_UNPACKED_BYTES = 130 * 10**6


@pytest.fixture(scope="module")
def bundle() -> Path:
    """The bundle's executable; CI builds it before the tests, so missing there is a failure."""
    folder = Path(os.environ.get("FOLLOWTHROUGH_BUNDLE") or ROOT / "dist" / "Followthrough")
    executable = folder / ("followthrough.exe" if os.name == "nt" else "followthrough")
    if not executable.is_file():
        message = f"no bundle at {folder} (build it: python packaging/pyinstaller/build.py)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return executable


def run(
    bundle: Path, *args: str, data: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    data_args = ["--data-dir", str(data)] if data is not None else []
    done = subprocess.run(
        [str(bundle), *data_args, *args],
        capture_output=True, text=True, timeout=120, env=env or dict(os.environ),
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done


def stored_revision(data: Path) -> str:
    with closing(sqlite3.connect(data / "followthrough.sqlite3")) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def test_version_is_the_package_version(bundle: Path) -> None:
    done = run(bundle, "--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"followthrough {__version__}"


def test_smoke_run_on_a_fresh_data_folder_prints_its_timings(bundle: Path, tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = run(bundle, "--smoke", data=data, env=env)
    assert done.returncode == 0, done.stderr
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(timings) == {"first_paint_ms", "exec_to_paint_ms", "ready_ms"}
    assert 0 < timings["first_paint_ms"] <= timings["ready_ms"] < 60_000
    # The migrations shipped as files in the bundle ran: the new database is at the newest schema.
    assert stored_revision(data) == SCHEMA_HEAD


def test_cli_adds_lists_exports_and_imports_back(bundle: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    added = run(bundle, "add", "Ana Lima", "--company", "Acme", "--email", "ana@acme.test",
                "--tag", "pilot", "--next-step", "Send the pilot plan", "--due", "+3d", data=data)  # fmt: skip
    assert added.returncode == 0, added.stderr
    logged = run(bundle, "log", "Ana", "sent", "--note", "Pilot plan, v1", data=data)
    assert logged.returncode == 0, logged.stderr
    assert stored_revision(data) == SCHEMA_HEAD

    listed = run(bundle, "list", "--json", data=data)
    assert listed.returncode == 0, listed.stderr
    (lead,) = json.loads(listed.stdout)
    assert (lead["name"], lead["company"], lead["tags"]) == ("Ana Lima", "Acme", ["pilot"])

    export = tmp_path / "all.json"
    exported = run(bundle, "export", "--format", "json", "--output", str(export), "--json",
                   data=data)  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["leads"] == 1

    elsewhere = tmp_path / "elsewhere"
    imported = run(bundle, "import", str(export), "--json", data=elsewhere)
    assert imported.returncode == 0, imported.stderr
    shown = run(bundle, "show", "Ana", "--json", data=elsewhere)
    assert shown.returncode == 0, shown.stderr
    assert "Pilot plan, v1" in shown.stdout  # the history came along, not just the lead


def test_the_bundle_ships_the_built_in_templates_and_the_sample(
    bundle: Path, tmp_path: Path
) -> None:
    # resources/ at the top of the repository, as the package followthrough.resources.
    shipped = sorted(path.stem for path in (ROOT / "resources" / "templates").glob("*.tmpl"))
    listed = run(bundle, "templates", "list", "--json", data=tmp_path / "data")
    assert listed.returncode == 0, listed.stderr
    assert sorted(t["slug"] for t in json.loads(listed.stdout) if t["builtin"]) == shipped
    inside = bundle.parent / "_internal" / "followthrough" / "resources"
    for name in ("__init__.py", "icons/followthrough.svg", "sample/pipeline.json"):
        assert (inside / name).is_file(), name


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (outlook_contacts(), {"Hélène Dubois", "Jürgen Müller"}),  # Windows-1252
        (hubspot_contacts_utf16(), {"Søren Nielsen", "Aiko Tanaka", "Luis Gómez"}),  # UTF-16
    ],
)
def test_csv_files_in_other_encodings_import_in_the_bundle(
    bundle: Path, tmp_path: Path, content: bytes, expected: set[str]
) -> None:
    # Their codecs are modules loaded by name at run time: a bundle can easily miss them.
    source = tmp_path / "contacts.csv"
    source.write_bytes(content)
    data = tmp_path / "data"
    imported = run(bundle, "import", str(source), "--json", data=data)
    assert imported.returncode == 0, imported.stderr
    listed = run(bundle, "list", "--state", "all", "--json", data=data)
    assert {lead["name"] for lead in json.loads(listed.stdout)} == expected


def test_the_bundle_keeps_passwords_in_the_secret_service(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # keyring finds its backends through package metadata and imports them by name.
    with secret_service(monkeypatch):
        doctor = run(bundle, "doctor", "--json", data=tmp_path / "data")
    assert doctor.returncode == 0, doctor.stderr
    checks = {check["check"]: check["detail"] for check in json.loads(doctor.stdout)}
    assert checks["keyring"] == "keyring.backends.SecretService.Keyring"

    # A calendar account's password: given on stdin, used by a pass, found only in the
    # keyring afterwards — in no file of the data folder (database, WAL), the log folder,
    # an export, or anything the bundle printed.
    data, state = tmp_path / "data", tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))  # where the log goes
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    with radicale_server() as caldav, secret_service(monkeypatch):
        work = caldav.make_calendar("work", "Work")
        caldav.put(work, "pilot", calendar(event("pilot", "ana@bundle.example", start=start)))
        printed = [run(bundle, "add", "Ana Silva", "--email", "ana@bundle.example", data=data)]
        printed.append(subprocess.run(
            [str(bundle), "--data-dir", str(data), "calendar", "set-account", caldav.url,
             "--user", caldav.user],
            input=caldav.password + "\n", capture_output=True, text=True, timeout=60,
        ))  # fmt: skip
        printed.append(run(bundle, "calendar", "test", "--json", data=data))
        printed.append(run(bundle, "calendar", "check", "--json", data=data))
        export = tmp_path / "export.json"
        printed.append(run(bundle, "export", "--format", "json", "--output", str(export),
                           data=data))  # fmt: skip
        assert secrets.read_password("calendar-password") == caldav.password
    assert [done.returncode for done in printed] == [0] * 5, [done.stderr for done in printed]
    assert json.loads(printed[2].stdout) == {"calendars": ["Work"]}
    logged = json.loads(printed[3].stdout)["logged"]
    assert [(e["lead"], e["step"]) for e in logged] == [("Ana Silva", "booked")]
    secret = caldav.password
    assert all(secret not in done.stdout + done.stderr for done in printed)
    files = [p for p in (*data.rglob("*"), *state.rglob("*"), export) if p.is_file()]
    assert data / "followthrough.sqlite3" in files
    for path in files:
        assert secret.encode() not in path.read_bytes(), path


def test_the_bundle_logs_a_reply_from_a_real_mailbox_over_tls(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # TLS through the system's OpenSSL, the password through the Secret Service, IMAP and
    # e-mail parsing from the bundle's own standard library.
    data = tmp_path / "data"
    assert (
        run(bundle, "add", "Ana Silva", "--email", "ana@bundle.example", data=data).returncode == 0
    )
    with mail_server() as server, secret_service(monkeypatch):
        account = subprocess.run(
            [str(bundle), "--data-dir", str(data), "mail", "set-account", "--host", server.host,
             "--user", server.user, "--security", "tls", "--port", str(server.tls_port),
             "--ca-file", str(server.cafile)],
            input=server.password + "\n", capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert account.returncode == 0, account.stderr
        sent_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        server.append(
            "INBOX",
            message("Ana Silva <ana@bundle.example>", server.user, "Re: pilot", date=sent_at),
        )
        checked = run(bundle, "mail", "check", "--json", data=data)
    assert checked.returncode == 0, checked.stderr
    logged = [(e["lead"], e["kind"], e["subject"]) for e in json.loads(checked.stdout)["logged"]]
    assert logged == [("Ana Silva", "replied", "Re: pilot")]


def _fill_board(bundle: Path, data: Path) -> None:
    for args in (
        ["add", "Amara Okafor", "--company", "Brightloom", "--next-step", "Walk through the proposal", "--due", "+1d", "--at", "-10d"],
        ["add", "Jonas Weber", "--company", "Kiln & Co", "--state", "warm", "--at", "-20d"],
        ["add", "Mei Chen", "--company", "Lumen", "--state", "recycle", "--until", "+30d", "--reason", "Budget in Q1"],
        ["log", "Amara", "proposal_sent", "--at", "-9d"],
        ["log", "Jonas", "sent", "--at", "-15d"],
        ["due"],
    ):  # fmt: skip
        done = run(bundle, *args, data=data)
        assert done.returncode == 0, (args, done.stderr)


@pytest.mark.xvfb
def test_the_bundle_shows_its_main_window_on_a_real_x_server(
    bundle: Path, x_display: str, tmp_path: Path, test_output: Path
) -> None:
    data = tmp_path / "data"
    _fill_board(bundle, data)
    shot = test_output / "bundle-main-window.png"
    shot.unlink(missing_ok=True)
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb"}
    done = run(bundle, "--smoke", "--screenshot", str(shot), data=data, env=env)
    assert done.returncode == 0, done.stderr
    assert_painted_board(shot)


@pytest.mark.xvfb
def test_the_bundle_opens_a_window_and_quits_cleanly_on_sigterm(
    bundle: Path, x_display: str, tmp_path: Path
) -> None:
    xdotool = require_program("xdotool")
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb"}
    app = subprocess.Popen(
        [str(bundle), "--data-dir", str(tmp_path / "data")],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        visible_main_window(xdotool, env)
        assert app.poll() is None, "the app exited while its window was up"
    finally:
        app.send_signal(signal.SIGTERM)
        _, err = app.communicate(timeout=20)
    assert app.returncode == 0, err
    assert "Traceback" not in err


def test_unpacked_size_stays_within_budget(bundle: Path) -> None:
    folder = bundle.parent
    size = sum(
        path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    )
    assert size <= MAX_UNPACKED_BYTES, f"{folder} is {size / 1e6:.1f} MB"


def test_the_bundle_carries_what_loads_at_run_time_and_no_test_tools(bundle: Path) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    modules = set(CArchiveReader(str(bundle)).open_embedded_archive("PYZ.pyz").toc)
    assert "followthrough.cli" in modules
    assert "followthrough.store.migrate" in modules
    # Loaded by name at run time, so only listing them gets them in.
    assert {"desktop_notifier.backends.dbus", "desktop_notifier.resources"} <= modules
    assert (bundle.parent / "_internal" / "desktop_notifier" / "resources" / "python.png").is_file()
    for unwanted in ("pytest", "_pytest", "pytestqt", "hypothesis", "mypy", "alembic.testing"):
        assert unwanted not in modules
    libraries = {path.name for path in bundle.parent.rglob("*.so*")} | {
        path.name for path in bundle.parent.rglob("*.dll")
    }
    for unused in ("Qt6Qml", "Qt6Quick", "Qt6Pdf", "Qt6Sql", "Qt6OpenGL", "gtk-3"):
        assert not any(unused in name for name in libraries), unused
    assert any("Qt6Widgets" in name for name in libraries)
