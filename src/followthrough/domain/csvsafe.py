"""Cells a spreadsheet would run as a formula when the file is opened.

A lead's name or note comes from outside (a web form, a pasted e-mail), so "=HYPERLINK(...)"
must stay text in every CSV the app writes: the export and the reports alike.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str | None) -> str:
    """`text` as a cell no spreadsheet will evaluate; None is an empty cell."""
    if not text:
        return ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
