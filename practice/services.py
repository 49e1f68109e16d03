"""Writes for the practice itself: the owner's settings."""

from django.db import transaction

from practice.models import Practice

# What the owner's settings page may change (everything else stays with the admin).
SETTINGS_FIELDS = (
    "name",
    "contact_phone",
    "contact_email",
    "address",
    "time_zone",
    "clock",
    "min_notice",
    "booking_horizon",
    "late_cancel_window",
    "request_escalate_after",
    "reminder_schedule",
    "quiet_hours_start",
    "quiet_hours_end",
    "sms_names_practice",
)


def practice_settings_update(*, practice: Practice, values: dict) -> list[str]:
    """Change the owner's settings; returns the names of the fields that changed.

    Validated by the model (``full_clean``) before anything is saved, so a bad
    value leaves the practice as it was.
    """
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not a setting: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        practice = Practice.objects.select_for_update().get(pk=practice.pk)
        changed = [name for name, value in values.items() if getattr(practice, name) != value]
        for name in changed:
            setattr(practice, name, values[name])
        if changed:
            practice.full_clean()
            practice.save(update_fields=changed)
    return sorted(changed)
