"""Reading the CSV files people export from spreadsheets and other tools.

Pure: it works on bytes and binary streams handed to it and knows nothing of the database.
`sniff` looks at the first bytes of a file, `read_rows` streams the records after the header
in constant memory, `map_columns` and `lead_fields` turn a record into the fields of a lead.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

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

# A cell starting with one of these is a formula to a spreadsheet; exports (ours too) put
# an apostrophe in front, which is not part of the value.
_FORMULA_STARTS = frozenset("=+-@\t\r")

# A Pipedrive deals export without a person column still has deals worth following, and
# their title is the best name there is; used only when no column names the person.
_DEAL_TITLE = "Deal - Title"
_PERSON_FIELDS = ("name", "first_name", "last_name")


def _heading_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_heading_key(heading): field for field, names in table.items() for heading in names}


_FIELD_OF = _lookup(_SYNONYMS)


@dataclass(frozen=True)
class CsvFormat:
    """How to read a file: its text encoding, delimiter and where its header row is."""

    encoding: str
    delimiter: str
    header_line: int  # 0-based physical line of the header row
    skip_bom: bool
    columns: tuple[str, ...] = ()  # the header row's cells, as `sniff` read them


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


def read_rows(stream: BinaryIO, fmt: CsvFormat, *, max_cell: int = 10_000) -> Iterator[CsvRow]:
    """Yield the records after the header, one at a time; blank rows are left out.

    `stream` must be at the start of the file. A cell longer than `max_cell` characters
    stops the reading with `InvalidData` naming its line. (csv's own field limit, 131,072
    characters unless raised, is reported the same way.)
    """
    if fmt.skip_bom:
        stream.read(_bom_length(fmt.encoding))
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


def _bom_length(encoding: str) -> int:
    return next(len(bom) for bom, name in _BOMS if name == encoding)


def _decode_head(head: bytes, encoding: str) -> str:
    errors = "replace" if encoding == "cp1252" else "strict"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    try:
        return str(decoder.decode(head, final=False))
    except UnicodeDecodeError as error:
        raise InvalidData(f"The file is not valid {encoding.upper()} text.") from error


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
        if sum(1 for cell in cells if _heading_key(cell) in _FIELD_OF) >= 2:
            return line, cells
    modal = Counter(len(cells) for _, cells in records).most_common(1)[0][0]
    return next((line, cells) for line, cells in records if len(cells) == modal)
