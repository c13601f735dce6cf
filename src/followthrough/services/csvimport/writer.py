"""Writing checked rows to the lead and event tables, a batch at a time.

Rows are written with the store's plain statements (store/lead_import.py), inside the
caller's transaction, because SQLAlchemy's per-value processing would cost more than the
rest of the import together. New leads are planned as they are written (`_first_check`).
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from followthrough.domain.importrows import ImportedLead
from followthrough.domain.leadfacts import LeadFacts
from followthrough.domain.leadfields import email_key, search_key
from followthrough.domain.policy import Policy
from followthrough.domain.rules import evaluate
from followthrough.domain.signals import Direction, EventKind, SignalKind, TimelineEntry
from followthrough.services.csvimport.report import ImportTally
from followthrough.store.lead_import import (
    EventValues,
    ImportStatements,
    LeadValues,
    MergedValues,
)
from followthrough.store.utc import stored_text

_FACTS_KEPT = 10_000  # distinct facts whose first check is remembered at once


class Duplicates(StrEnum):
    """What a row does whose e-mail address a lead already has."""

    SKIP = "skip"
    MERGE = "merge"


class BatchWriter:
    """Writes batches of checked rows inside the caller's transaction."""

    def __init__(self, sql: ImportStatements, on_duplicate: Duplicates, now: datetime,
                 source: str, policy: Policy, tally: ImportTally) -> None:  # fmt: skip
        self.sql = sql
        self.tally = tally
        self.policy = policy
        # Facts → first check, and tags → stored JSON: many rows share them.
        self._checks: dict[tuple[Any, ...], str | None] = {}
        self._tags: dict[tuple[str, ...], str] = {}
        self.on_duplicate = on_duplicate
        self.now = now
        self.stamp = stored_text(now)
        self.source = source

    def write(self, batch: list[ImportedLead]) -> list[int]:
        """Add or merge a batch; returns the ids of existing leads it changed (to re-plan)."""
        keys = [key for lead in batch if (key := email_key(lead.email)) is not None]
        known = self.sql.ids_by_email_key(keys)
        fresh: list[ImportedLead] = []
        in_batch: dict[str, int] = {}  # e-mail key → its row's place in `fresh`
        merges: dict[int, ImportedLead] = {}
        for lead in batch:
            key = email_key(lead.email)
            if key is None:
                fresh.append(lead)
            elif key not in known and key not in in_batch:
                in_batch[key] = len(fresh)
                fresh.append(lead)
            elif self.on_duplicate is Duplicates.SKIP:
                self.tally.duplicates += 1
            elif key in known:
                merges[known[key]] = _merged(merges.get(known[key]), lead)
                self.tally.merged += 1
            else:
                place = in_batch[key]
                fresh[place] = _merged(fresh[place], lead)
                self.tally.merged += 1
        self._insert(fresh)
        self._merge(merges)
        # New leads were planned as they were written (`_first_check`).
        return list(merges)

    def _insert(self, leads: list[ImportedLead]) -> list[int]:
        if not leads:
            return []
        ids = self.sql.insert_leads([self._lead_row(lead) for lead in leads])
        events: list[EventValues] = []
        for lead_id, lead in zip(ids, leads, strict=True):
            move = {"from": None, "to": lead.state.value, "until": _iso(lead.recycle_until)}
            events.append(
                (lead_id, EventKind.STATE_CHANGE.value, json.dumps(move), lead.recycle_reason)
            )
            if lead.notes:
                events.append((lead_id, SignalKind.NOTE.value, "{}", lead.notes))
        self.sql.insert_events(events, self.stamp)
        self.tally.added += len(leads)
        return ids

    def _lead_row(self, lead: ImportedLead) -> LeadValues:
        return (
            lead.name,
            lead.company,
            lead.email,
            email_key(lead.email),
            lead.phone,
            self.source,
            self._tags.get(lead.tags) or self._tags.setdefault(lead.tags, json.dumps(lead.tags)),
            search_key(lead.name, lead.company, lead.email, lead.tags),
            lead.state.value,
            self.stamp,
            lead.next_step,
            stored_text(lead.next_step_due),
            stored_text(lead.recycle_until),
            lead.recycle_reason,
            self._first_check(lead),
            self.stamp,
            self.stamp,
        )

    def _first_check(self, lead: ImportedLead) -> str | None:
        """When the engine should first look at a new lead, as `replan_leads` would set it.

        A new lead's whole history is what this import writes (its arrival, its notes) and
        it has no alerts, so its facts are known without reading them back; leads with the
        same facts share the answer, which keeps a 100k-row import inside its budget.
        """
        # What differs between two new leads' facts; the rest is this import's moment.
        key = (
            lead.state,
            lead.next_step,
            lead.next_step_due,
            lead.recycle_until,
            lead.recycle_reason,
            bool(lead.notes),
        )
        if key not in self._checks:
            if len(self._checks) >= _FACTS_KEPT:
                self._checks.clear()  # memory stays flat on a file where every row differs
            timeline = [TimelineEntry(self.now, EventKind.STATE_CHANGE, Direction.NONE)]
            if lead.notes:
                timeline.append(TimelineEntry(self.now, SignalKind.NOTE, Direction.NONE))
            facts = LeadFacts(
                state=lead.state,
                state_since=self.now,
                next_step=lead.next_step,
                next_step_due=lead.next_step_due,
                recycle_until=lead.recycle_until,
                recycle_reason=lead.recycle_reason,
                timeline=tuple(timeline),
            )
            moments = [finding.fires_at for finding in evaluate(facts, self.policy)]
            self._checks[key] = stored_text(min(moments)) if moments else None
        return self._checks[key]

    def _merge(self, merges: dict[int, ImportedLead]) -> None:
        """Fill the existing leads in with what the file knows; their state stays."""
        if not merges:
            return
        updates: list[MergedValues] = []
        notes: list[EventValues] = []
        targets = self.sql.merge_targets(list(merges))
        for lead_id, name, company, email, phone, tags, step in targets:
            lead = merges[lead_id]
            merged_tags = list(dict.fromkeys([*json.loads(tags), *lead.tags]))
            company = lead.company or company
            updates.append(
                (
                    lead.name or name,
                    company,
                    lead.phone or phone,
                    json.dumps(merged_tags),
                    search_key(lead.name or name, company, email, merged_tags),
                    lead.next_step or step,
                    stored_text(lead.next_step_due) if lead.next_step else None,
                    1 if lead.next_step else 0,
                    self.stamp,
                    lead_id,
                )
            )
            if lead.notes:
                notes.append((lead_id, SignalKind.NOTE.value, "{}", lead.notes))
        self.sql.update_merged(updates)
        self.sql.insert_events(notes, self.stamp)


def _merged(first: ImportedLead | None, later: ImportedLead) -> ImportedLead:
    """Two rows for one mailbox: the later row's values win where it has them."""
    if first is None:
        return later
    return first._replace(
        name=later.name or first.name,
        company=later.company or first.company,
        phone=later.phone or first.phone,
        next_step=later.next_step or first.next_step,
        next_step_due=later.next_step_due if later.next_step else first.next_step_due,
        tags=tuple(dict.fromkeys([*first.tags, *later.tags])),
        notes="\n\n".join(n for n in (first.notes, later.notes) if n) or None,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
