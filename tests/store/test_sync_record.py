"""The store's sync recording (store/sync_schema.py, migration 0011): a database at 0010
upgrades with every row kept; with sync off the triggers write nothing; on, every write is
one op in the writer's transaction, and the clock the triggers tick is the domain's."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command

from followthrough.domain.hlc import Clock, parse_hlc, tick
from followthrough.paths import prepare_data_dir
from followthrough.store.db import Database, create_sqlite_engine
from followthrough.store.migrate import SCHEMA_HEAD, alembic_config
from followthrough.store.sync_schema import SYNCED_TABLES, drop_triggers, trigger_name
from tests.conftest import NOW
from tests.support.snapshot import file_rows

SYNC_TABLES = ("sync_state", "sync_ids", "sync_op", "sync_clock", "sync_peer", "sync_parked")
TIME = "2026-11-23 10:00:00.000000"


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _add_lead(conn: sqlite3.Connection, name: str) -> int:
    cur = conn.execute(
        "INSERT INTO lead (name, tags, state, state_since, created_at, updated_at) "
        "VALUES (?, '[]', 'hot', ?, ?, ?)",
        (name, TIME, TIME, TIME),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def _add_event(conn: sqlite3.Connection, lead_id: int, text: str = "hello") -> int:
    cur = conn.execute(
        "INSERT INTO event (lead_id, at, kind, direction, text, payload, created_at) "
        "VALUES (?, ?, 'note', 'none', ?, '{}', ?)",
        (lead_id, TIME, text, TIME),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def _enable(conn: sqlite3.Connection, device: str = "aaaaaaaaaaaaaaaa") -> None:
    conn.execute("UPDATE sync_state SET enabled = 1, device = ? WHERE id = 1", (device,))


def _ops(conn: sqlite3.Connection) -> list[tuple[str, str, str, list[str] | None]]:
    rows = conn.execute("SELECT tbl, gid, kind, changed FROM sync_op ORDER BY seq").fetchall()
    return [(t, g, k, None if c is None else json.loads(c)) for t, g, k, c in rows]


@pytest.fixture
def conn(db: Database) -> Iterator[sqlite3.Connection]:
    with closing(_connect(db.path)) as c:
        yield c


def test_a_database_at_0010_upgrades_keeping_its_rows_with_sync_off(tmp_path: Path) -> None:
    paths = prepare_data_dir(tmp_path / "old")
    engine = create_sqlite_engine(paths.database)
    with engine.begin() as sa_conn:
        config = alembic_config()
        config.attributes["connection"] = sa_conn
        command.upgrade(config, "0010")
    engine.dispose()
    with closing(_connect(paths.database)) as c:
        _add_event(c, _add_lead(c, "Ana Silva"))
    before = file_rows(paths.database)
    assert not set(SYNC_TABLES) & set(before)

    Database.open(paths, NOW).close()

    after = file_rows(paths.database)
    for table, rows in before.items():
        if table != "alembic_version":
            assert after[table] == rows, table
    assert after["alembic_version"] == [(SCHEMA_HEAD,)]
    # Off, with no device yet, and nothing recorded.
    assert after["sync_state"] == [(1, None, None, 0, 0, 0, 0, 0, 0)]
    assert all(after[t] == [] for t in SYNC_TABLES if t != "sync_state")
    with closing(_connect(paths.database)) as c:
        names = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    expected = {
        trigger_name(t.name, k) for t in SYNCED_TABLES for k in ("insert", "update", "delete")
    }
    assert expected <= names
    assert len(list(paths.backups.glob("pre-migration-0010-*.sqlite3"))) == 1


def test_with_sync_off_writes_record_nothing(conn: sqlite3.Connection) -> None:
    lead = _add_lead(conn, "Ana")
    _add_event(conn, lead)
    conn.execute("UPDATE lead SET name = 'Ana Silva' WHERE id = ?", (lead,))
    conn.execute("DELETE FROM lead WHERE id = ?", (lead,))
    for table in ("sync_op", "sync_ids", "sync_clock"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    assert conn.execute("SELECT wall, counter, seq FROM sync_state").fetchone() == (0, 0, 0)


def test_each_write_is_one_op_with_gids_for_rows_and_their_lead(conn: sqlite3.Connection) -> None:
    _enable(conn)
    lead = _add_lead(conn, "Ana")
    _add_event(conn, lead)
    conn.execute("UPDATE lead SET name = 'Ana Silva', company = 'Acme' WHERE id = ?", (lead,))
    dev = "aaaaaaaaaaaaaaaa"
    assert _ops(conn) == [
        ("lead", f"{dev}.1", "insert", None),
        ("event", f"{dev}.2", "insert", None),
        ("lead", f"{dev}.1", "update", ["name", "company"]),
    ]
    row = json.loads(conn.execute("SELECT row FROM sync_op WHERE seq = 2").fetchone()[0])
    assert row["lead_id"] == f"{dev}.1"  # a foreign key travels as its parent's gid
    assert row["text"] == "hello"
    assert "lead_state" not in row  # derived, recomputed by the receiver
    # The seqs run from 1 without gaps; the stamps increase.
    seqs_hlcs = conn.execute("SELECT seq, hlc FROM sync_op ORDER BY seq").fetchall()
    assert [s for s, _ in seqs_hlcs] == [1, 2, 3]
    assert [h for _, h in seqs_hlcs] == sorted({h for _, h in seqs_hlcs})
    clocks = dict(
        conn.execute(
            "SELECT field, hlc FROM sync_clock WHERE tbl = 'lead' AND gid = ?", (f"{dev}.1",)
        ).fetchall()
    )
    assert clocks["name"] == clocks["company"] == seqs_hlcs[2][1]
    assert clocks["state"] == seqs_hlcs[0][1]


def test_an_update_of_derived_columns_only_records_nothing(conn: sqlite3.Connection) -> None:
    _enable(conn)
    lead = _add_lead(conn, "Ana")
    before = conn.execute("SELECT seq, wall, counter FROM sync_state").fetchone()
    conn.execute(
        "UPDATE lead SET next_check_at = ?, unanswered = 3, updated_at = ?, "
        "search_key = 'ana', name = 'Ana' WHERE id = ?",
        (TIME, "2026-11-24 10:00:00.000000", lead),
    )
    assert conn.execute("SELECT seq, wall, counter FROM sync_state").fetchone() == before
    assert [k for _, _, k, _ in _ops(conn)] == ["insert"]


def test_a_rolled_back_write_records_nothing(conn: sqlite3.Connection) -> None:
    _enable(conn)
    conn.execute("BEGIN IMMEDIATE")
    _add_event(conn, _add_lead(conn, "Ana"))
    assert len(_ops(conn)) == 2
    conn.execute("ROLLBACK")
    assert _ops(conn) == []
    assert conn.execute("SELECT count(*) FROM sync_ids").fetchone() == (0,)
    assert conn.execute("SELECT seq FROM sync_state").fetchone() == (0,)


def test_the_applier_flag_silences_the_triggers(conn: sqlite3.Connection) -> None:
    _enable(conn)
    conn.execute("UPDATE sync_state SET applying = 1")
    _add_lead(conn, "From the other machine")
    assert _ops(conn) == []


def test_a_lead_deleted_is_one_op_and_its_rows_are_kept_aside(conn: sqlite3.Connection) -> None:
    _add_lead(conn, "Ana")
    _enable(conn)
    lead = _add_lead(conn, "Bo")
    events = [_add_event(conn, lead, f"e{i}") for i in range(2)]
    conn.execute(
        "INSERT INTO alert (lead_id, rule, kind, reason, episode, status, raised_at) "
        "VALUES (?, 'silence', 'silence', 'quiet', 'ep1', 'open', ?)",
        (lead, TIME),
    )
    dev = "aaaaaaaaaaaaaaaa"
    lead_gid = f"{dev}.1"
    conn.execute("DELETE FROM sync_op")
    conn.execute("DELETE FROM event WHERE id = ?", (events[0],))  # one of its own
    conn.execute("DELETE FROM lead WHERE id = ?", (lead,))
    # The event deleted by itself is a delete; the rest went with the lead, whose delete
    # speaks for them (SQLite's cascade ran their triggers once the lead's row was gone).
    assert _ops(conn) == [
        ("event", f"{dev}.2", "delete", None),
        ("lead", lead_gid, "delete", None),
    ]
    parked = conn.execute("SELECT tbl, gid, lead FROM sync_parked ORDER BY tbl, gid").fetchall()
    assert parked == [
        ("alert", f"{lead_gid}|silence|ep1", lead_gid),
        ("event", f"{dev}.2", lead_gid),
        ("event", f"{dev}.3", lead_gid),
        ("lead", lead_gid, None),
    ]
    assert (
        json.loads(
            conn.execute("SELECT row FROM sync_parked WHERE gid = ?", (f"{dev}.3",)).fetchone()[0]
        )["text"]
        == "e1"
    )
    live = conn.execute(
        "SELECT count(*) FROM sync_ids WHERE local_id IS NOT NULL AND tbl != 'lead'"
    )
    assert live.fetchone() == (0,)
    deletes = conn.execute(
        "SELECT gid FROM sync_clock WHERE field = '~deleted' ORDER BY gid"
    ).fetchall()
    assert deletes == [(lead_gid,), (f"{dev}.2",)]


def test_a_reused_id_is_a_new_row_not_the_deleted_one(conn: sqlite3.Connection) -> None:
    _enable(conn)
    lead = _add_lead(conn, "Ana")
    conn.execute("DELETE FROM lead WHERE id = ?", (lead,))
    again = conn.execute(
        "INSERT INTO lead (name, tags, state, state_since, created_at, updated_at) "
        "VALUES ('Bo', '[]', 'hot', ?, '2026-11-24 08:00:00.000000', ?)",
        (TIME, TIME),
    ).lastrowid
    assert again == lead  # SQLite hands out the same id
    dev = "aaaaaaaaaaaaaaaa"
    # Named by the operation that made it: another machine never takes Bo for Ana back.
    assert conn.execute("SELECT gid, local_id FROM sync_ids ORDER BY gid").fetchall() == [
        (f"{dev}.1", None),
        (f"{dev}.3", lead),
    ]


def test_a_row_put_back_as_it_was_takes_its_name_back(conn: sqlite3.Connection) -> None:
    _enable(conn)
    lead = _add_lead(conn, "Ana")
    event = _add_event(conn, lead)
    conn.execute("DELETE FROM lead WHERE id = ?", (lead,))
    # An undo of the delete: the same ids, the same moments of creation.
    assert _add_lead(conn, "Ana") == lead
    assert _add_event(conn, lead) == event
    dev = "aaaaaaaaaaaaaaaa"
    assert conn.execute("SELECT gid, local_id FROM sync_ids ORDER BY gid").fetchall() == [
        (f"{dev}.1", lead),
        (f"{dev}.2", event),
    ]
    assert conn.execute("SELECT count(*) FROM sync_parked").fetchone() == (0,)
    assert [(t, g, k) for t, g, k, _ in _ops(conn)][-2:] == [
        ("lead", f"{dev}.1", "insert"),
        ("event", f"{dev}.2", "insert"),
    ]


def test_only_the_settings_that_follow_the_person_are_recorded(conn: sqlite3.Connection) -> None:
    _enable(conn)
    for key in ("policy", "mail.watch", "mail.account", "preferences", "calendar"):
        conn.execute(
            "INSERT INTO setting (key, value, updated_at) VALUES (?, '{}', ?)", (key, TIME)
        )
    conn.execute("UPDATE setting SET value = '{\"a\": 1}'")
    conn.execute("DELETE FROM setting")
    assert [(g, k) for _, g, k, _ in _ops(conn)] == [
        ("policy", "insert"),
        ("preferences", "insert"),
        ("policy", "update"),
        ("preferences", "update"),
        ("policy", "delete"),
        ("preferences", "delete"),
    ]
    assert conn.execute("SELECT tbl, gid, local_id FROM sync_ids ORDER BY gid").fetchall() == [
        ("setting", "policy", None),
        ("setting", "preferences", None),
    ]


def test_the_triggers_tick_the_clock_as_the_domain_does(conn: sqlite3.Connection) -> None:
    _enable(conn)
    # A clock far ahead (a stamp received from a machine hours fast): the counter counts.
    far = 4_000_000_000_000
    conn.execute("UPDATE sync_state SET wall = ?, counter = 7", (far,))
    _add_lead(conn, "Ana")
    assert parse_hlc(conn.execute("SELECT hlc FROM sync_op").fetchone()[0]).clock == tick(
        Clock(far, 7), 0
    )
    # A full counter carries into the next millisecond, keeping the text order.
    conn.execute("UPDATE sync_state SET counter = 99999")
    _add_lead(conn, "Bo")
    last = conn.execute("SELECT hlc FROM sync_op ORDER BY seq DESC").fetchone()[0]
    assert parse_hlc(last).clock == Clock(far + 1, 0) == tick(Clock(far, 99999), 0)
    # A skewed clock (tests of clocks hours apart set it): the wall follows it.
    conn.execute("UPDATE sync_state SET wall = 0, counter = 0, skew_ms = ?", (3 * 3_600_000,))
    _add_lead(conn, "Cy")
    last = conn.execute("SELECT hlc FROM sync_op ORDER BY seq DESC").fetchone()[0]
    now_ms = conn.execute(
        "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
    ).fetchone()[0]
    assert -1000 <= parse_hlc(last).wall - (now_ms + 3 * 3_600_000) <= 0


def test_a_synced_database_at_0011_keeps_its_deletes_and_records_the_new_way(
    tmp_path: Path,
) -> None:
    paths = prepare_data_dir(tmp_path / "old")
    engine = create_sqlite_engine(paths.database)
    with engine.begin() as sa_conn:
        config = alembic_config()
        config.attributes["connection"] = sa_conn
        command.upgrade(config, "0011")
    engine.dispose()
    dev = "aaaaaaaaaaaaaaaa"
    deleted_at = "001796400000000-00000-" + dev
    with closing(_connect(paths.database)) as c:
        # As 0011 left a synced database: rows named "device:id", a deleted lead a tombstone.
        drop_triggers(c)
        _enable(c, dev)
        kept = _add_lead(c, "Bo Chen")
        event = _add_event(c, kept)
        c.executemany(
            "INSERT INTO sync_ids (tbl, gid, local_id, deleted) VALUES (?, ?, ?, ?)",
            [("lead", f"{dev}:{kept}", kept, None), ("event", f"{dev}:{event}", event, None),
             ("lead", f"{dev}:9", None, deleted_at)],
        )  # fmt: skip
        gone = 9
    Database.open(paths, NOW).close()

    with closing(_connect(paths.database)) as c:
        # The delete's stamp now stands with the row's field stamps, where the merge reads it.
        assert c.execute(
            "SELECT hlc FROM sync_clock WHERE tbl = 'lead' AND gid = ? AND field = '~deleted'",
            (f"{dev}:{gone}",),
        ).fetchone() == (deleted_at,)
        seq = c.execute("SELECT seq FROM sync_state").fetchone()[0]
        c.execute("DELETE FROM lead WHERE id = ?", (kept,))
        # One delete for the lead; its event kept aside with it.
        assert [(t, k) for t, _, k, _ in _ops(c)][seq:] == [("lead", "delete")]
        assert c.execute("SELECT tbl, gid FROM sync_parked ORDER BY tbl").fetchall() == [
            ("event", f"{dev}:{event}"),
            ("lead", f"{dev}:{kept}"),
        ]
        new = c.execute(
            "INSERT INTO lead (name, tags, state, state_since, created_at, updated_at) "
            "VALUES ('Cleo Park', '[]', 'hot', ?, '2026-11-24 08:00:00.000000', ?)",
            (TIME, TIME),
        ).lastrowid
        assert c.execute("SELECT gid FROM sync_ids WHERE local_id = ? AND tbl = 'lead'",
                         (new,)).fetchone() == (f"{dev}.{seq + 2}",)  # fmt: skip
