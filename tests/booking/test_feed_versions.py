"""Feed ETags come from versions that triggers bump (booking migration 0027): every
write that changes what a feed says moves its ETag, whoever makes it, and writes
that change nothing it shows leave it alone."""

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction

from booking.feeds import feeds
from booking.models import Appointment, AppointmentStatus, FeedKind, TimeOff
from booking.scheduling.services import (
    Actor,
    appointment_book,
    appointment_cancel,
    appointment_hold,
    appointment_reschedule,
)
from clients.models import Client
from practice.models import Practice, SessionType, Therapist
from tests.factories import ClientFactory, SessionTypeFactory, TherapistFactory

TUESDAY_10 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


@pytest.fixture
def other(practice, session_type):
    return TherapistFactory(practice=practice, offers=[session_type])


@pytest.fixture
def booked(now, therapist, client_record):
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=client_record,
        start=TUESDAY_10,
    )


@pytest.fixture
def etags(booked, therapist, other, practice, now):
    """The ETags of the therapist's, the other therapist's and the practice's feeds."""
    kinds = {
        "mine": dict(kind=FeedKind.THERAPIST, therapist=therapist),
        "other's": dict(kind=FeedKind.THERAPIST, therapist=other),
        "practice": dict(kind=FeedKind.PRACTICE),
    }
    made = {
        name: feeds.feed_get_or_create(practice=practice, **kind) for name, kind in kinds.items()
    }

    def read():
        return {name: feeds.feed_validators(feed, now)[0] for name, feed in made.items()}

    return read


def moved(before, after):
    return {name for name in before if before[name] != after[name]}


WRITES = {
    "a reschedule": lambda b, t, o, p: appointment_reschedule(
        appointment=b, start=TUESDAY_10 + timedelta(days=1), actor=Actor.STAFF
    ),
    "a cancellation": lambda b, t, o, p: appointment_cancel(appointment=b, actor=Actor.CLIENT),
    "a bulk update of the session": lambda b, t, o, p: Appointment.objects.filter(pk=b.pk).update(
        video_room="room-2"
    ),
    "raw SQL": lambda b, t, o, p: _raw(
        "UPDATE booking_appointment SET sequence = sequence + 1 WHERE id = %s", [b.pk]
    ),
    "the session deleted": lambda b, t, o, p: Appointment.objects.filter(pk=b.pk).delete(),
    "the client's new name": lambda b, t, o, p: Client.objects.filter(pk=b.client_id).update(
        first_name="Robin"
    ),
    "own time off": lambda b, t, o, p: TimeOff.objects.create(
        practice=p, therapist=t, start_date=date(2026, 3, 10), end_date=date(2026, 3, 11)
    ),
    "a practice holiday": lambda b, t, o, p: TimeOff.objects.create(
        practice=p, start_date=date(2026, 3, 10), end_date=date(2026, 3, 10)
    ),
    "the session type renamed": lambda b, t, o, p: SessionType.objects.filter(
        pk=b.session_type_id
    ).update(name="First session"),
    "the therapist renamed": lambda b, t, o, p: Therapist.objects.filter(pk=t.pk).update(
        display_name="Dr. Ash Lee"
    ),
    "the practice renamed": lambda b, t, o, p: Practice.objects.filter(pk=p.pk).update(
        name="Harbour Therapy"
    ),
}
# Which feeds each write must move: every one shows the practice-wide things.
EVERY = {"mine", "other's", "practice"}
MOVES = {
    "a reschedule": {"mine", "practice"},
    "a cancellation": {"mine", "practice"},
    "a bulk update of the session": {"mine", "practice"},
    "raw SQL": {"mine", "practice"},
    "the session deleted": {"mine", "practice"},
    "own time off": {"mine"},
}


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("write", WRITES)
def test_each_write_moves_the_feeds_that_show_it(etags, booked, therapist, other, practice, write):
    before = etags()
    WRITES[write](booked, therapist, other, practice)
    assert moved(before, etags()) == MOVES.get(write, EVERY)


def test_a_hold_moves_no_feed_until_it_becomes_a_session(etags, therapist, other, client_record):
    before = etags()
    hold = appointment_hold(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        start=TUESDAY_10 + timedelta(days=2),
    )
    Appointment.objects.filter(pk=hold.pk).update(
        hold_expires_at=hold.hold_expires_at + timedelta(minutes=5)
    )
    assert moved(before, etags()) == set()
    Appointment.objects.filter(pk=hold.pk).update(
        status=AppointmentStatus.CONFIRMED, client=client_record
    )
    assert moved(before, etags()) == {"mine", "practice"}


def test_another_therapists_session_moves_only_theirs_and_the_practices(
    etags, other, practice, session_type
):
    before = etags()
    appointment_book(
        therapist=other,
        session_type=session_type,
        client=ClientFactory(practice=practice),
        start=TUESDAY_10,
    )
    assert moved(before, etags()) == {"other's", "practice"}


def test_a_new_client_or_another_practice_moves_nothing(etags):
    before = etags()
    ClientFactory()  # in another practice, and a new one here
    SessionTypeFactory()  # another practice's
    assert moved(before, etags()) == set()


def test_a_write_rolled_back_leaves_the_etag_as_it_was(etags, booked):
    before = etags()
    with pytest.raises(RuntimeError), transaction.atomic():
        Appointment.objects.filter(pk=booked.pk).update(video_room="room-3")
        raise RuntimeError
    assert etags() == before


def test_last_modified_is_when_the_database_wrote_it(etags, booked, therapist, now):
    feed = feeds.feed_get_or_create(
        kind=FeedKind.THERAPIST, practice=therapist.practice, therapist=therapist
    )
    _, first = feeds.feed_validators(feed, now)
    # The database's clock, which time_machine does not stop; HTTP dates count seconds.
    time.sleep(1.05)
    Appointment.objects.filter(pk=booked.pk).update(video_room="room-4")
    time.sleep(1.05)
    _, second = feeds.feed_validators(feed, now)
    assert second > first >= now.replace(hour=0, minute=0, second=0, microsecond=0)


SECOND = datetime(2026, 3, 3, 15, 0, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changed", "asked", "sent"),
    [
        # A change in the second being asked in: dated the second before.
        (SECOND + timedelta(microseconds=300_000), SECOND + timedelta(microseconds=700_000), -1),
        # The same change asked about once its second is over: its own second.
        (SECOND + timedelta(microseconds=300_000), SECOND + timedelta(seconds=1.2), 0),
        (SECOND - timedelta(minutes=5), SECOND, -300),  # long ago: as it is
    ],
)
def test_last_modified_never_repeats_a_date_a_later_change_could_share(changed, asked, sent):
    assert feeds.last_modified(changed, asked) == SECOND + timedelta(seconds=sent)


def test_an_app_sending_only_if_modified_since_sees_a_change_in_the_same_second(
    client, booked, therapist
):
    """Trial: two moves within one second; the second fetch sent the first's date back
    and was told 304 with the old time in its calendar."""
    from django.utils.http import http_date

    feed = feeds.feed_get_or_create(
        kind=FeedKind.THERAPIST, practice=therapist.practice, therapist=therapist
    )
    path = "/calendar/" + feeds.feed_urls(feed)["https"].rsplit("/calendar/", 1)[1]
    real_now = datetime.now(UTC)  # the database stamps changes on its own clock
    Appointment.objects.filter(pk=booked.pk).update(video_room="room-5")
    _, first = feeds.feed_validators(feed, real_now)
    Appointment.objects.filter(pk=booked.pk).update(video_room="room-6")  # same second
    time.sleep(1.05)
    asked = client.get(path, HTTP_IF_MODIFIED_SINCE=http_date(first.timestamp()))
    assert asked.status_code == 200
