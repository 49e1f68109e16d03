"""Messages to clients and staff: the notification table, dispatch, emails, texts, tasks."""
