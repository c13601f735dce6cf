"""Text that is safe to print: what the CLI shows can never drive the terminal or lie.

A name, a note or a mail subject may hold anything (old data, imports, mail headers), and
a terminal obeys what it is sent: ESC and C1 sequences clear the screen, retitle the
window or set the clipboard (OSC 52); a carriage return or backspace overwrites what was
printed; bidirectional controls show text in another order than it is stored. So every
such character is shown as a visible escape ("\\x1b", "\\u202e") instead, and JSON escapes
them as "\\uXXXX", which reads back to the very same string.
"""

from __future__ import annotations

import re
import sys
from typing import Any

# Every control (Cc), format (Cf), surrogate (Cs), line and paragraph separator (Zl, Zp)
# of Unicode 14, spelled out because scanning the whole range at start-up would be slow;
# tests/hardening/test_output.py checks the list against this Python's unicodedata.
_ESCAPED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Joiners are format characters, yet emoji sequences and scripts such as Devanagari or
# Persian need them between two letters; anywhere else they only hide a difference.
_JOINERS = "\u200c\u200d"


def escape_char(ch: str) -> str:
    """The visible stand-in for one character: \\n, \\x1b, \\u202e, \\U000e0041."""
    code = ord(ch)
    if ch in _SHORT:
        return _SHORT[ch]
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _joins_letters(text: str, at: int) -> bool:
    """Is the joiner at `at` between two visible non-ASCII characters?"""
    if at == 0 or at + 1 >= len(text):
        return False
    before, after = text[at - 1], text[at + 1]
    return all(
        not ch.isascii() and ch not in _JOINERS and not _ESCAPED.match(ch) for ch in (before, after)
    )


def _escape_match(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _JOINERS and _joins_letters(match.string, match.start()):
        return ch
    return escape_char(ch)


def one_line(text: str) -> str:
    """`text` for one line of output (a table cell, a field, the error line): every
    control, format and bidirectional character as an escape, line breaks and tabs too."""
    return _ESCAPED.sub(_escape_match, text)


def needs_escape(text: str) -> bool:
    """Does `text` hold a character one_line may escape?"""
    return _ESCAPED.search(text) is not None


def one_line_pieces(text: str) -> list[str]:
    """one_line(text) a piece per character of `text`: the character itself, or its
    escape (so that a column can be cut between characters, never inside an escape)."""
    if _ESCAPED.search(text) is None:
        return list(text)
    return [
        escape_char(ch)
        if _ESCAPED.match(ch) and not (ch in _JOINERS and _joins_letters(text, at))
        else ch
        for at, ch in enumerate(text)
    ]


def is_joiner(piece: str) -> bool:
    return piece in _JOINERS


def terminal_safe(text: str) -> str:
    """`text` for the terminal, keeping its line breaks and tabs (a draft, a note):
    everything else that could move the cursor or reorder text becomes an escape."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join("\t".join(one_line(part) for part in line.split("\t")) for line in lines)


def _json_escape_above_c0(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return match.group()
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)  # JSON spells these as a surrogate pair
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


def json_safe(json_text: str) -> str:
    """JSON text with DEL, C1, format and bidirectional characters as \\uXXXX.

    JSON writers already escape C0 controls inside strings, so a raw one is layout (the
    indent's line breaks) and stays. Outside strings JSON text is ASCII, so every other
    such character sits in a string, where its escape reads back as the very character.
    """
    return _ESCAPED.sub(_json_escape_above_c0, json_text)


def json_text(data: Any) -> str:
    """`data` as indented JSON, readable (non-ASCII letters stay) and safe to print."""
    import json

    return json_safe(json.dumps(data, ensure_ascii=False, indent=2))


def print_json(data: Any) -> None:
    """The one way the CLI prints JSON."""
    print(json_text(data))


def print_text(text: str) -> None:
    """The one way the CLI prints text for people (stdout), line breaks kept."""
    print(terminal_safe(text))


def print_error(message: str) -> None:
    """One line on stderr: a message may quote stored names or what was typed."""
    print(one_line(message), file=sys.stderr)
