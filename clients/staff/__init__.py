"""Staff pages and the staff API for client records, intake review and the audit log."""
