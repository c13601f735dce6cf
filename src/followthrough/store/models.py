"""The tables (DESIGN §3). Services turn rows into read models; rows never leave `services/`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, text
from sqlmodel import Field, SQLModel

from followthrough.domain.alerts import AlertStatus
from followthrough.store.board_sql import ARCHIVE_SQL, BOARD_DATE_SQL
from followthrough.store.event_facts import KIND_FACTS, TIMELINE_FACTS, index_expressions
from followthrough.store.types import UTCDateTime


def _utc(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _lead_fk(index: bool = True) -> Any:
    # Deleting a lead deletes its history: events and alerts have no meaning without it.
    return Field(
        sa_column=Column(
            Integer, ForeignKey("lead.id", ondelete="CASCADE"), nullable=False, index=index
        )
    )


class Lead(SQLModel, table=True):
    __tablename__ = "lead"
    __table_args__ = (
        # One lead per mailbox, whatever the letter case (NULLs do not collide in SQLite).
        Index("ux_lead_email_key", "email_key", unique=True),
        # The board reads one column at a time in its own order, a page at a time; the search
        # key rides along so a filtered page is read from the index alone.
        Index(
            "ix_lead_board",
            "state",
            text(f"({BOARD_DATE_SQL}) IS NULL"),
            text(BOARD_DATE_SQL),
            "name",
            "id",
            "search_key",
        ),
        # Counting search matches per column scans this narrow index, not the table.
        Index("ix_lead_state_search", "state", "search_key"),
        # The archive: won and lost leads only, newest first, read backwards a page at a time;
        # the search key rides along so a filtered page skips non-matches in the index.
        Index("ix_lead_archive", "state_since", "id", "search_key", sqlite_where=text(ARCHIVE_SQL)),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str
    company: str | None = None
    email: str | None = None
    email_key: str | None = None
    phone: str | None = None
    title: str | None = None
    source: str | None = None
    channel: str | None = None
    value_minor: int | None = None  # money in minor units (cents), never a float
    currency: str | None = None
    tags: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    search_key: str = Field(default="", sa_column_kwargs={"server_default": text("''")})

    state: str = Field(index=True)
    state_since: datetime = _utc(nullable=False)
    decision: str | None = None
    next_step: str | None = None
    next_step_due: datetime | None = _utc()
    recycle_until: datetime | None = _utc()
    recycle_reason: str | None = None

    last_outbound_at: datetime | None = _utc()
    last_inbound_at: datetime | None = _utc()
    unanswered: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    next_check_at: datetime | None = _utc(index=True)
    # False: the mail watch (and the calendar, the mail rules) never match this lead.
    auto_signals: bool = Field(default=True, sa_column_kwargs={"server_default": text("1")})

    created_at: datetime = _utc(nullable=False)
    updated_at: datetime = _utc(nullable=False)


class Event(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        # A lead's timeline in order; the kind, direction and the facts a report's walk
        # reads ride along, so the walk never leaves the index (store/event_facts.py).
        Index(
            "ix_event_lead_timeline",
            "lead_id",
            "at",
            "kind",
            "direction",
            *index_expressions(TIMELINE_FACTS),
        ),
        # The reports read a few kinds over a period (services/insights/), with these facts.
        Index(
            "ix_event_kind_facts",
            "kind",
            "at",
            "direction",
            "lead_id",
            "lead_state",
            "answered_at",
            *index_expressions(KIND_FACTS),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: ix_event_lead_timeline starts with it (the cascade uses that one).
    lead_id: int = _lead_fk(index=False)
    at: datetime = _utc(nullable=False)
    kind: str
    direction: str = "none"
    channel: str | None = None
    text: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    created_at: datetime = _utc(nullable=False)
    # Our touches only, kept by services/touch_facts.py from the whole timeline: the lead's
    # state when we touched it and the buyer's first answer after. NULL state: not kept yet
    # (written before these existed, or by a CSV import); the reports then walk the timeline.
    lead_state: str | None = None
    answered_at: datetime | None = _utc()


# What the reports read of an alert raised in their period (services/insights/).
ALERT_REPORT_COLUMNS = (
    "raised_at",
    "kind",
    "rule",
    "status",
    "outcome",
    "snoozes",
    "lead_id",
    "resolved_at",
    "outcome_at",
    "raised_state",
    "raised_stage_signal",
    "raised_unanswered",
    "raised_decision",
)


class Alert(SQLModel, table=True):
    __tablename__ = "alert"
    __table_args__ = (
        # At most one live alert per (lead, rule): a tick that re-finds it must not repeat it.
        Index(
            "ux_alert_live_rule",
            "lead_id",
            "rule",
            unique=True,
            sqlite_where=text(f"status IN ('{AlertStatus.OPEN}', '{AlertStatus.SNOOZED}')"),
        ),
        Index("ix_alert_status", "status"),
        # The reports read a period's alerts, and only these columns of them.
        Index("ix_alert_raised_facts", *ALERT_REPORT_COLUMNS),
        # An episode is raised once: done or dismissed stays so until its condition resets.
        Index("ux_alert_episode", "lead_id", "rule", "episode", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = _lead_fk()
    rule: str
    kind: str
    reason: str
    episode: str = Field(default="", sa_column_kwargs={"server_default": text("''")})
    intent: str | None = None
    template_slug: str | None = None
    status: str = AlertStatus.OPEN.value
    snoozed_until: datetime | None = _utc()
    # Feedback: how many times the person put this alert off (the reports' "snoozed").
    snoozes: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    raised_at: datetime = _utc(nullable=False)
    due_at: datetime | None = _utc()  # when the condition became true (urgency order)
    notified_at: datetime | None = _utc()
    resolved_at: datetime | None = _utc()
    outcome: str | None = None
    outcome_at: datetime | None = _utc()
    # The lead as it stood when the alert was raised (services/planning.py), for the
    # silence report: its state, the kind of its latest stage-setting signal (NULL: first
    # contact), our touches it had left unanswered, the decision our last message asked for.
    # NULL state: raised before these were kept; the report then walks the timeline.
    raised_state: str | None = None
    raised_stage_signal: str | None = None
    raised_unanswered: int | None = None
    raised_decision: str | None = None


class Template(SQLModel, table=True):
    __tablename__ = "template"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True)
    title: str
    intent: str
    decision: str | None = None
    states: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    triggers: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    channel: str = "email"
    subject: str = ""
    body: str
    builtin: bool = False
    created_at: datetime = _utc(nullable=False)
    updated_at: datetime = _utc(nullable=False)


class Setting(SQLModel, table=True):
    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: Any = Field(default=None, sa_type=JSON, nullable=True)
    updated_at: datetime = _utc(nullable=False)


class MailSeen(SQLModel, table=True):
    """A message the mail watcher logged: never logged again, whatever folder or re-read."""

    __tablename__ = "mail_seen"

    key: str = Field(primary_key=True)  # the normalised Message-ID (domain/mailheaders.py)
    folder: str
    seen_at: datetime = _utc(nullable=False)


class MatchSkip(SQLModel, table=True):
    """What must not match a lead again: the person said "Not this lead" to a signal it
    matched (domain/provenance.py). Goes with the lead."""

    __tablename__ = "match_skip"
    __table_args__ = (Index("ux_match_skip", "match", "lead_id", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    match: str  # "mail:ana@acme.com"
    lead_id: int = _lead_fk()
    created_at: datetime = _utc(nullable=False)


class Meeting(SQLModel, table=True):
    """A meeting with a lead found in the person's calendar, as the app logged it
    (services/calendar/meetings.py, domain/meetings.py): one row per occurrence and lead.
    Kept: when, the title (the next step's words), and whether the person was asked if it
    happened and what they said. Nothing else of the calendar is kept."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ux_meeting_key_lead", "key", "lead_id", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    key: str  # the occurrence: its event's UID and its instance's start
    lead_id: int = _lead_fk()
    title: str = ""
    start: datetime = _utc(nullable=False)
    end: datetime = _utc(nullable=False)
    cancelled: bool = False
    sets_next_step: bool = False  # the lead's next step is this meeting
    asked_at: datetime | None = _utc()  # "did it happen?" raised
    answer: str | None = None  # held / missed
    answered_at: datetime | None = _utc()
    created_at: datetime = _utc(nullable=False)
    updated_at: datetime = _utc(nullable=False)


# Sync (issue 18, store/sync_schema.py): filled by the triggers and the sync services only.


class SyncState(SQLModel, table=True):
    """One row (id 1): this device, whether it records, and its hybrid logical clock."""

    __tablename__ = "sync_state"

    id: int | None = Field(default=None, primary_key=True)
    device: str | None = None  # 16 hex digits, chosen when sync is first enabled
    device_name: str | None = None
    enabled: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # Set by the applier for its own transaction: what it writes is not recorded again.
    applying: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    wall: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    counter: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    seq: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    skew_ms: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})


class SyncId(SQLModel, table=True):
    """A synced row's global id. A tombstone keeps the gid, with `deleted` (the delete's
    stamp) set and no local row (SQLite may give the id to a new row)."""

    __tablename__ = "sync_ids"
    __table_args__ = (
        Index("ux_sync_ids_local", "tbl", "local_id", unique=True),
        Index("ix_sync_ids_last_local", "tbl", "last_local"),
    )

    tbl: str = Field(primary_key=True)
    gid: str = Field(primary_key=True)
    local_id: int | None = None
    deleted: str | None = None
    last_local: int | None = None  # the id it had before its delete (an undo puts it back)


class SyncOp(SQLModel, table=True):
    """This device's own changes, in order: what it writes to the sync folder."""

    __tablename__ = "sync_op"

    seq: int | None = Field(default=None, primary_key=True)
    hlc: str
    tbl: str
    gid: str
    kind: str  # insert | update | delete
    row: str  # JSON object of the synced columns
    changed: str | None = None  # JSON list of the columns an update changed


class SyncClock(SQLModel, table=True):
    """The stamp of the last write of each synced field: the later one wins."""

    __tablename__ = "sync_clock"

    tbl: str = Field(primary_key=True)
    gid: str = Field(primary_key=True)
    field: str = Field(primary_key=True)
    hlc: str


class SyncPeer(SQLModel, table=True):
    """Another device seen in the sync folder, and how far its changes are applied here."""

    __tablename__ = "sync_peer"

    device: str = Field(primary_key=True)
    name: str | None = None
    applied_seq: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    last_seen_at: datetime | None = _utc()
    last_wrote_at: datetime | None = _utc()


class SyncParked(SQLModel, table=True):
    """The last values of a synced row that is not live here: deleted, or hanging off a lead
    that is. A change stamped after the delete brings it back with them."""

    __tablename__ = "sync_parked"
    __table_args__ = (Index("ix_sync_parked_lead", "lead"),)

    tbl: str = Field(primary_key=True)
    gid: str = Field(primary_key=True)
    lead: str | None = None  # the gid of the lead it hangs off, if any
    row: str  # JSON object of the synced columns, a foreign key as its parent's gid
