"""Facts kept for the reports, and covering indexes over what they read.

Our touches keep the lead's state then and the buyer's first answer after (event.lead_state,
event.answered_at); an alert keeps how the lead stood when it was raised (alert.raised_*).
Rows written before have them NULL, and the reports walk the timeline for those.

0008's (kind, at) and (raised_at) indexes found a period's rows, but every row found still
cost a read of the table for its lead, direction or payload: on a large pipeline, one random
page read per message sent in the period. These replace them with indexes that carry those
columns and the payload facts the reports read (store/event_facts.py), and widen the
timeline index (lead_id, at) so a walk through one lead's history stays in the index.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported: a migration keeps the schema of its day.
_EVENT_COLUMNS = (("lead_state", "VARCHAR"), ("answered_at", "DATETIME"))
_ALERT_COLUMNS = (
    ("raised_state", "VARCHAR"),
    ("raised_stage_signal", "VARCHAR"),
    ("raised_unanswered", "INTEGER"),
    ("raised_decision", "VARCHAR"),
)
_TIMELINE = (
    "lead_id, at, kind, direction, "
    "json_extract(payload, '$.from'), json_extract(payload, '$.decision')"
)
_KIND_FACTS = (
    "kind, at, direction, lead_id, lead_state, answered_at, json_extract(payload, '$.template'), "
    "json_extract(payload, '$.intent'), json_extract(payload, '$.to'), "
    "json_extract(payload, '$.from'), json_extract(payload, '$.category')"
)
_ALERT_FACTS = (
    "raised_at, kind, rule, status, outcome, snoozes, lead_id, resolved_at, outcome_at, "
    "raised_state, raised_stage_signal, raised_unanswered, raised_decision"
)


def _add_columns(table: str, columns: tuple[tuple[str, str], ...]) -> None:
    # Plain ADD COLUMN: no table rebuild, so no cascade can touch the children.
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    for name, kind in columns:
        if name not in present:
            op.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


def upgrade() -> None:
    # Idempotent, as 0008: a stamp set back may find the columns and indexes there already.
    _add_columns("event", _EVENT_COLUMNS)
    _add_columns("alert", _ALERT_COLUMNS)
    op.execute(f"CREATE INDEX IF NOT EXISTS ix_event_lead_timeline ON event ({_TIMELINE})")
    op.execute(f"CREATE INDEX IF NOT EXISTS ix_event_kind_facts ON event ({_KIND_FACTS})")
    op.execute(f"CREATE INDEX IF NOT EXISTS ix_alert_raised_facts ON alert ({_ALERT_FACTS})")
    # Each is a prefix of a new one (the lead_id index too): kept, it would only cost writes.
    op.execute("DROP INDEX IF EXISTS ix_event_lead_at")
    op.execute("DROP INDEX IF EXISTS ix_event_lead_id")
    op.execute("DROP INDEX IF EXISTS ix_event_kind_at")
    op.execute("DROP INDEX IF EXISTS ix_alert_raised")


def downgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_event_lead_at ON event (lead_id, at)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_event_lead_id ON event (lead_id)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_event_kind_at ON event (kind, at)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_alert_raised ON alert (raised_at)")
    op.execute("DROP INDEX IF EXISTS ix_alert_raised_facts")
    op.execute("DROP INDEX IF EXISTS ix_event_kind_facts")
    op.execute("DROP INDEX IF EXISTS ix_event_lead_timeline")
    for table, columns in (("event", _EVENT_COLUMNS), ("alert", _ALERT_COLUMNS)):
        with op.batch_alter_table(table) as batch:
            for name, _ in columns:
                batch.drop_column(name)
