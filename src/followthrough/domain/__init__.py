"""Pure rules of the follow-up method: no Qt, no SQL, no clock (callers pass `now`)."""
