"""The public booking API (/api/v1/)."""
