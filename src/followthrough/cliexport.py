"""CLI command `export`: the leads as CSV, or everything as JSON, to a file or stdout."""

from __future__ import annotations

import argparse
import io
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from followthrough.termsafe import json_safe, one_line, print_json, print_text

if TYPE_CHECKING:
    from followthrough.store.db import Database

STDOUT = "-"


def add_parsers(sub: Any, command: Any) -> None:
    """Declare `export` on the main parser's subcommands."""
    p = command("export", "export the leads as CSV, or everything as JSON (for import)")
    p.add_argument("--format", required=True, choices=("csv", "json"),
                   help="csv: one row per lead; json: leads, history, alerts, templates, "
                   "settings")  # fmt: skip
    p.add_argument("--output", metavar="FILE",
                   help="where to write (default: followthrough-export-DATE.FORMAT here; "
                   "- for stdout); an existing file is never replaced")  # fmt: skip


def prepare_export(args: argparse.Namespace, now: datetime) -> Path | None:
    """The file to write (None for stdout), checked before the data folder is opened."""
    from followthrough.services.export import check_target, default_file_name

    if args.output == STDOUT:
        return None
    target = Path(args.output or default_file_name(args.format, now)).expanduser()
    check_target(target)
    return target


def run_export(db: Database, args: argparse.Namespace, target: Path | None, now: datetime) -> int:
    from followthrough.services import export

    if target is None:
        _to_stdout(db, args.format, now)
        return 0  # stdout holds the data: nothing else may be printed there
    if args.format == "csv":
        counts = {"leads": export.export_csv(db, target, now)}
    else:
        counts = export.export_json(db, target, now)
    leads = counts["leads"]
    if args.json:
        print_json({"path": str(target), "format": args.format, **counts})
    else:
        print_text(one_line(f"Exported {leads} lead{'' if leads == 1 else 's'} to {target}"))
    return 0


def _to_stdout(db: Database, fmt: str, now: datetime) -> None:
    from followthrough.services import export

    sys.stdout.flush()
    if fmt == "json":
        export.write_json(db, cast("BinaryIO", _EscapingJsonStream(sys.stdout.buffer)), now)
        sys.stdout.buffer.flush()
        return
    # Always UTF-8 and the file's own line endings, whatever the terminal's locale says.
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        export.write_csv(db, stream)
    finally:
        stream.flush()
        stream.detach()  # sys.stdout keeps its buffer


class _EscapingJsonStream:
    """The export's JSON with C1, bidirectional and other invisible characters as \\uXXXX:
    SQLite writes them raw, and stdout may be a terminal. Same data once parsed."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out

    def write(self, piece: bytes) -> int:
        # Each piece is whole records (whole UTF-8); ASCII without DEL needs no look.
        if not piece.isascii() or b"\x7f" in piece:
            piece = json_safe(piece.decode("utf-8", "surrogateescape")).encode()
        return self._out.write(piece)
