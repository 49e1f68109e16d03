"""Writes for booking. Every path that creates or moves a session goes through here.

The database has the last word on overlaps: on PostgreSQL, exclusion
constraints on the appointment table; on SQLite (embedded demo), every atomic
block starts with BEGIN IMMEDIATE, so the overlap checks below and the write
that follows cannot interleave with another writer.
"""

import functools
import uuid
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, TextChoices
from django.utils import timezone

from booking import video
from booking.exceptions import (
    InvalidBooking,
    NotChangeable,
    NotLicensed,
    PolicyViolation,
    SlotUnavailable,
)
from booking.feeds.feeds import feeds_delete_of_client, feeds_retire_urls_of_client
from booking.hooks import intake_for_booking, intake_needed_before_confirming
from booking.models import (
    ACTIVE_STATUSES,
    EMAIL_CONFIRM_WINDOW,
    HOLD_DURATION,
    SOURCE_REF,
    UNDO_WINDOW,
    Appointment,
    AppointmentEvent,
    AppointmentEventKind,
    AppointmentStatus,
    HoldClaim,
    Notification,
    NotificationState,
)
from booking.notify import notifications
from booking.notify.tasks import notifications_send_after_commit, notifications_send_when_due
from booking.scheduling import selectors
from booking.scheduling.policy import humanize_duration, late_cancel_deadline
from clients.models import Client
from clients.services import (
    client_create_contact,
    client_discard_contact,
    client_prove_email,
    client_rotate_links,
)
from practice import dbfaults, licensing
from practice.display import is_ambiguous, wall_time
from practice.models import Modality, Room, SessionType, Therapist

# SQLSTATE exclusion_violation
_EXCLUSION_VIOLATION = "23P01"
# The first key of pg_advisory_xact_lock(key, therapist_id): "bk", bookings of a therapist.
_BOOKING_LOCK = 0x626B

TAKEN_MESSAGE = (
    "Sorry, that time has just been taken or is no longer available. Please pick another."
)


_CANCEL_FIELDS = ("status", "cancelled_at", "email_confirm_by", "sequence", "updated_at")


class Actor(TextChoices):
    CLIENT = "client", "Client"
    STAFF = "staff", "Staff"


def _answers_truly_when_the_connection_drops(change):
    """A change to a session whose database connection drops is run again or looked up.

    Dropped before its COMMIT: nothing landed, so it runs again on a fresh
    connection. Dropped during its COMMIT: the row is looked up by the
    ``sequence`` and ``updated_at`` the change wrote, and if it landed the
    change stands (``practice.dbfaults.atomic_retrying``), so nobody is told
    "nothing was changed" about a change that was made. Its messages then go
    with the scanner's next run: the after-commit hand-off died with the
    connection. Every page and API that cancels, moves, approves or declines
    calls these services, so each gets this once, here.
    """

    @functools.wraps(change)
    def durable(**kwargs):
        return dbfaults.atomic_retrying(lambda: change(**kwargs), landed=_change_landed)

    return durable


def _change_landed(changed: Appointment) -> bool:
    return Appointment.objects.filter(
        pk=changed.pk, sequence=changed.sequence, updated_at=changed.updated_at
    ).exists()


def appointment_book(
    *,
    therapist: Therapist,
    session_type: SessionType,
    client: Client,
    start: datetime,
    room: Room | None = None,
    enforce_availability: bool = True,
    now: datetime | None = None,
    series=None,
    occurrence_date=None,
    confirmation: bool = True,
    by_staff: bool = False,
    await_email: bool = False,
    by=None,
    client_region: str = "",
    licence_override_reason: str = "",
) -> Appointment:
    """Book a session. Raises SlotUnavailable if the time is not free (or not offered).

    ``enforce_availability=False`` is the staff override: working hours, notice
    and horizon are not checked; overlaps still are, always. A series books its
    occurrences with ``series``; only the first sends a confirmation email
    (listing the others), all get reminders. ``by_staff``: booked by the
    practice itself, so a session type's approval step does not apply (an
    unfinished intake still does). ``await_email``: an anonymous booker's
    unproven contact; the session waits for the link sent to the address.
    ``by``: the staff user booking it (the session's action log).

    A session staff book in the past (``by_staff``, a start before ``now``) is
    a record of one that took place: confirmed, and the client is sent
    nothing (no "is booked", no reminders, no intake invitation).

    A video session needs ``client_region`` (where the client will be) and the
    therapist licensed there (``_require_licensed``); staff (``by``) may book it
    anyway with a ``licence_override_reason``, kept on the session and in its log.
    """
    now = now or timezone.now()
    start = _utc_start(start)
    if by_staff and not client_region:
        # Staff who did not say: the client's zone's likely region (practice/licensing.py).
        client_region = licensing.region_from_zone(client.time_zone)
    in_the_past = by_staff and start < now
    if in_the_past and enforce_availability:
        raise InvalidBooking("That time has passed: record it with the hours overridden.")
    _require_bookable(therapist=therapist, session_type=session_type, client=client, room=room)
    if not (await_email or client.is_verified):
        raise InvalidBooking(
            "This person has not confirmed their email yet: book once they have, or make "
            "them a client record of your own (Clients → New client)."
        )
    appointment = _new_appointment(
        therapist=therapist,
        session_type=session_type,
        start=start,
        client=client,
        room=room,
        series=series,
        occurrence_date=occurrence_date,
        video_room=video.new_room(),
        client_region=client_region,
    )
    _require_licensed(appointment, override_reason=licence_override_reason, by=by)
    if await_email:
        _await_email(appointment, now)
    else:
        _set_initial_status(appointment, client, approved=by_staff)
    if in_the_past:
        appointment.status, appointment.awaiting_intake = AppointmentStatus.CONFIRMED, False
    with transaction.atomic():
        _lock_therapist(therapist.pk)
        if enforce_availability:
            _require_offered(appointment, now=now)
        _require_no_overlap(appointment, now=now)
        _save_or_conflict(appointment)
        appointment.client = client
        _record_booked(
            appointment, now=now, by=by, in_the_past=in_the_past, confirmation=confirmation
        )
        if appointment.licence_override_reason:
            _log(appointment, AppointmentEventKind.LICENCE_OVERRIDE, now=now, by=by)
    return appointment


def _new_appointment(
    *, therapist: Therapist, session_type: SessionType, start: datetime, **fields
) -> Appointment:
    """An unsaved session at ``start`` (UTC) with its buffered times."""
    appointment = Appointment(
        practice_id=therapist.practice_id, therapist=therapist, session_type=session_type, **fields
    )
    if Therapist.practice.is_cached(therapist):
        # The answer reads the practice (the change deadline): no second query for it.
        appointment.practice = therapist.practice
    appointment.set_times(
        start, buffer_before=session_type.buffer_before, buffer_after=session_type.buffer_after
    )
    return appointment


def _record_booked(
    appointment: Appointment,
    *,
    now: datetime,
    by=None,
    in_the_past: bool = False,
    confirmation: bool = True,
) -> None:
    """A saved booking's messages (sent after commit) and its action-log line."""
    if not in_the_past:
        notifications_send_after_commit(
            _messages_for_booking(appointment, now, confirmation=confirmation)
        )
    _log(
        appointment,
        AppointmentEventKind.RECORDED if in_the_past else AppointmentEventKind.BOOKED,
        now=now,
        by=by,
        by_client=appointment.email_confirm_by is not None,
        client_notified=not in_the_past,
    )


def _messages_for_booking(appointment: Appointment, now: datetime, *, confirmation=True):
    """Schedule a new (or newly proven) booking's messages; the ids due now.

    While the address is unproven, only the "confirm your email" message:
    nothing else reaches an address before its owner confirms.
    """
    due_now = notifications.notifications_schedule_for_booking(
        appointment=appointment, now=now, confirmation=confirmation
    )
    if appointment.email_confirm_by is None:
        due_now += intake_for_booking(appointment=appointment, now=now)
    return due_now


def _await_email(appointment: Appointment, now: datetime) -> None:
    """Pending until the booker proves the address, at most until the session starts."""
    appointment.status = AppointmentStatus.PENDING
    appointment.awaiting_intake = False
    appointment.email_confirm_by = min(now + EMAIL_CONFIRM_WINDOW, appointment.start)


def _set_initial_status(appointment: Appointment, client: Client, *, approved=False) -> None:
    """Confirmed, or pending: for approval, or until a new client's intake is submitted."""
    session_type = appointment.session_type
    appointment.awaiting_intake = session_type.requires_intake and (
        intake_needed_before_confirming(client)
    )
    needs_approval = session_type.requires_approval and not approved
    appointment.status = (
        AppointmentStatus.PENDING
        if needs_approval or appointment.awaiting_intake
        else AppointmentStatus.CONFIRMED
    )


def appointment_book_public(
    *,
    therapist: Therapist,
    session_type: SessionType,
    start: datetime,
    client_details: dict,
    now: datetime | None = None,
    client_region: str = "",
) -> Appointment:
    """An anonymous booking: a new contact from the typed details, waiting for its email link.

    The same path whatever the email, so the answer never tells whether the
    practice knows an address (docs/architecture.md, "Who is booking").

    Nothing is written before the time is known to be free: a taken time is
    refused on one read, before any transaction; then, under the therapist's
    booking lock, the engine confirms the time is still offered (a racer that
    got in first is "busy" by then); only then are the contact, the session,
    its message and its log line written. The exclusion constraints stay the
    final word. A connection dropped before COMMIT: booked again on a fresh
    one (nothing was written); dropped during COMMIT: the booking is looked
    up, never repeated (``practice.dbfaults.atomic_retrying``).
    """
    now = now or timezone.now()
    start = _utc_start(start)
    _require_bookable(therapist=therapist, session_type=session_type, client=None, room=None)

    def unsaved() -> Appointment:
        appointment = _new_appointment(
            therapist=therapist,
            session_type=session_type,
            start=start,
            video_room=video.new_room(),
            client_region=client_region,
        )
        _await_email(appointment, now)
        return appointment

    first = unsaved()
    _require_licensed(first)
    _require_no_overlap(first, now=now)

    def book() -> Appointment:
        # In the transaction atomic_retrying opens (or the caller's), without a savepoint:
        # the refusals come before any write, and a lost race at the constraint ends the
        # transaction with nothing of the booking kept.
        appointment = unsaved()
        _require_licensed(appointment)
        _lock_therapist(therapist.pk)
        _require_offered(appointment, now=now)
        appointment.client = client_create_contact(practice=therapist.practice, **client_details)
        _save_or_conflict(appointment, savepoint=False)
        _record_booked(appointment, now=now)
        return appointment

    return dbfaults.atomic_retrying(
        book, landed=lambda made: Appointment.objects.filter(pk=made.pk).exists()
    )


def _lock_therapist(therapist_id: int) -> None:
    """Serialise the writes to one therapist's book until COMMIT (PostgreSQL; on SQLite
    every write transaction already holds the database's write lock): a racer that
    waited here finds the time busy and is refused before writing anything, and two
    racers never wait on each other's row in the exclusion constraint (a deadlock)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_BOOKING_LOCK, therapist_id])


def appointment_hold(
    *,
    therapist: Therapist,
    session_type: SessionType,
    start: datetime,
    now: datetime | None = None,
    duration: timedelta = HOLD_DURATION,
    public_id: uuid.UUID | None = None,
    source_ref: str = "",
    client_region: str = "",
) -> Appointment:
    """Hold an offered time for ``duration`` while the client types their details.

    A hold is an appointment row in status ``held``, so the same exclusion
    constraint keeps everyone else off the slot. ``public_id`` renews a hold
    the cleanup deleted under the same id, so its details page's address
    (and a second submit of its form) still finds it.
    """
    now = now or timezone.now()
    start = _utc_start(start)
    if not (therapist.is_active and session_type.is_active):
        raise InvalidBooking("This therapist or session type is not taking bookings.")
    if not therapist.offers(session_type):
        raise InvalidBooking(f"{therapist.display_name} does not offer {session_type.name}.")
    if source_ref and not SOURCE_REF.fullmatch(source_ref):
        raise InvalidBooking("A source tag is a short word like attachment-article.")
    hold = Appointment(
        practice_id=therapist.practice_id,
        therapist=therapist,
        session_type=session_type,
        status=AppointmentStatus.HELD,
        hold_expires_at=now + duration,
        source_ref=source_ref,
        video_room=video.new_room(),
        client_region=client_region,
    )
    if public_id is not None:
        hold.public_id = public_id
    hold.set_times(
        start, buffer_before=session_type.buffer_before, buffer_after=session_type.buffer_after
    )
    _require_licensed(hold)
    with transaction.atomic():
        _lock_therapist(therapist.pk)
        _require_offered(hold, now=now)
        _require_no_overlap(hold, now=now)
        _save_or_conflict(hold)
    return hold


def appointment_confirm_hold(
    *,
    hold: Appointment,
    client_details: dict,
    first_session: bool | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Turn a hold into the booking, for a new or returning client.

    An expired hold still counts if nobody took the time meanwhile (its row
    kept the slot); if someone did, their booking deleted it: SlotUnavailable.
    Submitting twice returns the booking made the first time.
    """
    now = now or timezone.now()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("practice", "therapist", "session_type", "client")
            .filter(pk=hold.pk)
            .first()
        )
        if appointment is None:
            raise SlotUnavailable(
                "Sorry, we could only hold that time for a few minutes and someone else has "
                "booked it since. Please pick another time."
            )
        if appointment.status != AppointmentStatus.HELD:
            return appointment
        appointment.client = client_create_contact(practice=appointment.practice, **client_details)
        _await_email(appointment, now)
        appointment.hold_expires_at = None
        appointment.first_session = first_session
        appointment.client_note = note
        appointment.save()
        _log(
            appointment, AppointmentEventKind.BOOKED, now=now, by_client=True, client_notified=True
        )
        notifications_send_after_commit(_messages_for_booking(appointment, now))
    return appointment


def appointment_confirm_email(
    *, appointment: Appointment, now: datetime | None = None
) -> Appointment:
    """The booker clicked the link sent to the address they typed: the booking goes ahead.

    The contact becomes a proven client (or joins the practice's proven
    record with that address); then the booking takes the status it would
    have had (approval, intake) and its real messages are scheduled.
    Clicking twice changes nothing; a lapsed or cancelled request cannot be
    confirmed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        if appointment.email_confirm_by is None and appointment.client.is_verified:
            return appointment
        if appointment.email_confirm_by is None:
            raise NotChangeable("This request was cancelled, so there is nothing to confirm.")
        if appointment.status != AppointmentStatus.PENDING or appointment.email_confirm_by <= now:
            raise NotChangeable(
                "This request was not confirmed in time and the time was released. "
                "Please book again."
            )
        contact = appointment.client
        client = client_prove_email(contact=contact, now=now)
        if client.pk != contact.pk:
            Appointment.objects.filter(client=contact).update(client=client, updated_at=now)
            client_discard_contact(contact=contact)
        appointment.client = client
        appointment.email_confirm_by = None
        _set_initial_status(appointment, client)
        appointment.sequence += 1
        appointment.save()
        notifications_send_after_commit(_messages_for_booking(appointment, now))
    return appointment


def client_links_replace(*, client: Client, now: datetime | None = None) -> bool:
    """Retire all of a proven client's links and email them the new one for their next session.

    Returns whether an email is on its way (False: no session coming up).
    """
    now = now or timezone.now()
    with transaction.atomic():
        client = client_rotate_links(client=client)
        feeds_retire_urls_of_client(client=client)
        due_now = notifications.notifications_schedule_new_links(client=client, now=now)
        notifications_send_after_commit(due_now)
    return bool(due_now)


def bookings_release_unconfirmed(*, now: datetime | None = None) -> int:
    """Cancel public bookings whose address was not confirmed in time; the time is free again.

    Nobody is told: nobody proved they can be.
    """
    now = now or timezone.now()
    lapsed = Appointment.objects.filter(status=AppointmentStatus.PENDING, email_confirm_by__lte=now)
    released = 0
    for appointment in lapsed:
        with transaction.atomic():
            appointment = _lock(appointment)
            if appointment.email_confirm_by is None or appointment.email_confirm_by > now:
                continue
            if appointment.status != AppointmentStatus.PENDING:
                continue
            appointment.status = AppointmentStatus.CANCELLED
            appointment.cancelled_at = now
            appointment.email_confirm_by = None
            appointment.sequence += 1
            appointment.save()
            notifications.notifications_call_off(appointment=appointment)
            released += 1
    return released


@_answers_truly_when_the_connection_drops
def appointment_approve(
    *, appointment: Appointment, by=None, now: datetime | None = None
) -> Appointment:
    """Staff approve a requested session: confirmed, the client told, reminders scheduled."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        if appointment.status != AppointmentStatus.PENDING:
            raise NotChangeable("Only a session awaiting approval can be approved.")
        if appointment.email_confirm_by is not None:
            raise NotChangeable(
                "The client has not confirmed their email yet: the session is approved once "
                "they click the link we sent (or book it for them by phone)."
            )
        appointment.status = AppointmentStatus.CONFIRMED
        appointment.sequence += 1
        appointment.save(update_fields=["status", "sequence", "updated_at"])
        due_now = notifications.notifications_schedule_for_booking(appointment=appointment, now=now)
        _log(appointment, AppointmentEventKind.APPROVED, now=now, by=by, client_notified=True)
        notifications_send_after_commit(due_now)
    return appointment


@_answers_truly_when_the_connection_drops
def appointment_decline(
    *, appointment: Appointment, by=None, now: datetime | None = None
) -> Appointment:
    """Staff decline a requested session: the time is free again and the client is told."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        if appointment.status != AppointmentStatus.PENDING:
            raise NotChangeable("Only a session awaiting approval can be declined.")
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = now
        appointment.email_confirm_by = None
        appointment.sequence += 1
        appointment.save(update_fields=[*_CANCEL_FIELDS])
        due_now = notifications.notifications_schedule_for_decline(appointment=appointment, now=now)
        _log(appointment, AppointmentEventKind.DECLINED, now=now, by=by, client_notified=True)
        notifications_send_after_commit(due_now)
    return appointment


OUTCOMES = (
    AppointmentStatus.ATTENDED,
    AppointmentStatus.NO_SHOW,
    AppointmentStatus.LATE_CANCELLED,
)


def appointment_record_outcome(
    *, appointment: Appointment, outcome: str, by=None, now: datetime | None = None
) -> Appointment:
    """Mark a session attended, no-show or late-cancelled.

    Attended and no-show only once it has started. Late-cancelling a session
    still to come is a cancellation (the client is told); after its start it
    is a record only. A recorded outcome can be corrected to another one.
    """
    now = now or timezone.now()
    if outcome not in OUTCOMES:
        raise InvalidBooking("Mark a session attended, no-show or late-cancelled.")
    if outcome == AppointmentStatus.LATE_CANCELLED and appointment.start > now:
        return appointment_cancel(
            appointment=appointment, actor=Actor.STAFF, late=True, by=by, now=now
        )
    with transaction.atomic():
        appointment = _lock(appointment)
        if appointment.status not in (AppointmentStatus.CONFIRMED, *OUTCOMES):
            raise NotChangeable("Only a booked session can be marked.")
        if appointment.start > now:
            raise NotChangeable("A session can be marked attended or no-show once it has started.")
        if appointment.status != outcome:
            appointment.status = outcome
            appointment.sequence += 1
            if outcome == AppointmentStatus.LATE_CANCELLED:
                appointment.cancelled_at = now
            appointment.save(update_fields=["status", "sequence", "cancelled_at", "updated_at"])
            _log(appointment, AppointmentEventKind.OUTCOME, now=now, by=by)
    return appointment


def holds_release_expired(*, now: datetime | None = None) -> int:
    """Delete holds past their expiry (they no longer block anything but a table scan).

    Their claims go with them; the claims of holds since booked are deleted
    too (who held a time matters only while it is held).
    """
    now = now or timezone.now()
    _, deleted = Appointment.objects.filter(
        status=AppointmentStatus.HELD, hold_expires_at__lte=now
    ).delete()
    HoldClaim.objects.exclude(appointment__status=AppointmentStatus.HELD).delete()
    return deleted.get(Appointment._meta.label, 0)


OUTSIDE_HOURS_MESSAGE = (
    "That time is not free in the working hours. Override the hours to book it anyway "
    "(it still cannot overlap another session)."
)


@_answers_truly_when_the_connection_drops
def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime,
    actor: Actor,
    enforce_availability: bool = False,
    notify: bool = True,
    undoable: bool = False,
    by=None,
    now: datetime | None = None,
) -> Appointment:
    """Move a session to a new start, with the same guarantees as booking it.

    A client's move must land on an offered time; staff may ask for the same
    check (``enforce_availability``) or override the hours — never the overlap.
    ``notify=False`` (staff told the client themselves): the earlier messages
    are called off and none is scheduled — no update, no reminders.
    ``undoable`` (staff, who are offered Undo): the update waits ``UNDO_WINDOW``.
    """
    now = now or timezone.now()
    start = _utc_start(start)
    with transaction.atomic():
        _lock_therapist(appointment.therapist_id)
        appointment = _lock(appointment)
        _require_changeable(appointment, actor=actor, now=now)
        session_type = appointment.session_type
        previous_start = appointment.start
        appointment.set_times(
            start,
            buffer_before=session_type.buffer_before,
            buffer_after=session_type.buffer_after,
        )
        if appointment.email_confirm_by is not None:
            appointment.email_confirm_by = min(appointment.email_confirm_by, start)
        # The old room is not offered again: whoever still has its link finds it empty.
        appointment.video_room = video.new_room()
        if actor == Actor.CLIENT:
            _require_offered(appointment, now=now)
        elif enforce_availability:
            _require_offered(appointment, now=now, message=OUTSIDE_HOURS_MESSAGE)
        _require_no_overlap(appointment, now=now)
        appointment.sequence += 1
        _save_or_conflict(appointment)
        notify = notify or actor == Actor.CLIENT
        due_now = []
        if notify:
            delay = _undo_delay(undoable, actor)
            due_now = notifications.notifications_schedule_for_reschedule(
                appointment=appointment, now=now, delay=delay
            )
            if delay:
                notifications_send_when_due(appointment_id=appointment.pk, at=now + delay)
        else:
            notifications.notifications_call_off(appointment=appointment)
        _log(
            appointment,
            AppointmentEventKind.MOVED,
            now=now,
            by=by,
            by_client=actor == Actor.CLIENT,
            previous_start=previous_start,
            client_notified=notify,
        )
        notifications_send_after_commit(due_now)
    return appointment


@_answers_truly_when_the_connection_drops
def appointment_cancel(
    *,
    appointment: Appointment,
    actor: Actor,
    late: bool = False,
    reason: str = "",
    by=None,
    notify: bool = True,
    undoable: bool = False,
    now: datetime | None = None,
) -> Appointment:
    """Cancel a session. Clients cannot inside the late-cancel window; staff may, as ``late``.

    ``notify=False`` (staff only; they told the client themselves): unsent
    messages are called off and no cancellation notice is scheduled.
    ``undoable`` (staff, who are offered Undo): the notice waits ``UNDO_WINDOW``.

    ``reason`` (optional, kept for the practice): the client's own words, or,
    with ``actor=STAFF``, what the staff member ``by`` recorded ("Client phoned:
    unwell"), marked as theirs.
    """
    if actor == Actor.STAFF and reason.strip() and by is None:
        raise ValueError("A reason entered by staff needs the staff member (by=).")
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        _require_changeable(appointment, actor=actor, now=now)
        # What an undo restores; none for a request still waiting for its email link (its
        # deadline is dropped below, and a request nobody proved is not brought back).
        previous_status = appointment.status if appointment.email_confirm_by is None else ""
        appointment.status = (
            AppointmentStatus.LATE_CANCELLED if late else AppointmentStatus.CANCELLED
        )
        appointment.cancelled_at = now
        appointment.email_confirm_by = None
        appointment.cancel_reason = reason.strip()[:500]
        appointment.cancel_reason_by = (
            by if actor == Actor.STAFF and appointment.cancel_reason else None
        )
        appointment.sequence += 1
        appointment.save(update_fields=[*_CANCEL_FIELDS, "cancel_reason", "cancel_reason_by"])
        notify = notify or actor == Actor.CLIENT
        due_now = []
        if notify:
            delay = _undo_delay(undoable, actor)
            due_now = notifications.notifications_schedule_for_cancellation(
                appointment=appointment, now=now, delay=delay
            )
            if delay:
                notifications_send_when_due(appointment_id=appointment.pk, at=now + delay)
        else:
            notifications.notifications_call_off(appointment=appointment)
        _log(
            appointment,
            AppointmentEventKind.CANCELLED,
            now=now,
            by=by if actor == Actor.STAFF else None,
            by_client=actor == Actor.CLIENT,
            client_notified=notify,
            previous_status=previous_status,
        )
        notifications_send_after_commit(due_now)
    return appointment


def _undo_delay(undoable: bool, actor: Actor) -> timedelta:
    """How long the client's message about a change waits: the undo window, for staff."""
    return UNDO_WINDOW if undoable and actor == Actor.STAFF else timedelta(0)


UNDO_TOO_LATE = (
    "Too late to undo: the client's message about this change is on its way (Undo works for "
    f"{UNDO_WINDOW.seconds} seconds). Move or book the session again instead."
)


@_answers_truly_when_the_connection_drops
def appointment_undo(
    *, appointment: Appointment, event_id: int | None = None, by, now: datetime | None = None
) -> Appointment:
    """Undo a staff cancel or move within ``UNDO_WINDOW``, before the client heard of it.

    Only the session's latest change (``event_id``, when given, must be it),
    made by staff. A cancelled session takes back the status it had, a moved
    one its previous start, if that time is still free (the same overlap
    checks, and the exclusion constraints, as any booking). The pending
    message is called off, the reminders come back, the ``sequence`` moves
    on (calendar apps update) and the log records "undone" with who.
    """
    now = now or timezone.now()
    with transaction.atomic():
        _lock_therapist(appointment.therapist_id)  # the order every change takes: no deadlock
        appointment = _lock(appointment)
        event = selectors.appointment_latest_event(appointment)
        undoable = (AppointmentEventKind.CANCELLED, AppointmentEventKind.MOVED)
        if (
            event is None
            or (event_id is not None and event.pk != event_id)
            or event.kind not in undoable
            or event.by_id is None
        ):
            raise NotChangeable("This change cannot be undone: the session has changed since.")
        if now >= event.at + UNDO_WINDOW or notifications.notifications_change_notice_gone_out(
            appointment=appointment
        ):
            raise NotChangeable(UNDO_TOO_LATE)
        left = appointment.start
        if event.kind == AppointmentEventKind.CANCELLED:
            if not event.previous_status:
                raise NotChangeable(
                    "This cancellation cannot be undone: the request was still waiting for the "
                    "person to confirm their email address."
                )
            appointment.status = event.previous_status
            appointment.cancelled_at = None
            appointment.cancel_reason, appointment.cancel_reason_by = "", None
            stays = "The session is still cancelled."
        else:
            session_type = appointment.session_type
            appointment.set_times(
                event.previous_start,
                buffer_before=session_type.buffer_before,
                buffer_after=session_type.buffer_after,
            )
            stays = "The session stays at its new time."
        if appointment.start <= now:
            raise NotChangeable(f"Its time has already started. {stays}")
        appointment.sequence += 1
        try:
            _require_no_overlap(appointment, now=now)
            _save_or_conflict(appointment)
        except SlotUnavailable as exc:
            raise SlotUnavailable(
                f"Could not undo: that time has been taken since. {stays}"
            ) from exc
        notifications.notifications_schedule_for_undo(appointment=appointment, now=now)
        if event.client_notified:
            # Its message was called off before it left: the log must not say "client told".
            event.client_notified = False
            event.save(update_fields=["client_notified"])
        _log(
            appointment,
            AppointmentEventKind.UNDONE,
            now=now,
            by=by,
            previous_start=left if event.kind == AppointmentEventKind.MOVED else None,
            client_notified=False,
        )
    return appointment


def client_bookings_erase(*, client: Client, now: datetime) -> None:
    """For erasure: what booking holds about a client, in the caller's transaction.

    Unsent messages (about their sessions or their intake) are called off; future
    sessions are cancelled without notice (nobody is left to notify), each with its
    ``sequence`` bumped like every other cancellation so calendar apps drop it; notes
    are cleared; the client's calendar feed is deleted. Past sessions stay (times,
    therapist, status): the practice's history and the no-overlap history.
    """
    Notification.objects.filter(
        Q(appointment__client=client) | Q(intake__client=client),
        state__in=[NotificationState.SCHEDULED, NotificationState.SENDING],
        send_started_at__isnull=True,
    ).update(state=NotificationState.CANCELLED)
    Appointment.objects.filter(client=client, status__in=ACTIVE_STATUSES, start__gt=now).update(
        status=AppointmentStatus.CANCELLED,
        cancelled_at=now,
        email_confirm_by=None,
        sequence=F("sequence") + 1,
        updated_at=now,
    )
    Appointment.objects.filter(client=client).update(client_note="")
    feeds_delete_of_client(client=client)


def notification_resend(*, notification: Notification, now: datetime | None = None) -> Notification:
    """A staff member's Resend of a failed message: a fresh row, sent at once.

    The failed row stays as it was (its error is the record of what went
    wrong); the new one points back at it, so the front desk's list drops it.
    Refused unless the message failed and was not resent already.
    """
    now = now or timezone.now()
    with transaction.atomic():
        failed = Notification.objects.select_for_update().get(pk=notification.pk)
        if failed.state != NotificationState.FAILED or failed.resends.exists():
            raise InvalidBooking("This message was not left failed: there is nothing to resend.")
        fresh = Notification.objects.create(
            appointment=failed.appointment,
            intake=failed.intake,
            kind=failed.kind,
            channel=failed.channel,
            offset=failed.offset,
            appointment_sequence=failed.appointment_sequence,
            due_at=now,
            resend_of=failed,
        )
        notifications_send_after_commit([fresh.pk])
    return fresh


# --- checks -----------------------------------------------------------------


def _utc_start(start: datetime) -> datetime:
    """The start as a UTC instant: refused if naive; a zone it carries is dropped here, so
    ``start + duration`` and "24 hours before" count real time, never wall-clock hours."""
    if not isinstance(start, datetime) or timezone.is_naive(start):
        raise InvalidBooking(
            "The start time needs a UTC offset or zone, e.g. 2026-12-01T14:00:00-05:00."
        )
    return start.astimezone(UTC)


def _require_bookable(
    *, therapist: Therapist, session_type: SessionType, client: Client | None, room: Room | None
) -> None:
    practice_ids = {therapist.practice_id, session_type.practice_id}
    if client is not None:
        practice_ids.add(client.practice_id)
    if room is not None:
        practice_ids.add(room.practice_id)
    if len(practice_ids) != 1:
        raise InvalidBooking(
            "The therapist, session type and client belong to different practices."
        )
    if not (therapist.is_active and session_type.is_active):
        raise InvalidBooking("This therapist or session type is not taking bookings.")
    if not therapist.offers(session_type):
        raise InvalidBooking(f"{therapist.display_name} does not offer {session_type.name}.")


def _require_offered(
    appointment: Appointment, *, now: datetime, message: str = TAKEN_MESSAGE
) -> None:
    """The start must be one the slot engine offers (hours, time off, notice, horizon, step).

    Asked under the therapist's booking lock, just before a write that retires the
    slots cache's entry (the write bumps the therapist's availability version): so the
    engine reads the few days around the start afresh rather than read the version,
    miss (a booking a moment ago retired it too), read some ten weeks and cache them
    for nobody. Fewer statements, and a shorter hold on the lock.
    """
    if not selectors.slot_is_free(
        therapist=appointment.therapist,
        session_type=appointment.session_type,
        start=appointment.start,
        now=now,
        exclude_appointment_id=appointment.pk,
        cached=False,
    ):
        raise SlotUnavailable(_second_occurrence_message(appointment, now=now) or message)


def _second_occurrence_message(appointment: Appointment, *, now: datetime) -> str:
    """Why the later of a repeated wall time is refused, when its first is on offer.

    The engine offers a repeated autumn time once, at its first occurrence
    (practice.timezones); asking for the second is not "taken".
    """
    zone = appointment.therapist.zone
    local = appointment.start.astimezone(zone)
    if local.fold != 1 or not is_ambiguous(local):
        return ""
    first = local.replace(fold=0)
    if not selectors.slot_is_free(
        therapist=appointment.therapist,
        session_type=appointment.session_type,
        start=first.astimezone(UTC),
        now=now,
        exclude_appointment_id=appointment.pk,
    ):
        return ""
    return (
        f"That time happens twice that night (the clocks go back); we offer the first, "
        f"{wall_time(first)} ({zone.key}). Book that one, or pick another time."
    )


def _require_no_overlap(appointment: Appointment, *, now: datetime) -> None:
    """The application-level twin of the exclusion constraints (the only guard on SQLite),
    in one read: the live sessions and holds in the way.

    Expired holds in the way are deleted: in the database they still block (a
    constraint cannot read the clock), for the engine they are free.
    """
    others = selectors.appointments_in_the_way(appointment)
    in_room, taken, expired = False, False, []
    for pk, state, expires, room_id, start, end in others:
        if state == AppointmentStatus.HELD and (expires is None or expires <= now):
            if expires is not None:
                expired.append(pk)
            continue
        taken = True
        in_room |= (
            room_id is not None
            and room_id == appointment.room_id
            and (start < appointment.end and end > appointment.start)
        )
    if expired:
        Appointment.objects.filter(pk__in=expired).delete()
    if in_room:
        raise SlotUnavailable("That room is already booked at this time.")
    if taken:
        raise SlotUnavailable(TAKEN_MESSAGE)


def _require_changeable(appointment: Appointment, *, actor: Actor, now: datetime) -> None:
    if not appointment.is_active:
        raise NotChangeable("This session has already been cancelled or has taken place.")
    if appointment.start <= now:
        raise NotChangeable("This session has already started.")
    if actor == Actor.CLIENT and now >= late_cancel_deadline(appointment):
        practice = appointment.practice
        window = humanize_duration(practice.late_cancel_window)
        raise PolicyViolation(
            f"Sessions can't be cancelled or moved online within {window} of their start."
            f" {_contact_sentence(practice)}"
        )


def _contact_sentence(practice) -> str:
    contact = " or ".join(c for c in (practice.contact_phone, practice.contact_email) if c)
    return f"Please contact the practice{f' ({contact})' if contact else ''}."


def _require_licensed(appointment: Appointment, *, override_reason: str = "", by=None) -> None:
    """A video session: the client says where they will be, and the therapist is licensed
    there (practice/licensing.py); staff may book it anyway, with a reason. In person: no check.
    """
    if appointment.session_type.modality != Modality.TELEHEALTH:
        appointment.client_region = ""
        return
    region = appointment.client_region = (appointment.client_region or "").strip().upper()
    if region and region not in licensing.REGIONS:
        raise InvalidBooking(
            f"Not a place we know: {region[:8]}. Use a code such as US-NY, US-CA or CA-ON."
        )
    if not region:
        raise InvalidBooking(
            "For a video session, say where you will be during it (client_region, e.g. US-NY): "
            "your therapist must be licensed there."
        )
    if licensing.licensed_in(appointment.therapist, region):
        return
    reason = override_reason.strip()[:300]
    if reason and by is not None and by.is_authenticated:
        appointment.licence_override_reason, appointment.licence_override_by = reason, by
        return
    not_there = (
        f"{appointment.therapist.display_name} is not licensed to see clients in "
        f"{licensing.region_label(region)} by video"
    )
    if by is not None and by.is_authenticated:
        # Staff: what they can do here, not the client's "please contact the practice".
        raise NotLicensed(
            f"{not_there}. Choose a therapist licensed there, check where the client will be, "
            "or book it anyway with a reason (kept with your name and audited)."
        )
    raise NotLicensed(
        f"{not_there}, so this session cannot be booked here. "
        + _contact_sentence(appointment.practice)
    )


def _log(
    appointment: Appointment,
    kind: AppointmentEventKind,
    *,
    now: datetime,
    by=None,
    by_client: bool = False,
    previous_start: datetime | None = None,
    client_notified: bool | None = None,
    previous_status: str = "",
) -> None:
    """One line of the session's action log, in the caller's transaction."""
    AppointmentEvent.objects.create(
        appointment=appointment,
        at=now,
        kind=kind,
        by=by if by is not None and by.is_authenticated else None,
        by_client=by_client,
        previous_start=previous_start,
        status=appointment.status,
        client_notified=client_notified,
        previous_status=previous_status,
    )


def _lock(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("practice", "therapist", "session_type", "session_type__practice", "client")
        .get(pk=appointment.pk)
    )


def _save_or_conflict(appointment: Appointment, *, savepoint: bool = True) -> None:
    """Save; an exclusion-constraint violation (a lost race) becomes SlotUnavailable.

    ``savepoint=False`` when nothing in the transaction is worth keeping after a
    conflict (the public booking): two statements fewer."""
    try:
        with transaction.atomic(savepoint=savepoint):
            appointment.save()
    except IntegrityError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == _EXCLUSION_VIOLATION:
            raise SlotUnavailable(TAKEN_MESSAGE) from exc
        raise
