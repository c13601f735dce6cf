"""`followthrough mail ...` against a real Dovecot and a real gnome-keyring."""

from __future__ import annotations

import fcntl
import io
import json
import logging
import os
import pty
import select
import subprocess
import termios
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest

from tests.cli.conftest import CliRunner, Result, installed_command
from tests.support.mailserver import MailServer, mail_server, message
from tests.support.secretservice import no_keyring


@pytest.fixture
def set_account(cli: CliRunner, monkeypatch: pytest.MonkeyPatch, server: MailServer) -> CliRunner:
    """`mail set-account` for the test server, the password piped in as one line."""

    def run(*options: str, password: str | None = None) -> Result:
        given = server.password if password is None else password
        monkeypatch.setattr("sys.stdin", io.StringIO(given + "\n"))
        if not any(o.startswith("--port") for o in options):
            options = ("--security", "starttls", "--port", str(server.plain_port), *options)
        return cli(
            "mail", "set-account", "--host", server.host, "--user", server.user,
            "--ca-file", str(server.cafile), *options,
        )  # fmt: skip

    return run


def _set_account_piped(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, server: MailServer, password: str
) -> Result:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return cli(
        "mail", "set-account", "--host", server.host, "--user", server.user,
        "--security", "starttls", "--port", str(server.plain_port),
        "--ca-file", str(server.cafile),
    )  # fmt: skip


def _one_line_failure(result: Result, code: int) -> str:
    assert result.code == code, (result.out, result.err)
    assert result.err.startswith("followthrough: ")
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err
    return result.err


def _files_holding(root: Path, secret: str) -> list[Path]:
    needles = (secret.encode(), secret.encode("utf-16-le"))
    return [
        path
        for path in root.rglob("*")
        if path.is_file() and any(needle in path.read_bytes() for needle in needles)
    ]


def test_set_account_keeps_the_password_in_the_keyring_only(
    set_account: CliRunner, cli: CliRunner, server: MailServer, keyring_home: Path, data_dir: Path
) -> None:
    saved = set_account()
    assert saved.code == 0, saved.err
    key = f"{server.user}@{server.host}:{server.plain_port}"
    assert key in saved.out
    assert keyring.get_password("Followthrough", key) == server.password
    assert server.password not in saved.out + saved.err
    assert _files_holding(data_dir, server.password) == []

    tested = cli("mail", "test")
    assert tested.code == 0, tested.err
    assert "'INBOX' and 'Sent' found" in tested.out


def test_implicit_tls_with_the_servers_own_authority(
    set_account: CliRunner, cli: CliRunner, server: MailServer, keyring_home: Path
) -> None:
    assert set_account("--security", "tls", "--port", str(server.tls_port)).code == 0
    tested = cli("mail", "test", "--json")
    assert tested.code == 0, tested.err
    assert tested.json()["detected"] == {"inbox": "INBOX", "sent": "Sent"}


def test_a_wrong_password_is_said_plainly(
    set_account: CliRunner, cli: CliRunner, keyring_home: Path
) -> None:
    assert set_account(password="not-the-password").code == 0
    err = _one_line_failure(cli("mail", "test"), 5)
    assert "refused the user name or password" in err
    assert "not-the-password" not in err


def test_a_stopped_server_cannot_be_reached(
    set_account: CliRunner, cli: CliRunner, server: MailServer, keyring_home: Path
) -> None:
    assert set_account().code == 0
    server.stop()
    try:
        err = _one_line_failure(cli("mail", "check"), 5)
    finally:
        server.start()
    assert f"cannot reach the mail server {server.host}" in err


def test_implicit_tls_on_the_plain_port_is_a_tls_failure(
    set_account: CliRunner, cli: CliRunner, server: MailServer, keyring_home: Path
) -> None:
    assert set_account("--security", "tls", "--port", str(server.plain_port)).code == 0
    err = _one_line_failure(cli("mail", "test"), 5)
    assert "secure connection" in err


def test_a_missing_folder_is_named(
    set_account: CliRunner, cli: CliRunner, keyring_home: Path
) -> None:
    assert set_account("--sent", "Nope").code == 0
    err = _one_line_failure(cli("mail", "test"), 5)
    assert "no folder named 'Nope'" in err


def test_without_a_keyring_the_feature_is_off_and_nothing_is_saved(
    set_account: CliRunner,
    cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    data_dir: Path,
) -> None:
    password = "no-keyring-Pw-7731"
    with no_keyring(monkeypatch):
        err = _one_line_failure(set_account(password=password), 5)
        assert "no keyring is available" in err
        assert "mail checking stays off" in err
        assert "never kept in plain text" in err
        err = _one_line_failure(cli("mail", "test"), 3)
        assert "no mailbox is set up" in err
        exported = cli("export", "--format", "json", "--output", str(data_dir / "export.json"))
    assert exported.code == 0, exported.err
    assert "mail.account" not in (data_dir / "export.json").read_text()
    # HOME, the data folder and everything else the test could write to: no plain-text copy.
    assert _files_holding(tmp_path, password) == []


def test_a_reply_from_a_lead_is_logged_by_check(
    set_account: CliRunner, cli: CliRunner, server: MailServer, keyring_home: Path
) -> None:
    assert cli("add", "Ana Silva", "--email", "ana@reply-check.example", "--at", "-3d").code == 0
    assert set_account().code == 0
    sent_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    server.append(
        "INBOX",
        message("Ana Silva <ana@reply-check.example>", server.user, "Re: the pilot",
                date=sent_at),
    )  # fmt: skip
    checked = cli("mail", "check", "--json")
    assert checked.code == 0, checked.err
    mine = [e for e in checked.json()["logged"] if e["lead"] == "Ana Silva"]
    assert [(e["kind"], e["subject"], e["folder"]) for e in mine] == [
        ("replied", "Re: the pilot", "INBOX")
    ]
    assert datetime.fromisoformat(mine[0]["at"]) == sent_at

    shown = cli("show", "ana@reply-check.example", "--json").json()
    replies = [e for e in shown["timeline"] if e["kind"] == "replied"]
    assert [(e["direction"], e["channel"], e["note"]) for e in replies] == [
        ("in", "email", "Re: the pilot")
    ]
    assert "Re: the pilot" in cli("show", "ana@reply-check.example").out

    again = cli("mail", "check")
    assert again.code == 0, again.err
    assert "Ana Silva" not in again.out  # read once


def test_forget_removes_the_setting_and_the_keyring_entry(
    set_account: CliRunner, cli: CliRunner, server: MailServer, keyring_home: Path, tmp_path: Path
) -> None:
    assert set_account().code == 0
    key = f"{server.user}@{server.host}:{server.plain_port}"
    before = tmp_path / "before.json"
    assert cli("export", "--format", "json", "--output", str(before)).code == 0
    assert "mail.account" in json.dumps(json.loads(before.read_text())["settings"])
    forgotten = cli("mail", "forget")
    assert forgotten.code == 0, forgotten.err
    assert key in forgotten.out
    assert keyring.get_password("Followthrough", key) is None
    _one_line_failure(cli("mail", "test"), 3)
    target = tmp_path / "after.json"
    assert cli("export", "--format", "json", "--output", str(target)).code == 0
    settings = json.loads(target.read_text())["settings"]
    assert "mail.account" not in json.dumps(settings)
    assert "nothing to forget" in cli("mail", "forget").out


def test_the_password_is_never_an_argument_nor_empty(
    set_account: CliRunner, cli: CliRunner, server: MailServer, keyring_home: Path
) -> None:
    refused = cli("mail", "set-account", "--host", server.host, "--user", server.user,
                  "--password", "x")  # fmt: skip
    assert refused.code == 2
    _one_line_failure(set_account(password=""), 2)
    _one_line_failure(cli("mail", "test"), 3)  # nothing was saved


DISTINCT_PASSWORD = "Zx9-distinct!Pw_4471"


@pytest.fixture
def distinct_server() -> Iterator[MailServer]:
    """A server whose password is set before it starts: Dovecot rereads its password file
    at most once a second, so a change made while it runs is not always seen at once."""
    with mail_server(DISTINCT_PASSWORD) as running:
        yield running


def test_the_password_is_in_no_file_no_output_and_no_log_record(
    cli: CliRunner,
    distinct_server: MailServer,
    keyring_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    data_dir: Path,
) -> None:
    server, password = distinct_server, DISTINCT_PASSWORD
    caplog.set_level(logging.DEBUG)  # every logger, every level
    (data_dir / "exports").mkdir(parents=True)
    when = datetime.now(UTC) - timedelta(hours=1)
    outputs = [
        cli("add", "Bo Lind", "--email", "bo@password-test.example", "--at", "-2d"),
        _set_account_piped(cli, monkeypatch, server, password),
        cli("mail", "test"),
    ]
    server.append("INBOX", message("bo@password-test.example", server.user, "Re: terms",
                                   date=when))  # fmt: skip
    server.append("Sent", message(server.user, "bo@password-test.example", "Terms",
                                  date=when - timedelta(hours=1)))  # fmt: skip
    outputs += [
        cli("mail", "check", "--json"),
        cli("mail", "check"),
        cli("show", "Bo Lind"),
        cli("export", "--format", "json", "--output", str(data_dir / "exports" / "all.json")),
        cli("export", "--format", "csv", "--output", str(data_dir / "exports" / "leads.csv")),
        cli("backup"),
        cli("doctor"),
    ]
    assert [r.code for r in outputs] == [0] * len(outputs), [r.err for r in outputs]
    logged = json.loads(outputs[3].out)["logged"]
    assert sorted(e["kind"] for e in logged if e["lead"] == "Bo Lind") == ["replied", "sent"]
    assert keyring.get_password("Followthrough", f"{server.user}@{server.host}:"
                                f"{server.plain_port}") == password  # fmt: skip

    # The files: database (and its -wal when left), backups, exports, HOME and the rest.
    written = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any("backups" in p.parts for p in written)
    assert (data_dir / "exports" / "all.json").exists()
    assert _files_holding(tmp_path, password) == []
    # What was printed and what was logged, at every level.
    assert all(password not in r.out + r.err for r in outputs)
    assert caplog.records, "nothing was logged: the log check would prove nothing"
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    assert [r for r in caplog.records if password in formatter.format(r)] == []


def _read_until(fd: int, wanted: bytes, deadline: float) -> bytes:
    """What the terminal shows until `wanted` appears (or the program ends)."""
    seen = b""
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the program closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    return seen


def test_at_a_terminal_the_password_is_asked_for_without_echo(
    server: MailServer, keyring_home: Path, data_dir: Path
) -> None:
    def own_terminal() -> None:  # the pseudo-terminal becomes the program's /dev/tty
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    master, child_side = pty.openpty()
    command = [
        *installed_command(), "--data-dir", str(data_dir), "mail", "set-account",
        "--host", server.host, "--user", server.user, "--security", "starttls",
        "--port", str(server.plain_port), "--ca-file", str(server.cafile),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdin=child_side, stdout=child_side, stderr=child_side,
        start_new_session=True, preexec_fn=own_terminal,
    )  # fmt: skip
    os.close(child_side)
    try:
        deadline = time.monotonic() + 30
        prompt = _read_until(master, b": ", deadline)
        assert f"Password for {server.user}@{server.host}: ".encode() in prompt
        os.write(master, server.password.encode() + b"\n")
        rest = _read_until(master, b"mail test", deadline)
        assert process.wait(timeout=30) == 0, rest
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert server.password.encode() not in prompt + rest  # not echoed
    key = f"{server.user}@{server.host}:{server.plain_port}"
    assert keyring.get_password("Followthrough", key) == server.password
