"""The practice's booking policy, in words and instants."""

from datetime import datetime, timedelta

from booking.models import Appointment


def late_cancel_deadline(appointment: Appointment) -> datetime:
    """Until this instant a client may cancel or reschedule online."""
    return appointment.start - appointment.practice.late_cancel_window


def humanize_duration(duration: timedelta) -> str:
    """ "2 days", "24 hours", "1 hour", "90 minutes": whole days from two days up, else whole
    hours, else minutes (never a rounded-down "1 hour" for 90 minutes)."""
    if int(duration.total_seconds() // 60) % 60:
        minutes = int(duration.total_seconds() // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = int(duration.total_seconds() // 3600)
    if hours and hours % 24 == 0 and hours >= 48:
        return f"{hours // 24} days"
    if hours:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = int(duration.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
