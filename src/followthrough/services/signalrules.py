"""The person's signal rules: kept, edited, reset, and tried on a sample subject.

The rules live in one setting row (RULES_KEY) as the list the person sees, in order. Until
the person changes anything there is no row and the shipped rules apply
(domain/shippedrules.py), so a new version's shipped rules reach everyone who kept them as
shipped; after a change the stored list is theirs, and `reset_rules` brings the shipped
ones back. Every change is validated in the domain (domain/signalrules.py) before it is kept.

What the faces use (Settings › Signals, `followthrough signals rules|test`):
    list_rules(db) -> tuple[SignalRule, ...]          every rule, enabled or not, in order
    save_rules(db, rules, now=None) -> tuple[...]     the whole list, replaced (validated)
    add_rule / remove_rule / set_enabled              one rule by name (NotFound if none)
    reset_rules(db, now=None) -> tuple[...]           back to the shipped rules
    try_rule(db, subject, sender, reply_to=None) -> Trial   what a mail would log, or why not
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from followthrough.domain.leadfields import clean_email
from followthrough.domain.provenance import SignalSource, match_key
from followthrough.domain.shippedrules import SHIPPED_RULES
from followthrough.domain.signalrules import (
    Found,
    LeadDirectory,
    RuleBook,
    RuleHit,
    SignalRule,
    check_rules,
    find_lead,
    rule_match,
)
from followthrough.domain.signals import SignalKind
from followthrough.errors import InvalidData, NotFound
from followthrough.services.clock import utcnow
from followthrough.services.matching import leads_by_email, unmatchable
from followthrough.services.setting_rows import put_setting
from followthrough.store.db import Database
from followthrough.store.tables import LEAD, SETTING

RULES_KEY = "signals.rules"  # {"rules": [rule JSON, ...]}; no row: the shipped rules


def list_rules(db: Database) -> tuple[SignalRule, ...]:
    """Every rule, enabled or not, in the order they are tried."""
    with db.read() as session:
        return stored_rules(session.connection())


def stored_rules(conn: Connection) -> tuple[SignalRule, ...]:
    """The rules in the caller's transaction (the mail watch reads them with its own work)."""
    value = conn.execute(select(SETTING.c.value).where(SETTING.c.key == RULES_KEY)).scalar()
    if not isinstance(value, dict) or not isinstance(value.get("rules"), list):
        return SHIPPED_RULES
    rules: list[SignalRule] = []
    for item in value["rules"]:
        try:
            rules.append(SignalRule.from_json(item))
        except InvalidData:
            # Kept by a version that knew a kind or form this one does not: left out, not
            # fatal to the mail watch. The person sees the list without it.
            continue
    return tuple(rules)


def save_rules(
    db: Database, rules: Iterable[SignalRule], now: datetime | None = None
) -> tuple[SignalRule, ...]:
    """Replace the whole list (validated: names unique, not too many)."""
    kept = check_rules(rules)
    with db.write() as session:
        put_setting(session, RULES_KEY, {"rules": [r.to_json() for r in kept]}, now or utcnow())
    return kept


def add_rule(db: Database, rule: SignalRule, now: datetime | None = None) -> tuple[SignalRule, ...]:
    """A new rule, tried after the others."""
    return save_rules(db, (*list_rules(db), rule), now)


def remove_rule(db: Database, name: str, now: datetime | None = None) -> tuple[SignalRule, ...]:
    rules = list_rules(db)
    index = _index(rules, name)
    return save_rules(db, (*rules[:index], *rules[index + 1 :]), now)


def set_enabled(
    db: Database, name: str, enabled: bool, now: datetime | None = None
) -> tuple[SignalRule, ...]:
    rules = list(list_rules(db))
    index = _index(rules, name)
    rules[index] = rules[index].with_enabled(enabled)
    return save_rules(db, rules, now)


def reset_rules(db: Database, now: datetime | None = None) -> tuple[SignalRule, ...]:
    """Back to the shipped rules (and to new shipped rules as the app brings them)."""
    with db.write() as session:
        session.connection().execute(delete(SETTING).where(SETTING.c.key == RULES_KEY))
    return SHIPPED_RULES


def _index(rules: Sequence[SignalRule], name: str) -> int:
    wanted = " ".join(name.split()).casefold()
    for index, rule in enumerate(rules):
        if rule.name.casefold() == wanted:
            return index
    raise NotFound(f"no signal rule is named '{name.strip()}'")


# --- finding the lead, for the mail watch and for a trial ----------------------------------


class LeadLookup:
    """The leads a pass's notifications may name. The names are read once per pass, and
    only when a notification names someone its addresses do not already identify."""

    def __init__(self) -> None:
        self._people: list[tuple[int, str, str | None]] | None = None

    def directory(self, conn: Connection, hits: Sequence[RuleHit]) -> LeadDirectory:
        emails = leads_by_email(conn, {a for hit in hits for a in hit.addresses})
        by_email = {email: lead_id for email, (lead_id, _) in emails.items()}
        named = any(
            (h.name or h.company) and not any(a in by_email for a in h.addresses) for h in hits
        )
        if named and self._people is None:
            rows = conn.execute(select(LEAD.c.id, LEAD.c.name, LEAD.c.company))
            self._people = [(lead_id, name, company) for lead_id, name, company in rows]
        return LeadDirectory.of(by_email, self._people or ())


def rule_match_key(rule: SignalRule, found: Found) -> str:
    """What "Not this lead" learns from a mail-rule signal."""
    return match_key(SignalSource.MAIL_RULE, rule_match(rule, found.value))


@dataclass(frozen=True)
class Trial:
    """What one mail would log: the rule, the signal and the lead, or why nothing."""

    rule: SignalRule | None
    kind: SignalKind | None
    lead_id: int | None
    lead_name: str | None
    match: str | None  # what "Not this lead" would learn from it
    why: str  # "" when it would log; else one sentence

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule.to_json() if self.rule else None,
                "kind": self.kind.value if self.kind else None,
                "lead_id": self.lead_id, "lead": self.lead_name, "match": self.match,
                "logs": not self.why, "why": self.why or None}  # fmt: skip


def try_rule(db: Database, subject: str, sender: str, reply_to: str | None = None) -> Trial:
    """What a mail with this subject from `sender` would log; InvalidData for an address that
    is not one (fields "from", "reply_to")."""
    from_address = _address(sender, "from")
    replies = (_address(reply_to, "reply_to"),) if reply_to is not None else ()
    with db.read() as session:
        conn = session.connection()
        rules = stored_rules(conn)
        book = RuleBook(rules)
        if not book.from_a_tool((from_address,)):
            why = f"no enabled rule is for mail from {from_address}"
            return Trial(None, None, None, None, None, why)
        hit = book.hit((from_address,), replies, subject)
        if hit is None:
            why = f"no enabled rule for mail from {from_address} matches this subject"
            return Trial(None, None, None, None, None, why)
        found = find_lead(hit, LeadLookup().directory(conn, [hit]))
        if found.lead_id is None:
            return Trial(hit.rule, hit.rule.kind, None, None, None, found.why)
        match = rule_match_key(hit.rule, found)
        name = conn.execute(select(LEAD.c.name).where(LEAD.c.id == found.lead_id)).scalar_one()
        if unmatchable(conn, [(match, found.lead_id)]):
            why = f"{name} is kept out of automatic signals, or was said not to be this match"
            return Trial(hit.rule, hit.rule.kind, found.lead_id, name, match, why)
        return Trial(hit.rule, hit.rule.kind, found.lead_id, name, match, "")


def _address(text: str, field: str) -> str:
    try:
        cleaned = clean_email(text)
    except InvalidData as exc:
        raise InvalidData(str(exc), field) from None
    if cleaned is None:
        raise InvalidData(f"the {field.replace('_', '-')} address is empty", field)
    return cleaned.casefold()
