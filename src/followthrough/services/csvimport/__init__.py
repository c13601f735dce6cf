"""Importing leads from CSV files: previewed, checked row by row, written in one transaction.

`preview` reads a file and checks a column mapping, `writer` writes checked rows a batch at
a time, `run` is the import itself, and `report` counts and words what it did.
"""

from followthrough.domain.importrows import RowProblem
from followthrough.services.csvimport.preview import ImportPreview, check_mapping, preview_csv
from followthrough.services.csvimport.report import (
    PROBLEMS_KEPT,
    ImportReport,
    ImportTally,
    summary,
)
from followthrough.services.csvimport.run import (
    BATCH,
    ImportCancelled,
    backup_before_import,
    import_csv,
    prune_pre_import_backups,
)
from followthrough.services.csvimport.writer import Duplicates

__all__ = [
    "BATCH",
    "PROBLEMS_KEPT",
    "Duplicates",
    "ImportCancelled",
    "ImportPreview",
    "ImportReport",
    "ImportTally",
    "RowProblem",
    "backup_before_import",
    "check_mapping",
    "import_csv",
    "preview_csv",
    "prune_pre_import_backups",
    "summary",
]
