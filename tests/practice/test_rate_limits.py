"""Public endpoints answer 429 with Retry-After past their limit, API and pages alike."""

from datetime import UTC, datetime

import pytest
from rest_framework.throttling import ScopedRateThrottle

from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_book


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
