"""What a notification says: emails (a plain-text and HTML pair) and text messages.

Reminders carry the minimum (first name, time in the client's zone, practice
name, manage link, the late-cancel sentence); nothing clinical is ever in them.
"""

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import formataddr, make_msgid, parseaddr
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from booking import video
from booking.feeds import calendar_links, ics
from booking.hooks import intake_link
from booking.models import (
    ACTIVE_STATUSES,
    STAFF_KINDS,
    Appointment,
    Channel,
    Notification,
    NotificationKind,
)
from booking.notify import notifications
from booking.notify.selectors import notifications_failed_for_desk
from booking.scheduling.policy import humanize_duration, late_cancel_deadline
from booking.scheduling.selectors import manage_token
from booking.tokens import confirm_email_token
from clients.models import Client
from practice.display import time_format, use_clock, wall_time, wall_time_named, zone_named
from practice.models import StaffMember, StaffRole
from practice.places import VIDEO, session_place

SUBJECTS = {
    NotificationKind.VERIFY_EMAIL: "Please confirm your booking request at {practice_name}",
    NotificationKind.NEW_LINKS: "Your new private link from {practice_name}",
    NotificationKind.REQUESTED: "We received your request for {when_short}",
    NotificationKind.CONFIRMATION: "Your session on {when_short} is booked",
    NotificationKind.UPDATE: "Your session has moved to {when_short}",
    NotificationKind.CANCELLATION: "Your session on {when_short} is cancelled",
    NotificationKind.DECLINED: "We could not offer you {when_short}",
    NotificationKind.REMINDER: "Reminder: your appointment on {when_short}",
    NotificationKind.AGENDA: "Your sessions on {day}",
    NotificationKind.INTAKE_INVITE: (
        "Before your first session: a few questions from {practice_name}"
    ),
    NotificationKind.INTAKE_NUDGE: "Reminder: your intake forms for {practice_name}",
    NotificationKind.SAFETY_ALERT: "Urgent: a client's answers need your attention today",
    NotificationKind.FAILURE_SUMMARY: "{count} message(s) to clients could not be sent",
    NotificationKind.REQUEST_TO_APPROVE: "A session request to approve: {when_short}",
    NotificationKind.REQUEST_OVERDUE: "Not yet handled: a session request for {when_short}",
}
# Calendar attachments, by kind: a new or moved session is a REQUEST, a cancelled one a CANCEL.
ICS_METHOD = {
    NotificationKind.CONFIRMATION: "REQUEST",
    NotificationKind.UPDATE: "REQUEST",
    NotificationKind.CANCELLATION: "CANCEL",
}


def manage_url(appointment: Appointment) -> str:
    return settings.SITE_URL + reverse("booking:manage", args=[manage_token(appointment)])


T = TypeVar("T")

LONG_FORMAT = r"l j F Y \a\t "  # + the time on the practice's clock
SHORT_FORMAT = r"D j M \a\t "  # + the wall time and its zone's abbreviation


def _when(instant: datetime, zone) -> str:
    local = instant.astimezone(zone)
    when = dateformat.format(local, LONG_FORMAT + time_format())  # one pass, not two
    return f"{when} ({zone_named(local)})"


def context_for(notification: Notification, *, now: datetime | None = None) -> dict:
    """What a message about one session says; ``now`` is when it is sent.

    Online changes are offered only before the late-cancel deadline: a message
    sent at or after it gives the practice's phone and email instead.
    """
    appointment = notification.appointment
    deadline = late_cancel_deadline(appointment)
    client, practice, therapist = appointment.client, appointment.practice, appointment.therapist
    place = session_place(session_type=appointment.session_type, practice=practice)
    local = appointment.start.astimezone(client.zone)
    therapist_differs = appointment.start.astimezone(therapist.zone).utcoffset() != (
        local.utcoffset()
    )
    return {
        "first_name": client.name_to_use,
        "practice_name": practice.name,
        "practice_phone": practice.contact_phone,
        "when": _when(appointment.start, client.zone),
        "when_short": dateformat.format(local, SHORT_FORMAT) + wall_time_named(local),
        "when_therapist": _when(appointment.start, therapist.zone) if therapist_differs else "",
        "therapist_name": therapist.display_name,
        "session_name": appointment.session_type.name,
        "duration": appointment.session_type.duration_minutes,
        "telehealth": place.video,
        "video": VIDEO,
        "address": place.address,
        "map_url": place.map_url,
        "manage_url": manage_url(appointment),
        "deadline": _when(deadline, client.zone),
        "can_change": (now or timezone.now()) < deadline,
        "practice_email": practice.contact_email,
        "window": humanize_duration(practice.late_cancel_window),
        # With the policy sentence (emails/_policy.txt), as on the pages (_late_cancel_fee.html).
        "late_cancel_fee": practice.late_cancel_fee,
        "pending": appointment.status == "pending",
        # Worked out only by the templates that show them (a template calls a callable):
        # a reminder shows none of these four, and 10,000 reminders must go in a minute.
        "series_starts": _once(lambda: _series_starts(appointment, client.zone)),
        "book_url": _once(lambda: settings.SITE_URL + reverse("booking:landing")),
        "google_url": _once(lambda: calendar_links.google(appointment)),
        "outlook_url": _once(lambda: calendar_links.outlook(appointment)),
        "video_url": video_link_in(notification),
    }


def _once(work: Callable[[], T]) -> Callable[[], T]:
    """``work``'s result, worked out on the first call (a template that shows it) only."""
    return functools.cache(work)


def video_link_in(notification: Notification) -> str:
    """The video link, for the reminder closest to the session on its channel (texts only
    when the practice opts in); empty for every other message."""
    appointment = notification.appointment
    if (
        notification.kind != NotificationKind.REMINDER
        or notification.offset > video.VIDEO_LINK_LEAD
    ):
        return ""
    if notification.channel == Channel.SMS and not appointment.practice.video_link_by_sms:
        return ""
    offsets = [
        rule["minutes_before"]
        for rule in appointment.session_type.effective_reminder_schedule
        if rule["channel"] == notification.channel
    ]
    if offsets and notification.offset > timedelta(minutes=min(offsets)):
        return ""
    return video.video_link(appointment)


def verify_email_context(notification: Notification) -> dict:
    """Only that a booking was requested for this address, when, and the link.

    No name (typed by anyone), no therapist, no kind of session: the address
    has not been proven to belong to whoever booked.
    """
    appointment = notification.appointment
    zone = appointment.client.zone
    token = confirm_email_token(appointment.public_id)
    return {
        "practice_name": appointment.practice.name,
        "practice_phone": appointment.practice.contact_phone,
        "when": _when(appointment.start, zone),
        "confirm_by": _when(appointment.email_confirm_by, zone),
        "confirm_url": settings.SITE_URL + reverse("booking:confirm-email", args=[token]),
    }


def _series_starts(appointment: Appointment, zone) -> list[str]:
    """For the first session of a standing series: when the others are."""
    if appointment.series_id is None:
        return []
    others = (
        Appointment.objects.filter(series_id=appointment.series_id, status__in=ACTIVE_STATUSES)
        .exclude(pk=appointment.pk)
        .order_by("start")
        .values_list("start", flat=True)
    )
    return [_when(start, zone) for start in others]


def agenda_context(notification: Notification) -> dict:
    """A therapist's day: times in their zone, clients by initials only (email is not private)."""
    therapist = notification.therapist
    day = notification.agenda_date
    sessions = [
        {
            "start": wall_time(a.start.astimezone(therapist.zone)),
            "end": wall_time(a.end.astimezone(therapist.zone)),
            "session_name": a.session_type.name,
            "initials": f"{a.client.first_name[:1]}.{a.client.last_name[:1]}.".upper(),
            "pending": a.status == "pending",
        }
        for a in notifications.agenda_appointments(therapist, day)
    ]
    return {
        "therapist_name": therapist.display_name,
        "practice_name": therapist.practice.name,
        "practice_phone": "",
        "day": dateformat.format(day, "l j F Y"),
        "sessions": sessions,
        "zone": therapist.time_zone,
    }


def intake_context(notification: Notification) -> dict:
    intake = notification.intake
    url, valid_days = intake_link(intake)
    return {
        "first_name": intake.client.name_to_use,
        "practice_name": intake.practice.name,
        "practice_phone": intake.practice.contact_phone,
        "intake_url": url,
        "valid_days": valid_days,
    }


def safety_alert_context(notification: Notification) -> dict:
    """No name, no answer: only that a clinician must look, and where."""
    alert = notification.safety_alert
    return {
        "practice_name": alert.practice.name,
        "practice_phone": "",
        "client_url": settings.SITE_URL + reverse("staff-client", args=[alert.client.public_id]),
    }


def safety_alert_recipients(alert) -> list[str]:
    """The assigned therapist; the practice's owners if there is none (or they have no email)."""
    therapist = alert.client.assigned_therapist or alert.therapist
    if therapist is not None and therapist.user is not None and therapist.user.email:
        return [therapist.user.email]
    owners = StaffMember.objects.filter(
        practice=alert.practice, role=StaffRole.OWNER, user__is_active=True
    ).select_related("user")
    return [m.user.email for m in owners if m.user.email]


def failure_summary_context(notification: Notification) -> dict:
    """Initials and what failed, never a name or an address: the full list is on Today."""
    practice = notification.practice
    failed = notifications_failed_for_desk(Client.objects.filter(practice=practice))
    return {
        "practice_name": practice.name,
        "practice_phone": "",
        "count": len(failed),
        "failures": [
            {
                "initials": f"{i['client'].name_to_use[:1]}.{i['client'].last_name[:1]}.",
                "what": i["noun"],
                "channel": i["notification"].get_channel_display().lower(),
            }
            for i in failed
        ],
        "today_url": settings.SITE_URL + reverse("staff-home"),
    }


def failure_summary_recipients(notification: Notification) -> list[str]:
    owners = StaffMember.objects.filter(
        practice=notification.practice, role=StaffRole.OWNER, user__is_active=True
    ).exclude(user__email="")
    return sorted(owners.values_list("user__email", flat=True))


def request_context(notification: Notification) -> dict:
    """A request for staff: when, what, with whom, and the link; the client by initials only."""
    appointment = notification.appointment
    therapist = appointment.therapist
    client = appointment.client
    local = appointment.start.astimezone(therapist.zone)
    return {
        "practice_name": appointment.practice.name,
        "practice_phone": "",
        "when": _when(appointment.start, therapist.zone),
        "when_short": dateformat.format(local, SHORT_FORMAT) + wall_time_named(local),
        "session_name": appointment.session_type.name,
        "therapist_name": therapist.display_name,
        "initials": f"{client.first_name[:1]}.{client.last_name[:1]}.".upper(),
        "waiting_for": humanize_duration(appointment.practice.request_escalate_after),
        "session_url": settings.SITE_URL
        + reverse("staff-appointment", args=[appointment.public_id]),
    }


def request_recipients(notification: Notification) -> list[str]:
    """To approve: the therapist and the front desk (the owners when there is no receptionist).
    Overdue: the owners."""
    practice = notification.appointment.practice
    active = StaffMember.objects.filter(practice=practice, user__is_active=True).exclude(
        user__email=""
    )
    owners = set(active.filter(role=StaffRole.OWNER).values_list("user__email", flat=True))
    if notification.kind == NotificationKind.REQUEST_OVERDUE:
        return sorted(owners)
    desk = set(active.filter(role=StaffRole.RECEPTIONIST).values_list("user__email", flat=True))
    user = notification.appointment.therapist.user
    therapist = {user.email} if user is not None and user.is_active and user.email else set()
    return sorted(therapist | (desk or owners))


def _clock_of(notification: Notification) -> str:
    """The practice's clock, whatever the message is about (read only when a time is written)."""
    for owner in ("appointment", "therapist", "intake", "safety_alert"):
        if getattr(notification, f"{owner}_id", None):
            return getattr(notification, owner).practice.clock
    if notification.practice_id:
        return notification.practice.clock
    return "24"


def message_id(notification: Notification, domain: str) -> str:
    """The same Message-ID every time this row is sent.

    A resend after an uncertain attempt (a worker died between the provider's
    acceptance and our record of it) then reaches the provider and the
    client's mail program as the same message, which many of them fold into
    one; a fresh row (staff's Resend) is a new message. A message built from
    a row never saved (a preview) gets a one-off id.
    """
    if notification.pk is None:
        return make_msgid(domain=domain)
    return f"<{int(notification.created_at.timestamp())}.n{notification.pk}@{domain}>"


def build_email(notification: Notification, *, now: datetime) -> EmailMultiAlternatives:
    with use_clock(lambda: _clock_of(notification)):
        return _build_email(notification, now=now)


def _build_email(notification: Notification, *, now: datetime) -> EmailMultiAlternatives:
    kind = notification.kind
    if kind == NotificationKind.AGENDA:
        context, to = agenda_context(notification), notification.therapist.user.email
    elif kind in (NotificationKind.INTAKE_INVITE, NotificationKind.INTAKE_NUDGE):
        context, to = intake_context(notification), notification.intake.client.email
    elif kind == NotificationKind.SAFETY_ALERT:
        context, to = safety_alert_context(notification), None
    elif kind == NotificationKind.FAILURE_SUMMARY:
        context, to = failure_summary_context(notification), None
    elif kind in STAFF_KINDS:
        context, to = request_context(notification), None
    elif kind == NotificationKind.VERIFY_EMAIL:
        context, to = verify_email_context(notification), notification.appointment.client.email
    else:
        context, to = context_for(notification, now=now), notification.appointment.client.email
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    practice = _practice_of(notification)
    message = EmailMultiAlternatives(
        from_email=practice_from(practice),
        reply_to=[practice.contact_email] if practice.contact_email else None,
        subject=SUBJECTS[kind].format(**context),
        body=render_to_string(f"emails/{kind}.txt", context),
        to=[to] if to else _staff_recipients(notification),
        headers={"Message-ID": message_id(notification, domain)},
    )
    message.attach_alternative(render_to_string(f"emails/{kind}.html", context), "text/html")
    if kind in ICS_METHOD:
        method = ICS_METHOD[kind]
        # No charset here: Django adds it to every text/* part, and a second
        # one would make the header ambiguous.
        message.attach(
            "session.ics",
            ics.client_invitation(notification.appointment, method=method, now=now),
            f"text/calendar; method={method}",
        )
    return message


def _staff_recipients(notification: Notification) -> list[str]:
    if notification.kind == NotificationKind.FAILURE_SUMMARY:
        return failure_summary_recipients(notification)
    if notification.kind in STAFF_KINDS:
        return request_recipients(notification)
    return safety_alert_recipients(notification.safety_alert)


def _practice_of(notification: Notification):
    if notification.appointment_id:
        return notification.appointment.practice
    if notification.intake_id:
        return notification.intake.practice
    if notification.safety_alert_id:
        return notification.safety_alert.practice
    if notification.practice_id:
        return notification.practice
    return notification.therapist.practice


def practice_from(practice) -> str:
    """``"Practice name" <address>``: the practice's name on DEFAULT_FROM_EMAIL's address."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    return formataddr((practice.name, address))


def build_sms(notification: Notification) -> str:
    with use_clock(lambda: _clock_of(notification)):
        context = context_for(notification)
        context["names_practice"] = notification.appointment.practice.sms_names_practice
        return render_to_string("sms/reminder.txt", context).strip()
