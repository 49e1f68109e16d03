"""The slots cache: versions bumped by database triggers, and answers that never go stale."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection, transaction

from booking.models import Appointment, ExtraHours, TimeOff, WorkingHours
from booking.scheduling import selectors, slots
from booking.scheduling.services import (
    Actor,
    appointment_book,
    appointment_cancel,
    appointment_hold,
)
from tests.factories import ClientFactory, TherapistFactory

# Tuesday 3 March 2026: 09:00-17:00 in New York is 14:00-22:00 UTC.
TUESDAY = datetime(2026, 3, 3, 5, tzinfo=UTC)  # 00:00 EST
TUESDAY_10 = datetime(2026, 3, 3, 15, tzinfo=UTC)


def versions(therapist):
    return selectors.availability_versions_get(
        practice_id=therapist.practice_id, therapist_ids=[therapist.pk]
    )[therapist.pk]


@pytest.fixture(params=[False, True], ids=["facts", "remembered answer"])
def remember(request):
    """Each question asked through the facts cache, and through the remembered answer
    (``slot_list(remember=True)``, the public pages' and API's way)."""
    return request.param


@pytest.fixture
def free(remember):
    def ask(therapist, now, *, cached=True, days=1):
        return selectors.slot_list(
            therapist=therapist,
            session_type=therapist.session_types.select_related("practice").get(),
            window_start=TUESDAY,
            window_end=TUESDAY + timedelta(days=days),
            now=now,
            cached=cached,
            remember=remember and cached,
        )

    return ask


def _book(therapist, practice, start=TUESDAY_10):
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=start,
    )


WRITES = {
    "a booking": lambda t, p, a: _book(t, p, TUESDAY_10 + timedelta(hours=2)),
    "a status set by a bulk update": lambda t, p, a: Appointment.objects.filter(pk=a.pk).update(
        status="cancelled"
    ),
    "a hold's expiry moved": lambda t, p, a: Appointment.objects.filter(pk=a.pk).update(
        hold_expires_at=datetime(2026, 3, 3, tzinfo=UTC)
    ),
    "blocked time moved in raw SQL": lambda t, p, a: connection.cursor().execute(
        "UPDATE booking_appointment SET blocked_start = %s WHERE id = %s",
        [datetime(2026, 3, 3, 14, 30, tzinfo=UTC), a.pk],
    ),
    "a session deleted": lambda t, p, a: Appointment.objects.filter(pk=a.pk).delete(),
    "weekly hours added": lambda t, p, a: WorkingHours.objects.create(
        therapist=t, weekday=5, start_time=time(9), end_time=time(12)
    ),
    "weekly hours changed in bulk": lambda t, p, a: WorkingHours.objects.filter(therapist=t).update(
        end_time=time(16)
    ),
    "extra hours added": lambda t, p, a: ExtraHours.objects.create(
        therapist=t, date=date(2026, 3, 7), start_time=time(9), end_time=time(12)
    ),
    "own time off": lambda t, p, a: TimeOff.objects.create(
        practice=p, therapist=t, start_date=date(2026, 3, 4), end_date=date(2026, 3, 4)
    ),
    "the zone changed": lambda t, p, a: (
        type(t).objects.filter(pk=t.pk).update(time_zone="Europe/Berlin")
    ),
}
PRACTICE_WRITES = {
    "a practice holiday": lambda t, p, a: TimeOff.objects.create(
        practice=p, therapist=None, start_date=date(2026, 3, 4), end_date=date(2026, 3, 4)
    ),
    "a session type's buffer": lambda t, p, a: t.session_types.update(buffer_after_minutes=20),
    "the practice's notice": lambda t, p, a: (
        type(p).objects.filter(pk=p.pk).update(min_notice=timedelta(hours=2))
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_each_write_to_a_therapists_availability_bumps_their_version(
    now, therapist, practice, write
):
    appointment = _book(therapist, practice)
    before = versions(therapist)
    WRITES[write](therapist, practice, appointment)
    after = versions(therapist)
    assert after[0] != before[0]
    assert after[1] == before[1]


@pytest.mark.parametrize("write", list(PRACTICE_WRITES))
def test_each_practice_wide_write_bumps_the_practices_version(now, therapist, practice, write):
    appointment = _book(therapist, practice)
    before = versions(therapist)
    PRACTICE_WRITES[write](therapist, practice, appointment)
    assert versions(therapist)[1] != before[1]


def test_an_update_the_engine_does_not_read_leaves_the_version(now, therapist, practice):
    appointment = _book(therapist, practice)
    before = versions(therapist)
    Appointment.objects.filter(pk=appointment.pk).update(client_note="Running late")
    assert versions(therapist) == before


def test_every_therapist_and_practice_has_a_version_from_the_start(therapist):
    assert None not in versions(therapist)


def test_a_warm_question_costs_one_query(now, therapist, practice, django_assert_num_queries, free):
    _book(therapist, practice)
    first = free(therapist, now)
    session_type = therapist.session_types.select_related("practice").get()
    with django_assert_num_queries(1):
        again = selectors.slot_list(
            therapist=therapist,
            session_type=session_type,
            window_start=TUESDAY,
            window_end=TUESDAY + timedelta(days=1),
            now=now,
        )
    assert again == first


def test_a_change_in_raw_sql_shows_at_once(now, therapist, practice, free):
    before = free(therapist, now)
    assert TUESDAY_10 in before
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE booking_workinghours SET start_time = %s WHERE therapist_id = %s",
            ["11:00:00", therapist.pk],
        )
    after = free(therapist, now)
    assert TUESDAY_10 not in after
    assert after == free(therapist, now, cached=False)


def test_a_booking_and_its_cancellation_show_at_once(now, therapist, practice, free):
    assert TUESDAY_10 in free(therapist, now)
    appointment = _book(therapist, practice)
    assert TUESDAY_10 not in free(therapist, now)
    appointment_cancel(appointment=appointment, actor=Actor.STAFF)
    assert TUESDAY_10 in free(therapist, now)


def test_a_hold_frees_its_time_when_it_expires_with_no_write(now, therapist, time_machine, free):
    appointment_hold(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        start=TUESDAY_10,
        now=now,
        duration=timedelta(minutes=10),
    )
    assert TUESDAY_10 not in free(therapist, now)  # warms the cache with the hold in it
    later = now + timedelta(minutes=11)
    time_machine.move_to(later, tick=False)
    assert TUESDAY_10 in free(therapist, later)
    assert free(therapist, later) == free(therapist, later, cached=False)


def test_an_entry_built_later_does_not_answer_for_an_earlier_now(now, therapist, free):
    hold_until = now + timedelta(minutes=10)
    appointment_hold(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        start=TUESDAY_10,
        now=now,
        duration=timedelta(minutes=10),
    )
    later = hold_until + timedelta(minutes=1)
    assert TUESDAY_10 in free(therapist, later)  # built without the expired hold
    assert TUESDAY_10 not in free(therapist, now)  # at "now" the hold still holds


def test_notice_is_applied_per_question_not_cached(now, therapist, free):
    assert free(therapist, now)  # 24 h from Monday 12:00 UTC leaves all of Tuesday 09-17 EST
    a_day_later = now + timedelta(hours=27)  # Tuesday 15:00 UTC: 24 h notice reaches Wednesday
    assert free(therapist, a_day_later) == []
    assert free(therapist, a_day_later, cached=False) == []


def test_a_version_seen_in_a_rolled_back_transaction_is_never_issued_again(
    now, therapist, practice
):
    class Undo(Exception):
        pass

    seen = None
    with pytest.raises(Undo), transaction.atomic():
        _book(therapist, practice)
        seen = versions(therapist)
        raise Undo
    _book(therapist, practice)
    assert versions(therapist) != seen


def test_the_times_pages_slot_part_reads_every_version_at_once(
    now, therapist, practice, django_assert_num_queries
):
    colleague = TherapistFactory(practice=practice, offers=[therapist.session_types.get()])
    therapists = list(type(therapist).objects.filter(pk__in=[therapist.pk, colleague.pk]))
    session_type = therapist.session_types.select_related("practice").get()
    ask = dict(
        therapists=therapists,
        session_type=session_type,
        window_start=TUESDAY,
        window_end=TUESDAY + timedelta(days=7),
        now=now,
    )
    # Cold: the versions of both at once, then three reads each.
    with django_assert_num_queries(1 + 3 * 2):
        cold = selectors.slot_map_any(**ask)
    with django_assert_num_queries(1):
        warm = selectors.slot_map_any(**ask)
    assert warm == cold
    assert set(cold[TUESDAY_10]) == {therapist, colleague}


def test_a_remembered_answer_runs_no_engine_and_one_query(
    now, therapist, practice, django_assert_num_queries, monkeypatch
):
    _book(therapist, practice)
    session_type = therapist.session_types.select_related("practice").get()
    ask = dict(
        therapist=therapist,
        session_type=session_type,
        window_start=TUESDAY,
        window_end=TUESDAY + timedelta(days=7),
        now=now,
        remember=True,
    )
    first = selectors.slot_list(**ask)
    runs = []
    engine = slots.free_slots
    monkeypatch.setattr(slots, "free_slots", lambda *a, **k: runs.append(a) or engine(*a, **k))
    with django_assert_num_queries(1):  # the versions
        again = selectors.slot_list(**ask)
    assert again == first
    assert runs == []
    # A write moves the version: the engine runs again, and sees the write.
    _book(therapist, practice, TUESDAY_10 + timedelta(hours=2))
    runs.clear()  # the booking's own check ran the engine
    after = selectors.slot_list(**ask)
    assert len(runs) == 1
    assert after == selectors.slot_list(**{**ask, "remember": False}, cached=False)
    assert TUESDAY_10 + timedelta(hours=2) not in after


def test_a_remembered_answer_shows_times_the_horizon_reaches_later(now, therapist, time_machine):
    session_type = therapist.session_types.select_related("practice").get()
    session_type.booking_horizon = timedelta(days=2)
    session_type.save()
    session_type = therapist.session_types.select_related("practice").get()
    ask = dict(
        therapist=therapist,
        session_type=session_type,
        window_start=TUESDAY,
        window_end=TUESDAY + timedelta(days=4),
        remember=True,
    )
    # Monday 12:00 UTC + 2 days: Wednesday 12:00 UTC is the last start (07:00 in New York,
    # before hours), so Tuesday's times only.
    first = selectors.slot_list(**ask, now=now)
    assert first and all(start.date() == date(2026, 3, 3) for start in first)
    later = now + timedelta(hours=27)  # Tuesday 15:00 UTC: Wednesday's day is in reach
    time_machine.move_to(later, tick=False)
    again = selectors.slot_list(**ask, now=later)
    assert any(start.date() == date(2026, 3, 4) for start in again)
    assert again == selectors.slot_list(**{**ask, "remember": False}, now=later, cached=False)
