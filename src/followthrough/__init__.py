"""Followthrough: a local-first follow-up system for solo founders."""

APP_NAME = "Followthrough"
APP_ID = "app.followthrough.Followthrough"  # reverse-DNS: names the .desktop file
__version__ = "0.1.0"
