"""The slots cache against no cache: random interleavings of writes and reads.

Each example runs a random sequence of what changes availability (book, hold,
minutes passing after each step so holds lapse, cancel, move, weekly hours, extra hours, time off,
a practice holiday, session-type and practice settings, the therapist's zone)
mixed with slot questions over random windows (and the next two weeks after
every step, before and after the minutes pass), and asks every question three
ways: through the cache (which may answer from an entry built before the last
writes), without it, and through it again. All three must agree. Runs on the
embedded default and, with DATABASE_URL, on PostgreSQL.
"""

from contextlib import suppress
from datetime import UTC, datetime, time, timedelta

import time_machine
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.exceptions import BookingError
from booking.models import ACTIVE_STATUSES, Appointment, ExtraHours, TimeOff
from booking.scheduling import selectors
from booking.scheduling.availability import weekly_hours_replace
from booking.scheduling.services import (
    Actor,
    appointment_book,
    appointment_cancel,
    appointment_hold,
    appointment_reschedule,
)
from practice.models import Practice, SessionType, Therapist
from tests.factories import (
    ClientFactory,
    PracticeFactory,
    SessionTypeFactory,
    TherapistFactory,
)

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday; the week after, New York's DST starts
ZONES = ["America/New_York", "Europe/Berlin", "Asia/Kolkata"]

day_offset = st.integers(0, 14)
index = st.integers(0, 50)
wall = st.integers(6 * 4, 20 * 4).map(lambda q: time(q // 4, q % 4 * 15))
hours = st.tuples(wall, st.integers(4, 40)).map(
    lambda p: (p[0], time(min(23, p[0].hour + p[1] // 4), p[0].minute))
)

writes = st.one_of(
    st.tuples(st.just("read"), day_offset, st.integers(1, 10)),
    st.tuples(st.just("book"), day_offset, index),
    st.tuples(st.just("hold"), day_offset, index, st.integers(1, 30)),
    st.tuples(st.just("cancel"), index),
    st.tuples(st.just("move"), index, day_offset, index),
    st.tuples(st.just("hours"), st.integers(0, 6), st.lists(hours, max_size=2)),
    st.tuples(st.just("extra hours"), day_offset, hours),
    st.tuples(st.just("time off"), day_offset, st.integers(0, 2)),
    st.tuples(st.just("holiday"), day_offset),
    st.tuples(
        st.just("session type"),
        st.sampled_from([30, 50, 80]),
        st.integers(0, 3).map(lambda n: n * 10),
        st.sampled_from([15, 30, 60]),
    ),
    st.tuples(st.just("notice"), st.sampled_from([0, 2, 24, 48])),
    st.tuples(st.just("zone"), st.sampled_from(ZONES)),
)
# Each step is a write (or a read) and then some minutes passing: holds lapse, notice moves.
steps = st.lists(
    st.tuples(writes, st.sampled_from([0, 0, 3, 10, 25, 60, 180, 1500])), min_size=1, max_size=12
)


class Undo(Exception):
    """Rolls an example's writes back, so the next one starts from the same rows."""


def _fresh(therapist_id: int, session_type_id: int) -> tuple[Therapist, SessionType]:
    return (
        Therapist.objects.get(pk=therapist_id),
        SessionType.objects.select_related("practice").get(pk=session_type_id),
    )


def _ask(therapist_id, session_type_id, now, first, days):
    therapist, session_type = _fresh(therapist_id, session_type_id)
    window = dict(
        therapist=therapist,
        session_type=session_type,
        window_start=first,
        window_end=first + timedelta(days=days),
        now=now,
    )
    cached = selectors.slot_list(**window)
    remembered = selectors.slot_list(**window, remember=True)
    fresh = selectors.slot_list(**window, cached=False)
    again = selectors.slot_list(**window)
    remembered_again = selectors.slot_list(**window, remember=True)
    assert cached == fresh, (first, days)
    assert again == fresh
    # The remembered answer (slot_cache.Answer) too, first asked or asked again.
    assert remembered == fresh, (first, days)
    assert remembered_again == fresh
    return fresh


def _apply(step, ids, now):  # noqa: C901 - one branch per kind of write
    therapist_id, session_type_id, practice_id = ids
    therapist, session_type = _fresh(therapist_id, session_type_id)
    kind, *args = step
    day = lambda n: now + timedelta(days=n)  # noqa: E731
    mine = Appointment.objects.filter(therapist_id=therapist_id).order_by("pk")
    if kind == "read":
        _ask(therapist_id, session_type_id, now, day(args[0]), args[1])
    elif kind in ("book", "hold"):
        free = _ask(therapist_id, session_type_id, now, day(args[0]), 2)
        if free:
            start = free[args[1] % len(free)]
            if kind == "book":
                practice = Practice.objects.get(pk=practice_id)
                appointment_book(
                    therapist=therapist,
                    session_type=session_type,
                    client=ClientFactory(practice=practice),
                    start=start,
                    now=now,
                )
            else:
                appointment_hold(
                    therapist=therapist,
                    session_type=session_type,
                    start=start,
                    now=now,
                    duration=timedelta(minutes=args[2]),
                )
    elif kind == "cancel":
        active = list(mine.filter(status__in=ACTIVE_STATUSES, start__gt=now))
        if active:
            appointment_cancel(appointment=active[args[0] % len(active)], actor=Actor.STAFF)
    elif kind == "move":
        active = list(mine.filter(status__in=ACTIVE_STATUSES, start__gt=now))
        free = _ask(therapist_id, session_type_id, now, day(args[1]), 2)
        if active and free:
            # The moved session's own buffers may not fit there: refused, fine.
            with suppress(BookingError):
                appointment_reschedule(
                    appointment=active[args[0] % len(active)],
                    start=free[args[2] % len(free)],
                    actor=Actor.STAFF,
                    now=now,
                )
    elif kind == "hours":
        weekly = {d: [] for d in range(7)}
        for weekday, start, end in therapist.working_hours.values_list(
            "weekday", "start_time", "end_time"
        ):
            weekly[weekday].append((start, end))
        weekly[args[0]] = [(s, e) for s, e in args[1] if s != e]
        weekly_hours_replace(therapist=therapist, weekly=weekly)
    elif kind == "extra hours":
        start, end = args[1]
        if start != end:
            ExtraHours.objects.create(
                therapist=therapist, date=day(args[0]).date(), start_time=start, end_time=end
            )
    elif kind == "time off":
        first = day(args[0]).date()
        TimeOff.objects.create(
            practice_id=practice_id,
            therapist=therapist,
            start_date=first,
            end_date=first + timedelta(days=args[1]),
            start_time=time(12) if args[1] == 0 else None,
        )
    elif kind == "holiday":
        on = day(args[0]).date()
        TimeOff.objects.create(practice_id=practice_id, therapist=None, start_date=on, end_date=on)
    elif kind == "session type":
        session_type.duration_minutes, session_type.buffer_after_minutes = args[0], args[1]
        session_type.slot_step_minutes = args[2]
        session_type.save()
    elif kind == "notice":
        Practice.objects.filter(pk=practice_id).update(min_notice=timedelta(hours=args[0]))
    elif kind == "zone":
        Therapist.objects.filter(pk=therapist_id).update(time_zone=args[0])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_the_cache_answers_exactly_as_the_engine_without_it(db, plan):
    cache.clear()
    with time_machine.travel(START, tick=False) as traveller:
        try:
            with transaction.atomic():
                practice = PracticeFactory()
                session_type = SessionTypeFactory(practice=practice, min_notice=None)
                therapist = TherapistFactory(practice=practice, offers=[session_type])
                # A colleague whose writes must not disturb (nor be disturbed by) the cache.
                other = TherapistFactory(practice=practice, offers=[session_type])
                ids = (therapist.pk, session_type.pk, practice.pk)
                now = START
                for step, minutes in plan:
                    _apply(step, ids, now)
                    if step[0] == "book":
                        _apply(step, (other.pk, session_type.pk, practice.pk), now)
                    # The next two weeks, before and after the minutes pass: an entry
                    # built now meets the change and the passing time.
                    _ask(therapist.pk, session_type.pk, now, now, 14)
                    # And one window that stays put while time passes: the same question
                    # asked again later, as a page left open asks it.
                    _ask(therapist.pk, session_type.pk, now, START, 14)
                    now += timedelta(minutes=minutes)
                    traveller.move_to(now)
                    _ask(therapist.pk, session_type.pk, now, now, 14)
                    _ask(therapist.pk, session_type.pk, now, START, 14)
                raise Undo
        except Undo:
            pass
