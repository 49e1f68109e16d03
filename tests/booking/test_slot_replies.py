"""A repeated slots question answered from its kept reply (booking/api/slot_replies.py).

Each test asks a question twice or more and compares the answer with what the full
path gives with nothing kept (the cache emptied): byte for byte, whatever happened
in between (writes of every kind, time passing, a clock that went back).
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from booking.api import slot_replies
from booking.scheduling.services import appointment_hold
from practice.models import Modality, Therapist
from tests.factories import ClientFactory, SessionTypeFactory, TherapistFactory

TUESDAY_10 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.fixture
def api():
    return APIClient()


def question(therapist, **params):
    return {
        "therapist": str(therapist.pk),
        "session_type": str(therapist.session_types.get().pk),
        "start": "2026-03-02",
        "end": "2026-03-09",
    } | params


def ask(api, query):
    response = api.get("/api/v1/slots/", query)
    return response.status_code, response["Content-Type"], response.content


def fresh(api, query):
    """The full path's answer with nothing kept."""
    cache.clear()
    return ask(api, query)


@pytest.mark.parametrize(
    "params",
    [{}, {"tz": "Europe/Berlin"}, {"tz": ""}, {"tz": "Asia/Kolkata", "end": "2026-03-20"}],
    ids=["practice zone", "Berlin", "empty zone", "Kolkata, longer"],
)
def test_a_kept_reply_is_the_full_answer_byte_for_byte(api, now, therapist, params):
    query = question(therapist, **params)
    first = ask(api, query)
    assert first[0] == 200
    assert b'"start"' in first[2]
    assert ask(api, query) == first
    assert fresh(api, query) == first


def test_a_repeat_costs_one_query(api, now, therapist, django_assert_num_queries):
    query = question(therapist)
    first = ask(api, query)
    with django_assert_num_queries(1):
        assert ask(api, query) == first


def test_notice_and_horizon_move_with_the_clock(api, now, therapist, time_machine):
    session_type = therapist.session_types.get()
    session_type.booking_horizon = timedelta(days=3)
    session_type.save()
    query = question(therapist, end="2026-03-05")
    before = ask(api, query)
    later = now + timedelta(hours=27)  # Tuesday's times fall inside notice; Thursday's come
    time_machine.move_to(later, tick=False)
    after = ask(api, query)
    assert after != before
    assert b"2026-03-03T10:00:00-05:00" in before[2]
    assert b"2026-03-03T10:00:00-05:00" not in after[2]
    assert b"2026-03-05T" not in before[2]
    assert b"2026-03-05T" in after[2]
    assert after == fresh(api, query)


def _hold_ten_minutes(therapist, now):
    appointment_hold(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        start=TUESDAY_10,
        now=now,
        duration=timedelta(minutes=10),
    )


def test_a_hold_lapsing_shows_its_time_with_no_write(api, now, therapist, time_machine):
    query = question(therapist)
    _hold_ten_minutes(therapist, now)
    held = ask(api, query)
    assert b"2026-03-03T10:00:00-05:00" not in held[2]
    time_machine.move_to(now + timedelta(minutes=11), tick=False)
    lapsed = ask(api, query)
    assert b"2026-03-03T10:00:00-05:00" in lapsed[2]
    assert lapsed == fresh(api, query)


def test_a_reply_built_later_does_not_answer_for_an_earlier_now(api, now, therapist, time_machine):
    query = question(therapist)
    _hold_ten_minutes(therapist, now)
    time_machine.move_to(now + timedelta(minutes=11), tick=False)
    assert b"2026-03-03T10:00:00-05:00" in ask(api, query)[2]
    time_machine.move_to(now, tick=False)  # a worker whose clock is behind
    assert b"2026-03-03T10:00:00-05:00" not in ask(api, query)[2]


def _deactivate(therapist, practice):
    Therapist.objects.filter(pk=therapist.pk).update(is_active=False)


def _stop_offering(therapist, practice):
    therapist.session_types.clear()


def _licence_moved(therapist, practice):
    Therapist.objects.filter(pk=therapist.pk).update(licence_jurisdictions="US-CA")


def _book(therapist, practice):
    from booking.scheduling.services import appointment_book

    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=TUESDAY_10,
    )


def _practice_zone(therapist, practice):
    type(practice).objects.filter(pk=practice.pk).update(time_zone="Europe/London")


@pytest.mark.parametrize(
    "write", [_deactivate, _stop_offering, _book, _practice_zone], ids=lambda f: f.__name__[1:]
)
def test_what_changes_the_answer_shows_at_once(api, now, therapist, practice, write):
    query = question(therapist, tz="")
    before = ask(api, query)
    write(therapist, practice)
    after = ask(api, query)
    assert after != before
    assert after == fresh(api, query)


@pytest.mark.parametrize("write", [_licence_moved], ids=["licence moved"])
def test_a_video_question_follows_the_licences(api, now, practice, write):
    video = SessionTypeFactory(practice=practice, modality=Modality.TELEHEALTH)
    therapist = TherapistFactory(
        practice=practice, offers=[video], sees_by_video=True, licence_jurisdictions="US-NY"
    )
    query = question(therapist, client_region="US-NY")
    before = ask(api, query)
    assert b'"licensed":true' in before[2]
    write(therapist, practice)
    after = ask(api, query)
    assert b'"licensed":false' in after[2]
    assert after == fresh(api, query)
    assert ask(api, question(therapist, client_region="US-CA")) == fresh(
        api, question(therapist, client_region="US-CA")
    )


@pytest.mark.parametrize(
    "params",
    [
        {"therapist": " 1"},
        {"therapist": "1.0"},
        {"start": "2026-3-2"},
        {"tz": " Europe/Berlin"},
        {"client_region": "us-ny"},
    ],
)
def test_other_spellings_take_the_full_path(params):
    assert slot_replies.question_read({**question_stub(), **params}) is None


def question_stub():
    return {"therapist": "1", "session_type": "2", "start": "2026-03-02", "end": "2026-03-09"}


def test_the_plain_spelling_is_read():
    read = slot_replies.question_read({**question_stub(), "tz": "Europe/Berlin"})
    assert read is not None
    assert (read.therapist, read.session_type, read.tz) == (1, 2, "Europe/Berlin")


@pytest.mark.parametrize("slug", ["", "second"], ids=["first created", "PRACTICE_SLUG"])
def test_the_question_row_picks_the_practice_practices_current_picks(db, settings, now, slug):
    from booking.scheduling import selectors
    from practice.selectors import practice_current
    from tests.factories import PracticeFactory

    first = PracticeFactory()
    second = PracticeFactory(slug="second")
    settings.PRACTICE_SLUG = slug
    current = practice_current()
    assert current == (second if slug else first)
    for practice in (first, second):
        session_type = SessionTypeFactory(practice=practice)
        therapist = TherapistFactory(practice=practice, offers=[session_type])
        row = selectors.slot_question_row(
            therapist_id=therapist.pk, session_type_id=session_type.pk
        )
        if practice == current:
            assert row is not None
            assert (row.practice_id, row.practice_zone) == (practice.pk, practice.time_zone)
        else:
            assert row is None  # another practice's therapist: the full path says so


def test_without_a_version_row_each_question_is_answered_afresh(api, now, therapist):
    """A scope with no version row (never written since the triggers) is never kept, so
    a write that no version records cannot leave a stale answer behind."""
    from booking.models import AvailabilityVersion

    query = question(therapist)
    with_versions = ask(api, query)
    AvailabilityVersion.objects.filter(key=f"therapist:{therapist.pk}").delete()
    cache.clear()
    assert ask(api, query) == with_versions
    assert ask(api, query) == with_versions  # nothing kept from the first
    # A session written past the triggers (none would record it: the row is gone, and
    # a bump recreates it) shows at once.
    session_type = therapist.session_types.get()
    appointment_hold(therapist=therapist, session_type=session_type, start=TUESDAY_10)
    AvailabilityVersion.objects.filter(key=f"therapist:{therapist.pk}").delete()
    after = ask(api, query)
    assert b"2026-03-03T10:00:00-05:00" in with_versions[2]
    assert b"2026-03-03T10:00:00-05:00" not in after[2]


def test_a_repeat_costs_one_round_trip_to_redis(api, now, therapist, request):
    """The rate limit's count and the kept reply's read go together (one script)."""
    query = question(therapist)
    first = ask(api, query)
    trips = request.getfixturevalue("redis_trips")
    assert ask(api, query) == first
    assert trips == [("EVALSHA",)]
