"""The slot selector: reading rules from the database, in a fixed number of queries."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from booking.models import ExtraHours, TimeOff, WorkingHours
from booking.scheduling.selectors import slot_list
from booking.scheduling.services import appointment_book
from practice.models import Modality
from tests.factories import ClientFactory, TherapistFactory

MONDAY = datetime(2026, 3, 2, tzinfo=UTC)


def slots_between(therapist, start, end, now):
    return slot_list(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        window_start=start,
        window_end=end,
        now=now,
    )


@pytest.mark.parametrize("days", [1, 90])
def test_it_reads_in_four_queries_whatever_the_range(
    now, therapist, practice, django_assert_num_queries, days
):
    session_type = therapist.session_types.get()
    for day in range(1, 30):
        start = datetime(2026, 3, 3, 15, tzinfo=UTC) + timedelta(days=day)
        if start.weekday() < 5:
            appointment_book(
                therapist=therapist,
                session_type=session_type,
                client=ClientFactory(practice=practice),
                start=start,
            )
    therapist.refresh_from_db()
    session_type.refresh_from_db()
    practice_loaded = session_type.practice  # the caller holds these already
    assert practice_loaded
    with django_assert_num_queries(4):
        slot_list(
            therapist=therapist,
            session_type=session_type,
            window_start=MONDAY,
            window_end=MONDAY + timedelta(days=days),
            now=now,
        )


def test_booked_sessions_and_time_off_disappear_from_the_slots(now, therapist, practice):
    session_type = therapist.session_types.get()
    tuesday = datetime(2026, 3, 3, 5, tzinfo=UTC)  # Tuesday, 00:00 EST
    before = slots_between(therapist, tuesday, tuesday + timedelta(days=1), now)
    assert len(before) == 8  # 09:00 .. 16:00 EST
    appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=ClientFactory(practice=practice),
        start=before[0],
    )
    TimeOff.objects.create(
        practice=practice,
        therapist=therapist,
        start_date=date(2026, 3, 3),
        start_time=time(15),
        end_date=date(2026, 3, 3),
        end_time=time(17),
    )
    after = slots_between(therapist, tuesday, tuesday + timedelta(days=1), now)
    assert after == before[1:6]  # 10:00 .. 14:00; 15:00 and 16:00 are off


def test_practice_holidays_close_every_therapist_in_their_own_zone(now, practice, session_type):
    new_york = TherapistFactory(practice=practice, offers=[session_type])
    los_angeles = TherapistFactory(
        practice=practice, offers=[session_type], time_zone="America/Los_Angeles"
    )
    TimeOff.objects.create(
        practice=practice, therapist=None, start_date=date(2026, 3, 4), end_date=date(2026, 3, 4)
    )
    week = (datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 7, tzinfo=UTC))
    for therapist in (new_york, los_angeles):
        local_days = {
            s.astimezone(therapist.zone).date() for s in slots_between(therapist, *week, now)
        }
        assert date(2026, 3, 4) not in local_days
        assert {date(2026, 3, 3), date(2026, 3, 5)} <= local_days


def test_extra_hours_and_modality_specific_hours(now, practice, session_type):
    therapist = TherapistFactory(practice=practice, offers=[session_type], weekday_hours=False)
    WorkingHours.objects.create(
        therapist=therapist,
        weekday=1,
        start_time=time(9),
        end_time=time(10),
        modality=Modality.TELEHEALTH,
    )
    ExtraHours.objects.create(
        therapist=therapist, date=date(2026, 3, 7), start_time=time(10), end_time=time(11)
    )
    week = (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))
    # The in-person session type gets Saturday's extra hour, not Tuesday's telehealth hour.
    assert slots_between(therapist, *week, now) == [datetime(2026, 3, 7, 15, tzinfo=UTC)]


def test_notice_is_counted_in_real_hours_across_a_dst_change(practice, session_type, time_machine):
    """Saturday 09:30 EST plus 24 hours of notice is Sunday 10:30 EDT (DST began at 02:00)."""
    therapist = TherapistFactory(practice=practice, offers=[session_type], weekday_hours=False)
    WorkingHours.objects.create(
        therapist=therapist, weekday=6, start_time=time(9), end_time=time(13)
    )
    now = datetime(2026, 3, 7, 14, 30, tzinfo=UTC)  # Saturday 09:30 EST
    time_machine.move_to(now, tick=False)
    found = slots_between(therapist, now, now + timedelta(days=2), now)
    # Sunday 10:00 EDT is 14:00 UTC, 23.5 real hours away: too soon. 11:00 EDT is fine.
    assert found[0] == datetime(2026, 3, 8, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 3, 3, 15, 0, tzinfo=UTC),
        datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
        datetime(2026, 3, 3, 15, 0, 30, 250000, tzinfo=UTC),
    ],
)
def test_epoch_seconds_reads_instants_exactly(now, therapist, practice, instant):
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=instant,
        enforce_availability=False,
    )
    from booking.models import Appointment, EpochSeconds

    (seconds,) = Appointment.objects.annotate(s=EpochSeconds("start")).values_list("s", flat=True)
    assert seconds == instant.timestamp()
