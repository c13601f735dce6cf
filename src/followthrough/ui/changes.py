"""What a write changed, so that each view reads again only when its own data moved.

Every write announces one of these on `Operations.changed` (like Anki's OpChanges): the board
reads again on a lead or alert change, not when the person's signature is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    leads: bool = False  # a lead's fields, state or timeline
    alerts: bool = False  # alerts raised, closed, snoozed
    policy: bool = False  # the follow-up rules: when alerts fall due, a card's momentum
    settings: bool = False  # the person's preferences (signature, notifications, tray)
    templates: bool = False  # the template library

    def touches(self, watched: Changes) -> bool:
        """True when any kind of data `watched` names is among these changes."""
        return any(getattr(self, f.name) and getattr(watched, f.name) for f in fields(self))

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name)
                          for f in fields(self)})  # fmt: skip


# A change to a lead can raise, close or move its alerts (a move, a logged reply, a delete).
LEADS = Changes(leads=True, alerts=True)
ALERTS = Changes(alerts=True)
# New follow-up rules: each board lead's next check is due again (the next tick re-plans its
# alerts and says so itself) and the cards' momentum reads differently at once.
POLICY = Changes(policy=True)
SETTINGS = Changes(settings=True)
TEMPLATES = Changes(templates=True)
# A restore, an import, a write by another process: anything may have moved.
EVERYTHING = Changes(leads=True, alerts=True, policy=True, settings=True, templates=True)
