"""Writes for a therapist's availability: weekly hours, extra hours on a date, time off.

Each change is visible to the slot engine at once: the slots cache is keyed by
versions that database triggers bump in the same transaction (docs/architecture.md,
"The slots cache"), so public slots follow immediately.
"""

import re
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from booking.exceptions import BookingError, SessionsInsideTimeOff, SlotUnavailable
from booking.models import ExtraHours, TimeOff, Weekday, WorkingHours
from booking.scheduling import selectors, services
from practice.models import Practice, Therapist

_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def parse_intervals(text: str) -> list[tuple[time, time]]:
    """ "09:00-12:00, 13:00-17:30" -> [(09:00, 12:00), (13:00, 17:30)], checked and sorted."""
    intervals = []
    for part in [p for p in re.split(r"[,;]", text or "") if p.strip()]:
        match = _INTERVAL.match(part)
        if not match:
            raise ValidationError(f"“{part.strip()}” is not like 09:00-12:00.")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if (h2, m2) == (24, 0):
            h2 = 0  # "until 24:00": midnight, stored as 00:00 (an end at or before the start)
        if not (0 <= h1 <= 23 and 0 <= h2 <= 23 and m1 < 60 and m2 < 60):
            raise ValidationError(f"“{part.strip()}” is not a time of day.")
        start, end = time(h1, m1), time(h2, m2)
        if start == end:
            raise ValidationError(f"“{part.strip()}” is empty.")
        # An end before the start runs past midnight ("22:00-02:00").
        intervals.append((start, end))
    intervals.sort()
    for (prev_start, end), (start, _) in zip(intervals, intervals[1:], strict=False):
        if start < end or end <= prev_start:  # only the day's last may run past midnight
            raise ValidationError("Two intervals on the same day overlap.")
    return intervals


def format_intervals(intervals) -> str:
    return ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in intervals)


def weekly_hours_get(therapist: Therapist) -> dict[int, list[tuple[time, time]]]:
    weekly = {day: [] for day in Weekday.values}
    for row in WorkingHours.objects.filter(therapist=therapist).order_by("weekday", "start_time"):
        weekly[row.weekday].append((row.start_time, row.end_time))
    return weekly


def weekly_hours_replace(*, therapist: Therapist, weekly: dict[int, list]) -> None:
    """Replace a therapist's weekly hours (every weekday given; empty: not working)."""
    with transaction.atomic():
        WorkingHours.objects.filter(therapist=therapist).delete()
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=therapist, weekday=day, start_time=start, end_time=end)
            for day, intervals in weekly.items()
            for start, end in intervals
        )


def extra_hours_add(*, therapist: Therapist, on: date, start: time, end: time) -> ExtraHours:
    if start == end:
        raise ValidationError("The hours start and end at the same time.")
    return ExtraHours.objects.create(therapist=therapist, date=on, start_time=start, end_time=end)


def time_off_add(
    *,
    practice: Practice,
    therapist: Therapist | None,
    start_date: date,
    end_date: date,
    start_time: time | None = None,
    end_time: time | None = None,
    reason: str = "",
    repeats_yearly: bool = False,
    on_sessions: dict[str, str] | None = None,
    moves: dict[str, datetime] | None = None,
    notify: bool = True,
    by=None,
    now: datetime | None = None,
) -> TimeOff:
    """Time off for one therapist, or (``therapist=None``) the whole practice.

    Never silently over booked sessions: if sessions still to come fall inside
    it, ``on_sessions`` must say for each (by public id) ``"keep"`` (it stays,
    inside the block), ``"move"`` (kept too, for staff to move next on its own
    page, where the new time is checked and the client told) or ``"cancel"``
    (cancelled by ``by``, the client told);
    otherwise nothing is saved and ``SessionsInsideTimeOff`` lists them.

    A "move" with a new start in ``moves`` (by public id) is moved there in
    the same transaction, after the time off is written, so the slot engine
    checks the new time against it too (``notify``: the client is told, as for
    any move). If that time is not free, nothing at all is saved and
    ``SlotUnavailable`` names the session. The time off, the moves and the
    cancellations commit together.
    """
    if end_date < start_date:
        raise ValidationError("The time off ends before it starts.")
    if start_date == end_date and start_time and end_time and end_time <= start_time:
        raise ValidationError("The time off ends before it starts.")
    if repeats_yearly and therapist is not None:
        raise ValidationError("Only practice-wide holidays repeat every year.")
    if repeats_yearly and (end_date - start_date).days > 31:
        raise ValidationError("A yearly holiday lasts at most a month.")
    off = TimeOff(
        practice=practice,
        therapist=therapist,
        start_date=start_date,
        end_date=end_date,
        start_time=start_time,
        end_time=end_time,
        reason=reason,
        repeats_yearly=repeats_yearly,
    )
    now = now or timezone.now()
    on_sessions = on_sessions or {}
    with transaction.atomic():
        inside = selectors.appointments_inside_time_off(off, now=now)
        undecided = [a for a in inside if on_sessions.get(str(a.public_id)) not in DECISIONS]
        if undecided:
            raise SessionsInsideTimeOff(inside)
        off.save()
        for appointment in inside:
            decision = on_sessions[str(appointment.public_id)]
            new_start = (moves or {}).get(str(appointment.public_id))
            if decision == "move" and new_start is not None:
                _move_out_of_time_off(appointment, new_start, notify=notify, by=by, now=now)
            elif decision == "cancel":
                services.appointment_cancel(
                    appointment=appointment,
                    actor=services.Actor.STAFF,
                    # A reason staff record needs its author; a script's has none.
                    reason=TIME_OFF_REASON if by is not None else "",
                    by=by,
                    now=now,
                )
    return off


def _move_out_of_time_off(appointment, start: datetime, *, notify: bool, by, now) -> None:
    try:
        services.appointment_reschedule(
            appointment=appointment,
            start=start,
            actor=services.Actor.STAFF,
            enforce_availability=True,
            notify=notify,
            by=by,
            now=now,
        )
    except BookingError as exc:
        local = appointment.start.astimezone(appointment.therapist.zone)
        raise SlotUnavailable(
            f"The new time for the session of {local:%a} {local.day} {local:%b %H:%M} "
            f"({appointment.therapist.display_name}) is no longer free: {exc.message} "
            "Nothing was saved."
        ) from exc


# "move" without a new time keeps the session here: staff move it next on its own page.
DECISIONS = ("keep", "move", "cancel")
TIME_OFF_REASON = "The therapist is not available (time off)."


def time_off_delete(*, time_off: TimeOff) -> None:
    """Remove time off (a therapist's or a practice holiday); public times follow at once."""
    time_off.delete()


def extra_hours_delete(*, extra_hours: ExtraHours) -> None:
    extra_hours.delete()
