"""How many terminal columns text takes, so the CLI's columns line up in any script.

A CJK or fullwidth character takes two columns; a combining accent, a variation selector
or a joiner takes none. Counting characters (len) would push every later column of a row
with "山田太郎" or "Zoé" (e + U+0301) out of line.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from followthrough.cli.termsafe import is_joiner, needs_escape, one_line_pieces

ELLIPSIS = "…"


@cache  # a table of 50k leads asks about the same few hundred characters again and again
def char_width(ch: str) -> int:
    """Columns one character takes (controls never get here: they are escaped first)."""
    if unicodedata.category(ch) in ("Mn", "Me", "Cf") or _is_conjoining_jamo(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _is_conjoining_jamo(ch: str) -> bool:
    # Hangul vowels and finals written apart (NFD, as macOS stores file names) sit in the
    # syllable their leading consonant opens.
    return "\u1160" <= ch <= "\u11ff" or "\ud7b0" <= ch <= "\ud7ff"


def display_width(text: str) -> int:
    return sum(map(char_width, text))


class Cell:
    """Text as a table shows it: on one line, escapes included, measured in columns."""

    __slots__ = ("_units", "text", "width")
    text: str
    width: int
    _units: list[tuple[str, int]] | None  # None: one column a character, cut anywhere

    def __init__(self, text: str) -> None:
        if text.isascii() and text.isprintable():  # most cells: one column a character
            self.text, self.width, self._units = text, len(text), None
            return
        widths = None if needs_escape(text) else list(map(char_width, text))
        if widths is not None and 0 not in widths:  # "Émile", "山田": one unit a character
            self.text, self.width = text, sum(widths)
            self._units = None if self.width == len(text) else list(zip(text, widths, strict=True))
            return
        self._units = _units(text)
        self.text = "".join(unit for unit, _ in self._units)
        self.width = sum(columns for _, columns in self._units)

    def fit(self, width: int) -> str:
        """Exactly `width` columns: padded, or cut with … between whole characters (with
        their accents, joined sequences, escapes); a wide one that would straddle goes."""
        if self.width <= width:
            return self.text + " " * (width - self.width)
        if self._units is None:
            return self.text[: width - 1] + ELLIPSIS
        out, used = "", 0
        for unit, columns in self._units:
            if used + columns > width - 1:
                break
            out, used = out + unit, used + columns
        return out + ELLIPSIS + " " * (width - used - 1)


def _units(text: str) -> list[tuple[str, int]]:
    """What `text` shows on one line, in pieces a cut may fall between, with their
    columns: a letter keeps its accents and variation selectors, a joiner keeps what it
    joins (emoji sequences, Indic conjuncts), and an escape such as \\x1b stays whole."""
    units: list[tuple[str, int]] = []
    joined = False
    for piece in one_line_pieces(text):
        if len(piece) > 1:  # an escape: ASCII, one column a character
            units.append((piece, len(piece)))
            joined = False
            continue
        columns = char_width(piece)
        if units and (joined or columns == 0):
            unit, used = units[-1]
            units[-1] = (unit + piece, used + columns)
        else:
            units.append((piece, columns))
        joined = is_joiner(piece)
    return units
