"""The bundle's entry point: the `followthrough` command, app and CLI alike."""

import sys

from followthrough.cli import main

if __name__ == "__main__":
    sys.exit(main())
