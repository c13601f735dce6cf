"""Working out how a CSV file is written, from its first bytes.

Pure. `sniff` finds the text encoding (a byte-order mark, else UTF-8, else Windows-1252),
the delimiter and the header row past any preamble; domain/csvread.py then reads the
records with what it found.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass

from followthrough.domain.csvcolumns import map_columns, names_a_field
from followthrough.errors import InvalidData

# How much of a file `sniff` wants to see: enough for long preambles and a few dozen rows.
SNIFF_BYTES = 64 * 1024
# Records looked at when choosing the delimiter and the header row.
_SNIFF_RECORDS = 50
_DELIMITERS = (",", ";", "\t")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class CsvFormat:
    """How to read a file: its text encoding, delimiter and where its header row is."""

    encoding: str
    delimiter: str
    header_line: int  # 0-based physical line of the header row
    skip_bom: bool
    columns: tuple[str, ...] = ()  # the header row's cells, as `sniff` read them


def sniff(head: bytes) -> CsvFormat:
    """Work out encoding, delimiter and header row from the first bytes of a file."""
    encoding, bom = _encoding_of(head)
    text = _decode_head(head[len(bom) :], encoding)
    if not text.strip():
        raise InvalidData("The file is empty.")
    if _looks_binary(text):
        raise InvalidData("The file is not text: it looks like a binary file, not a CSV export.")
    delimiter = _delimiter_of(text)
    records = _records(text, delimiter)
    header_line, columns = _header_of(records)
    if not map_columns(columns):
        raise InvalidData(
            "No column heading in the file names a lead field such as Name, Email or Company."
        )
    return CsvFormat(encoding, delimiter, header_line, bool(bom), tuple(columns))


def _encoding_of(head: bytes) -> tuple[str, bytes]:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, bom
    try:
        # final=False: the head may end in the middle of a character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252", b""
    return "utf-8", b""


def bom_length(encoding: str) -> int:
    """How many bytes the byte-order mark of a file in `encoding` (one sniffed so) takes."""
    return next(len(bom) for bom, name in _BOMS if name == encoding)


def _decode_head(head: bytes, encoding: str) -> str:
    errors = "replace" if encoding == "cp1252" else "strict"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    try:
        return str(decoder.decode(head, final=False))
    except UnicodeDecodeError as error:
        raise InvalidData(f"The file is not valid {encoding.upper()} text.") from error


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n\f")
    return controls > len(text) // 20


def _delimiter_of(text: str) -> str:
    """The delimiter found the same number of times, outside quotes, on the most lines."""
    counts: dict[str, list[int]] = {d: [] for d in _DELIMITERS}
    for line in _logical_lines(text)[:_SNIFF_RECORDS]:
        for delimiter in _DELIMITERS:
            counts[delimiter].append(_count_outside_quotes(line, delimiter))
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        used = [n for n in counts[delimiter] if n > 0]
        if not used:
            continue
        modal, lines = Counter(used).most_common(1)[0]
        if (lines, modal) > best_score:
            best, best_score = delimiter, (lines, modal)
    return best


def _logical_lines(text: str) -> list[str]:
    """Non-blank records as text, joining the lines a quoted cell spans."""
    lines: list[str] = []
    pending = ""
    for line in text.splitlines():
        pending = f"{pending}\n{line}" if pending else line
        if pending.count('"') % 2 == 0:
            if pending.strip():
                lines.append(pending)
            pending = ""
    return lines


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """The first non-blank records with the 0-based physical line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    start = 0
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
                if len(records) >= _SNIFF_RECORDS:
                    break
            start = reader.line_num
    except csv.Error as error:
        # A huge cell in the first rows; what came before it is still enough to sniff.
        if not records:
            raise InvalidData(f"line {start + 1}: the file cannot be read as CSV.") from error
    return records


def _header_of(records: list[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The first record naming at least two known columns, else the first of the modal width."""
    if not records:
        raise InvalidData("The file has no column headings and no rows.")
    for line, cells in records:
        if sum(1 for cell in cells if names_a_field(cell)) >= 2:
            return line, cells
    modal = Counter(len(cells) for _, cells in records).most_common(1)[0][0]
    return next((line, cells) for line, cells in records if len(cells) == modal)
