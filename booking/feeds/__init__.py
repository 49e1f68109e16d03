"""Calendar feeds, .ics files and add-to-calendar links."""
