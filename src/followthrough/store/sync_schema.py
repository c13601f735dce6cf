"""What sync records, declared once, and the SQLite triggers that record it (issue 18).

Recording happens in the store, by triggers: the services write through the ORM, Core
statements, executemany bulk paths and the raw driver, and a trigger catches every one of
them in the writer's own transaction (a rolled-back write records nothing) without touching
any write path. Each AFTER INSERT/UPDATE/DELETE trigger on a synced table, when sync is
enabled and the applier is not writing, ticks the device's hybrid logical clock
(domain/hlc.py, the same arithmetic in SQL), keeps the row's global id in `sync_ids`, writes
one `sync_op` and stamps the written fields in `sync_clock`.

Only the columns a person's action sets are synced; derived ones (next_check_at, counters,
search keys, the facts kept from the timeline) are recomputed by the receiver. An update that
changes none of the synced columns records nothing at all: its trigger does not even fire.

Disabled (the default), each trigger costs one primary-key read of `sync_state` per row.

The triggers are generated from the live table's columns (`install_triggers`), so a later
migration that adds a synced column declares it here and calls `install_triggers` again.
"""

# Every statement here is built from the names in SYNCED_TABLES and constants, never from
# data: values reach SQL only as parameters or as the trigger's own NEW/OLD columns.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from followthrough.domain.hlc import COUNTER_MAX
from followthrough.domain.syncmerge import DELETED_FIELD, LEAD_COLUMN
from followthrough.store.setting_keys import POLICY_KEY

# How a row's global id (gid) is made:
#   own       device ":" local id, given by the device that inserted it (lead, event);
#   key       a text column's own value, unique everywhere (template.slug, setting.key…);
#   composite the parent lead's gid, then "|" and the parts (alert: rule, episode), so two
#             devices that make "the same" row (the same alert) make one gid.
GidRule = Literal["own", "key", "composite"]

# Setting rows that follow the person, not the machine: the method's numbers, the follow-up
# preferences, retired templates and the mail rules. Never the mail or calendar accounts, the
# mail watch's folder positions, backups, window state or the sample flag.
SYNCED_SETTING_KEYS = (POLICY_KEY, "preferences", "retired_templates", "signals.rules")


@dataclass(frozen=True)
class SyncedTable:
    name: str
    columns: tuple[str, ...]  # the synced columns, as exchanged in an op's row
    gid: GidRule
    key: str | None = None  # the text column that is the gid ("key" rule)
    parts: tuple[str, ...] = ()  # after the lead's gid ("composite" rule)
    parents: dict[str, str] = field(default_factory=dict)  # FK column -> parent table
    only_keys: tuple[str, ...] = ()  # rows with another key are not synced (setting)

    @property
    def has_int_id(self) -> bool:
        """Rows with an integer id are mapped to their gid in `sync_ids`."""
        return self.gid != "key" or self.name == "template"


_LEAD_FK = {"lead_id": "lead"}

# Parents first: the order a snapshot is written and read in.
SYNCED_TABLES: tuple[SyncedTable, ...] = (
    SyncedTable(
        "lead",
        (
            "name", "company", "email", "phone", "title", "source", "channel", "value_minor",
            "currency", "tags", "state", "state_since", "decision", "next_step",
            "next_step_due", "recycle_until", "recycle_reason", "reason_category",
            "auto_signals", "created_at",
        ),
        "own",
    ),
    SyncedTable(
        "event",
        ("lead_id", "at", "kind", "direction", "channel", "text", "payload", "created_at"),
        "own",
        parents=_LEAD_FK,
    ),
    SyncedTable(
        "alert",
        (
            "lead_id", "rule", "kind", "reason", "episode", "intent", "template_slug",
            "status", "snoozed_until", "snoozes", "raised_at", "due_at", "notified_at",
            "resolved_at", "outcome", "outcome_at", "raised_state", "raised_stage_signal",
            "raised_unanswered", "raised_decision",
        ),
        "composite",
        parts=("rule", "episode"),
        parents=_LEAD_FK,
    ),
    SyncedTable(
        "template",
        (
            "slug", "title", "intent", "decision", "states", "triggers", "channel", "subject",
            "body", "builtin", "created_at", "updated_at",
        ),
        "key",
        key="slug",
    ),
    SyncedTable(
        "setting", ("key", "value", "updated_at"), "key", key="key",
        only_keys=SYNCED_SETTING_KEYS,
    ),
    SyncedTable(
        "meeting",
        (
            "lead_id", "key", "title", "start", "end", "cancelled", "sets_next_step",
            "asked_at", "answer", "answered_at", "created_at", "updated_at",
        ),
        "composite",
        parts=("key",),
        parents=_LEAD_FK,
    ),
    SyncedTable(
        "match_skip", ("lead_id", "match", "created_at"), "composite", parts=("match",),
        parents=_LEAD_FK,
    ),
    SyncedTable("mail_seen", ("key", "folder", "seen_at"), "key", key="key"),
)  # fmt: skip

BY_NAME = {t.name: t for t in SYNCED_TABLES}
TRIGGER_KINDS = ("insert", "update", "delete", "cascade")

# The physical clock in SQL, in Unix milliseconds, plus the device's configured skew.
# `julianday('now')` is fixed for one statement step, so each use in a step agrees.
_PHYS = "(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + skew_ms)"
# domain/hlc.tick, in SQL: every right-hand side sees the old values.
TICK_SQL = (
    "UPDATE sync_state SET "
    f"wall = CASE WHEN {_PHYS} > wall THEN {_PHYS} "
    f"WHEN counter >= {COUNTER_MAX} THEN wall + 1 ELSE wall END, "
    f"counter = CASE WHEN {_PHYS} > wall THEN 0 WHEN counter >= {COUNTER_MAX} THEN 0 "
    "ELSE counter + 1 END, seq = seq + 1 WHERE id = 1;"
)
HLC_SQL = "printf('%015d-%05d-%s', wall, counter, device)"
_RECORDING = "(SELECT enabled AND NOT applying FROM sync_state WHERE id = 1)"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name + '"'


# For store/sync_fill.py, which builds statements the same way.
quote_text = _q
quoted_name = _ident


def _lead_gid(row: str) -> str:
    return f"(SELECT gid FROM sync_ids WHERE tbl = 'lead' AND local_id = {row}.lead_id)"


def _value(table: SyncedTable, column: str, row: str) -> str:
    """A column as exchanged: a foreign key as its parent's gid, anything else as stored."""
    parent = table.parents.get(column)
    if parent is not None:
        return f"(SELECT gid FROM sync_ids WHERE tbl = {_q(parent)} AND local_id = {row}.{column})"
    return f"{row}.{_ident(column)}"


def new_gid_sql(table: SyncedTable, row: str = "NEW", *, fresh: bool = True) -> str:
    """The gid of a row being inserted (by a trigger, or by enable_sync for existing rows).

    A row with an id of its own (lead, event) is named by the device and the number of the
    operation that made it (`fresh`): never the same twice, though SQLite gives a deleted
    row's id to the next row when it was the largest. Were the name the id, a lead added
    after the last one was deleted would inherit the deleted one's name, and another device
    would take it for the deleted lead coming back, with that lead's timeline. A row put
    back as it was (undo of a delete: the same id and the same moment of creation as the
    row kept aside) takes its name back: the other devices see it come back, not a copy.
    Rows that were there before sync was first turned on are named by their id (`fresh`
    False), a form new rows never take.
    """
    if table.gid == "key":
        assert table.key is not None
        return f"{row}.{_ident(table.key)}"
    if table.gid == "composite":
        joined = " || '|' || ".join(f"{row}.{_ident(p)}" for p in table.parts)
        return f"{_lead_gid(row)} || '|' || {joined}"
    if fresh:
        put_back = (
            "(SELECT i.gid FROM sync_ids AS i JOIN sync_parked AS p ON p.tbl = i.tbl "
            f"AND p.gid = i.gid WHERE i.tbl = {_q(table.name)} AND i.last_local = {row}.id "
            f"AND i.local_id IS NULL AND json_extract(p.row, '$.created_at') IS {row}.created_at)"
        )
        return f"coalesce({put_back}, (SELECT device || '.' || seq FROM sync_state WHERE id = 1))"
    return f"(SELECT device FROM sync_state WHERE id = 1) || ':' || {row}.id"


def gid_of_row_sql(table: SyncedTable, row: str) -> str:
    # A template renamed keeps the gid it was made with (its first slug): the row's id
    # finds it; the op's row carries the new slug.
    if not table.has_int_id and table.key is not None:
        return f"{row}.{_ident(table.key)}"
    return f"(SELECT gid FROM sync_ids WHERE tbl = {_q(table.name)} AND local_id = {row}.id)"


def row_json_sql(table: SyncedTable, columns: Iterable[str], row: str) -> str:
    pairs = ", ".join(f"{_q(c)}, {_value(table, c, row)}" for c in columns)
    return f"json_object({pairs})"


def _op_sql(table: SyncedTable, kind: str, gid: str, row_json: str, changed: str) -> str:
    return (
        "INSERT INTO sync_op (seq, hlc, tbl, gid, kind, row, changed) "
        f"SELECT seq, {HLC_SQL}, {_q(table.name)}, {gid}, {_q(kind)}, {row_json}, {changed} "
        "FROM sync_state WHERE id = 1;"
    )


def _clock_sql(table: SyncedTable, fields: str) -> str:
    """Stamp the fields listed in the JSON array `fields` with the op just written."""
    return (
        "INSERT INTO sync_clock (tbl, gid, field, hlc) "
        f"SELECT {_q(table.name)}, op.gid, f.value, op.hlc FROM sync_op AS op, "
        f"json_each({fields}) AS f "
        "WHERE op.seq = (SELECT seq FROM sync_state WHERE id = 1) "
        "ON CONFLICT (tbl, gid, field) DO UPDATE SET hlc = excluded.hlc;"
    )


def _when(table: SyncedTable, row: str, extra: str = "") -> str:
    cond = _RECORDING
    if table.only_keys:
        keys = ", ".join(_q(k) for k in table.only_keys)
        cond += f" AND {row}.{_ident(table.key or 'key')} IN ({keys})"
    return cond + extra


def _insert_trigger(table: SyncedTable, columns: tuple[str, ...]) -> str:
    name = _q(table.name)
    body = [TICK_SQL]
    if table.has_int_id:
        # A stale mapping of this id (its row deleted while sync was off) is dropped first.
        body.append(f"DELETE FROM sync_ids WHERE tbl = {name} AND local_id = NEW.id;")
        body.append(
            f"INSERT INTO sync_ids (tbl, local_id, gid) VALUES ({name}, NEW.id, "
            f"{new_gid_sql(table)}) ON CONFLICT (tbl, gid) DO UPDATE SET "
            "local_id = excluded.local_id, deleted = NULL;"
        )
    else:
        body.append(f"DELETE FROM sync_ids WHERE tbl = {name} AND gid = {new_gid_sql(table)};")
    body.append(
        _op_sql(table, "insert", gid_of_row_sql(table, "NEW"), row_json_sql(table, columns, "NEW"),
                "NULL")
    )  # fmt: skip
    # Made again here (an alert raised again in the same episode, a template's slug reused):
    # the copy kept of it while it was gone is no longer the row.
    body.append(
        f"DELETE FROM sync_parked WHERE tbl = {name} AND gid = {gid_of_row_sql(table, 'NEW')};"
    )
    all_fields = "'[" + ",".join(f'"{c}"' for c in columns) + "]'"
    body.append(_clock_sql(table, all_fields))
    return _trigger(table, "insert", _when(table, "NEW"), body)


def _update_trigger(table: SyncedTable, columns: tuple[str, ...]) -> str:
    diffs = [f"OLD.{_ident(c)} IS NOT NEW.{_ident(c)}" for c in columns]
    changed = (
        "(SELECT json_group_array(column1) FROM (VALUES "
        + ", ".join(f"({_q(c)}, {d})" for c, d in zip(columns, diffs, strict=True))
        + ") WHERE column2)"
    )
    body = [
        TICK_SQL,
        _op_sql(table, "update", gid_of_row_sql(table, "NEW"), row_json_sql(table, columns, "NEW"),
                changed),
        _clock_sql(
            table, "(SELECT changed FROM sync_op WHERE seq = "
            "(SELECT seq FROM sync_state WHERE id = 1))"
        ),
    ]  # fmt: skip
    when = _when(table, "NEW", " AND (" + " OR ".join(diffs) + ")")
    return _trigger(table, "update", when, body)


def _park_sql(table: SyncedTable, columns: tuple[str, ...], gid: str) -> str:
    """Keep a deleted row's last values: a change made after its delete on a device that
    had not heard of it brings it back, with them (services/sync/apply_rows.py)."""
    lead = _lead_gid("OLD") if LEAD_COLUMN in table.parents else "NULL"
    return (
        f"INSERT INTO sync_parked (tbl, gid, lead, row) VALUES ({_q(table.name)}, {gid}, "
        f"{lead}, {row_json_sql(table, columns, 'OLD')}) ON CONFLICT (tbl, gid) DO UPDATE SET "
        "lead = excluded.lead, row = excluded.row;"
    )


def _delete_trigger(table: SyncedTable, columns: tuple[str, ...]) -> str:
    name = _q(table.name)
    gid = gid_of_row_sql(table, "OLD")
    body = [TICK_SQL, _op_sql(table, "delete", gid, row_json_sql(table, columns, "OLD"), "NULL")]
    hlc = f"(SELECT {HLC_SQL} FROM sync_state WHERE id = 1)"
    if table.has_int_id:
        body.append(_park_sql(table, columns, gid))
        body.append(
            f"INSERT INTO sync_clock (tbl, gid, field, hlc) SELECT {name}, {gid}, "
            f"{_q(DELETED_FIELD)}, {hlc} WHERE true ON CONFLICT (tbl, gid, field) "
            "DO UPDATE SET hlc = excluded.hlc;"
        )
        # Not a live row any more: the gid stays, with no local row (and the id it had, to
        # know it again if it is put back).
        body.append(
            f"UPDATE sync_ids SET deleted = {hlc}, local_id = NULL, last_local = OLD.id "
            f"WHERE tbl = {name} AND local_id = OLD.id;"
        )
    else:
        body.append(
            f"INSERT INTO sync_ids (tbl, local_id, gid, deleted) VALUES ({name}, NULL, {gid}, "
            f"{hlc}) ON CONFLICT (tbl, gid) DO UPDATE SET deleted = excluded.deleted, "
            "local_id = NULL;"
        )
    extra = ""
    if LEAD_COLUMN in table.parents:
        extra = f" AND EXISTS (SELECT 1 FROM lead WHERE id = OLD.{LEAD_COLUMN})"
    return _trigger(table, "delete", _when(table, "OLD", extra), body)


def _cascade_trigger(table: SyncedTable, columns: tuple[str, ...]) -> str:
    """A lead's event, alert, meeting… deleted with the lead (SQLite's cascade runs these
    once the lead's row is gone, before the lead's own trigger): not a delete of its own,
    so no operation; the lead's delete speaks for it. Kept, should the lead come back."""
    gid = gid_of_row_sql(table, "OLD")
    body = [
        _park_sql(table, columns, gid),
        f"UPDATE sync_ids SET local_id = NULL, last_local = OLD.id "
        f"WHERE tbl = {_q(table.name)} AND local_id = OLD.id;",
    ]
    extra = f" AND NOT EXISTS (SELECT 1 FROM lead WHERE id = OLD.{LEAD_COLUMN})"
    return _trigger(table, "cascade", _when(table, "OLD", extra), body)


def trigger_name(table: str, kind: str) -> str:
    return f"sync_{table}_{kind}"


def _trigger(table: SyncedTable, kind: str, when: str, body: list[str]) -> str:
    event = "DELETE" if kind == "cascade" else kind.upper()
    return (
        f"CREATE TRIGGER {trigger_name(table.name, kind)} AFTER {event} "
        f"ON {_ident(table.name)} WHEN {when}\nBEGIN\n  " + "\n  ".join(body) + "\nEND"
    )


def trigger_sql(table: SyncedTable, present: Iterable[str]) -> list[str]:
    """The CREATE TRIGGER statements of `table`, over the synced columns it has."""
    have = set(present)
    columns = tuple(c for c in table.columns if c in have)
    statements = [
        _insert_trigger(table, columns),
        _update_trigger(table, columns),
        _delete_trigger(table, columns),
    ]
    if LEAD_COLUMN in table.parents:
        statements.append(_cascade_trigger(table, columns))
    return statements


def synced_columns(conn: Any, table: SyncedTable) -> tuple[str, ...]:
    """The synced columns `table` has in this database (a driver-level connection)."""
    have = {row[1] for row in conn.execute(f"PRAGMA table_info({_ident(table.name)})")}
    return tuple(c for c in table.columns if c in have)


def install_triggers(conn: Any) -> None:
    """(Re)create every sync trigger, on SQLite's own connection or anything with its
    `execute`, inside the caller's transaction."""
    drop_triggers(conn)
    for table in SYNCED_TABLES:
        for statement in trigger_sql(table, synced_columns(conn, table)):
            conn.execute(statement)


def drop_triggers(conn: Any) -> None:
    for table in SYNCED_TABLES:
        for kind in TRIGGER_KINDS:
            conn.execute(f"DROP TRIGGER IF EXISTS {trigger_name(table.name, kind)}")
