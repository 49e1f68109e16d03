"""Which messages a booking change calls for, and when they are due.

Called inside the booking services' transactions, so a booking and its
messages commit (or roll back) together. Sending is ``booking.notify.dispatch``'s job.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking import video
from booking.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    Channel,
    Notification,
    NotificationKind,
    NotificationState,
)
from booking.notify.selectors import notifications_failed_for_desk
from clients.models import Client
from practice.models import Modality, Practice, Therapist
from practice.timezones import wall_to_utc_lenient

# Rows that have not started sending can still be called off.
_PENDING = (NotificationState.SCHEDULED, NotificationState.SENDING)


def reminder_due_at(
    *, start: datetime, before: timedelta, zone: ZoneInfo, quiet_start: time, quiet_end: time
) -> datetime:
    """When a reminder ``before`` a session at ``start`` goes out.

    ``before`` is real elapsed time (24 hours before is 24 hours before, even
    across a DST change), so it is subtracted from a UTC instant. If that
    falls in the client's quiet hours (read in their zone; both ends allowed),
    the reminder moves earlier, to the start of those quiet hours, never later.
    """
    due = start - before
    local = due.astimezone(zone)
    t = local.time()
    if quiet_start == quiet_end:
        return due
    if quiet_start > quiet_end:  # overnight, e.g. 21:00-08:00
        if t > quiet_start:
            return wall_to_utc_lenient(local.date(), quiet_start, zone)
        if t < quiet_end:
            return wall_to_utc_lenient(local.date() - timedelta(days=1), quiet_start, zone)
        return due
    if quiet_start < t < quiet_end:
        return wall_to_utc_lenient(local.date(), quiet_start, zone)
    return due


def notifications_schedule_for_booking(
    *, appointment: Appointment, now: datetime, confirmation: bool = True
) -> list[int]:
    """A new booking: its confirmation (or request receipt) and its reminders.

    Returns the ids of messages due now, for the caller to send after commit.
    ``confirmation=False`` (later occurrences of a series, which the first
    one's confirmation lists) schedules the reminders only.
    """
    if appointment.email_confirm_by is not None:
        immediate = _create(appointment, NotificationKind.VERIFY_EMAIL, Channel.EMAIL, now)
        return [immediate.pk]
    if appointment.status == AppointmentStatus.PENDING:
        if not confirmation:
            return []
        immediate = _create(appointment, NotificationKind.REQUESTED, Channel.EMAIL, now)
        due_now = [immediate.pk]
        if appointment.session_type.requires_approval and not appointment.awaiting_intake:
            # Someone must say yes or no: the therapist and the front desk hear of it.
            staff = _create(appointment, NotificationKind.REQUEST_TO_APPROVE, Channel.EMAIL, now)
            due_now.append(staff.pk)
        return due_now
    _schedule_reminders(appointment, now)
    if not confirmation:
        return []
    # Confirmed: on booking, or later on approval (a new sequence, so new rows).
    immediate = _create(appointment, NotificationKind.CONFIRMATION, Channel.EMAIL, now)
    return [immediate.pk]


def notifications_schedule_for_decline(*, appointment: Appointment, now: datetime) -> list[int]:
    """A declined request: one message saying so (there were no reminders)."""
    _call_off_pending(appointment)
    immediate = _create(appointment, NotificationKind.DECLINED, Channel.EMAIL, now)
    return [immediate.pk]


def notifications_schedule_for_reschedule(
    *, appointment: Appointment, now: datetime, delay: timedelta = timedelta(0)
) -> list[int]:
    """A moved session: earlier messages are moot; an update and new reminders replace them.

    ``delay``: the update waits that long (a change staff may still undo) and
    goes with the scanner; otherwise it is due now and its id is returned.
    """
    _call_off_pending(appointment)
    update = _create(appointment, NotificationKind.UPDATE, Channel.EMAIL, now + delay)
    if appointment.status == AppointmentStatus.CONFIRMED:
        _schedule_reminders(appointment, now)
    return [] if delay else [update.pk]


def notifications_schedule_for_cancellation(
    *, appointment: Appointment, now: datetime, delay: timedelta = timedelta(0)
) -> list[int]:
    """A cancelled session: no more reminders, one cancellation notice (``delay``: as above)."""
    _call_off_pending(appointment)
    notice = _create(appointment, NotificationKind.CANCELLATION, Channel.EMAIL, now + delay)
    return [] if delay else [notice.pk]


# The message an undoable change sends the client, once its undo window has passed.
_CHANGE_NOTICES = (NotificationKind.CANCELLATION, NotificationKind.UPDATE)


def notifications_change_notice_gone_out(*, appointment: Appointment) -> bool:
    """Whether the client's message about the session's latest change has begun to go out."""
    return Notification.objects.filter(
        appointment=appointment,
        appointment_sequence=appointment.sequence,
        kind__in=_CHANGE_NOTICES,
        send_started_at__isnull=False,
    ).exists()


def notifications_schedule_for_undo(*, appointment: Appointment, now: datetime) -> None:
    """A change undone before the client heard of it: its notice is called off, and a
    booked session gets its reminders back (for its new ``sequence``). Nothing is sent
    about the undo itself: for the client, nothing changed."""
    _call_off_pending(appointment, notices_too=True)
    if appointment.status == AppointmentStatus.CONFIRMED:
        _schedule_reminders(appointment, now)


def _schedule_reminders(appointment: Appointment, now: datetime) -> None:
    practice = appointment.practice
    client = appointment.client
    reminders = []
    for rule in appointment.session_type.effective_reminder_schedule:
        # The worker asks the same again before sending (booking.notify.dispatch).
        if rule["channel"] == Channel.SMS and not client.can_receive_sms:
            continue
        before = timedelta(minutes=rule["minutes_before"])
        due = reminder_due_at(
            start=appointment.start,
            before=before,
            zone=client.zone,
            quiet_start=practice.quiet_hours_start,
            quiet_end=practice.quiet_hours_end,
        )
        # Booked inside the offset: skipped, not sent late (kept, so staff see why).
        state = NotificationState.SKIPPED if due < now else NotificationState.SCHEDULED
        reminders.append(
            _new(appointment, NotificationKind.REMINDER, rule["channel"], due, offset=before)
        )
        reminders[-1].state = state
    if appointment.session_type.modality == Modality.TELEHEALTH:
        link = _video_link_reminder(appointment, reminders, now)
        if link is not None:
            reminders.append(link)
    # One INSERT for all of them (save() would be one each).
    Notification.objects.bulk_create(reminders)


def _video_link_reminder(appointment: Appointment, reminders, now: datetime):
    """The pages promise a video session's link by email before it starts, and only an email
    reminder within ``VIDEO_LINK_LEAD`` carries it (booking.notify.messages). Booked inside
    those offsets (or with none configured), the session gets one more email reminder, due
    ``VIDEO_LINK_BEFORE`` the start, or at once when that has passed."""
    if any(
        r.channel == Channel.EMAIL
        and r.state == NotificationState.SCHEDULED
        and r.offset <= video.VIDEO_LINK_LEAD
        for r in reminders
    ):
        return None
    practice = appointment.practice
    due = reminder_due_at(
        start=appointment.start,
        before=video.VIDEO_LINK_BEFORE,
        zone=appointment.client.zone,
        quiet_start=practice.quiet_hours_start,
        quiet_end=practice.quiet_hours_end,
    )
    due = max(now, due)
    if due >= appointment.start:
        return None
    offset = timedelta(minutes=(appointment.start - due) // timedelta(minutes=1))
    return _new(appointment, NotificationKind.REMINDER, Channel.EMAIL, due, offset=offset)


def _create(appointment, kind, channel, due_at, *, offset=timedelta(0), state=None):
    notification = _new(appointment, kind, channel, due_at, offset=offset, state=state)
    notification.save()
    return notification


def _new(appointment, kind, channel, due_at, *, offset=timedelta(0), state=None):
    return Notification(
        appointment=appointment,
        kind=kind,
        channel=channel,
        offset=offset,
        appointment_sequence=appointment.sequence,
        due_at=due_at,
        state=state or NotificationState.SCHEDULED,
    )


def notifications_schedule_new_links(*, client, now: datetime) -> list[int]:
    """The client's links were replaced: their next session's new link, by email, at once.

    Nothing when no session is coming up (there is nothing to manage).
    """
    upcoming = (
        Appointment.objects.filter(client=client, status__in=ACTIVE_STATUSES, start__gt=now)
        .order_by("start")
        .first()
    )
    if upcoming is None:
        return []
    return [_create(upcoming, NotificationKind.NEW_LINKS, Channel.EMAIL, now).pk]


def notifications_escalate_overdue_requests(*, now: datetime) -> int:
    """Requests nobody approved or declined within their practice's
    ``request_escalate_after``: one email to the owners each; idempotent.

    Measured from the message that told the therapist and the front desk
    (the moment the request became theirs to handle). Returns how many rows
    were created.
    """
    told = (
        Notification.objects.filter(
            kind=NotificationKind.REQUEST_TO_APPROVE,
            appointment__status=AppointmentStatus.PENDING,
            appointment__start__gt=now,
        )
        .exclude(appointment__notifications__kind=NotificationKind.REQUEST_OVERDUE)
        .select_related("appointment__practice")
    )
    created = 0
    for row in told:
        appointment = row.appointment
        if row.due_at + appointment.practice.request_escalate_after > now:
            continue
        _, was_created = Notification.objects.get_or_create(
            appointment=appointment,
            appointment_sequence=appointment.sequence,
            kind=NotificationKind.REQUEST_OVERDUE,
            channel=Channel.EMAIL,
            offset=timedelta(0),
            defaults={"due_at": now},
        )
        created += was_created
    return created


def notifications_call_off(*, appointment: Appointment) -> None:
    """Nothing more about this session (a lapsed, unproven request): no notice is scheduled."""
    _call_off_pending(appointment)


def _call_off_pending(appointment: Appointment, *, notices_too: bool = False) -> None:
    """Cancel every message not yet handed to a provider (a send under way is left to finish).

    A cancellation or decline notice stays, unless ``notices_too`` (an undone cancellation).
    """
    pending = Notification.objects.filter(
        appointment=appointment, state__in=_PENDING, send_started_at__isnull=True
    )
    if not notices_too:
        pending = pending.exclude(
            kind__in=[NotificationKind.CANCELLATION, NotificationKind.DECLINED]
        )
    pending.update(state=NotificationState.CANCELLED)


def notifications_schedule_agendas(*, now: datetime) -> int:
    """Today's and tomorrow's agenda rows for each therapist who wants one; idempotent.

    An agenda whose time has already passed today is not created (it would
    arrive late); returns how many rows were created.
    """
    created = 0
    therapists = Therapist.objects.filter(
        is_active=True, daily_agenda_at__isnull=False, user__isnull=False
    ).exclude(user__email="")
    for therapist in therapists:
        today = now.astimezone(therapist.zone).date()
        for day in (today, today + timedelta(days=1)):
            due = wall_to_utc_lenient(day, therapist.daily_agenda_at, therapist.zone)
            if due < now:
                continue
            _, was_created = Notification.objects.get_or_create(
                kind=NotificationKind.AGENDA,
                therapist=therapist,
                agenda_date=day,
                defaults={"channel": Channel.EMAIL, "due_at": due},
            )
            created += was_created
    return created


SUMMARY_AT = time(8, 0)  # the owners' summary of failed messages, on the practice's clock


def notifications_schedule_failure_summaries(*, now: datetime) -> int:
    """Each practice's daily summary of failed messages to its owners; idempotent.

    From 08:00 on the practice's clock, one row per practice and day, and only
    when some message to a client failed and nobody has resent it yet (the
    front desk's list). Returns how many rows were created.
    """
    created = 0
    for practice in Practice.objects.all():
        local = now.astimezone(practice.zone)
        if local.time() < SUMMARY_AT:
            continue
        if not notifications_failed_for_desk(Client.objects.filter(practice=practice), now=now):
            continue
        _, was_created = Notification.objects.get_or_create(
            kind=NotificationKind.FAILURE_SUMMARY,
            practice=practice,
            agenda_date=local.date(),
            defaults={"channel": Channel.EMAIL, "due_at": now},
        )
        created += was_created
    return created


def agenda_appointments(therapist: Therapist, day) -> list[Appointment]:
    """The therapist's active sessions on ``day`` of their own calendar."""
    zone = therapist.zone
    start = wall_to_utc_lenient(day, time(0), zone)
    end = wall_to_utc_lenient(day + timedelta(days=1), time(0), zone)
    return list(
        Appointment.objects.filter(
            therapist=therapist, status__in=ACTIVE_STATUSES, start__gte=start, start__lt=end
        )
        .select_related("client", "session_type")
        .order_by("start")
    )
