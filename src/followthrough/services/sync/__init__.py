"""Sync between a person's devices through a folder that a replicating engine copies."""
