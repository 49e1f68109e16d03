"""Availability rules (wall-clock, in the therapist's zone) and appointments (UTC instants)."""

import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import Func, Q
from django.utils import timezone

from booking.constraints import PostgresExclusionConstraint
from clients.models import Client
from practice.models import Modality, Practice, Room, SessionType, Therapist
from practice.parsing import validate_supported_date


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WorkingHours(models.Model):
    """A weekly interval of wall-clock time in the therapist's zone (several per day allowed)."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()
    modality = models.CharField(
        max_length=16,
        choices=Modality.choices,
        blank=True,
        help_text="Blank: any session type; otherwise only sessions of this modality.",
    )

    class Meta:
        ordering = ["therapist", "weekday", "start_time"]
        verbose_name_plural = "working hours"
        constraints = [
            # An end at or before the start runs past midnight ("22:00-02:00"; "17:00-00:00"
            # until midnight), read by scheduling.slots._stretches_on; only an empty one is refused.
            models.CheckConstraint(
                condition=~Q(start_time=models.F("end_time")),
                name="working_hours_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class ExtraHours(models.Model):
    """Hours added on one date, on top of the weekly hours (a date override)."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="extra_hours")
    date = models.DateField(validators=[validate_supported_date])
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["therapist", "date", "start_time"]
        verbose_name_plural = "extra hours"
        constraints = [
            # An end at or before the start runs past midnight ("22:00-02:00"; "17:00-00:00"
            # until midnight), read by scheduling.slots._stretches_on; only an empty one is refused.
            models.CheckConstraint(
                condition=~Q(start_time=models.F("end_time")),
                name="extra_hours_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class TimeOff(models.Model):
    """Unavailable wall-clock time, read in each affected therapist's own zone.

    A row without a therapist closes the whole practice (a holiday). A blank
    start time means from the start of ``start_date``; a blank end time, to the
    end of ``end_date``.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="time_off")
    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, null=True, blank=True, related_name="time_off"
    )
    # Range-checked wherever typed (the admin included); the slot engine clamps rows from before.
    start_date = models.DateField(validators=[validate_supported_date])
    start_time = models.TimeField(null=True, blank=True)
    end_date = models.DateField(validators=[validate_supported_date])
    end_time = models.TimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True, help_text="Staff only.")
    repeats_yearly = models.BooleanField(
        default=False,
        help_text="The same dates every year (a practice holiday such as New Year's Day).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_date", "start_time"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=models.F("end_date")),
                name="time_off_start_not_after_end",
            ),
            # Yearly repetition is for practice holidays.
            models.CheckConstraint(
                condition=Q(repeats_yearly=False) | Q(therapist__isnull=True),
                name="time_off_yearly_is_practice_wide",
            ),
        ]

    def __str__(self) -> str:
        return f"Time off {self.start_date}–{self.end_date}"


class AvailabilityVersion(models.Model):
    """The version of one scope's availability facts, for the slots cache.

    Written only by database triggers (migration 0023), in the transaction of
    every write that changes what the slot engine reads: a therapist's
    appointments (holds included), weekly hours, extra hours, own time off and
    zone ("therapist:<id>"); the practice's holidays, session types and settings
    ("practice:<id>"). Each bump stores a fresh random value, never a count, so a
    version seen inside a transaction that rolls back is never seen again.
    Plain keys, no foreign keys: a trigger may write while its owner is deleted.
    """

    key = models.CharField(max_length=40, primary_key=True)
    version = models.CharField(max_length=32)

    class Meta:
        db_table = "booking_availability_version"

    def __str__(self) -> str:
        return f"{self.key} @ {self.version}"


class FeedVersion(models.Model):
    """The version of one scope of what calendar feeds show, for their ETags.

    Written only by database triggers (migration 0027), in the transaction of every
    write that changes what a feed says: "therapist:<id>" (their sessions, own time
    off, their row), "sessions:<practice id>" (any session of the practice) and
    "practice:<id>" (the practice, its session types, holidays, therapists, and
    clients' names). A fresh random value on each bump, with the time of the write.
    """

    key = models.CharField(max_length=40, primary_key=True)
    version = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        db_table = "booking_feed_version"

    def __str__(self) -> str:
        return f"{self.key} @ {self.version}"


class Series(models.Model):
    """Standing appointments: the same local time every week or every other week.

    Stored in the therapist's wall-clock time (``local_time`` on ``weekday``)
    so that 10:00 stays 10:00 across DST changes. Each occurrence is a real
    Appointment (``series`` and ``occurrence_date``), under the same
    no-overlap constraint as any other.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="series")
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="series")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="series")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_date = models.DateField(validators=[validate_supported_date])
    local_time = models.TimeField()
    interval_weeks = models.PositiveSmallIntegerField(
        choices=[(1, "Every week"), (2, "Every other week")], default=1
    )
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    until = models.DateField(null=True, blank=True, validators=[validate_supported_date])
    ended_on = models.DateField(null=True, blank=True, help_text="Cancelled from this date on.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "series"
        constraints = [
            # Either a number of sessions or a last date, never both or neither.
            models.CheckConstraint(
                condition=(Q(count__isnull=False, until__isnull=True, count__gte=1))
                | Q(count__isnull=True, until__isnull=False),
                name="series_count_or_until",
            ),
            models.CheckConstraint(
                condition=Q(interval_weeks__in=[1, 2]), name="series_weekly_or_fortnightly"
            ),
        ]

    def __str__(self) -> str:
        return f"Series {self.public_id}"


class AppointmentStatus(models.TextChoices):
    HELD = "held", "Held while the client types their details"
    PENDING = "pending", "Pending approval"
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"
    LATE_CANCELLED = "late_cancelled", "Late cancelled"
    NO_SHOW = "no_show", "No show"
    # Stored as "attended" (was "completed" before booking 0022; the staff API still reads
    # "completed" as a synonym in its input).
    ATTENDED = "attended", "Attended"


# A client's session: requested or booked.
ACTIVE_STATUSES = (AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED)
# Statuses that hold the therapist's (and room's) time in the database. A hold
# expires by the clock (``hold_expires_at``): the slot engine ignores expired
# holds, and the booking service deletes them before it writes.
BLOCKING_STATUSES = (*ACTIVE_STATUSES, AppointmentStatus.HELD)
HOLD_DURATION = timedelta(minutes=10)
# A booking link's source tag (?ref=…): lower-case words and hyphens, short enough
# to be a label ("attachment-article"), too short and plain for an address or a name.
SOURCE_REF = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
# How long a public booking waits for its booker to confirm the email address
# (never past the session's start), before the time is released.
EMAIL_CONFIRM_WINDOW = timedelta(hours=24)
# How long staff may undo a cancel or move made on the staff pages or API; the
# client's message about it is due this long after the change (the scanner sends
# it on its next run after that), so an undone change never reaches them.
UNDO_WINDOW = timedelta(seconds=20)
# A hold made from the public pages starts this short and gets HOLD_DURATION
# when its details page first opens (booking/holds.py): times picked by a
# script that never reads the details form come free again quickly.
HOLD_UNTIL_DETAILS = timedelta(minutes=3)


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class EpochSeconds(Func):
    """A timestamp as POSIX seconds (float).

    The slot engine reads thousands of busy spans; a float8 column loads
    several times faster than a timestamptz one (see docs/performance.md).
    SQLite keeps millisecond precision, enough for minute-aligned sessions.
    """

    output_field = models.FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # unixepoch() gives whole seconds; %f - %S adds the milliseconds.
        # (%%%% survives both the template and the cursor's %s-to-? rewrite.)
        template = (
            "(unixepoch(%(expressions)s)"
            " + CAST(strftime('%%%%f', %(expressions)s) AS REAL)"
            " - CAST(strftime('%%%%S', %(expressions)s) AS REAL))"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


class Appointment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="appointments")
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="appointments")
    # Empty only while the slot is held and the client is still typing.
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    session_type = models.ForeignKey(
        SessionType, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The time the session holds: start/end widened by the session type's
    # buffers as they were at booking. Stored, not computed in the constraint,
    # because timestamptz - interval is not immutable and so cannot be indexed.
    blocked_start = models.DateTimeField(editable=False)
    blocked_end = models.DateTimeField(editable=False)
    status = models.CharField(
        max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.CONFIRMED
    )
    # Goes up on every change; calendar feeds publish it as SEQUENCE.
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    first_session = models.BooleanField(null=True, blank=True, help_text="As the client said.")
    client_note = models.TextField(blank=True, help_text="The client's note when booking.")
    cancel_reason = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why it was cancelled (optional): the client's words, or as staff recorded them.",
    )
    # Who wrote ``cancel_reason``: the staff member who recorded it ("Client
    # phoned: unwell"); empty when the client gave it themselves.
    cancel_reason_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who entered the reason; empty: the client's own words.",
    )
    # Which link brought the booking (?ref=attachment-article on a booking link):
    # a short tag the practice chose, never anything about the client.
    source_ref = models.CharField(
        max_length=40, blank=True, help_text="The booking link's ?ref= tag, if any."
    )
    # A video session's room name (booking/video.py): random, so nobody guesses another
    # session's room; a new one each time the session moves. Never logged, never in our URLs.
    video_room = models.CharField(max_length=64, blank=True, editable=False)
    # Where the client said they will be for a video session (ISO 3166-2, practice/licensing.py):
    # the therapist must be licensed there, unless staff overrode the check with a reason.
    client_region = models.CharField(max_length=8, blank=True)
    licence_override_reason = models.CharField(max_length=300, blank=True)
    licence_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who booked it although the therapist is not licensed there.",
    )
    # Pending only until the client's intake is submitted (SessionType.requires_intake).
    awaiting_intake = models.BooleanField(default=False)
    # A public booking waits for its booker to click the link sent to the
    # address they typed; if nobody does by then, the time is released.
    email_confirm_by = models.DateTimeField(null=True, blank=True)
    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    # The series date this occurrence stands for (it may have been moved to another day).
    occurrence_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        indexes = [
            # The slot engine's busy-time query: one therapist, a time window.
            models.Index(fields=["therapist", "blocked_start"], name="appt_therapist_blocked_idx"),
            # The share page's count of bookings per source tag, last 90 days.
            models.Index(
                fields=["practice", "created_at"],
                condition=~Q(source_ref=""),
                name="appt_source_ref_recent_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end"))
                & Q(blocked_start__lte=models.F("start"))
                & Q(blocked_end__gte=models.F("end")),
                name="appointment_times_ordered",
            ),
            # Only a pending booking waits for an email confirmation.
            models.CheckConstraint(
                condition=Q(email_confirm_by__isnull=True) | Q(status="pending"),
                name="appointment_email_confirm_only_pending",
            ),
            # Only a hold may lack a client; only a hold has an expiry.
            models.CheckConstraint(
                condition=(Q(status="held") & Q(hold_expires_at__isnull=False))
                | (~Q(status="held") & Q(client__isnull=False)),
                name="appointment_client_unless_held",
            ),
            # No double booking, ever: one therapist never holds two active
            # sessions whose buffered times overlap.
            PostgresExclusionConstraint(
                name="appointment_therapist_no_overlap",
                expressions=[
                    ("therapist", RangeOperators.EQUAL),
                    (
                        TsTzRange("blocked_start", "blocked_end", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(status__in=BLOCKING_STATUSES),
            ),
            # Nor is a room ever double-booked.
            PostgresExclusionConstraint(
                name="appointment_room_no_overlap",
                expressions=[
                    ("room", RangeOperators.EQUAL),
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=BLOCKING_STATUSES, room__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Appointment {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def awaits_outcome(self) -> bool:
        """Booked, started, and nobody has said yet whether the client came."""
        return self.status == AppointmentStatus.CONFIRMED and self.start <= timezone.now()

    @property
    def awaiting_email(self) -> bool:
        return self.email_confirm_by is not None

    @property
    def status_label(self) -> str:
        """The status as staff read it: a public request waiting for its email says so."""
        if self.awaiting_email:
            return "Waiting for the client to confirm their email"
        return self.get_status_display()

    def set_times(self, start, *, buffer_before: timedelta, buffer_after: timedelta) -> None:
        self.start = start
        self.end = start + self.session_type.duration
        self.blocked_start = start - buffer_before
        self.blocked_end = self.end + buffer_after


class AppointmentEventKind(models.TextChoices):
    BOOKED = "booked", "Booked"
    RECORDED = "recorded", "Recorded after it took place"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    MOVED = "moved", "Moved"
    CANCELLED = "cancelled", "Cancelled"
    OUTCOME = "outcome", "Outcome recorded"
    UNDONE = "undone", "Undone"
    LICENCE_OVERRIDE = "licence_override", "Booked outside the therapist's licences"


class AppointmentEvent(models.Model):
    """One line of a session's action log: who did what to it, and when.

    Written by the booking services in the transaction of the change itself,
    whichever door it came through (staff page, staff API, the client's
    manage link, a beat task), so the log cannot miss or invent a change.
    Kept apart from the audit trail, which records looks at and changes to a
    *client's* data by field name; this records scheduling facts about one
    session (a move's previous start, whether the client was told).
    """

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=AppointmentEventKind.choices)
    # A staff user; empty: the client (through their link) or the system.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_client = models.BooleanField(default=False)
    previous_start = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16,
        choices=AppointmentStatus.choices,
        blank=True,
        help_text="The status it took.",
    )
    # A cancellation: the status it left (what an undo restores).
    previous_status = models.CharField(
        max_length=16, choices=AppointmentStatus.choices, blank=True, default=""
    )
    # Whether a message to the client was scheduled; empty: nothing to tell.
    client_notified = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class HoldClaim(models.Model):
    """Who holds a time picked on the public pages: a browser and a client address.

    Both as keyed hashes (booking/holds.py), never in clear. Deleted with its
    hold, and by the expired-holds task once the hold is booked or gone.
    """

    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="hold_claim"
    )
    browser = models.CharField(max_length=64)
    address = models.CharField(max_length=64)
    extended = models.BooleanField(default=False, help_text="The details page has opened.")

    class Meta:
        indexes = [
            # The per-browser lookup (release the previous hold) and the per-address count.
            models.Index(fields=["browser"], name="holdclaim_browser_idx"),
            models.Index(fields=["address"], name="holdclaim_address_idx"),
        ]

    def __str__(self) -> str:
        return f"Hold claim for {self.appointment_id}"


class NotificationKind(models.TextChoices):
    VERIFY_EMAIL = "verify_email", "Confirm your email"
    NEW_LINKS = "new_links", "New private link"
    REQUESTED = "requested", "Request received"
    CONFIRMATION = "confirmation", "Confirmation"
    UPDATE = "update", "Session moved"
    CANCELLATION = "cancellation", "Cancellation"
    DECLINED = "declined", "Request declined"
    REMINDER = "reminder", "Reminder"
    AGENDA = "agenda", "Therapist's daily agenda"
    INTAKE_INVITE = "intake_invite", "Intake link"
    INTAKE_NUDGE = "intake_nudge", "Intake reminder"
    SAFETY_ALERT = "safety_alert", "Safety alert to a clinician"
    FAILURE_SUMMARY = "failure_summary", "Owner's daily list of failed messages"
    REQUEST_TO_APPROVE = "request_staff", "A request for the therapist and front desk"
    REQUEST_OVERDUE = "request_overdue", "A request nobody handled, to the owners"


# Messages about a session that go to the practice's staff, not to its client.
STAFF_KINDS = (NotificationKind.REQUEST_TO_APPROVE, NotificationKind.REQUEST_OVERDUE)


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class NotificationState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    SKIPPED = "skipped", "Skipped"


# ``last_error`` of a text whose send never finished: it may have reached the phone,
# so it is not repeated (booking.notify.dispatch) and the desk reads "We may not have
# texted …" (booking.notify.selectors).
UNCERTAIN_SMS = "May not have been sent: its send never finished (not repeated, a text)."


class Notification(models.Model):
    """One message, durable, sent at most once.

    Either to a client about one appointment (written in the same transaction
    as the booking change that calls for it), or a therapist's daily agenda
    (``therapist`` and ``agenda_date``). Celery only moves rows
    (``booking.notify.dispatch``); long waits live in ``due_at``, never in a broker
    countdown.
    """

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, null=True, blank=True, related_name="agendas"
    )
    agenda_date = models.DateField(null=True, blank=True)
    # The owners' daily summary of failed messages: the practice and the day
    # (``agenda_date``); no client, no therapist.
    practice = models.ForeignKey(
        "practice.Practice",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="failure_summaries",
    )
    intake = models.ForeignKey(
        "clients.Intake",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    safety_alert = models.ForeignKey(
        "clients.SafetyAlert",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # For reminders, how long before the session; zero for the others.
    offset = models.DurationField(default=timedelta(0))
    # The appointment's sequence this message describes: a reschedule makes
    # the earlier ones moot and schedules new ones.
    appointment_sequence = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField()
    state = models.CharField(
        max_length=16, choices=NotificationState.choices, default=NotificationState.SCHEDULED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When a worker began the attempt, and when the provider (SMTP server, HTTP
    # API, SMS gateway) accepted it: recorded apart, so a row started but never
    # accepted is known to be uncertain, not assumed unsent (booking/dispatch.py).
    send_started_at = models.DateTimeField(null=True, blank=True)
    provider_accepted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    # What the email provider's webhook last said (anymail's event type:
    # delivered, bounced, rejected, deferred, ...) and when; booking/email_events.py.
    delivery_status = models.CharField(max_length=16, blank=True)
    delivery_status_at = models.DateTimeField(null=True, blank=True)
    # A staff member's Resend of a failed message: a fresh row (its own
    # attempts, its own Message-ID), pointing back at the one that failed.
    resend_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # The scanner's query: due rows in one state, oldest first.
            models.Index(fields=["state", "due_at"], name="notification_state_due_idx"),
        ]
        constraints = [
            # One message per appointment version, kind, channel and offset:
            # scheduling twice cannot make two emails.
            # (Not a new-links message: each replacement of a client's links is news;
            # nor a staff member's resend of one that failed.)
            models.UniqueConstraint(
                fields=["appointment", "appointment_sequence", "kind", "channel", "offset"],
                condition=~Q(kind="new_links") & Q(resend_of__isnull=True),
                name="notification_unique_per_version",
            ),
            # One agenda per therapist and day, however often it is scheduled.
            models.UniqueConstraint(
                fields=["therapist", "agenda_date"],
                condition=Q(kind="agenda"),
                name="notification_one_agenda_per_day",
            ),
            # About exactly one thing: an appointment, a therapist's agenda for a
            # date, a client's intake, a safety alert, or a practice's day (the
            # owners' summary of failed messages).
            models.CheckConstraint(
                condition=(
                    Q(
                        appointment__isnull=False,
                        therapist__isnull=True,
                        agenda_date__isnull=True,
                        intake__isnull=True,
                        safety_alert__isnull=True,
                        practice__isnull=True,
                    )
                    | Q(
                        appointment__isnull=True,
                        therapist__isnull=False,
                        agenda_date__isnull=False,
                        intake__isnull=True,
                        safety_alert__isnull=True,
                        practice__isnull=True,
                    )
                    | Q(
                        appointment__isnull=True,
                        therapist__isnull=True,
                        agenda_date__isnull=True,
                        intake__isnull=False,
                        safety_alert__isnull=True,
                        practice__isnull=True,
                    )
                    | Q(
                        appointment__isnull=True,
                        therapist__isnull=True,
                        agenda_date__isnull=True,
                        intake__isnull=True,
                        safety_alert__isnull=False,
                        practice__isnull=True,
                    )
                    | Q(
                        appointment__isnull=True,
                        therapist__isnull=True,
                        agenda_date__isnull=False,
                        intake__isnull=True,
                        safety_alert__isnull=True,
                        practice__isnull=False,
                    )
                ),
                name="notification_about_one_thing_v3",
            ),
            # One failed-messages summary per practice and day.
            models.UniqueConstraint(
                fields=["practice", "agenda_date"],
                condition=Q(kind="failure_summary"),
                name="notification_one_failure_summary_per_day",
            ),
            # One alert message per safety alert, however often it is raised.
            models.UniqueConstraint(
                fields=["safety_alert"],
                condition=Q(kind="safety_alert"),
                name="notification_one_per_safety_alert",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.channel} ({self.state})"


class FeedKind(models.TextChoices):
    THERAPIST = "therapist", "A therapist's sessions"
    PRACTICE = "practice", "All therapists (front desk)"
    CLIENT = "client", "A client's own sessions"


class FeedPrivacy(models.TextChoices):
    MINIMAL = "minimal", "Minimal: session type only, no client details"
    INITIALS = "initials", "Initials: session type and the client's initials"
    FULL = "full", "Full: the client's name"


class CalendarFeed(models.Model):
    """A private iCalendar subscription URL granting exactly one feed.

    The URL's token is derived (HMAC with SECRET_KEY) from ``public_id`` and
    ``secret``; neither the token nor anything that alone yields it is
    stored. Rotating replaces ``secret``, so the old URL stops at once.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="feeds")
    kind = models.CharField(max_length=16, choices=FeedKind.choices)
    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, null=True, blank=True, related_name="feeds"
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="feeds"
    )
    secret = models.CharField(max_length=64, editable=False)
    privacy = models.CharField(
        max_length=16, choices=FeedPrivacy.choices, default=FeedPrivacy.MINIMAL
    )
    include_time_off = models.BooleanField(
        default=True, help_text="Therapist feeds: show time off as busy blocks."
    )
    is_active = models.BooleanField(default=True, help_text="Off: revoked, the URL answers 404.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # A feed is about exactly what its kind says.
            models.CheckConstraint(
                condition=(
                    Q(kind="therapist", therapist__isnull=False, client__isnull=True)
                    | Q(kind="practice", therapist__isnull=True, client__isnull=True)
                    | Q(kind="client", therapist__isnull=True, client__isnull=False)
                ),
                name="calendar_feed_scope_matches_kind",
            ),
            # One live feed per therapist, per client, per practice.
            models.UniqueConstraint(
                fields=["practice", "kind", "therapist", "client"],
                name="calendar_feed_one_per_owner",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} feed"


class FeedFetch(models.Model):
    """One fetch of a feed, so its owner can see which apps subscribe and when."""

    feed = models.ForeignKey(CalendarFeed, on_delete=models.CASCADE, related_name="fetches")
    fetched_at = models.DateTimeField()
    user_agent = models.CharField(max_length=200, blank=True)
    ip_prefix = models.CharField(max_length=64, blank=True, help_text="/24 or /48, not the address")
    not_modified = models.BooleanField(default=False)

    class Meta:
        ordering = ["-fetched_at"]
        indexes = [models.Index(fields=["feed", "-fetched_at"], name="feed_fetch_latest_idx")]

    def __str__(self) -> str:
        return f"Fetch at {self.fetched_at:%Y-%m-%d %H:%M}"
