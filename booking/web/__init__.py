"""The client's public booking pages and manage-link pages."""
