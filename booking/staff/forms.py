"""Forms for the staff calendar pages."""

from django import forms
from django.core.exceptions import ValidationError

from booking.models import AppointmentStatus, Weekday
from booking.scheduling.availability import parse_intervals
from practice.parsing import DateField, DateInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class WeeklyHoursForm(forms.Form):
    """One line per weekday: "09:00-12:00, 13:00-17:00"; empty for a day off."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, label in Weekday.choices:
            self.fields[f"day_{day}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": "e.g. 09:00-12:00, 13:00-17:00"}),
            )

    def clean(self):
        cleaned = super().clean()
        weekly = {}
        for day in Weekday.values:
            try:
                weekly[day] = parse_intervals(cleaned.get(f"day_{day}", ""))
            except ValidationError as exc:
                self.add_error(f"day_{day}", exc)
        cleaned["weekly"] = weekly
        return cleaned


class ExtraHoursForm(forms.Form):
    date = DateField(widget=DateInput())
    start_time = forms.TimeField(label="From", widget=TimeInput())
    end_time = forms.TimeField(label="Until", widget=TimeInput())


class TimeOffForm(forms.Form):
    start_date = DateField(label="First day", widget=DateInput())
    start_time = forms.TimeField(
        label="From (blank: the whole day)", required=False, widget=TimeInput()
    )
    end_date = DateField(label="Last day (blank: the same day)", required=False, widget=DateInput())
    end_time = forms.TimeField(
        label="Until (blank: the end of the day)", required=False, widget=TimeInput()
    )
    reason = forms.CharField(max_length=200, required=False, help_text="Only staff see this.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start_date") and not cleaned.get("end_date"):
            cleaned["end_date"] = cleaned["start_date"]
        return cleaned


class HolidayForm(TimeOffForm):
    repeats_yearly = forms.BooleanField(required=False, label="Every year on these dates")


class RescheduleForm(forms.Form):
    date = DateField(widget=DateInput())
    time = forms.TimeField(widget=TimeInput())
    override_hours = forms.BooleanField(
        required=False, label="Outside working hours or notice (never over another session)"
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (AppointmentStatus.ATTENDED, "Attended"),
            (AppointmentStatus.NO_SHOW, "No-show"),
            (AppointmentStatus.LATE_CANCELLED, "Late-cancelled"),
        ]
    )


class SeriesForm(forms.Form):
    therapist = forms.ModelChoiceField(queryset=None)
    session_type = forms.ModelChoiceField(queryset=None)
    first_date = DateField(label="First session", widget=DateInput())
    time = forms.TimeField(label="At (the therapist's local time)", widget=TimeInput())
    interval_weeks = forms.TypedChoiceField(
        label="Repeats",
        choices=[(1, "Every week"), (2, "Every other week")],
        coerce=int,
        widget=forms.RadioSelect,
        initial=1,
    )
    ends = forms.ChoiceField(
        label="Ends",
        choices=[("count", "After a number of sessions"), ("until", "On a date")],
        widget=forms.RadioSelect,
        initial="count",
    )
    count = forms.IntegerField(
        label="Number of sessions", min_value=1, max_value=104, required=False
    )
    until = DateField(label="Last date", required=False, widget=DateInput())

    def __init__(self, *args, therapists, session_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = therapists
        self.fields["session_type"].queryset = session_types

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ends") == "count":
            if not cleaned.get("count"):
                self.add_error("count", "How many sessions?")
            cleaned["until"] = None
        elif cleaned.get("ends") == "until":
            if not cleaned.get("until"):
                self.add_error("until", "Until which date?")
            cleaned["count"] = None
        return cleaned
