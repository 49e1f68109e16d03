"""Behind one shared address (a clinic's wifi), a time already taken is said to be taken:
the conflict answers before the per-address holds limit ("Too many times held"), and a
refused pick writes nothing (the browser's previous hold stays)."""

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking.models import HOLD_DURATION, Appointment, AppointmentStatus, HoldClaim
from booking.scheduling.services import appointment_book, holds_release_expired
from tests.booking.test_hold_limits import pick
from tests.booking.test_pages import DETAILS, TUESDAY_10
from tests.factories import ClientFactory

WRITES = ("INSERT", "UPDATE", "DELETE")


def test_a_taken_time_says_taken_even_when_the_address_is_at_its_limit(now, therapist, settings):
    settings.HOLDS_PER_ADDRESS = 1
    assert "/book/details/" in pick(Client(), therapist)["Location"]
    # Another browser behind the same address asks for the same time.
    response = pick(Client(), therapist)
    assert response.status_code == 302 and "taken=1" in response["Location"]
    page = Client().get(response["Location"])
    assert "that time was just taken" in page.content.decode()
    # A free time is still refused at the limit, as before.
    assert pick(Client(), therapist, start=TUESDAY_10 + timedelta(hours=1)).status_code == 429


def test_a_refused_taken_pick_writes_nothing_and_keeps_the_browsers_hold(
    now, therapist, practice, settings
):
    settings.HOLDS_PER_ADDRESS = 1
    browser = Client()
    later = TUESDAY_10 + timedelta(hours=2)
    pick(browser, therapist, start=later)
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=TUESDAY_10,
    )
    with CaptureQueriesContext(connection) as queries:
        response = pick(browser, therapist)
    assert "taken=1" in response["Location"]
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    # Before the conflict is known, only the release of this browser's own hold (which
    # could block the time it asks for); the refusal rolls it back.
    assert len(writes) <= 1 and all(w.lstrip().upper().startswith("UPDATE") for w in writes)
    held = Appointment.objects.get(status=AppointmentStatus.HELD)
    assert held.start == later and held.hold_expires_at > now
    assert HoldClaim.objects.count() == 1


def test_a_lapsed_hold_whose_time_was_taken_says_taken_not_too_many(
    client, now, therapist, practice, settings, time_machine
):
    settings.HOLDS_PER_ADDRESS = 1
    details_url = pick(client, therapist)["Location"].split("?")[0]
    assert client.get(details_url).status_code == 200
    time_machine.move_to(now + HOLD_DURATION + timedelta(minutes=2), tick=False)
    assert holds_release_expired() == 1
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=TUESDAY_10,
    )
    # Someone else on the same wifi holds another time: the address is at its limit.
    assert (
        "/book/details/"
        in pick(Client(), therapist, start=TUESDAY_10 + timedelta(hours=3))["Location"]
    )
    choice = {
        "session_type": therapist.session_types.get().pk,
        "therapist": therapist.pk,
        "start": TUESDAY_10.isoformat(),
    }
    response = client.post(details_url, DETAILS | choice)
    assert response.status_code == 409
    assert "someone else has booked it" in response.content.decode()
