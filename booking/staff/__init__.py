"""Staff pages and the staff API for sessions, calendars, availability and series."""
