"""`followthrough reason LEAD CATEGORY`: correct why a lost or parked lead left the running.

The category is given with the move (`move … lost --category fit`) or the usual one is kept;
this changes it afterwards, as the lead panel's Reason box does.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from followthrough.cli import output
from followthrough.cli.command import UsesDatabase, add_command
from followthrough.domain.reasons import ReasonCategory, parse_reason_category

if TYPE_CHECKING:
    from followthrough.cli.command import Subcommands
    from followthrough.store.db import Database


def prepare_reason(args: argparse.Namespace, now: datetime) -> ReasonCategory:
    return parse_reason_category(args.category)


def run_reason(
    db: Database, args: argparse.Namespace, category: ReasonCategory, now: datetime
) -> int:
    from followthrough.services.feedback import set_reason_category
    from followthrough.services.lead_queries import get_lead, resolve_lead

    lead_id = resolve_lead(db, args.lead).id
    set_reason_category(db, lead_id, category, now=now)
    lead = get_lead(db, lead_id, now).lead
    said = {**output.lead_json(lead), "reason_category": category.value}
    return output.say(
        args, said, f"{lead.label} is in {lead.state.label}; reason: {category.label}."
    )


def declare(sub: Subcommands) -> None:
    handler = UsesDatabase(run_reason, prepare_reason)
    choices = ", ".join(category.value for category in ReasonCategory)
    p = add_command(sub, "reason", "change why a lost or parked lead left, in a word", handler)
    p.add_argument("lead", metavar="LEAD")
    p.add_argument("category", metavar="CATEGORY", help=f"one of {choices}")
