"""The Archive: won and lost leads, and reopening one onto the board."""
