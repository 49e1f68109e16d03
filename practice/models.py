"""The practice domain: the practice itself, its therapists, session types and rooms."""

from datetime import time, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from practice.licensing import validate_jurisdictions
from practice.origins import validate_origin_lines
from practice.slugs import slug_fill, validate_booking_slug
from practice.timezones import get_zone, validate_time_zone

REMINDER_CHANNELS = ("email", "sms")


def default_reminder_schedule() -> list[dict]:
    """Email 48 and 24 hours before, SMS 3 hours before."""
    return [
        {"channel": "email", "minutes_before": 48 * 60},
        {"channel": "email", "minutes_before": 24 * 60},
        {"channel": "sms", "minutes_before": 3 * 60},
    ]


def validate_reminder_schedule(value) -> None:
    message = (
        'A list like [{"channel": "email", "minutes_before": 1440}], channels "email" or '
        '"sms", minutes between 5 and 20160 (14 days).'
    )
    if not isinstance(value, list):
        raise ValidationError(message)
    for item in value:
        if (
            not isinstance(item, dict)
            or set(item) != {"channel", "minutes_before"}
            or item["channel"] not in REMINDER_CHANNELS
            or not isinstance(item["minutes_before"], int)
            or not 5 <= item["minutes_before"] <= 20160
        ):
            raise ValidationError(message)


class VideoProvider(models.TextChoices):
    """Where a video session takes place (booking/video.py builds each one's link)."""

    NONE = "none", "None: the practice sends its own link"
    JITSI = "jitsi", "Jitsi Meet (the practice's server): a new room for each session"
    PERSONAL_ROOM = "personal_room", "The therapist's own room (Zoom, Doxy.me, Google Meet …)"


def validate_video_room_url(value: str) -> None:
    """Any https address with a host and no user name or password in it.

    Not a list of known providers: a practice may use one we never heard of
    (or its own server); https keeps the session's link private on the way.
    """
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise ValidationError(
            "A room address starting with https://, e.g. https://zoom.us/j/1234567890."
        )


DEFAULT_CRISIS_RESOURCES = (
    "If you are in danger right now, call your local emergency number (911 in the US "
    "and Canada, 112 in the EU, 999 in the UK).\n"
    "In the US you can call or text 988 (Suicide & Crisis Lifeline) at any hour.\n"
    "In the UK and Ireland you can call Samaritans on 116 123 at any hour.\n"
    "Your therapist has been told and will contact you; you do not have to wait for them."
)


class Practice(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    # Booking policy; a session type may override notice and horizon.
    min_notice = models.DurationField(
        default=timedelta(hours=24),
        help_text="How long before a session it can still be booked online.",
    )
    booking_horizon = models.DurationField(
        default=timedelta(days=60), help_text="How far ahead sessions can be booked."
    )
    request_escalate_after = models.DurationField(
        default=timedelta(hours=24),
        help_text="A session request nobody approved or declined within this time is "
        "emailed to the owners (once).",
    )
    late_cancel_window = models.DurationField(
        default=timedelta(hours=24),
        help_text="Inside this time before a session, clients can no longer cancel or "
        "reschedule online.",
    )
    late_cancel_fee = models.CharField(
        max_length=200,
        blank=True,
        help_text='Shown to clients with the cancellation policy, e.g. "A $60 fee applies to '
        'cancellations within 24 hours." Blank: no fee is mentioned.',
    )
    contact_phone = models.CharField(max_length=32, blank=True)
    contact_email = models.EmailField(blank=True)
    address = models.CharField(
        max_length=300, blank=True, help_text="Where in-person sessions are."
    )
    # Reminders: when, and when not (quiet hours are read in each client's zone).
    reminder_schedule = models.JSONField(
        default=default_reminder_schedule, validators=[validate_reminder_schedule]
    )
    quiet_hours_start = models.TimeField(
        default=time(21), help_text="No reminder is sent after this local time…"
    )
    quiet_hours_end = models.TimeField(default=time(8), help_text="…nor before this one.")
    clock = models.CharField(
        max_length=2,
        choices=[("24", "24-hour (14:00)"), ("12", "12-hour (2:00 PM)")],
        default="24",
        help_text="How times are written on every page and in every email.",
    )
    sms_names_practice = models.BooleanField(
        default=False,
        help_text="Name the practice in text messages. Off: texts say only 'your appointment'.",
    )
    therapists_add_clients = models.BooleanField(
        default=False,
        help_text="Therapists may add clients (assigned to themselves): for solo practices. "
        "Off: only the front desk and owners add clients.",
    )
    intake_enabled = models.BooleanField(
        default=True,
        help_text="A client's first booking sends them a link to the intake forms.",
    )
    require_two_factor = models.BooleanField(
        default=True,
        help_text="Every staff member signs in with a code from an authenticator app too.",
    )
    embed_origins = models.TextField(
        blank=True,
        validators=[validate_origin_lines],
        help_text="Websites that may show the booking pages in a frame, one origin a line "
        "(https://www.example.org), besides BOOKING_EMBED_ORIGINS.",
    )
    crisis_resources = models.TextField(
        default=DEFAULT_CRISIS_RESOURCES,
        help_text="Shown to a client at once when a questionnaire answer suggests risk.",
    )
    video_provider = models.CharField(
        max_length=16,
        choices=VideoProvider.choices,
        default=VideoProvider.NONE,
        help_text="Video sessions' links; a therapist may choose their own on their profile.",
    )
    video_link_by_sms = models.BooleanField(
        default=False,
        help_text="Put the video link in the last text reminder too (email always has it).",
    )

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self):
        return get_zone(self.time_zone)


class Modality(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEHEALTH = "telehealth", "Telehealth"


class SessionType(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="session_types")
    name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=60,
        blank=True,
        validators=[validate_booking_slug],
        help_text="Its booking link: /book/type/<slug>/. Blank: made from the name. "
        "Old links keep working after a change.",
    )
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(8 * 60)]
    )
    price = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.00"))
    modality = models.CharField(max_length=16, choices=Modality.choices, default=Modality.IN_PERSON)
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    min_notice = models.DurationField(null=True, blank=True, help_text="Blank: the practice's.")
    booking_horizon = models.DurationField(
        null=True, blank=True, help_text="Blank: the practice's."
    )
    slot_step_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text="Offered start times are this many minutes apart.",
    )
    requires_approval = models.BooleanField(default=False)
    requires_intake = models.BooleanField(
        default=False,
        help_text="A new client's session stays pending until their intake is submitted.",
    )
    reminder_schedule = models.JSONField(
        null=True,
        blank=True,
        validators=[validate_reminder_schedule],
        help_text="Blank: the practice's reminder schedule.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["practice", "name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="session_type_unique_name"),
            # A booking link (/book/type/<slug>/) names one session type of the practice.
            models.UniqueConstraint(
                fields=["practice", "slug"],
                condition=~Q(slug=""),
                name="session_type_unique_slug",
            ),
            # The slot engine counts in whole minutes from the start of working hours.
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0, slot_step_minutes__gt=0),
                name="session_type_positive_duration_and_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"

    def save(self, *args, **kwargs):
        slug_fill(self, self.name)
        super().save(*args, **kwargs)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)

    @property
    def effective_min_notice(self) -> timedelta:
        return self.min_notice if self.min_notice is not None else self.practice.min_notice

    @property
    def effective_reminder_schedule(self) -> list[dict]:
        if self.reminder_schedule is not None:
            return self.reminder_schedule
        return self.practice.reminder_schedule

    @property
    def effective_booking_horizon(self) -> timedelta:
        if self.booking_horizon is not None:
            return self.booking_horizon
        return self.practice.booking_horizon


class Therapist(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="therapists")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="therapist",
    )
    display_name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=60,
        blank=True,
        validators=[validate_booking_slug],
        help_text="Their booking link: /book/<slug>/. Blank: made from the name. "
        "Old links keep working after a change.",
    )
    bio = models.TextField(
        blank=True,
        max_length=600,
        help_text="A few sentences for clients choosing whom to see (at most 600 characters).",
    )
    # The booking pages show these beside the name ("any therapist" stays the default).
    photo = models.ImageField(
        upload_to="therapists/",
        blank=True,
        help_text="Set on the staff profile page: resized to a square, re-encoded, no metadata.",
    )
    sees_in_person = models.BooleanField("Sees clients in person", default=True)
    sees_by_video = models.BooleanField("Sees clients by video", default=False)
    languages = models.CharField(
        max_length=200, blank=True, help_text="Languages spoken in sessions, e.g. English, Spanish."
    )
    video_provider = models.CharField(
        max_length=16,
        choices=VideoProvider.choices,
        blank=True,
        help_text="Blank: the practice's choice.",
    )
    video_room_url = models.URLField(
        "Personal video room",
        max_length=300,
        blank=True,
        validators=[validate_video_room_url],
        help_text="Your own room's https address (Zoom, Doxy.me, Google Meet …), for "
        "'The therapist's own room'.",
    )
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="Working hours are read in this zone.",
    )
    # The licence check for video sessions (practice/licensing.py).
    licence_jurisdictions = models.CharField(
        "Licensed in",
        max_length=500,
        blank=True,
        validators=[validate_jurisdictions],
        help_text="Where your licences are, as ISO 3166-2 codes: US-NY, US-NJ, CA-ON. Video "
        "clients are offered only where you are licensed.",
    )
    compact_jurisdictions = models.CharField(
        "Through a compact",
        max_length=500,
        blank=True,
        validators=[validate_jurisdictions],
        help_text="Where an interstate compact (PSYPACT, the Counseling Compact) lets you see "
        "clients by video: the jurisdictions your compact privileges name.",
    )
    is_active = models.BooleanField(default=True)
    session_types = models.ManyToManyField(SessionType, related_name="therapists", blank=True)
    daily_agenda_at = models.TimeField(
        null=True,
        blank=True,
        help_text="Blank: no agenda email. Otherwise the day's sessions arrive by email at "
        "this local time.",
    )

    class Meta:
        ordering = ["practice", "display_name"]
        constraints = [
            # A booking link (/book/<slug>/) names one therapist of the practice.
            models.UniqueConstraint(
                fields=["practice", "slug"], condition=~Q(slug=""), name="therapist_unique_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        slug_fill(self, self.display_name)
        super().save(*args, **kwargs)

    @property
    def zone(self):
        return get_zone(self.time_zone)

    def offers(self, session_type) -> bool:
        """Whether they offer this session type. Asked once per instance: the booking API
        checks it while validating and the booking service again, in one request."""
        answers = self.__dict__.setdefault("_offers", {})
        if session_type.pk not in answers:
            answers[session_type.pk] = self.session_types.filter(pk=session_type.pk).exists()
        return answers[session_type.pk]

    @property
    def modalities(self) -> list[str]:
        """How they see clients, as the booking pages say it."""
        return [
            label
            for label, yes in (("In person", self.sees_in_person), ("Video", self.sees_by_video))
            if yes
        ]


class SlugKind(models.TextChoices):
    THERAPIST = "therapist", "Therapist"
    SESSION_TYPE = "session_type", "Session type"


class FormerSlug(models.Model):
    """A slug a therapist or session type had before: links using it answer with a 301."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=SlugKind.choices)
    slug = models.SlugField(max_length=60)
    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, null=True, blank=True, related_name="former_slugs"
    )
    session_type = models.ForeignKey(
        SessionType, on_delete=models.CASCADE, null=True, blank=True, related_name="former_slugs"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # An old link leads to one place.
            models.UniqueConstraint(fields=["practice", "kind", "slug"], name="former_slug_unique"),
            models.CheckConstraint(
                condition=(Q(kind="therapist") & Q(therapist__isnull=False))
                | (Q(kind="session_type") & Q(session_type__isnull=False)),
                name="former_slug_points_somewhere",
            ),
        ]

    def __str__(self) -> str:
        return self.slug


class Room(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["practice", "name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="room_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    OWNER = "owner", "Practice owner"
    RECEPTIONIST = "receptionist", "Receptionist"
    THERAPIST = "therapist", "Therapist"


class StaffMember(models.Model):
    """A user's role at a practice: what they may see is decided from this (practice.access)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_member"
    )
    role = models.CharField(max_length=16, choices=StaffRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice", "role"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.pk}"


class ApiToken(models.Model):
    """A staff user's token for an integration (practice.api_tokens).

    Only a SHA-256 digest of the secret is stored: the token is shown once, when
    issued, and nothing here (nor in a database dump) lets anyone use it.
    ``key_id`` is the public part of the token, for finding the row and telling
    tokens apart in lists.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'Billing export'.")
    key_id = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id}…)"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and now < self.expires_at


class EnrolmentLink(models.Model):
    """A one-time, expiring link that lets one staff user set up their authenticator.

    Without one, a password alone cannot enrol a device (so whoever learns a new
    staff member's password first cannot make their own phone the second factor).
    Only a digest of the link's secret is stored (practice.two_factor).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_links"
    )
    # Looked up by digest: the secret is random, so its digest is a safe key.
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Enrolment link #{self.pk}"

    def is_usable(self, now) -> bool:
        return self.used_at is None and now < self.expires_at
