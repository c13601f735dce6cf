"""The Hot / Warm / Recycle board."""
