"""Reading the CSV files people export from spreadsheets and other tools.

Pure: it works on binary streams handed to it and knows nothing of the database. Once
`sniff` (domain/csvsniff.py) has worked out the file's format, `read_rows` streams the
records after the header in constant memory, and `lead_fields` turns a record into the
fields of a lead, by the columns `map_columns` (domain/csvcolumns.py) chose.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple

from followthrough.domain.csvsniff import CsvFormat, bom_length
from followthrough.errors import InvalidData

# A cell starting with one of these is a formula to a spreadsheet; exports (ours too) put
# an apostrophe in front, which is not part of the value.
_FORMULA_STARTS = frozenset("=+-@\t\r")


class CsvRow(NamedTuple):
    """One record; `line` is the 1-based physical line it starts on.

    A tuple rather than a frozen dataclass: building one is several times cheaper, and an
    import builds one per row.
    """

    line: int
    cells: list[str]

    def ragged(self, expected: int) -> bool:
        """Whether the record has fewer or more cells than the header."""
        return len(self.cells) != expected


def read_rows(stream: BinaryIO, fmt: CsvFormat, *, max_cell: int = 10_000) -> Iterator[CsvRow]:
    """Yield the records after the header, one at a time; blank rows are left out.

    `stream` must be at the start of the file. A cell longer than `max_cell` characters
    stops the reading with `InvalidData` naming its line. (csv's own field limit, 131,072
    characters unless raised, is reported the same way.)
    """
    if fmt.skip_bom:
        stream.read(bom_length(fmt.encoding))
    text: Iterator[str] | io.TextIOWrapper
    if fmt.encoding in ("utf-8", "cp1252"):
        text = _decoded_lines(stream, fmt.encoding)
    else:
        # UTF-16 lines do not split on a newline byte; newline="" hands line endings to csv
        # untouched, as the csv module asks.
        text = io.TextIOWrapper(stream, encoding=fmt.encoding, errors="strict", newline="")
    try:
        reader = csv.reader(text, delimiter=fmt.delimiter)
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise _cell_error(error, start, max_cell) from error
            except UnicodeDecodeError as error:
                # The decoder reads ahead in blocks, so the record being read is not where
                # the bad bytes are: look for their line from the start (the error path only).
                line = _undecodable_line(stream, fmt.encoding) or start
                raise InvalidData(
                    f"line {line}: the text is not valid {fmt.encoding.upper()}."
                ) from error
            # The preamble and the header are read through, not returned, so that a note
            # with quoted line breaks counts its lines the way `sniff` counted them.
            if start <= fmt.header_line + 1 or not "".join(cells).strip():
                continue
            if len(max(cells, key=len, default="")) > max_cell:
                raise InvalidData(f"line {start}: a cell is over {max_cell:,} characters.")
            yield CsvRow(start, cells)
    finally:
        # Leave the caller's stream open: the wrapper would close it when collected.
        if isinstance(text, io.TextIOWrapper):
            text.detach()


def _decoded_lines(stream: BinaryIO, encoding: str) -> Iterator[str]:
    """The file's lines, each decoded on its own, so that a line in another encoding is
    named rather than turned into mojibake ("CafÃ©").

    A file whose first lines are UTF-8 must be UTF-8 throughout: a stray byte of another
    encoding stops the reading at its line. A file read as Windows-1252 (its first lines
    are not UTF-8) must not hold lines that are UTF-8 with accents either: that file mixes
    two encodings, and no single reading of it is right.
    """
    number = 0
    for chunk in stream:
        for raw in chunk.splitlines(keepends=True):  # \n, \r\n, and the old Mac \r alike
            number += 1
            if encoding == "utf-8":
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise InvalidData(
                        f"line {number}: the text is not valid UTF-8 (the byte "
                        f"0x{raw[error.start]:02X} is from another encoding); save the file "
                        "as UTF-8 and import it again."
                    ) from None
                continue
            if not raw.isascii() and _is_utf8(raw):
                raise InvalidData(
                    f"line {number}: this line is UTF-8 but other lines of the file are not: "
                    "the file mixes two encodings; save it as UTF-8 and import it again."
                )
            yield raw.decode("cp1252", errors="replace")


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def lead_fields(row: CsvRow, mapping: dict[str, int]) -> dict[str, str]:
    """The lead's fields in a record, trimmed; empty cells are left out.

    The name falls back to first + last name; tags come back comma-separated, whatever
    the file separated them with (";", "," or Google's " ::: "); of several e-mails or
    phones in one cell (Google's " ::: "), the first.
    """
    values: dict[str, str] = {}
    for field, index in mapping.items():
        if index < len(row.cells):
            value = row.cells[index].strip()
            if value.startswith("'") and value[1:2] in _FORMULA_STARTS:
                value = value[1:]  # our own export's guard against spreadsheet formulas
            if value:
                values[field] = value
    for field in ("email", "phone"):
        # Google puts several values in one cell, " ::: " apart; the first is the primary.
        if field in values:
            values[field] = values[field].split(":::", 1)[0].strip()
            if not values[field]:
                del values[field]
    first = values.pop("first_name", "")
    last = values.pop("last_name", "")
    if "name" not in values:
        full = " ".join(part for part in (first, last) if part)
        if full:
            values["name"] = full
    if "tags" in values:
        tags = split_tags(values.pop("tags"))
        if tags:
            values["tags"] = ", ".join(tags)
    return values


def split_tags(text: str) -> list[str]:
    """Tags in a cell: split on ";", "," or ":::", without Google's "* myContacts" group."""
    parts = (part.strip() for part in re.split(r":::|[;,]", text))
    return [part for part in parts if part and part.casefold() != "* mycontacts"]


def _cell_error(error: csv.Error, line: int, max_cell: int) -> InvalidData:
    if "field larger than field limit" in str(error):
        return InvalidData(f"line {line}: a cell is over {max_cell:,} characters.")
    return InvalidData(f"line {line}: the record cannot be read as CSV ({error}).")


def _undecodable_line(stream: BinaryIO, encoding: str) -> int | None:
    """The first line of a UTF-8 file that does not decode (None if the file cannot say)."""
    if encoding != "utf-8" or not stream.seekable():
        return None  # UTF-16 lines do not split on a newline byte
    stream.seek(0)
    for number, raw in enumerate(stream, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return None
