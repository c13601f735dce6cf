"""SQL texts the board's indexes are built from, and its queries repeat word for word.

Kept apart from the models so plain sqlite3 reads (services/board_rows.py) can use them
without importing SQLAlchemy.
"""

# The date a board column is ordered by: the next step's, or, parked, the day to come back.
# Written out once: a query uses the index only when its ORDER BY repeats this text exactly.
BOARD_DATE_SQL = "CASE WHEN state = 'recycle' THEN recycle_until ELSE next_step_due END"
# The leads off the board. SQLite uses a partial index only for a query whose WHERE repeats
# the index's condition, so the archive's query is built from this same text.
ARCHIVE_SQL = "state IN ('won', 'lost')"
