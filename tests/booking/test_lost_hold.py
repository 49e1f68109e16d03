"""A client who takes too long on the details page is never lost.

The hold expires and the cleanup deletes it; submitting the details then books
the time if it is still free, or shows the details again, kept, with the free
times nearest the one chosen.
"""

from datetime import timedelta

import pytest

from booking.models import HOLD_DURATION, Appointment, AppointmentStatus
from booking.scheduling.services import appointment_book, holds_release_expired
from tests.booking.test_pages import DETAILS, TUESDAY_10
from tests.factories import ClientFactory


@pytest.fixture
def details_url(client, now, therapist):
    """A hold made the way the pages make it, its details page opened once."""
    response = client.post(
        "/book/hold/",
        {
            "session_type": therapist.session_types.get().pk,
            "start": TUESDAY_10.isoformat(),
            "tz": "America/Chicago",
        },
    )
    url = response["Location"].split("?")[0]
    assert client.get(url).status_code == 200
    return url


def the_choice(therapist, start=TUESDAY_10):
    """What the details form carries besides the details: the time it is for."""
    return {
        "session_type": therapist.session_types.get().pk,
        "therapist": therapist.pk,
        "start": start.isoformat(),
    }


def lapse(time_machine, now):
    time_machine.move_to(now + HOLD_DURATION + timedelta(minutes=2), tick=False)
    assert holds_release_expired() == 1
    assert not Appointment.objects.exists()


def test_a_hold_deleted_by_the_cleanup_still_books_the_time_if_free(
    client, now, therapist, details_url, time_machine
):
    lapse(time_machine, now)
    response = client.post(details_url, DETAILS | the_choice(therapist))
    assert response.status_code == 302
    assert response["Location"] == (
        details_url.replace("/details/", "/manage/") + f"?booked=1&at={int(TUESDAY_10.timestamp())}"
    )
    booked = Appointment.objects.get()
    assert (booked.status, booked.start, booked.therapist) == (
        AppointmentStatus.PENDING,
        TUESDAY_10,
        therapist,
    )
    assert booked.client.first_name == "Robin" and booked.email_confirm_by is not None


def test_a_lapsed_hold_whose_time_was_taken_keeps_the_details_and_offers_nearby_times(
    client, now, therapist, practice, details_url, time_machine
):
    lapse(time_machine, now)
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=TUESDAY_10,
    )
    response = client.post(details_url, DETAILS | the_choice(therapist) | {"note": "Hi there"})
    assert response.status_code == 409
    text = response.content.decode()
    assert "someone else has booked it" in text
    assert 'value="Robin"' in text and "Hi there" in text
    nearest = (TUESDAY_10 - timedelta(hours=1), TUESDAY_10 + timedelta(hours=1))
    for start in nearest:
        assert f'name="start" value="{start.isoformat()}"' in text
    assert f'name="start" value="{TUESDAY_10.isoformat()}"' not in text

    # One of those times and the same details: booked.
    picked = the_choice(therapist, start=nearest[1])
    response = client.post(details_url, DETAILS | picked | {"chosen": TUESDAY_10.isoformat()})
    assert response.status_code == 302 and "booked=1" in response["Location"]
    mine = Appointment.objects.get(client__first_name="Robin")
    assert mine.start == nearest[1] and mine.status == AppointmentStatus.PENDING


def test_a_lapsed_hold_submitted_without_picking_a_new_time_asks_for_one(
    client, now, therapist, details_url, time_machine
):
    lapse(time_machine, now)
    choice = the_choice(therapist) | {"start": "", "chosen": TUESDAY_10.isoformat()}
    response = client.post(details_url, DETAILS | choice)
    assert response.status_code == 422
    assert "Please choose one of the times" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_double_submit_after_the_hold_lapsed_books_once(
    client, now, therapist, details_url, time_machine
):
    lapse(time_machine, now)
    first = client.post(details_url, DETAILS | the_choice(therapist))
    second = client.post(details_url, DETAILS | the_choice(therapist))
    assert first["Location"].split("?")[0] == second["Location"].split("?")[0]
    assert Appointment.objects.count() == 1


def test_opening_a_lapsed_hold_says_so_plainly(client, now, therapist, details_url, time_machine):
    time_machine.move_to(now + HOLD_DURATION + timedelta(minutes=2), tick=False)
    text = client.get(details_url).content.decode()
    assert "We are no longer holding this time" in text


def test_a_deleted_hold_opened_again_is_a_page_with_a_way_back(
    client, now, therapist, details_url, time_machine
):
    lapse(time_machine, now)
    response = client.get(details_url)
    assert response.status_code == 404
    text = response.content.decode()
    assert "no longer holding this time" in text and 'href="/book/"' in text
