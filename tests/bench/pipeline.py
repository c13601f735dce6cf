"""Realistic pipelines for benchmarks and tests: leads spread over the states, each with a history.

`generate_pipeline` writes rows with SQLAlchemy Core bulk inserts in one transaction, so
100,000 leads take seconds rather than the hours one service call per lead would. Every
derived column is nevertheless computed with the functions the services use (`email_key`,
`search_key`, `summarize_touches`, and the planner's rules for `next_check_at`), so the
database reads exactly as if a user had built it one action at a time.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, func, insert, select

from followthrough.domain.leadfields import email_key, search_key
from followthrough.domain.policy import Policy
from followthrough.domain.rules import LeadFacts, evaluate, reactivation_time
from followthrough.domain.signals import (
    SIGNAL_TRAITS,
    Channel,
    Direction,
    EventKind,
    SignalKind,
    TimelineEntry,
    is_answer,
    summarize_touches,
)
from followthrough.domain.states import State
from followthrough.services.planning import load_policy
from followthrough.store.db import Database
from followthrough.store.models import Event, Lead

LEAD: Table = Lead.__table__  # type: ignore[attr-defined]
EVENT: Table = Event.__table__  # type: ignore[attr-defined]

# The share of each state in a pipeline a few months old.
STATE_SHARES: dict[State, float] = {
    State.HOT: 0.25,
    State.WARM: 0.35,
    State.RECYCLE: 0.20,
    State.WON: 0.12,
    State.LOST: 0.08,
}
ACTIVE = (State.HOT, State.WARM)
HISTORY_DAYS = 90
EVENTS_PER_LEAD = (3, 15)  # signals, besides the state changes
# Rows held in memory before they are written: bounds the generator's memory at 100k leads.
BATCH_LEADS = 5_000

# (as written, as it goes into an e-mail address). Accents, Cyrillic and CJK on purpose:
# search folds case in Python precisely so that these match.
FIRST_NAMES = (
    ("Ana", "ana"), ("Bruno", "bruno"), ("Chloé", "chloe"), ("Dmitri", "dmitri"),
    ("Eva", "eva"), ("Farid", "farid"), ("Grace", "grace"), ("Hiroshi", "hiroshi"),
    ("Inès", "ines"), ("João", "joao"), ("Karin", "karin"), ("Liam", "liam"),
    ("Mei", "mei"), ("Nadia", "nadia"), ("Omar", "omar"), ("Priya", "priya"),
    ("Quentin", "quentin"), ("Rosa", "rosa"), ("Søren", "soren"), ("Zoë", "zoe"),
    ("小龙", "xiaolong"), ("Мария", "maria"), ("Yusuf", "yusuf"), ("Aoife", "aoife"),
    ("Björn", "bjorn"), ("Élodie", "elodie"), ("Tomás", "tomas"), ("美咲", "misaki"),
)  # fmt: skip
LAST_NAMES = (
    ("Silva", "silva"), ("Berg", "berg"), ("Dubois", "dubois"), ("Ivanova", "ivanova"),
    ("Khan", "khan"), ("Müller", "muller"), ("Nakamura", "nakamura"), ("O'Neil", "oneil"),
    ("Rossi", "rossi"), ("Santos", "santos"), ("Schmidt", "schmidt"), ("Tanaka", "tanaka"),
    ("Walsh", "walsh"), ("Zola", "zola"), ("李", "li"), ("García", "garcia"),
    ("Novák", "novak"), ("Haddad", "haddad"), ("Østergaard", "ostergaard"), ("Kowalski", "kowalski"),
    ("佐藤", "sato"), ("Okafor", "okafor"), ("Lefèvre", "lefevre"), ("Andersson", "andersson"),
)  # fmt: skip
COMPANY_STEMS = (
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wonka",
    "Tyrell", "Cyberdyne", "Soylent", "Aperture", "Nordlicht", "Éclair", "Kōbō", "Brightwave",
    "Papier", "Fjord", "Sakura", "Mercado",
)  # fmt: skip
COMPANY_KINDS = ("Labs", "Studio", "GmbH", "SAS", "Ltd", "Partners", "Health", "Logistics")
TAGS = ("saas", "agency", "referral", "inbound", "q1", "q2", "enterprise", "smb", "EU", "US",
        "fintech", "retail")  # fmt: skip
TITLES = ("Founder", "CEO", "CTO", "Head of Sales", "VP Marketing", "Operations Lead",
          "Procurement", "Product Manager")  # fmt: skip
SOURCES = ("referral", "inbound", "outbound", "event", "linkedin")
CURRENCIES = ("EUR", "USD", "GBP")
NEXT_STEPS = ("Send the pilot plan", "Call with their CTO", "Share two case studies",
              "Agree the start date", "Send revised pricing", "Book the security review",
              "Follow up on the proposal", "Intro to their finance team")  # fmt: skip
RECYCLE_REASONS = ("Budget opens next quarter", "Reorganisation under way",
                   "Chose a competitor for now", "Founder on parental leave",
                   "Waiting on their funding round")  # fmt: skip
NOTES = ("Prefers calls to e-mail", "Decision after their board meeting",
         "Asked for references", "Evaluating two other vendors")  # fmt: skip
OBJECTIONS = ("Too expensive for this year", "Needs SSO first", "Worried about migration")

# (kind, direction) as plain strings: StrEnum attribute access is slow in a 1M-row loop.
Move = tuple[str, str]
IN, OUT, NONE = Direction.IN.value, Direction.OUT.value, Direction.NONE.value


def _weighted(*choices: tuple[SignalKind, str, float]) -> tuple[list[Move], list[float]]:
    """Moves and their cumulative weights (precomputed: random.choices is then cheaper)."""
    return [(k.value, d) for k, d, _ in choices], list(accumulate(w for _, _, w in choices))


# Before the buyer has ever answered we can only chase; afterwards the deal moves on.
CHASE = _weighted((SignalKind.SENT, OUT, 6), (SignalKind.CALL, OUT, 1))
ADVANCE = _weighted(
    (SignalKind.SENT, OUT, 4), (SignalKind.CALL, OUT, 1), (SignalKind.PROPOSAL_SENT, OUT, 2),
    (SignalKind.MEETING_BOOKED, IN, 2), (SignalKind.PRICING_DISCUSSED, NONE, 1),
    (SignalKind.NOTE, NONE, 1),
)  # fmt: skip
ANSWER = _weighted(
    (SignalKind.REPLIED, IN, 5), (SignalKind.LINK_CLICKED, IN, 2), (SignalKind.CALL, IN, 1)
)
# A proposal out there can be viewed (several times) or objected to.
ANSWER_TO_PROPOSAL = _weighted(
    (SignalKind.REPLIED, IN, 4), (SignalKind.LINK_CLICKED, IN, 1), (SignalKind.CALL, IN, 1),
    (SignalKind.PROPOSAL_VIEWED, IN, 4), (SignalKind.OBJECTION, IN, 1),
)  # fmt: skip
MEETING_HELD: Move = (SignalKind.MEETING_HELD.value, IN)
MEETING_MISSED: Move = (SignalKind.MEETING_MISSED.value, NONE)
REPLY_CHANCE = 0.45  # that the buyer reacts to our latest touch before we touch again
MEETING_HELD_CHANCE = 0.75
LINKEDIN_SHARE = 0.2  # of our messages, sent on LinkedIn rather than by e-mail
CHANNELS = {kind.value: t.channel.value if t.channel else None for kind, t in SIGNAL_TRAITS.items()}
TEXTS = {SignalKind.NOTE.value: NOTES, SignalKind.OBJECTION.value: OBJECTIONS}


@dataclass(frozen=True)
class PipelineStats:
    """What was generated, for reports and tests."""

    leads: int
    events: int
    by_state: dict[State, int]
    first_id: int
    last_id: int


@dataclass
class _Thread:
    """Where one buyer conversation stands, so each next signal follows from the last."""

    engaged: bool = False
    proposal_out: bool = False
    meeting_booked: bool = False
    ours_last: bool = False


def _next_move(rng: random.Random, thread: _Thread) -> Move:
    if thread.meeting_booked:  # a booked meeting happens (or not) before anything else
        move = MEETING_HELD if rng.random() < MEETING_HELD_CHANCE else MEETING_MISSED
    elif thread.ours_last and rng.random() < REPLY_CHANCE:
        moves, weights = ANSWER_TO_PROPOSAL if thread.proposal_out else ANSWER
        move = rng.choices(moves, cum_weights=weights)[0]
    else:
        moves, weights = ADVANCE if thread.engaged else CHASE
        move = rng.choices(moves, cum_weights=weights)[0]
    kind, direction = move
    thread.engaged = thread.engaged or is_answer(kind, direction)
    thread.proposal_out = thread.proposal_out or kind == SignalKind.PROPOSAL_SENT
    thread.meeting_booked = kind == SignalKind.MEETING_BOOKED
    thread.ours_last = direction == OUT
    return move


def _channel_and_text(rng: random.Random, kind: str) -> tuple[str | None, str | None]:
    channel = CHANNELS[kind]
    if kind == SignalKind.SENT and rng.random() < LINKEDIN_SHARE:
        channel = Channel.LINKEDIN.value
    texts = TEXTS.get(kind)
    return channel, rng.choice(texts) if texts else None


class _Event(NamedTuple):
    """One timeline entry before it is stored (a tuple: a 100k pipeline makes a million)."""

    at: datetime
    kind: str
    direction: str = NONE
    channel: str | None = None
    text: str | None = None
    payload: dict[str, Any] | None = None


def _signals(rng: random.Random, start: datetime, end: datetime) -> list[_Event]:
    """3–15 signals strictly between `start` and `end`, in time order."""
    count = rng.randint(*EVENTS_PER_LEAD)
    span = end - start
    # Kept clear of both ends, so no signal ties with the state changes framing them.
    times = sorted(start + span * (0.01 + 0.98 * rng.random()) for _ in range(count))
    thread = _Thread()
    events = []
    for at in times:
        kind, direction = _next_move(rng, thread)
        channel, text = _channel_and_text(rng, kind)
        events.append(_Event(at, kind, direction, channel, text))
    return events


def _move_event(
    at: datetime,
    source: State | None,
    target: State,
    until: datetime | None = None,
    reason: str | None = None,
) -> _Event:
    # The payload services.leads writes for add_lead (source None) and move_lead.
    payload = {"from": source.value if source else None, "to": target.value,
               "until": until.isoformat() if until else None}  # fmt: skip
    return _Event(at, EventKind.STATE_CHANGE.value, text=reason, payload=payload)


@dataclass
class _Lead:
    """One lead's row (still missing its derived columns) and its timeline in time order."""

    row: dict[str, Any]
    events: list[_Event]


def _identity(rng: random.Random, lead_id: int) -> dict[str, Any]:
    """Who the lead is: name, company, contact details, tags, deal size."""
    first, first_ascii = rng.choice(FIRST_NAMES)
    last, last_ascii = rng.choice(LAST_NAMES)
    name = f"{first} {last}"
    company = None
    domain = "mail.example"
    if rng.random() < 0.95:
        stem = rng.choice(COMPANY_STEMS)
        company = f"{stem} {rng.choice(COMPANY_KINDS)}"
        domain = f"{_ascii(stem)}.example"
    email = None
    if rng.random() < 0.97:
        # The id keeps addresses unique; some are typed capitalised, as people do.
        local = f"{first_ascii}.{last_ascii}{lead_id}"
        email = f"{local.capitalize() if rng.random() < 0.15 else local}@{domain}"
    tags = rng.sample(TAGS, rng.randint(0, 3))
    has_value = rng.random() < 0.5
    return {
        "id": lead_id, "name": name, "company": company, "email": email,
        "email_key": email_key(email), "tags": tags,
        "search_key": search_key(name, company, email, tags),
        "phone": f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                 f"{rng.randint(10, 99)}" if rng.random() < 0.4 else None,
        "title": rng.choice(TITLES) if rng.random() < 0.6 else None,
        "source": rng.choice(SOURCES), "channel": rng.choice(("email", "linkedin", "phone")),
        "value_minor": rng.randrange(50_000, 5_000_000, 100) if has_value else None,
        "currency": rng.choice(CURRENCIES) if has_value else None, "decision": None,
    }  # fmt: skip


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii()).lower()


def _history(
    rng: random.Random, state: State, created: datetime, now: datetime
) -> tuple[list[_Event], dict[str, Any]]:
    """The lead's timeline, and the state columns it ends in.

    A lead is added Hot or Warm (as the app allows); leads now in Recycle, Won or Lost were
    moved there after their last signal, and some active leads changed temperature on the way.
    """
    closes = state not in ACTIVE
    end = created + (now - created) * rng.uniform(0.55, 0.95) if closes else now
    signals = _signals(rng, created, end)
    start = rng.choice(ACTIVE) if closes else state
    columns: dict[str, Any] = {"state": state.value, "state_since": created,
                               "recycle_until": None, "recycle_reason": None}  # fmt: skip
    events = [_move_event(created, None, start), *signals]
    if closes:
        events.append(_closing_move(rng, start, state, end, columns))
    elif rng.random() < 0.3:
        # Warmed up or cooled down half-way: a move between two signals.
        start = State.WARM if state is State.HOT else State.HOT
        events[0] = _move_event(created, None, start)
        moved = created + (end - created) * rng.uniform(0.2, 0.8)
        events.append(_move_event(moved, start, state))
        columns["state_since"] = moved
        events.sort(key=lambda e: e.at)
    return events, columns


def _closing_move(
    rng: random.Random, start: State, state: State, at: datetime, columns: dict[str, Any]
) -> _Event:
    columns["state_since"] = at
    if state is not State.RECYCLE:
        return _move_event(at, start, state)
    # Parked for two weeks to four months: the oldest are already due to come back.
    until = at + timedelta(days=rng.uniform(14, 120))
    reason = rng.choice(RECYCLE_REASONS)
    columns["recycle_until"], columns["recycle_reason"] = until, reason
    return _move_event(at, start, state, until, reason)


def _next_step(rng: random.Random, state: State, now: datetime) -> dict[str, Any]:
    if state in ACTIVE and rng.random() < 0.85:
        # Mostly ahead of us, some already overdue: the board has both.
        due = now + timedelta(hours=rng.uniform(-96, 14 * 24))
        return {"next_step": rng.choice(NEXT_STEPS), "next_step_due": due}
    return {"next_step": None, "next_step_due": None}


def _make_lead(rng: random.Random, lead_id: int, state: State, now: datetime) -> _Lead:
    created = now - timedelta(days=rng.uniform(3, HISTORY_DAYS))
    events, state_columns = _history(rng, state, created, now)
    row = _identity(rng, lead_id)
    row.update(state_columns)
    row.update(_next_step(rng, state, now))
    row["created_at"] = created
    row["updated_at"] = events[-1].at  # the last write was the last thing logged
    return _Lead(row, events)


def _derive(lead: _Lead, policy: Policy) -> None:
    """Fill the columns the services keep up to date on every write."""
    row = lead.row
    timeline = tuple(TimelineEntry(e.at, e.kind, e.direction) for e in lead.events)
    touches = summarize_touches(timeline)
    row["last_outbound_at"] = touches.last_outbound_at
    row["last_inbound_at"] = touches.last_inbound_at
    row["unanswered"] = touches.unanswered
    moves = [(e.at, e.payload["from"], e.payload["to"]) for e in lead.events if e.payload]
    facts = LeadFacts(
        state=State(row["state"]),
        state_since=row["state_since"],
        next_step=row["next_step"],
        next_step_due=row["next_step_due"],
        recycle_until=row["recycle_until"],
        recycle_reason=row["recycle_reason"],
        timeline=timeline,
        reactivated_at=reactivation_time(moves),
    )
    # What planning.replan_leads writes for a lead without alerts: the earliest finding,
    # past or future (a past one is for the next tick to raise).
    findings = evaluate(facts, policy)
    row["next_check_at"] = min((f.fires_at for f in findings), default=None)


def state_plan(rng: random.Random, n_leads: int) -> list[State]:
    """Exactly the shares of STATE_SHARES (largest remainder), in a random order."""
    exact = {state: share * n_leads for state, share in STATE_SHARES.items()}
    counts = {state: int(value) for state, value in exact.items()}
    by_remainder = sorted(exact, key=lambda s: exact[s] - counts[s], reverse=True)
    for state in by_remainder[: n_leads - sum(counts.values())]:
        counts[state] += 1
    states = [state for state, count in counts.items() for _ in range(count)]
    rng.shuffle(states)
    return states


def stored_time(moment: datetime) -> str:
    """A time as UTCDateTime stores it in SQLite: UTC, naive, always with microseconds."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


_EMPTY_PAYLOAD = json.dumps({})
_EVENT_COLUMNS = ("lead_id", "at", "kind", "direction", "channel", "text", "payload",
                  "created_at")  # fmt: skip
_INSERT_EVENT = (
    f"INSERT INTO {EVENT.name} ({', '.join(EVENT.c[c].name for c in _EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _EVENT_COLUMNS)})"
)


def _event_values(lead_id: int, event: _Event) -> tuple[Any, ...]:
    at = stored_time(event.at)
    payload = json.dumps(event.payload) if event.payload else _EMPTY_PAYLOAD
    # created_at = at: each event was logged as it happened.
    return (lead_id, at, event.kind, event.direction, event.channel, event.text, payload, at)


def _write_batch(conn: Connection, leads: list[_Lead]) -> int:
    # Leads (first, for the events' foreign key) through a Core insert: one executemany.
    conn.execute(insert(LEAD), [lead.row for lead in leads])
    # Events are ten times as many rows, and SQLAlchemy's per-value type processing was
    # most of the generation time (measured: ~20 µs a row). So they go straight to the
    # driver's executemany, formatted here exactly as UTCDateTime and JSON would store them.
    rows = [_event_values(lead.row["id"], event) for lead in leads for event in lead.events]
    conn.exec_driver_sql(_INSERT_EVENT, rows)
    return len(rows)


def generate_pipeline(
    db: Database, n_leads: int, *, seed: int, now: datetime, batch: int = BATCH_LEADS
) -> PipelineStats:
    """Add `n_leads` leads with their histories to `db`, the same ones for the same seed.

    All times are before `now` (timezone-aware UTC), except future next steps and recycle
    dates. One transaction: a failure leaves the database as it was.
    """
    rng = random.Random(seed)
    states = state_plan(rng, n_leads)
    events = 0
    with db.write() as session:
        conn = session.connection()
        policy = load_policy(session)
        # Ids chosen here, so events can name their lead without reading ids back.
        first_id = (conn.execute(select(func.max(LEAD.c.id))).scalar() or 0) + 1
        for offset in range(0, n_leads, batch):
            leads = []
            for index in range(offset, min(n_leads, offset + batch)):
                lead = _make_lead(rng, first_id + index, states[index], now)
                _derive(lead, policy)
                leads.append(lead)
            events += _write_batch(conn, leads)
    by_state = {state: states.count(state) for state in STATE_SHARES}
    return PipelineStats(n_leads, events, by_state, first_id, first_id + n_leads - 1)
