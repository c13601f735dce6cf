"""The follow-up policy (windows, thresholds, half-lives): its stored row, read and changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from followthrough.domain.policy import Policy
from followthrough.domain.states import BOARD_STATES
from followthrough.errors import InvalidData
from followthrough.services.clock import utcnow
from followthrough.store.db import Database
from followthrough.store.models import Lead, Setting
from followthrough.store.setting_keys import POLICY_KEY
from followthrough.store.tables import SETTING

__all__ = ["POLICY_KEY", "get_policy", "load_policy", "update_policy", "write_policy"]


def load_policy(session: Session) -> Policy:
    """The policy inside a transaction; the defaults when none was chosen."""
    # A plain query, not session.get: the tick calls this on its hot path.
    value = (
        session.connection()
        .execute(select(SETTING.c.value).where(SETTING.c.key == POLICY_KEY))
        .scalar()
    )
    return Policy.from_stored(value)


def get_policy(db: Database) -> Policy:
    with db.read() as session:
        return load_policy(session)


def update_policy(db: Database, changes: dict[str, Any], now: datetime | None = None) -> Policy:
    """Change some numbers of the policy; every board lead is looked at again on the next tick."""
    now = now or utcnow()
    check_policy_names(changes)
    with db.write() as session:
        return write_policy(session, changes, now)


def check_policy_names(changes: dict[str, Any]) -> None:
    known = Policy().to_json()
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise InvalidData(f"unknown setting {unknown[0]} (known: {', '.join(known)})", unknown[0])


def write_policy(session: Session, changes: dict[str, Any], now: datetime) -> Policy:
    """`update_policy` inside the caller's transaction (names already checked)."""
    current = load_policy(session)
    policy = Policy.from_json({**current.to_json(), **changes})
    row = session.get(Setting, POLICY_KEY)
    if row is None:
        session.add(Setting(key=POLICY_KEY, value=policy.to_json(), updated_at=now))
    else:
        row.value, row.updated_at = policy.to_json(), now
    # Windows moved: each board lead's next check must be worked out again.
    session.execute(
        update(Lead)
        .where(col(Lead.state).in_([s.value for s in BOARD_STATES]))
        .values(next_check_at=now)
    )
    return policy
