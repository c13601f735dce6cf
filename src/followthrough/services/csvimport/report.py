"""What an import did: counted as it runs (`ImportTally`), reported once it ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from followthrough.domain.importrows import RowProblem

PROBLEMS_KEPT = 1000  # a report lists this many problems; `skipped` counts them all


@dataclass
class ImportTally:
    """The running counts of one import, kept by the row checks and the writer."""

    rows: int = 0  # records read from the file
    skipped: int = 0  # rows left out for a problem
    added: int = 0
    merged: int = 0  # rows folded into a lead that has the same e-mail address
    duplicates: int = 0  # rows left out because that lead exists
    problems: list[RowProblem] = field(default_factory=list)  # the first PROBLEMS_KEPT

    def skip(self, problem: RowProblem) -> None:
        self.skipped += 1
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(problem)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.merged)

    def report(self, *, dry_run: bool, backup: Path | None) -> ImportReport:
        return ImportReport(
            rows=self.rows,
            added=self.added,
            merged=self.merged,
            duplicates=self.duplicates,
            problems=tuple(self.problems),
            dry_run=dry_run,
            backup=backup,
            skipped=self.skipped,
        )


@dataclass(frozen=True)
class ImportReport:
    rows: int
    added: int
    merged: int
    duplicates: int
    problems: tuple[RowProblem, ...]
    dry_run: bool
    backup: Path | None
    skipped: int = 0  # rows left out for a problem; `problems` lists the first PROBLEMS_KEPT


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def summary(report: ImportReport, name: str) -> str:
    """One sentence for the CLI and the dialog: what happened, or would on a real run."""
    would = "would be " if report.dry_run else ""
    parts = [f"{_count(report.added, 'lead', 'leads')} {would}added"]
    if report.merged:
        parts.append(f"{_count(report.merged, 'row', 'rows')} {would}merged into existing leads")
    if report.duplicates:
        parts.append(f"{_count(report.duplicates, 'duplicate', 'duplicates')} {would}skipped")
    if report.skipped:
        parts.append(f"{_count(report.skipped, 'row', 'rows')} left out for a problem")
    if report.dry_run:
        return f"Checked {name}, nothing was written: {', '.join(parts)}."
    return f"Imported {name}: {', '.join(parts)}."
