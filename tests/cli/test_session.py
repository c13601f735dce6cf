"""A whole working session through the installed `followthrough` command."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from tests.cli.conftest import CliRunner


def test_scripted_session_end_to_end(run_installed: CliRunner, data_dir: Path) -> None:
    # Add one lead in each board state, with Unicode names.
    hot = run_installed("add", "Ana Silva", "--company", "Acme", "--email", "ana@acme.com",
                        "--next-step", "Send the pilot plan", "--due", "tomorrow 10:00",
                        "--tag", "saas", "--json")  # fmt: skip
    assert hot.code == 0, hot.err
    ana = hot.json()
    assert ana["state"] == "hot"
    assert ana["next_step"] == "Send the pilot plan"
    assert datetime.fromisoformat(ana["next_step_due"]).utcoffset() is not None
    assert datetime.fromisoformat(ana["next_step_due"]).hour == 10

    warm = run_installed("add", "Émile Zola", "--company", "Les Éditions", "--state", "warm",
                         "--json")  # fmt: skip
    parked = run_installed("add", "李小龙", "--state", "recycle", "--until", "+30d",
                           "--reason", "Budget opens in Q1", "--json")  # fmt: skip
    assert warm.code == parked.code == 0
    assert parked.json()["recycle_reason"] == "Budget opens in Q1"

    # Log a conversation: two unanswered touches, then a reply.
    assert run_installed("log", "ana", "sent", "--at", "-2d", "--note", "Pilot plan").code == 0
    sent = run_installed("log", "ana@acme.com", "proposal_sent", "--json")
    assert sent.json()["lead"]["unanswered"] == 2
    replied = run_installed("log", str(ana["id"]), "replied", "--channel", "email", "--json")
    assert replied.json()["event"]["direction"] == "in"
    assert replied.json()["lead"]["unanswered"] == 0

    # Move, list, search.
    moved = run_installed("move", "émile", "hot", "--json")
    assert moved.json()["state"] == "hot"
    board = run_installed("list", "--json").json()
    assert [lead["name"] for lead in board] == ["Ana Silva", "Émile Zola", "李小龙"]
    assert [
        lead["name"] for lead in run_installed("list", "--search", "ÉDITIONS", "--json").json()
    ] == ["Émile Zola"]
    assert [x["name"] for x in run_installed("list", "--state", "recycle", "--json").json()] == [
        "李小龙"
    ]
    table = run_installed("list")
    assert "Ana Silva" in table.out
    assert "STATE" in table.out

    # Show with the timeline, newest first.
    shown = run_installed("show", "ana", "--json").json()
    assert [e["kind"] for e in shown["timeline"]] == [
        "replied", "proposal_sent", "state_change", "sent",  # the send was back-dated
    ]  # fmt: skip
    text = run_installed("show", "ana").out
    assert "Send the pilot plan" in text
    assert "Pilot plan" in text

    # Edit, then close the loop: won, and delete the parked one.
    edited = run_installed("edit", "ana", "--phone", "+33 1 23 45 67 89", "--json").json()
    assert edited["phone"] == "+33 1 23 45 67 89"
    assert run_installed("move", "ana", "won").code == 0
    assert "Ana Silva" not in run_installed("list").out
    gone = run_installed("delete", "李小龙", "--yes")
    assert gone.code == 0
    assert "Deleted" in gone.out
    everything = run_installed("list", "--state", "all", "--json").json()
    assert sorted(lead["name"] for lead in everything) == ["Ana Silva", "Émile Zola"]

    # Due dates round-trip as local wall-clock times one day ahead.
    due = datetime.fromisoformat(ana["next_step_due"])
    assert due.date() == (datetime.now().astimezone() + timedelta(days=1)).date()


def test_python_dash_m_is_the_same_command(data_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "followthrough", "--data-dir", str(data_dir), "list", "--json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_cli_does_not_import_qt(data_dir: Path) -> None:
    probe = (
        "import sys; from followthrough.cli import main; "
        f"main(['--data-dir', {str(data_dir)!r}, 'list']); "
        "print([m for m in sys.modules if m.startswith('PySide6')])"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_data_dir_comes_from_the_environment_or_the_platform(
    run_installed: CliRunner, tmp_path: Path
) -> None:
    from_env = tmp_path / "from-env"
    assert run_installed("add", "Ana", data=from_env).code == 0
    assert (from_env / "followthrough.sqlite3").exists()
    # The --data-dir flag beats the variable.
    flag_dir = tmp_path / "from-flag"
    assert run_installed("--data-dir", str(flag_dir), "add", "Bob", data=from_env).code == 0
    assert (flag_dir / "followthrough.sqlite3").exists()
    assert run_installed("list", "--json", data=from_env).json()[0]["name"] == "Ana"
    # With neither, the platform's per-user data folder (XDG on Linux).
    assert run_installed("add", "Cleo", data=None).code == 0
    platform_db = tmp_path / "xdg-data" / "Followthrough" / "followthrough.sqlite3"
    assert platform_db.exists()
    assert platform_db.parent.stat().st_mode & 0o777 == 0o700
