"""Followthrough: a local-first follow-up system for solo founders."""

APP_NAME = "Followthrough"
__version__ = "0.1.0"
