"""Opening a CSV file for import, previewing it, and checking a column mapping."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from followthrough.domain.csvcolumns import MAPPABLE_FIELDS, map_columns
from followthrough.domain.csvread import CsvRow, read_rows
from followthrough.domain.csvsniff import SNIFF_BYTES, CsvFormat, sniff
from followthrough.errors import InvalidData, NotFound


@dataclass(frozen=True)
class ImportPreview:
    format: CsvFormat
    mapping: dict[str, int]
    rows: list[list[str]]
    size: int


def open_csv(path: Path) -> BinaryIO:
    """The file, opened for reading; every way it can fail said as the person would put it."""
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise NotFound(f"there is no file {path}") from None
    except IsADirectoryError:
        raise InvalidData(f"{path} is a folder, not a file", "file") from None
    except OSError as exc:
        raise InvalidData(f"cannot read {path}: {exc.strerror}", "file") from None


def format_of(stream: BinaryIO) -> CsvFormat:
    """How the file is written (encoding, delimiter, header), from its first bytes."""
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
        # A full export, not a sheet: it goes back whole, with its history, elsewhere.
        raise InvalidData(
            "this is a JSON file, not a CSV: a full Followthrough export goes back into an "
            "empty data folder with `followthrough import FILE`",
            "file",
        )
    return sniff(head)


def preview_csv(path: Path, limit: int = 20) -> ImportPreview:
    """How the file reads: its format, the guessed mapping and its first records."""
    with open_csv(path) as stream:
        fmt = format_of(stream)
        rows: list[list[str]] = []
        # Closed before the file is: the reader must let go of the stream while it is open.
        with closing(cast(Generator[CsvRow], read_rows(stream, fmt))) as records:
            for row in records:
                if len(rows) >= limit:
                    break
                rows.append(row.cells)
        return ImportPreview(fmt, map_columns(list(fmt.columns)), rows, path.stat().st_size)


def check_mapping(mapping: dict[str, int], columns: Sequence[str]) -> None:
    """A mapping the user corrected: known fields, real columns, a name among them."""
    for field, index in mapping.items():
        if field not in MAPPABLE_FIELDS:
            raise InvalidData(
                f"'{field}' is not a lead field (use {', '.join(MAPPABLE_FIELDS)})", "mapping"
            )
        if not 0 <= index < len(columns):
            raise InvalidData(f"the file has no column {index + 1} for {field}", "mapping")
    taken: dict[int, str] = {}
    for field, index in mapping.items():
        if index in taken:
            raise InvalidData(
                f"the column '{columns[index]}' is mapped to both {taken[index]} and {field}",
                "mapping",
            )
        taken[index] = field
    if not {"name", "first_name", "last_name"} & mapping.keys():
        raise InvalidData("map a column to the name (or to first and last name)", "mapping")
