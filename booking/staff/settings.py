"""The owner's settings page: the practice's details, booking policy and reminders in plain
words ("48 hours", reminders picked from a list), validated, audited, with the policy's
effect previewed before saving."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from booking.scheduling.policy import humanize_duration
from clients.audit import audit
from clients.models import AuditAction
from practice.access import staff_required
from practice.display import render_in_zone
from practice.models import Modality, Room, SessionType, Therapist, VideoProvider
from practice.origins import validate_origin
from practice.services import (
    SESSION_TYPE_FIELDS,
    practice_settings_update,
    room_add,
    room_update,
    session_type_save,
)
from practice.timezones import zone_names_listed, zone_read, zone_suggestion

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
    late_cancel_fee = forms.CharField(
        label="Late-cancel fee (optional)",
        max_length=200,
        required=False,
        help_text='Shown to clients with the cancellation policy, e.g. "A $60 fee applies to '
        'cancellations within 24 hours."',
    )
    embed_origins = forms.CharField(
        label="Websites that may show the booking pages in a frame",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line, like https://www.example.org or https://www.example.org:8443 "
        "(no path). Blank: only this site.",
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
        name = zone_read(value)
        if name is None:
            right = zone_suggestion(value)
            raise ValidationError(
                "Choose a time zone from the list, e.g. America/Chicago."
                + (f" Did you mean {right}?" if right else "")
            )
        return name

    def clean_embed_origins(self):
        """Each line an https origin (scheme, host, optional port), normalised; every bad
        line named."""
        origins, errors = [], []
        for line in self.cleaned_data["embed_origins"].splitlines():
            if not line.strip():
                continue
            try:
                origin = validate_origin(line)
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            if not origin.startswith("https://"):
                errors.append(f"{line.strip()[:100]}: a website must start with https://.")
                continue
            if origin not in origins:
                origins.append(origin)
        if errors:
            raise ValidationError(errors)
        return "\n".join(origins)

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
            "late_cancel_fee",
            "embed_origins",
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
            "late_cancel_fee",
            "embed_origins",
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
    fee = (values.get("late_cancel_fee") or "").strip()
    return [
        f"Clients can book up to {humanize_duration(values['booking_horizon'])} ahead, and no "
        f"later than {humanize_duration(values['min_notice'])} before a session.",
        f"They can cancel or move a session online until "
        f"{humanize_duration(values['late_cancel_window'])} before it; after that they are "
        "asked to phone or email the practice.",
        *([fee] if fee else []),
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
    status, preview = (
        200,
        _preview({n: getattr(practice, n) for n in (*DURATIONS, "late_cancel_fee")}),
    )
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
    return _settings_page(request, form=form, preview=preview, status=status)


def _settings_page(request, *, form=None, preview=None, status=200, room_form=None, room=None):
    """The whole settings page; the forms given are the ones that came back with errors."""
    practice = request.staff.practice
    if form is None:
        form = SettingsForm(
            initial=_initial(practice), current_reminders=practice.reminder_schedule
        )
    if preview is None:
        preview = _preview({n: getattr(practice, n) for n in (*DURATIONS, "late_cancel_fee")})
    rooms = []
    for each in Room.objects.filter(practice=practice).order_by("name"):
        bound = room_form if room is not None and room.pk == each.pk else None
        rooms.append(
            {
                "room": each,
                "form": bound or RoomForm(initial={"name": each.name, "is_active": each.is_active}),
            }
        )
    return render_in_zone(
        request,
        "staff/settings.html",
        {
            "form": form,
            "durations": [(form[f"{n}_amount"], form[f"{n}_unit"]) for n in DURATIONS],
            "preview": preview,
            "zones": sorted(zone_names_listed()),
            "session_types": [
                _session_type_row(t)
                for t in SessionType.objects.filter(practice=practice)
                .prefetch_related("therapists")
                .order_by("-is_active", "name")
            ],
            "rooms": rooms,
            "new_room_form": room_form if room is None and room_form is not None else RoomForm(),
            "nav": "settings",
        },
        zone=practice.zone,
        status=status,
    )


# --- Session types --------------------------------------------------------------------------


def _minutes(value: int) -> str:
    """A session's length or free time, in minutes as practices count them ("80 minutes")."""
    return f"{value} minute{'s' if value != 1 else ''}"


def _session_type_row(session_type: SessionType) -> dict:
    """One session type as the owner reads it ("50 minutes", "10 minutes after")."""
    buffers = [
        f"{_minutes(m)} {where}"
        for m, where in (
            (session_type.buffer_before_minutes, "before"),
            (session_type.buffer_after_minutes, "after"),
        )
        if m
    ]
    needs = [
        word
        for flag, word in (
            (session_type.requires_approval, "approval"),
            (session_type.requires_intake, "intake first"),
        )
        if flag
    ]
    return {
        "type": session_type,
        "duration": _minutes(session_type.duration_minutes),
        "buffers": ", ".join(buffers) or "none",
        "needs": ", ".join(needs) or "—",
        "therapists": ", ".join(t.display_name for t in session_type.therapists.all()) or "nobody",
    }


class SessionTypeForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    duration_minutes = forms.IntegerField(
        label="Length (minutes)",
        min_value=5,
        max_value=8 * 60,
        error_messages={
            "min_value": "A session lasts at least 5 minutes.",
            "max_value": "A session lasts at most 8 hours (480 minutes).",
        },
    )
    price = forms.DecimalField(
        label="Price",
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text="Shown on the booking pages; 0 for none.",
    )
    buffer_before_minutes = forms.IntegerField(
        label="Free time before (minutes)", min_value=0, max_value=240
    )
    buffer_after_minutes = forms.IntegerField(
        label="Free time after (minutes)", min_value=0, max_value=240
    )
    modality = forms.ChoiceField(label="Where", choices=Modality.choices)
    requires_approval = forms.BooleanField(
        label="Needs approval (clients request a time; staff say yes or no)", required=False
    )
    requires_intake = forms.BooleanField(
        label="Intake first (a new client's session waits for their intake forms)",
        required=False,
    )
    is_active = forms.BooleanField(
        label="Taking bookings (untick to switch it off; booked sessions keep it)",
        required=False,
    )
    therapists = forms.ModelMultipleChoiceField(
        label="Offered by",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, practice, session_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice, self.session_type = practice, session_type
        self.fields["therapists"].queryset = Therapist.objects.filter(practice=practice).order_by(
            "display_name"
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        same = SessionType.objects.filter(practice=self.practice, name__iexact=name)
        if self.session_type is not None:
            same = same.exclude(pk=self.session_type.pk)
        if same.exists():
            raise ValidationError(f"This practice already has a session type called “{name}”.")
        return name

    @property
    def values(self) -> dict:
        return {n: self.cleaned_data[n] for n in SESSION_TYPE_FIELDS}


def _session_type_initial(session_type: SessionType | None) -> dict:
    if session_type is None:
        return {
            "duration_minutes": 50,
            "price": "0.00",
            "buffer_before_minutes": 0,
            "buffer_after_minutes": 0,
            "is_active": True,
        }
    initial = {n: getattr(session_type, n) for n in SESSION_TYPE_FIELDS}
    initial["therapists"] = list(session_type.therapists.all())
    return initial


@staff_required(allow=lambda context: context.is_owner)
def session_type_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add or change a session type (owners)."""
    practice = request.staff.practice
    session_type = None
    if pk is not None:
        session_type = get_object_or_404(SessionType, practice=practice, pk=pk)
    form = SessionTypeForm(
        request.POST or None,
        initial=_session_type_initial(session_type),
        practice=practice,
        session_type=session_type,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved, changed = session_type_save(
                    practice=practice,
                    session_type=session_type,
                    values=form.values,
                    therapists=form.cleaned_data["therapists"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(None, f"{field}: {' '.join(errors)}")
            else:
                audit(
                    request,
                    action=AuditAction.CREATE if session_type is None else AuditAction.CHANGE,
                    what="session_type",
                    practice=practice,
                    fields=changed,
                )
                messages.success(
                    request, f"Saved “{saved.name}”." if changed else "Nothing changed."
                )
                return redirect("staff-settings")
    return render_in_zone(
        request,
        "staff/session_type.html",
        {"form": form, "session_type": session_type, "nav": "settings"},
        zone=practice.zone,
        status=status,
    )


# --- Rooms ------------------------------------------------------------------------------------


class RoomForm(forms.Form):
    name = forms.CharField(
        label="Room name",
        max_length=100,
        required=False,
    )
    is_active = forms.BooleanField(label="In use", required=False)

    def __init__(self, *args, practice=None, room=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice, self.room = practice, room

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("Give the room a name, e.g. Garden room.")
        same = Room.objects.filter(practice=self.practice, name__iexact=name)
        if self.room is not None:
            same = same.exclude(pk=self.room.pk)
        if same.exists():
            raise ValidationError(f"This practice already has a room called “{name}”.")
        return name


@staff_required(allow=lambda context: context.is_owner)
@require_POST
def room_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a room, or rename one / switch it off (owners)."""
    practice = request.staff.practice
    room = get_object_or_404(Room, practice=practice, pk=pk) if pk is not None else None
    form = RoomForm(request.POST, practice=practice, room=room)
    if not form.is_valid():
        return _settings_page(request, room_form=form, room=room, status=400)
    if room is None:
        room = room_add(practice=practice, name=form.cleaned_data["name"])
        action, changed = AuditAction.CREATE, ["is_active", "name"]
    else:
        action = AuditAction.CHANGE
        changed = room_update(
            room=room, name=form.cleaned_data["name"], is_active=form.cleaned_data["is_active"]
        )
    if changed:
        audit(request, action=action, what="room", practice=practice, fields=changed)
    messages.success(request, f"Saved the room “{form.cleaned_data['name']}”.")
    return redirect(f"{reverse('staff-settings')}#rooms-h")
