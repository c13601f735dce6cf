"""Adding and editing one lead."""
