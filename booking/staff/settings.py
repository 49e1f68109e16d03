"""The owner's settings page: the practice's details, booking policy and reminders in plain
words ("48 hours", reminders picked from a list), validated, audited, with the policy's
effect previewed before saving."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from booking.scheduling.policy import humanize_duration
from clients.audit import audit
from clients.models import AuditAction
from practice.access import staff_required
from practice.display import render_in_zone
from practice.models import VideoProvider
from practice.services import practice_settings_update
from practice.timezones import zone_names

UNITS = [("minutes", "minutes"), ("hours", "hours"), ("days", "days")]
DURATIONS = {
    "min_notice": ("Booking notice", "How long before a session it can still be booked online."),
    "booking_horizon": ("Booking horizon", "How far ahead sessions can be booked."),
    "late_cancel_window": (
        "Late-cancel window",
        "Inside this time before a session, clients can no longer cancel or move it online.",
    ),
    "request_escalate_after": (
        "Escalate unanswered requests after",
        "A request nobody approved or declined by then is emailed to the owners.",
    ),
}
# Reminders chosen from a list (minutes before), per channel.
REMINDER_CHOICES = {
    "email": [7 * 24 * 60, 2 * 24 * 60, 24 * 60, 3 * 60],
    "sms": [24 * 60, 3 * 60, 60],
}
CHANNEL_WORDS = {"email": "Email", "sms": "Text message"}


def duration_parts(duration: timedelta) -> tuple[int, str]:
    """A stored duration as the owner reads it: whole days from a week up, else whole hours,
    else minutes (24 hours reads "24 hours", not "1 00:00:00")."""
    minutes = int(duration.total_seconds() // 60)
    if minutes and minutes % (24 * 60) == 0 and minutes >= 7 * 24 * 60:
        return minutes // (24 * 60), "days"
    if minutes % 60 == 0:
        return minutes // 60, "hours"
    return minutes, "minutes"


def _reminder_label(channel: str, minutes: int) -> str:
    return f"{CHANNEL_WORDS[channel]}, {humanize_duration(timedelta(minutes=minutes))} before"


class SettingsForm(forms.Form):
    name = forms.CharField(label="Practice name", max_length=200)
    contact_phone = forms.CharField(label="Phone", max_length=32, required=False)
    contact_email = forms.EmailField(label="Email", required=False)
    address = forms.CharField(
        label="Address", max_length=300, required=False, help_text="Where in-person sessions are."
    )
    time_zone = forms.CharField(
        label="Time zone", max_length=64, widget=forms.TextInput(attrs={"list": "zones"})
    )
    clock = forms.ChoiceField(
        label="Clock", choices=[("24", "24-hour (14:00)"), ("12", "12-hour (2:00 PM)")]
    )
    quiet_hours_start = forms.TimeField(
        label="No reminders after", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quiet_hours_end = forms.TimeField(
        label="…nor before", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    sms_names_practice = forms.BooleanField(
        label="Name the practice in text messages", required=False
    )
    therapists_add_clients = forms.BooleanField(
        label="Therapists may add clients (assigned to themselves; for a solo practice)",
        required=False,
    )
    video_provider = forms.ChoiceField(
        label="Video sessions' links",
        choices=VideoProvider.choices,
        help_text="Each therapist may choose their own on their profile page. Jitsi needs "
        "JITSI_BASE_URL set on the server.",
    )
    video_link_by_sms = forms.BooleanField(
        label="Put the video link in the last text reminder too (email always has it)",
        required=False,
    )
    reminders = forms.MultipleChoiceField(
        label="Reminders", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, current_reminders=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, help_text) in DURATIONS.items():
            self.fields[f"{name}_amount"] = forms.IntegerField(
                label=label, min_value=0, max_value=100_000, help_text=help_text
            )
            self.fields[f"{name}_unit"] = forms.ChoiceField(label=f"{label}: unit", choices=UNITS)
        offered = {(c, m) for c, ms in REMINDER_CHOICES.items() for m in ms}
        # An offset set elsewhere (the admin) stays on the list, so saving never drops it.
        offered |= {(r["channel"], r["minutes_before"]) for r in current_reminders}
        self.fields["reminders"].choices = [
            (f"{c}:{m}", _reminder_label(c, m))
            for c, m in sorted(offered, key=lambda cm: (cm[0], -cm[1]))
        ]

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"]
        if value not in zone_names():
            raise ValidationError("Choose a time zone from the list, e.g. America/Chicago.")
        return value

    def clean(self):
        cleaned = super().clean()
        for name in DURATIONS:
            amount, unit = cleaned.get(f"{name}_amount"), cleaned.get(f"{name}_unit")
            if amount is not None and unit:
                cleaned[name] = timedelta(**{unit: amount})
        if cleaned.get("booking_horizon") is not None and cleaned["booking_horizon"] <= timedelta(
            0
        ):
            self.add_error("booking_horizon_amount", "Sessions must be bookable some time ahead.")
        cleaned["reminder_schedule"] = [
            {"channel": value.split(":")[0], "minutes_before": int(value.split(":")[1])}
            for value in cleaned.get("reminders", [])
        ]
        return cleaned

    @property
    def values(self) -> dict:
        names = [
            "name",
            "contact_phone",
            "contact_email",
            "address",
            "time_zone",
            "clock",
            "quiet_hours_start",
            "quiet_hours_end",
            "sms_names_practice",
            "therapists_add_clients",
            "video_provider",
            "video_link_by_sms",
            "reminder_schedule",
            *DURATIONS,
        ]
        return {n: self.cleaned_data[n] for n in names}


def _initial(practice) -> dict:
    initial = {
        name: getattr(practice, name)
        for name in (
            "name",
            "contact_phone",
            "contact_email",
            "address",
            "time_zone",
            "clock",
            "quiet_hours_start",
            "quiet_hours_end",
            "sms_names_practice",
            "therapists_add_clients",
            "video_provider",
            "video_link_by_sms",
        )
    }
    for name in DURATIONS:
        initial[f"{name}_amount"], initial[f"{name}_unit"] = duration_parts(getattr(practice, name))
    initial["reminders"] = [
        f"{r['channel']}:{r['minutes_before']}" for r in practice.reminder_schedule
    ]
    return initial


def _preview(values: dict) -> list[str]:
    """What the policy means for a client, in the words the pages and emails use."""
    return [
        f"Clients can book up to {humanize_duration(values['booking_horizon'])} ahead, and no "
        f"later than {humanize_duration(values['min_notice'])} before a session.",
        f"They can cancel or move a session online until "
        f"{humanize_duration(values['late_cancel_window'])} before it; after that they are "
        "asked to phone or email the practice.",
        f"A request nobody answers within {humanize_duration(values['request_escalate_after'])} "
        "is emailed to the owners.",
    ]


@staff_required(allow=lambda context: context.is_owner)
def practice_settings(request: HttpRequest) -> HttpResponse:
    practice = request.staff.practice
    form = SettingsForm(
        request.POST or None,
        initial=_initial(practice),
        current_reminders=practice.reminder_schedule,
    )
    status, preview = 200, _preview({n: getattr(practice, n) for n in DURATIONS})
    if request.method == "POST":
        status = 400
        if form.is_valid():
            preview = _preview(form.cleaned_data)
            try:
                changed = practice_settings_update(practice=practice, values=form.values)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(None, f"{field}: {' '.join(errors)}")
            else:
                audit(
                    request,
                    action=AuditAction.CHANGE,
                    what="practice_settings",
                    practice=practice,
                    fields=changed,
                )
                messages.success(request, "Saved." if changed else "Nothing changed.")
                return redirect("staff-settings")
    return render_in_zone(
        request,
        "staff/settings.html",
        {
            "form": form,
            "durations": [(form[f"{n}_amount"], form[f"{n}_unit"]) for n in DURATIONS],
            "preview": preview,
            "zones": sorted(zone_names()),
            "nav": "settings",
        },
        zone=practice.zone,
        status=status,
    )
