"""Realistic pipelines for benchmarks: leads over the states, each with a history.

Rows go in with bulk inserts in one transaction, but every derived column is computed with
the same domain functions the services use, so the database looks exactly as if a user had
built it one action at a time. That includes `next_check_at`: each batch is planned as it
is written, by the planner every service calls after a change (`replan_leads`, as a CSV
import and the mail watcher do), which is most of the generator's time (about 40 s for 50k
leads on a 2-core machine). `alerts.tick(db, now)` then raises what a user back after
a long absence would find: at 50k leads, about 40k open alerts in Today.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from followthrough.domain.leadfields import email_key, search_key
from followthrough.domain.signals import SIGNAL_TRAITS, SignalKind, TimelineEntry, summarize_touches
from followthrough.domain.states import State
from followthrough.services.planning import replan_leads
from followthrough.services.policy import load_policy
from followthrough.store.db import Database
from followthrough.store.tables import EVENT, LEAD

STATE_SPREAD = {
    State.HOT: 0.25,
    State.WARM: 0.35,
    State.RECYCLE: 0.20,
    State.WON: 0.12,
    State.LOST: 0.08,
}
FIRST = ["Ana", "Bruno", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hiro", "Inès", "João",
         "Karin", "Liam", "Mei", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Zoë",
         "小龙", "Мария", "Yusuf", "Aoife"]  # fmt: skip
LAST = ["Silva", "Berg", "Dubois", "Ivanova", "Khan", "Müller", "Nakamura", "O'Neil", "Rossi",
        "Santos", "Schmidt", "Tanaka", "Walsh", "Zola", "李", "García", "Novak", "Haddad"]  # fmt: skip
COMPANY_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wonka",
                 "Tyrell", "Cyberdyne", "Soylent", "Aperture", "Nordlicht", "Éclair", "Kōbō"]  # fmt: skip
COMPANY_KINDS = ["Labs", "Studio", "GmbH", "SAS", "Ltd", "Partners", "Health", "Logistics"]
TAGS = ["saas", "agency", "referral", "inbound", "q1", "q2", "enterprise", "smb", "eu", "us"]
STEPS = ["Send the pilot plan", "Call with their CTO", "Share two case studies",
         "Agree the start date", "Send revised pricing", "Book the security review"]  # fmt: skip
REASONS = ["Budget opens next quarter", "Reorganisation", "Chose a competitor for now",
           "Founder on leave", "Waiting on funding"]  # fmt: skip

# One buyer conversation: what we do, then what they might do back.
OUR_MOVES = [SignalKind.SENT, SignalKind.SENT, SignalKind.PROPOSAL_SENT, SignalKind.CALL]
THEIR_MOVES = [SignalKind.REPLIED, SignalKind.REPLIED, SignalKind.PROPOSAL_VIEWED,
               SignalKind.LINK_CLICKED, SignalKind.MEETING_BOOKED, SignalKind.MEETING_HELD]  # fmt: skip
ASIDES = [SignalKind.NOTE, SignalKind.PRICING_DISCUSSED, SignalKind.OBJECTION,
          SignalKind.MEETING_MISSED]  # fmt: skip


def _history(rng: random.Random, created: datetime, now: datetime) -> list[dict[str, Any]]:
    """3–15 events after `created`, alternating our touches and (sometimes) their answers."""
    events: list[dict[str, Any]] = []
    at = created
    span = (now - created) / 16
    for _ in range(rng.randint(3, 15)):
        at = min(now, at + span * rng.uniform(0.3, 1.5))
        roll = rng.random()
        kind = rng.choice(OUR_MOVES if roll < 0.5 else THEIR_MOVES if roll < 0.85 else ASIDES)
        traits = SIGNAL_TRAITS[kind]
        events.append({"at": at, "kind": kind.value, "direction": traits.direction.value,
                       "channel": traits.channel.value if traits.channel else None})  # fmt: skip
    return events


def _lead_row(rng: random.Random, n: int, state: State, now: datetime) -> dict[str, Any]:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    company = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}"
    email = f"lead{n}@{company.split()[0].lower()}{n % 97}.example"
    tags = rng.sample(TAGS, rng.randint(0, 3))
    created = now - timedelta(days=rng.uniform(1, 90))
    row: dict[str, Any] = {
        "name": name, "company": company, "email": email, "email_key": email_key(email),
        "tags": tags, "search_key": search_key(name, company, email, tags),
        "state": state.value, "state_since": created + (now - created) / 2,
        "unanswered": 0, "created_at": created, "updated_at": now,
        # executemany needs every row to name the same columns
        "next_step": None, "next_step_due": None, "recycle_until": None, "recycle_reason": None,
    }  # fmt: skip
    if state in (State.HOT, State.WARM) and rng.random() < 0.85:
        row["next_step"] = rng.choice(STEPS)
        row["next_step_due"] = now + timedelta(hours=rng.uniform(-72, 240))
    if state is State.RECYCLE:
        row["recycle_until"] = now + timedelta(days=rng.uniform(7, 180))
        row["recycle_reason"] = rng.choice(REASONS)
    return row


def generate_pipeline(
    db: Database, n_leads: int, *, seed: int, now: datetime, batch: int = 5000
) -> None:
    """Fill `db` with `n_leads` leads and their histories, deterministically from `seed`.

    Every lead is planned (its `next_check_at` set) as the services would; nothing is raised
    yet: `alerts.tick(db, now)` raises what is due, as the app's first tick would.
    """
    rng = random.Random(seed)
    states = list(STATE_SPREAD)
    weights = list(STATE_SPREAD.values())
    with db.write() as session:
        policy = load_policy(session)
        next_id = (session.execute(select(func.max(LEAD.c.id))).scalar() or 0) + 1
        for start in range(0, n_leads, batch):
            leads, events = [], []
            for n in range(next_id + start, next_id + min(n_leads, start + batch)):
                row = _lead_row(rng, n, rng.choices(states, weights)[0], now)
                row["id"] = n
                history = _history(rng, row["created_at"], now)
                summary = summarize_touches(
                    TimelineEntry(e["at"], e["kind"], e["direction"]) for e in history
                )
                row["last_outbound_at"] = summary.last_outbound_at
                row["last_inbound_at"] = summary.last_inbound_at
                row["unanswered"] = summary.unanswered
                leads.append(row)
                events.append({"lead_id": n, "at": row["created_at"], "kind": "state_change",
                               "direction": "none", "payload": {"from": None, "to": row["state"]},
                               "created_at": row["created_at"]})  # fmt: skip
                events.extend({**e, "lead_id": n, "payload": {}, "created_at": e["at"]}
                              for e in history)  # fmt: skip
            # Core inserts on the tables: the ORM's bulk path costs several times more.
            connection = session.connection()
            connection.execute(insert(LEAD), leads)
            connection.execute(insert(EVENT), events)
            replan_leads(connection, [row["id"] for row in leads], now, policy)
