"""Standing appointments: plan a series (which dates clash, and why), create it, end it.

A series is stored in the therapist's wall-clock time; each occurrence's start
is that local time on its date, converted with the therapist's zone on that
date, so 10:00 stays 10:00 across DST. Each occurrence is booked through
``booking.scheduling.services.appointment_book`` (staff override of working hours, never
of the no-overlap rule), all in one transaction: a series is created whole or
not at all.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from booking.exceptions import InvalidBooking, SlotUnavailable
from booking.models import ACTIVE_STATUSES, Appointment, Series
from booking.scheduling import selectors, slots
from booking.scheduling.services import Actor, appointment_book, appointment_cancel
from clients.models import Client
from practice.models import Room, SessionType, Therapist
from practice.timezones import wall_to_utc

MAX_OCCURRENCES = 104

CONFLICT_TEXT = {
    "gap": "that time does not exist that day (the clocks go forward)",
    "session": "another session is booked then",
    "time off": "time off",
    "hours": "outside working hours",
}


@dataclass(frozen=True)
class Occurrence:
    date: date
    start: datetime | None  # None: the local time does not exist on this date
    conflict: str  # "" if it fits; else a key of CONFLICT_TEXT

    @property
    def conflict_text(self) -> str:
        return CONFLICT_TEXT.get(self.conflict, "")


class SeriesConflict(InvalidBooking):
    """Some dates clash and no decision (skip or move) was given for them."""

    code = "series_conflict"
    http_status = 409  # the request is well formed; the calendar is what stands in the way


def series_dates(
    *, first_date: date, interval_weeks: int, count: int | None, until: date | None
) -> list[date]:
    if interval_weeks not in (1, 2):
        raise InvalidBooking("A series is every week or every other week.")
    if (count is None) == (until is None):
        raise InvalidBooking("Give either a number of sessions or a last date.")
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise InvalidBooking(f"A series has between 1 and {MAX_OCCURRENCES} sessions.")
    if until is not None and until < first_date:
        raise InvalidBooking("The last date is before the first.")
    step = timedelta(weeks=interval_weeks)
    dates, day = [], first_date
    while (count is None or len(dates) < count) and (until is None or day <= until):
        dates.append(day)
        if len(dates) > MAX_OCCURRENCES:
            raise InvalidBooking(
                f"That makes more than {MAX_OCCURRENCES} sessions; choose an earlier last date."
            )
        day += step
    return dates


def series_plan(
    *,
    therapist: Therapist,
    session_type: SessionType,
    first_date: date,
    local_time: time,
    interval_weeks: int,
    count: int | None = None,
    until: date | None = None,
    now: datetime | None = None,
) -> list[Occurrence]:
    """Every date of the series with its start and what (if anything) it clashes with."""
    now = now or timezone.now()
    dates = series_dates(
        first_date=first_date, interval_weeks=interval_weeks, count=count, until=until
    )
    zone = therapist.zone
    starts = {day: wall_to_utc(day, local_time, zone) for day in dates}
    known = [s for s in starts.values() if s is not None]
    if not known:
        return [Occurrence(day, None, "gap") for day in dates]
    rules = selectors.slot_rules_get(
        therapist=therapist,
        session_type=session_type,
        window_start=min(known),
        window_end=max(known) + session_type.duration,
        now=now,
    )
    plan = []
    for day in dates:
        start = starts[day]
        if start is None:
            plan.append(Occurrence(day, None, "gap"))
            continue
        conflict = slots.conflict_at(
            rules,
            start,
            session_type.duration,
            session_type.buffer_before,
            session_type.buffer_after,
        )
        if start <= now:
            conflict = conflict or "hours"
        plan.append(Occurrence(day, start, conflict))
    return plan


def series_create(
    *,
    therapist: Therapist,
    session_type: SessionType,
    client: Client,
    first_date: date,
    local_time: time,
    interval_weeks: int,
    count: int | None = None,
    until: date | None = None,
    decisions: dict[date, str | datetime] | None = None,
    room: Room | None = None,
    by=None,
    now: datetime | None = None,
) -> Series:
    """Create the series and book every occurrence that is not skipped (``by``: the staff user,
    in each session's action log).

    ``decisions`` maps a date to ``"skip"``, ``"keep"`` (book it despite time
    off or hours; never despite another session) or a new aware start (moved).
    Every clashing date needs one, or SeriesConflict lists them.
    """
    now = now or timezone.now()
    decisions = decisions or {}
    plan = series_plan(
        therapist=therapist,
        session_type=session_type,
        first_date=first_date,
        local_time=local_time,
        interval_weeks=interval_weeks,
        count=count,
        until=until,
        now=now,
    )
    undecided = [o for o in plan if o.conflict and o.date not in decisions]
    kept_over_session = [
        o for o in plan if decisions.get(o.date) == "keep" and o.conflict in ("session", "gap")
    ]
    if undecided or kept_over_session:
        listed = ", ".join(
            f"{o.date:%a %d %b %Y} ({o.conflict_text})" for o in undecided + kept_over_session
        )
        raise SeriesConflict(f"Skip or move these dates first: {listed}.")
    with transaction.atomic():
        series = Series.objects.create(
            practice_id=therapist.practice_id,
            therapist=therapist,
            client=client,
            session_type=session_type,
            room=room,
            first_date=first_date,
            local_time=local_time,
            interval_weeks=interval_weeks,
            count=count,
            until=until,
        )
        confirmed_one = False
        for occurrence in plan:
            decision = decisions.get(occurrence.date)
            if decision == "skip":
                continue
            start = decision if isinstance(decision, datetime) else occurrence.start
            try:
                appointment_book(
                    therapist=therapist,
                    session_type=session_type,
                    client=client,
                    start=start,
                    room=room,
                    enforce_availability=False,
                    now=now,
                    series=series,
                    occurrence_date=occurrence.date,
                    confirmation=not confirmed_one,
                    by_staff=True,
                    by=by,
                )
            except SlotUnavailable as exc:
                raise SlotUnavailable(
                    f"{start.astimezone(therapist.zone):%a %d %b %Y %H:%M}: {exc.message}"
                ) from exc
            confirmed_one = True
    return series


def series_end(
    *, series: Series, from_date: date, by=None, now: datetime | None = None
) -> list[Appointment]:
    """Cancel every occurrence on or after ``from_date`` that has not started yet (by ``by``,
    a staff user, in each session's action log)."""
    now = now or timezone.now()
    with transaction.atomic():
        Series.objects.filter(pk=series.pk).update(ended_on=from_date)
        future = series.appointments.filter(
            status__in=ACTIVE_STATUSES, occurrence_date__gte=from_date, start__gt=now
        ).order_by("start")
        return [
            appointment_cancel(appointment=appointment, actor=Actor.STAFF, by=by, now=now)
            for appointment in future
        ]
