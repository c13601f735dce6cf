"""Moving leads in and out of the app: the CSV import dialog."""
