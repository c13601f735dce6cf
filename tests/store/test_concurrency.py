"""The app and the CLI write to the same file at once: no write may fail or be lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from followthrough.domain.states import ALL_STATES
from followthrough.paths import prepare_data_dir
from followthrough.services.lead_queries import list_leads
from followthrough.store.db import Database
from tests.conftest import NOW

WRITER = """
import sys
from pathlib import Path
from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.paths import prepare_data_dir
from followthrough.services import leads
from followthrough.store.db import Database
from datetime import UTC, datetime

db = Database.open(prepare_data_dir(Path(sys.argv[1])))
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()  # all writers start together
for n in range(25):
    now = datetime.now(UTC)
    lead = leads.add_lead(db, NewLead.create(name=f"{sys.argv[2]} {n}", now=now), now)
    leads.log_event(db, lead.id, SignalKind.SENT, now=now)
db.close()
"""


def test_parallel_writers_all_land(tmp_path: Path) -> None:
    data = tmp_path / "shared"
    Database.open(prepare_data_dir(data), NOW).close()  # migrate once, up front
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data), f"writer{i}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    for writer in writers:
        assert writer.stdout is not None
        assert writer.stdout.readline() == "ready\n"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err

    db = Database.open(prepare_data_dir(data), NOW)
    try:
        everyone = list_leads(db, ALL_STATES)
    finally:
        db.close()
    assert len(everyone) == 100
    assert {lead.unanswered for lead in everyone} == {1}
