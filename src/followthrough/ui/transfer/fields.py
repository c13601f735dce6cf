"""The lead fields a file column can fill, in the words the dialog shows them."""

from __future__ import annotations

# One label for each of csvcolumns.MAPPABLE_FIELDS, in the same order.
FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "E-mail",
    "company": "Company",
    "phone": "Phone",
    "state": "State",
    "next_step": "Next step",
    "due": "Due",
    "notes": "Notes",
    "tags": "Tags",
    "recycle_until": "Come back on",
    "recycle_reason": "Why parked",
}

# Any one of these is enough to give a lead its name (first + last are joined).
NAME_FIELDS = ("name", "first_name", "last_name")

# The fields of an imported lead, in the order the preview shows them: first and last
# name are folded into Name by the reader, so they have no column of their own.
PREVIEW_FIELDS = ("name", "email", "company", "phone", "state", "next_step", "due", "tags", "notes")


def field_label(field: str | None) -> str:
    """A field as the user knows it; a field the dialog does not know is shown as it is."""
    if not field:
        return ""
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
