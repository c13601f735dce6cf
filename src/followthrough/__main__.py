"""`python -m followthrough` does what the `followthrough` command does."""

import sys

from followthrough.cli import main

sys.exit(main())
