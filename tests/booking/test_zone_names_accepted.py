"""Which zone names are read from input, the same everywhere (practice/timezones.py).

Every IANA name that zoneinfo knows is accepted, backward links (US/Pacific) and Etc/
names included; what is not a zone ("localtime", "posixrules", "Factory"), a name in
the wrong case, and path tricks get the readable refusal, never a 500.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from booking.tokens import manage_token_for
from clients.models import Client
from practice.timezones import validate_time_zone, zone_read
from tests.support.identity import confirm_email

TUESDAY_10 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 10:00 EST, a free time
VALID = ["Etc/UTC", "GMT", "UTC", "US/Pacific", "Etc/GMT+5", "EST5EDT", "Asia/Calcutta"]
NOT_ZONES = [
    "localtime",
    "posixrules",
    "Factory",
    "etc/utc",
    "europe/berlin",
    "../etc/passwd",
    "Europe/../UTC",
    "/usr/share/zoneinfo/UTC",
    "Europe/Berlin/",
    "right/UTC",
    "posix/UTC",
    "Mars/Olympus",
    "x" * 300,
    "Europe/Berlin\x00",
]


@pytest.fixture
def api():
    return APIClient()


def slots(api, therapist, tz):
    return api.get(
        "/api/v1/slots/",
        {
            "therapist": therapist.pk,
            "session_type": therapist.session_types.get().pk,
            "start": "2026-03-03",
            "end": "2026-03-03",
            "tz": tz,
        },
    )


def test_every_zone_zoneinfo_knows_is_read_except_what_is_not_a_zone():
    for name in available_timezones() - {"localtime", "posixrules", "Factory"}:
        assert zone_read(name) == name
        validate_time_zone(name)


@pytest.mark.parametrize("name", VALID)
def test_the_slots_api_answers_in_any_iana_zone(api, now, therapist, name):
    response = slots(api, therapist, name)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["timezone"] == name and body["slots"]
    for slot in body["slots"]:
        start = datetime.fromisoformat(slot["start"])
        # Each time is written with the zone's own offset, on the zone's 3 March.
        assert start.astimezone(ZoneInfo(name)).isoformat() == slot["start"]
        assert start.astimezone(ZoneInfo(name)).date().isoformat() == "2026-03-03"


@pytest.mark.parametrize("name", NOT_ZONES)
def test_what_is_not_a_zone_gets_a_readable_400_from_the_slots_api(api, now, therapist, name):
    response = slots(api, therapist, name)
    assert response.status_code == 400
    said = " ".join(response.json()["errors"]["tz"])
    assert "not a time zone we know" in said and len(said) < 300


def test_a_name_in_the_wrong_case_is_refused_with_the_right_spelling(api, now, therapist):
    said = " ".join(slots(api, therapist, "europe/berlin").json()["errors"]["tz"])
    assert "Did you mean Europe/Berlin?" in said


def test_surrounding_spaces_are_read_as_the_name(api, now, therapist):
    response = slots(api, therapist, " Etc/UTC ")
    assert response.status_code == 200 and response.json()["timezone"] == "Etc/UTC"


def book_by_api(api, therapist, zone_name):
    return api.post(
        "/api/v1/bookings/",
        {
            "therapist": therapist.pk,
            "session_type": therapist.session_types.get().pk,
            "start": TUESDAY_10.isoformat(),
            "timezone": zone_name,
            "client": {"first_name": "Robin", "last_name": "Example", "email": "r@example.com"},
        },
        format="json",
    )


@pytest.mark.parametrize("name", ["Etc/UTC", "GMT", "US/Pacific"])
def test_a_booking_by_api_takes_any_iana_zone(api, now, therapist, name):
    response = book_by_api(api, therapist, name)
    assert response.status_code == 201, response.content
    assert response.json()["start"] == TUESDAY_10.astimezone(ZoneInfo(name)).isoformat()
    assert Client.objects.get().time_zone == name


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory", "../etc/passwd"])
def test_a_booking_by_api_refuses_what_is_not_a_zone(api, now, therapist, name):
    response = book_by_api(api, therapist, name)
    assert response.status_code == 400
    assert "not a time zone we know" in " ".join(response.json()["errors"]["timezone"])


@pytest.mark.parametrize("name", ["Etc/UTC", "GMT", "US/Pacific"])
def test_the_times_page_shows_any_iana_zone_without_a_notice(client, now, therapist, name):
    page = client.get(
        "/book/times/", {"session_type": therapist.session_types.get().pk, "tz": name}
    )
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="zone-unknown"' not in text
    assert f">{TUESDAY_10.astimezone(ZoneInfo(name)):%H:%M}<" in text


@pytest.mark.parametrize("name", ["europe/berlin", "localtime", "Factory", "Europe/../UTC"])
def test_the_times_page_says_what_is_not_a_zone(client, now, therapist, name):
    page = client.get(
        "/book/times/", {"session_type": therapist.session_types.get().pk, "tz": name}
    )
    assert page.status_code == 200
    assert "not a time zone we know" in page.content.decode()


def test_the_manage_page_reads_in_a_backward_link(client, now, therapist):
    from booking.scheduling.selectors import manage_token
    from booking.scheduling.services import appointment_hold

    hold = appointment_hold(
        therapist=therapist, session_type=therapist.session_types.get(), start=TUESDAY_10
    )
    details = {
        "first_name": "Robin",
        "last_name": "Example",
        "email": "robin@example.com",
        "first_session": "yes",
        "consent": "on",
        "tz": "US/Pacific",
    }
    client.post(f"/book/details/{manage_token_for(hold.public_id)}/", details)
    assert Client.objects.get().time_zone == "US/Pacific"
    confirm_email(client, hold)
    hold.refresh_from_db()
    page = client.get(f"/book/manage/{manage_token(hold)}/", {"tz": "Etc/UTC"})
    text = page.content.decode()
    assert 'data-testid="zone-unknown"' not in text
    assert TUESDAY_10.strftime("%H:%M") in text  # 15:00 UTC


@pytest.mark.parametrize("name", ["Etc/UTC", "GMT", "US/Pacific"])
def test_a_therapist_may_work_in_any_iana_zone(therapist, name):
    therapist.time_zone = name
    therapist.full_clean()


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory", "etc/utc"])
def test_a_therapist_may_not_work_in_what_is_not_a_zone(therapist, name):
    therapist.time_zone = name
    with pytest.raises(ValidationError, match="not a time zone we know"):
        therapist.full_clean()


def test_the_pick_lists_still_offer_places_only(client, db, now):
    offered = {z["value"] for z in client.get("/book/zones.json").json()}
    assert {"America/Chicago", "UTC"} <= offered
    assert not offered & {"Etc/UTC", "GMT", "US/Pacific", "Etc/GMT+5", "Factory", "localtime"}
