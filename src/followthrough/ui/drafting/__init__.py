"""Writing follow-ups: the Draft dialog and the template editor."""
