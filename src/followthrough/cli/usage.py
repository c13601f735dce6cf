"""How a usage error is told: one line on stderr, exit code 2.

Its own module, below both the grammar (parser.py) and the command declarations
(command.py): the grammar imports every command module, so the parser class they are
declared with cannot live in it without an import cycle.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

EXIT_USAGE = 2


class OneLineParser(argparse.ArgumentParser):
    """Tells a usage error in one line on stderr, with exit code 2."""

    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: scripts read stderr too. It may quote what
        # was typed, perhaps pasted from a hostile source: escaped like any output.
        from followthrough.cli.termsafe import one_line

        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")
