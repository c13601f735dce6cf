"""SQLite persistence: tables, engine, migrations. Imported by services only."""
