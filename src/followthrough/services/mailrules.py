"""The signal rules applied during the mail watch: a tool's notification logged for its lead.

An inbox message whose From or Sender is a rule's sender is a tool's notification: it is read
by the rules only (never logged as a reply, even when the tool sends "on behalf of" the lead).
The first enabled rule whose pattern matches its subject says the signal; the lead is found as
domain/signalrules.py says (Reply-To, From, Sender, then the name or company in the subject).
Each signal carries its source (mail_rule), the rule's name, and what matched the lead
("mail_rule:<rule sender>:<address, or name:/company: and the name>"), so Not this lead
takes it back and that sender and value never match that lead again. Leads kept out of
automatic matching are skipped. The mail watch (mailwatch.py) remembers the message as seen,
so it is logged once across passes and restarts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from followthrough.domain.mailheaders import MailHeaders
from followthrough.domain.provenance import MATCH, SOURCE, SignalSource
from followthrough.domain.signalrules import RuleBook, RuleHit, SignalRule, find_lead
from followthrough.domain.signals import SIGNAL_TRAITS
from followthrough.services.matching import unmatchable
from followthrough.services.signal_log import SignalEntry
from followthrough.services.signalrules import LeadLookup, rule_match_key, stored_rules
from followthrough.store.tables import LEAD

RULE = "rule"  # payload key: the name of the rule that logged the signal


@dataclass(frozen=True)
class RuleSignal:
    key: str  # the message's key (mail_seen)
    lead_id: int
    lead_name: str
    rule: SignalRule
    entry: SignalEntry


def load_book(conn: Connection) -> RuleBook:
    """The enabled rules, compiled for one pass."""
    return RuleBook(stored_rules(conn))


def is_notification(book: RuleBook, headers: MailHeaders) -> bool:
    return bool(book) and book.from_a_tool((*headers.senders, *headers.sender))


def rule_signals(
    conn: Connection,
    book: RuleBook,
    lookup: LeadLookup,
    messages: Sequence[MailHeaders],
    folder: str,
    now: datetime,
) -> list[RuleSignal]:
    """The signals these notifications call for, in order (one per message at most)."""
    hits: list[tuple[MailHeaders, RuleHit]] = []
    for headers in messages:
        hit = book.hit((*headers.senders, *headers.sender), headers.reply_to, headers.subject)
        if hit is not None:
            hits.append((headers, hit))
    if not hits:
        return []
    directory = lookup.directory(conn, [hit for _, hit in hits])
    found = [(headers, hit, find_lead(hit, directory)) for headers, hit in hits]
    matched = [(h, hit, f, rule_match_key(hit.rule, f)) for h, hit, f in found
               if f.lead_id is not None]  # fmt: skip
    refused = unmatchable(conn, ((match, f.lead_id) for _, _, f, match in matched
                                 if f.lead_id is not None))  # fmt: skip
    names = _names(conn, {f.lead_id for _, _, f, _ in matched if f.lead_id is not None})
    signals: list[RuleSignal] = []
    for headers, hit, lead, match in matched:
        assert lead.lead_id is not None
        if (match, lead.lead_id) in refused:
            continue
        traits = SIGNAL_TRAITS[hit.rule.kind]
        payload = {SOURCE: SignalSource.MAIL_RULE.value, MATCH: match, RULE: hit.rule.name,
                   "folder": folder}  # fmt: skip
        entry = SignalEntry(lead.lead_id, hit.rule.kind, min(headers.date, now),
                            traits.direction, traits.channel, headers.subject, payload)  # fmt: skip
        signals.append(RuleSignal(headers.key, lead.lead_id, names[lead.lead_id], hit.rule,
                                  entry))  # fmt: skip
    return signals


def _names(conn: Connection, lead_ids: set[int]) -> dict[int, str]:
    if not lead_ids:
        return {}
    rows = conn.execute(select(LEAD.c.id, LEAD.c.name).where(LEAD.c.id.in_(lead_ids)))
    return {int(lead_id): str(name) for lead_id, name in rows}
