"""Public endpoints answer 429 with Retry-After past their limit, API and pages alike."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.throttling import ScopedRateThrottle

from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_book
from tests.factories import TherapistFactory


@pytest.fixture
def low_limits(monkeypatch):
    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        {
            "slots": "3/minute",
            "booking": "2/minute",
            "manage": "2/minute",
            "feed": "2/hour",
            "intake": "2/minute",
        },
    )


def test_the_slots_api_says_429_with_retry_after(client, now, therapist, low_limits):
    query = {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "start": "2026-03-03",
        "end": "2026-03-03",
    }
    codes = [client.get("/api/v1/slots/", query).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/slots/", query)
    assert 0 < int(limited["Retry-After"]) <= 60
    assert "throttled" in limited.json()["detail"]


def test_each_address_has_its_own_allowance(client, now, therapist, low_limits):
    query = {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "start": "2026-03-03",
        "end": "2026-03-03",
    }
    for _ in range(3):
        client.get("/api/v1/slots/", query, REMOTE_ADDR="198.51.100.1")
    assert client.get("/api/v1/slots/", query, REMOTE_ADDR="198.51.100.1").status_code == 429
    assert client.get("/api/v1/slots/", query, REMOTE_ADDR="198.51.100.2").status_code == 200


def test_the_manage_page_says_429_in_words(client, now, therapist, client_record, low_limits):
    appointment = appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=client_record,
        start=datetime(2026, 3, 3, 15, tzinfo=UTC),
    )
    url = f"/book/manage/{manage_token(appointment)}/"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    limited = client.get(url)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "Please wait a moment" in limited.content.decode()


def test_the_schema_declares_429(client, db):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    assert "429" in schema["paths"]["/api/v1/bookings/"]["post"]["responses"]


def test_intake_links_say_429_in_words(client, now, intake_practice, low_limits):
    from clients.intake.tokens import intake_token
    from clients.models import Intake
    from tests.factories import ClientFactory

    intake = Intake.objects.create(
        practice=intake_practice, client=ClientFactory(practice=intake_practice), invited_at=now
    )
    url = f"/intake/{intake_token(intake)}/"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    limited = client.get(url)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    # Guessing at links is limited the same way.
    assert client.get("/intake/guess/").status_code == 429


def test_calendar_feeds_are_limited_per_feed_not_per_address(client, now, therapist, low_limits):
    """Trial: Google fetches every subscriber's feed from a few shared addresses; with
    one budget per address, a practice's feeds ran out together (429 for all)."""
    from booking.feeds import feeds
    from booking.models import FeedKind

    made = [
        feeds.feed_get_or_create(kind=FeedKind.THERAPIST, practice=therapist.practice, therapist=t)
        for t in (therapist, TherapistFactory(practice=therapist.practice))
    ]
    google = {"REMOTE_ADDR": "203.0.113.10", "HTTP_USER_AGENT": "Google-Calendar-Importer"}
    paths = ["/calendar/" + feeds.feed_urls(f)["https"].rsplit("/calendar/", 1)[1] for f in made]
    assert [client.get(paths[0], **google).status_code for _ in range(2)] == [200, 200]
    limited = client.get(paths[0], **google)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    # Another feed from the same address has its own allowance.
    assert [client.get(paths[1], **google).status_code for _ in range(2)] == [200, 200]
    # Tokens that grant no feed count against their address: guessing stays limited.
    assert [client.get(f"/calendar/guess{n}.ics").status_code for n in range(3)] == [
        404,
        404,
        429,
    ]


# --- RateThrottle: DRF's sliding log, in one cache round trip ---------------------

NINE = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


class _View:
    throttle_scope = "slots"


def _ask(rf, address="198.51.100.7"):
    from django.contrib.auth.models import AnonymousUser

    from practice.ratelimit import RateThrottle

    request = rf.get("/", REMOTE_ADDR=address)
    request.user = AnonymousUser()
    throttle = RateThrottle()
    allowed = throttle.allow_request(request, _View())
    return allowed, throttle.wait()


@pytest.fixture
def ten_a_minute(monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"slots": "10/minute"})


def test_the_last_minute_slides(rf, time_machine, ten_a_minute):
    """Five at 09:00:00 and five at 09:00:30: the eleventh waits for the first five to
    be a minute old, then five more fit, and the next waits for the second five."""
    time_machine.move_to(NINE, tick=False)
    assert [_ask(rf)[0] for _ in range(5)] == [True] * 5
    time_machine.move_to(NINE + timedelta(seconds=30), tick=False)
    assert [_ask(rf)[0] for _ in range(5)] == [True] * 5
    assert _ask(rf) == (False, pytest.approx(30))
    time_machine.move_to(NINE + timedelta(seconds=59.5), tick=False)
    assert _ask(rf) == (False, pytest.approx(0.5))
    assert _ask(rf, address="198.51.100.8")[0] is True  # another address, its own log
    time_machine.move_to(NINE + timedelta(seconds=60), tick=False)
    assert [_ask(rf)[0] for _ in range(6)] == [True] * 5 + [False]
    assert _ask(rf) == (False, pytest.approx(30))


def test_refused_requests_are_not_counted(rf, time_machine, ten_a_minute):
    time_machine.move_to(NINE, tick=False)
    for _ in range(10):
        _ask(rf)
    time_machine.move_to(NINE + timedelta(seconds=45), tick=False)
    for _ in range(50):
        assert _ask(rf) == (False, pytest.approx(15))
    time_machine.move_to(NINE + timedelta(seconds=60), tick=False)
    assert [_ask(rf)[0] for _ in range(11)] == [True] * 10 + [False]


def test_requests_at_the_same_moment_are_each_counted(rf, ten_a_minute):
    """DRF's read-then-write of a list lets two requests at once count as one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: _ask(rf)[0], range(40)))
    assert answers.count(True) == 10


def test_a_request_costs_one_round_trip_to_redis(rf, ten_a_minute, request):
    assert _ask(rf)[0] is True  # the first loads the script into Redis
    trips = request.getfixturevalue("redis_trips")
    assert _ask(rf)[0] is True
    assert trips == [("EVALSHA",)]


def test_a_log_left_by_drf_does_not_break_the_limit(rf, ten_a_minute):
    """Deploying over a cache that holds DRF's pickled lists under DRF's keys."""
    from django.core.cache import cache

    assert _ask(rf)[0] is True
    drf_key = ScopedRateThrottle.cache_format % {"scope": "slots", "ident": "198.51.100.7"}
    cache.set(drf_key, [1.0, 2.0], 60)
    assert _ask(rf)[0] is True
