"""The `followthrough` command. With no subcommand it opens the desktop app.

Qt is imported only when the GUI is launched, so scripted use stays fast and headless.
Every failure is one line on stderr and an exit code: 2 usage, 3 not found or ambiguous,
4 invalid data, 5 the data folder or database cannot be used, 6 no display for the app.

The package: parser.py reads the command line, one module per command group (leads.py,
reason.py, alerts.py, backups.py, drafting.py, transfer.py, mail.py, settings.py) declares each
command next to the code that runs it (with command.py), run.py opens the data folder for
it, usage.py tells a usage error in one line, output.py and termsafe.py print what it says.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from followthrough.cli.parser import attach_when_values, build_parser, names_a_command
from followthrough.cli.usage import EXIT_USAGE
from followthrough.errors import FollowthroughError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        # Opening the app is the common case: skip building (and importing for) every command.
        args = build_parser(commands=names_a_command(words)).parse_args(attach_when_values(words))
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        from followthrough.cli.run import run

        return run(args)
    except FollowthroughError as exc:
        from followthrough.cli.fields import error_line

        _fail(error_line(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `followthrough list | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        from followthrough.store.db import busy_error

        # Sessions say it themselves; this catches a lock met outside one (a raw connection).
        busy = busy_error(exc)
        if busy is not None:
            _fail(str(busy))
            return busy.exit_code
        if os.environ.get("FOLLOWTHROUGH_DEBUG"):
            raise  # developers want the traceback; users get one line
        _fail(f"unexpected error ({type(exc).__name__}: {exc}); rerun with FOLLOWTHROUGH_DEBUG=1")
        return 1


def _fail(message: str) -> None:
    from followthrough.cli.termsafe import print_error

    print_error(f"followthrough: {message}")
