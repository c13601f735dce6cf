"""Sync between one person's machines through a folder another program replicates (issue 18).

record.py: what this device changed (recorded by the store's triggers) and its clock;
apply.py: merging what other devices changed; folder.py: the batch files in the sync folder.
"""
