"""The CLI runners of tests/cli, for the hardening tests that drive the CLI."""

from tests.cli.conftest import cli, run_installed

__all__ = ["cli", "run_installed"]
