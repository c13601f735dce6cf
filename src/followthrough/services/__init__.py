"""Use cases: one function per user action, each its own transaction, returning read models."""
