"""The signal rules the app ships with: common proposal, scheduling and e-mail tracking tools.

Written from how these tools word their notifications to the sender by default, as far as we
know them. Every one of these tools lets its users reword their notifications, some send from
a domain of their own choosing, and all of them change their wording now and then: these rules
are a starting point, not a promise. The person sees them in Settings › Signals and with
`followthrough signals rules`, tries a subject with `followthrough signals test`, and edits,
disables or deletes any of them; `reset` brings these back.

Each tool's mail comes from its own domain (subdomains included: "@pandadoc.net" also covers
"email.pandadoc.net"). Where a tool tells who acted by address (Reply-To, or a From "on behalf
of" the visitor), the lead is found by that address whatever the subject names.
"""

from __future__ import annotations

from followthrough.domain.signalrules import SignalRule
from followthrough.domain.signals import SignalKind

_VIEWED = SignalKind.PROPOSAL_VIEWED
_BOOKED = SignalKind.MEETING_BOOKED
_CANCELLED = SignalKind.MEETING_CANCELLED
_CLICKED = SignalKind.LINK_CLICKED

# (name, sender, pattern, kind): in order, the first rule that matches a mail is the one used.
_SHIPPED = (
    # DocSend: a visit to a link, told with the visitor's name when they gave it.
    ("DocSend: viewed", "@docsend.com", "{name} viewed {title}", _VIEWED),
    ("DocSend: new visit", "@docsend.com", "New visit: {title} by {name}", _VIEWED),
    # PandaDoc: sends from pandadoc.net (and .com) subdomains.
    ("PandaDoc: viewed", "@pandadoc.net", "{name} viewed {title}", _VIEWED),
    ("PandaDoc: opened", "@pandadoc.net", "{name} opened {title}", _VIEWED),
    ("PandaDoc: viewed (.com)", "@pandadoc.com", "{name} viewed {title}", _VIEWED),
    # Proposify: "is viewing" while the client reads.
    ("Proposify: viewing", "@proposify.com", "{name} is viewing {title}", _VIEWED),
    ("Proposify: viewed", "@proposify.com", "{name} viewed {title}", _VIEWED),
    # Qwilr: a page viewed.
    ("Qwilr: viewed", "@qwilr.com", "{name} viewed {title}", _VIEWED),
    ("Qwilr: viewed your page", "@qwilr.com", "{name} viewed your Qwilr {title}", _VIEWED),
    # Calendly: the host's notifications of a booking and a cancellation.
    ("Calendly: new event", "@calendly.com", "New Event: {name} - {any}", _BOOKED),
    ("Calendly: canceled", "@calendly.com", "Canceled: {name} - {any}", _CANCELLED),
    ("Calendly: cancelled", "@calendly.com", "Cancelled: {name} - {any}", _CANCELLED),
    # Cal.com: "between You and Dana Reyes".
    ("Cal.com: new event", "@cal.com", "New event: {title} between {any} and {name}", _BOOKED),
    (
        "Cal.com: cancelled",
        "@cal.com",
        "Event cancelled: {title} between {any} and {name}",
        _CANCELLED,
    ),
    # HubSpot-style e-mail tracking: an e-mail opened, a link in it clicked.
    ("HubSpot: opened", "@hubspot.com", "{name} opened {any}", _VIEWED),
    ("HubSpot: clicked", "@hubspot.com", "{name} clicked {any}", _CLICKED),
)

SHIPPED_RULES: tuple[SignalRule, ...] = tuple(
    SignalRule.create(name, sender, pattern, kind) for name, sender, pattern, kind in _SHIPPED
)
