"""Which column of a CSV file holds which lead field, told by its heading.

Pure. Exports name their columns in many ways ("E-mail 1 - Value", "Person - Name"):
`map_columns` knows them, and `sniff` (domain/csvsniff.py) finds the header row by them.
"""

from __future__ import annotations

import re

MAPPABLE_FIELDS = (
    "name",
    "first_name",
    "last_name",
    "email",
    "company",
    "phone",
    "state",
    "next_step",
    "due",
    "notes",
    "tags",
    "recycle_until",
    "recycle_reason",
)

# Headings as the exports spell them (LinkedIn connections, Google and Outlook contacts,
# HubSpot contacts, Pipedrive persons and deals) and as people name spreadsheet columns.
# They are compared after `_heading_key`, so case, spaces and punctuation do not matter.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("Name", "Full name", "Person - Name", "Contact name"),
    "first_name": ("First Name", "Given Name", "First", "Firstname"),
    "last_name": ("Last Name", "Family Name", "Surname", "Last", "Lastname"),
    "email": (
        "Email",
        "E-mail",
        "Mail",
        "Email Address",
        "E-mail Address",
        "E-mail 1 - Value",
        "Person - Email",
        "Person - Email - Work",
        "Email - Work",
        "Email - Home",
        "Email - Other",
    ),
    "company": (
        "Company",
        "Company Name",
        "Organization",
        "Organisation",
        "Organization Name",
        "Organisation Name",
        "Organization 1 - Name",
        "Organization - Name",
        "Person - Organization",
        "Account",
        "Account Name",
    ),
    "phone": (
        "Phone",
        "Mobile",
        "Phone Number",
        "Telephone",
        "Phone 1 - Value",
        "Business Phone",
        "Mobile Phone",
        "Home Phone",
        "Person - Phone",
        "Person - Phone - Work",
        "Phone - Work",
        "Phone - Mobile",
    ),
    "state": ("State", "Status", "Stage", "Deal - Stage", "Lead Status", "Lifecycle Stage"),
    "next_step": ("Next step", "Next action"),
    "due": ("Due", "Due date", "Next step due", "Next activity date", "Follow up", "Follow-up"),
    "notes": ("Notes", "Note", "Comments"),
    "tags": ("Tags", "Tag", "Labels", "Categories", "Group Membership", "Person - Labels"),
    "recycle_until": ("Recycle until", "Come back on", "Revisit on", "Reactivate on"),
    "recycle_reason": ("Recycle reason", "Parked because", "Why parked"),
}

# A Pipedrive deals export without a person column still has deals worth following, and
# their title is the best name there is; used only when no column names the person.
_DEAL_TITLE = "Deal - Title"
_PERSON_FIELDS = ("name", "first_name", "last_name")


def _heading_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_heading_key(heading): field for field, names in table.items() for heading in names}


_FIELD_OF = _lookup(_SYNONYMS)


def names_a_field(heading: str) -> bool:
    """Whether a heading is one `map_columns` knows."""
    return _heading_key(heading) in _FIELD_OF


def map_columns(header: list[str]) -> dict[str, int]:
    """Field name → column index, by heading; the first matching column wins a field."""
    mapping: dict[str, int] = {}
    keys = [_heading_key(heading) for heading in header]
    for index, key in enumerate(keys):
        field = _FIELD_OF.get(key)
        if field is not None and field not in mapping:
            mapping[field] = index
    deal_title = _heading_key(_DEAL_TITLE)
    if deal_title in keys and not any(field in mapping for field in _PERSON_FIELDS):
        mapping["name"] = keys.index(deal_title)
    return mapping
