"""CLI commands `import` (leads from a CSV file, or a whole JSON export into an empty
folder) and `export` (the leads as CSV, or everything as JSON, to a file or stdout)."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from followthrough.cli.command import UsesDatabase, add_command
from followthrough.cli.termsafe import json_safe, one_line, print_json, print_text
from followthrough.errors import InvalidData, UsageError

if TYPE_CHECKING:
    from followthrough.cli.command import Subcommands
    from followthrough.services.csvimport import ImportReport
    from followthrough.store.db import Database

EXIT_SKIPPED_ROWS = 1  # the import went through, but some rows were left out
STDOUT = "-"  # `export --output -`


# --- import ----------------------------------------------------------------------------


def declare_import(sub: Subcommands) -> None:
    p = add_command(
        sub,
        "import",
        "import leads from a CSV file (or a JSON export into an empty folder)",
        UsesDatabase(run_import, prepare_import),
    )
    p.add_argument(
        "file", metavar="FILE", help="the CSV file or JSON export; - reads standard input"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="check the file and report; write nothing"
    )
    p.add_argument(
        "--on-duplicate",
        choices=("skip", "merge"),
        default="skip",
        help="a row whose e-mail is already there: skip it (default) or merge it into that lead",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=HEADING",
        help="read FIELD from the column HEADING ('FIELD=' ignores the field); "
        "fields: name, first_name, last_name, email, company, phone, state, next_step, due, "
        "notes, tags",
    )


def prepare_import(args: argparse.Namespace, now: datetime) -> dict[str, str]:
    """Check the --map options before the data folder is touched."""
    from followthrough.domain.csvcolumns import MAPPABLE_FIELDS

    overrides: dict[str, str] = {}
    for item in args.map:
        field, sep, heading = item.partition("=")
        field = field.strip().replace("-", "_")
        if not sep or field not in MAPPABLE_FIELDS:
            raise UsageError(
                f"--map wants FIELD=HEADING with FIELD one of {', '.join(MAPPABLE_FIELDS)}"
            )
        overrides[field] = heading.strip()
    return overrides


def _mapping(path: Path, overrides: dict[str, str]) -> dict[str, int] | None:
    """The guessed mapping with the user's corrections, by heading (case-insensitive)."""
    if not overrides:
        return None
    from followthrough.services.csvimport import preview_csv

    preview = preview_csv(path, limit=0)
    columns = list(preview.format.columns)
    mapping = dict(preview.mapping)
    folded = [column.strip().casefold() for column in columns]
    for field, heading in overrides.items():
        if not heading:
            mapping.pop(field, None)
            continue
        if heading.casefold() not in folded:
            raise InvalidData(
                f"the file has no column '{heading}' (its columns: {', '.join(columns)})", "map"
            )
        index = folded.index(heading.casefold())
        mapping = {f: i for f, i in mapping.items() if i != index}
        mapping[field] = index
    return mapping


def _progress_printer() -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        print(f"\rimporting… {percent}%", end="", file=sys.stderr, flush=True)

    return show


def run_import(
    db: Database, args: argparse.Namespace, overrides: dict[str, str], now: datetime
) -> int:
    from followthrough.paths import DataPaths
    from followthrough.services.backups import remove_unfinished

    # An import killed while making its backup left a partial copy: removed first, told of
    # once the import went through (a failure says one thing only, the failure).
    removed = None if args.dry_run else remove_unfinished(DataPaths(db.path.parent))
    code = _import(db, args, overrides, now)
    if removed:
        print(f"followthrough: {removed}", file=sys.stderr)
    return code


def _import(
    db: Database, args: argparse.Namespace, overrides: dict[str, str], now: datetime
) -> int:
    with _input_file(args.file) as path:
        return _import_from(db, args, overrides, now, path)


@contextmanager
def _input_file(name: str) -> Iterator[Path]:
    """The file to import; `-` is standard input, kept in a private temporary file for the
    time of the import (the reader looks at the start of the file twice)."""
    if name != "-":
        yield Path(name).expanduser()
        return
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="followthrough-import-") as folder:
        spooled = Path(folder) / "standard-input"
        fd = os.open(spooled, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            shutil.copyfileobj(sys.stdin.buffer, handle)
        yield spooled


def _import_from(
    db: Database, args: argparse.Namespace, overrides: dict[str, str], now: datetime, path: Path
) -> int:
    from followthrough.services.csvimport import (
        Duplicates,
        backup_before_import,
        import_csv,
        prune_pre_import_backups,
    )
    from followthrough.services.jsonimport import import_json, looks_like_export

    if looks_like_export(path):
        if args.dry_run or overrides:
            raise UsageError("--dry-run and --map apply to CSV files, not to a JSON export")
        counts = import_json(db, path, now, before_writing=lambda: backup_before_import(db, now))
        prune_pre_import_backups(db)
        return _emit_json_import(args, path, counts)
    show = _progress_printer()
    try:
        report = import_csv(
            db,
            path,
            mapping=_mapping(path, overrides),
            on_duplicate=Duplicates(args.on_duplicate),
            dry_run=args.dry_run,
            now=now,
            progress=show,
        )
    finally:
        if show is not None:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
    if args.json:
        print_json(_report_json(report, path))
    else:
        print_text(_report_text(report, path))
    return EXIT_SKIPPED_ROWS if report.skipped else 0


def _emit_json_import(args: argparse.Namespace, path: Path, counts: dict[str, int]) -> int:
    if args.json:
        print_json({"file": str(path), "imported": counts})
    else:
        parts = ", ".join(f"{n} {what}" for what, n in counts.items())
        print_text(one_line(f"Imported the export {path.name}: {parts}."))
    return 0


def _report_json(report: ImportReport, path: Path) -> dict[str, Any]:
    return {
        "file": str(path),
        "dry_run": report.dry_run,
        "rows": report.rows,
        "added": report.added,
        "merged": report.merged,
        "duplicates_skipped": report.duplicates,
        "rows_skipped": report.skipped,
        "problems": [
            {"line": p.line, "field": p.field, "reason": p.reason} for p in report.problems
        ],
        "backup": str(report.backup) if report.backup else None,
    }


def _report_text(report: ImportReport, path: Path) -> str:
    from followthrough.services.csvimport import summary

    lines = [summary(report, path.name)]
    if report.problems:
        lines.append("Rows left out:")
        lines += [
            # One line each: a reason may quote a cell of the file, line breaks and all.
            one_line(f"  line {p.line}{f', {p.field}' if p.field else ''}: {p.reason}")
            for p in report.problems
        ]
        if report.skipped > len(report.problems):
            lines.append(f"  … and {report.skipped - len(report.problems)} more")
    if report.backup is not None:
        lines.append(f"Your data as it was before the import is saved in {report.backup}")
    return "\n".join(lines)


# --- export ----------------------------------------------------------------------------


def declare_export(sub: Subcommands) -> None:
    # A checked read: what an export writes is what people keep, so damage must not pass.
    handler = UsesDatabase(run_export, prepare_export, reads=True, checked=True)
    p = add_command(
        sub, "export", "export the leads as CSV, or everything as JSON (for import)", handler
    )
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
