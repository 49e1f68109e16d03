"""Holds from the public pages: one per browser, a few per address, short until details open."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from booking.models import HOLD_DURATION, HOLD_UNTIL_DETAILS, Appointment, AppointmentStatus
from booking.scheduling.services import holds_release_expired
from tests.factories import TherapistFactory
from tests.support.booking_forms import DETAILS

TUESDAY_10 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def pick(browser, therapist, start=TUESDAY_10, **extra):
    return browser.post(
        "/book/hold/",
        {"session_type": therapist.session_types.get().pk, "start": start.isoformat(), "tz": "UTC"}
        | extra,
    )


def active_holds(now):
    return Appointment.objects.filter(status=AppointmentStatus.HELD, hold_expires_at__gt=now)


def test_a_hold_starts_short_and_gets_the_full_time_once_the_details_page_opens(
    client, now, therapist, time_machine
):
    details_url = pick(client, therapist)["Location"]
    hold = Appointment.objects.get()
    assert hold.hold_expires_at == now + HOLD_UNTIL_DETAILS
    time_machine.move_to(now + timedelta(minutes=1), tick=False)
    page = client.get(details_url)
    hold.refresh_from_db()
    assert hold.hold_expires_at == now + timedelta(minutes=1) + HOLD_DURATION
    assert "for 10 more minutes" in page.content.decode()
    # Only once: reloading the page does not keep the time forever.
    time_machine.move_to(now + timedelta(minutes=5), tick=False)
    client.get(details_url)
    hold.refresh_from_db()
    assert hold.hold_expires_at == now + timedelta(minutes=1) + HOLD_DURATION


def test_picking_another_time_releases_the_browsers_previous_hold(client, now, therapist):
    pick(client, therapist)
    pick(client, therapist, start=TUESDAY_10 + timedelta(hours=1))
    assert [h.start for h in active_holds(now)] == [TUESDAY_10 + timedelta(hours=1)]
    # The first time is free again for anyone.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert "/book/details/" in pick(other, therapist)["Location"]


def test_picking_the_same_time_again_keeps_the_same_hold(client, now, therapist):
    # Back, then the same time again (or a double tap): not "taken", the same hold.
    first = pick(client, therapist)
    again = pick(client, therapist)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert active_holds(now).count() == 1


def test_another_browser_still_cannot_take_a_held_time(client, now, therapist):
    pick(client, therapist)
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert "taken=1" in pick(other, therapist)["Location"]


def test_one_address_may_hold_only_a_few_times_then_gets_a_readable_429(now, therapist, settings):
    settings.HOLDS_PER_ADDRESS = 3
    for hour in range(3):  # three browsers (no cookies kept) behind one address
        response = pick(Client(), therapist, start=TUESDAY_10 + timedelta(hours=hour))
        assert "/book/details/" in response["Location"]
    response = pick(Client(), therapist, start=TUESDAY_10 + timedelta(hours=3))
    assert response.status_code == 429
    assert int(response["Retry-After"]) == HOLD_UNTIL_DETAILS.total_seconds()
    assert "holding" in response.content.decode()
    assert active_holds(now).count() == 3
    # Another address is not affected.
    response = pick(Client(REMOTE_ADDR="198.51.100.7"), therapist, TUESDAY_10 + timedelta(hours=3))
    assert "/book/details/" in response["Location"]


def test_the_address_limit_follows_the_rate_limiters_client_address(now, therapist, settings):
    settings.HOLDS_PER_ADDRESS = 1
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"NUM_PROXIES": 1}
    behind_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = Client(HTTP_X_FORWARDED_FOR="203.0.113.5", **behind_proxy)
    second = Client(HTTP_X_FORWARDED_FOR="203.0.113.6", **behind_proxy)
    assert "/book/details/" in pick(first, therapist)["Location"]
    later = TUESDAY_10 + timedelta(hours=1)
    assert "/book/details/" in pick(second, therapist, start=later)["Location"]
    third = Client(HTTP_X_FORWARDED_FOR="203.0.113.5", **behind_proxy)
    assert pick(third, therapist, start=later + timedelta(hours=1)).status_code == 429


def test_a_browser_over_the_address_limit_may_still_move_its_own_hold(now, therapist, settings):
    settings.HOLDS_PER_ADDRESS = 1
    browser = Client()
    pick(browser, therapist)
    moved = pick(browser, therapist, start=TUESDAY_10 + timedelta(hours=1))
    assert "/book/details/" in moved["Location"]
    assert [h.start for h in active_holds(now)] == [TUESDAY_10 + timedelta(hours=1)]


def test_a_booked_hold_no_longer_counts_and_its_holder_record_is_cleared(
    client, now, therapist, settings
):
    settings.HOLDS_PER_ADDRESS = 1
    details_url = pick(client, therapist)["Location"]
    assert client.post(details_url, DETAILS).status_code == 302
    response = pick(client, therapist, start=TUESDAY_10 + timedelta(hours=1))
    assert "/book/details/" in response["Location"]
    # Booking the second releases nothing booked: the first stays (waiting for its email link).
    assert Appointment.objects.get(start=TUESDAY_10).status == AppointmentStatus.PENDING
    holds_release_expired()
    from booking.models import HoldClaim

    assert list(HoldClaim.objects.values_list("appointment__start", flat=True)) == [
        TUESDAY_10 + timedelta(hours=1)
    ]


def test_a_released_hold_can_still_be_booked_if_nobody_took_the_time(client, now, therapist):
    first_url = pick(client, therapist)["Location"]
    pick(client, therapist, start=TUESDAY_10 + timedelta(hours=1))
    # The first tab is still open: its form still books the time if it is free.
    assert client.post(first_url, DETAILS).status_code == 302
    assert Appointment.objects.get(start=TUESDAY_10).status == AppointmentStatus.PENDING


def test_the_browser_cookie_is_http_only_and_lax(client, now, therapist, settings):
    response = pick(client, therapist)
    cookie = response.cookies["booking_browser"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert len(cookie.value) >= 22


@pytest.mark.parametrize("cookie", ["", "short", "x" * 300, "bad value;"])
def test_a_garbled_browser_cookie_gets_a_fresh_one(client, now, therapist, cookie):
    client.cookies["booking_browser"] = cookie
    response = pick(client, therapist)
    assert "/book/details/" in response["Location"]
    assert response.cookies["booking_browser"].value != cookie


def test_any_available_therapist_double_tap_keeps_one_hold(client, now, practice, session_type):
    TherapistFactory(practice=practice, offers=[session_type])
    therapist = TherapistFactory(practice=practice, offers=[session_type])
    first = pick(client, therapist)
    again = pick(client, therapist)
    assert again["Location"] == first["Location"]
    assert active_holds(now).count() == 1


def times_page(browser, therapist, **extra):
    params = {
        "session_type": therapist.session_types.get().pk,
        "therapist": therapist.pk,
        "tz": "UTC",
        "start": "2026-03-03",
    } | extra
    return browser.get("/book/times/", params)


def offered(page) -> list[str]:
    import re

    return re.findall(r'name="start" value="([^"]+)"', page.content.decode())


def test_the_times_page_still_offers_this_browsers_own_hold_marked_as_held(client, now, therapist):
    pick(client, therapist)
    page = times_page(client, therapist)
    assert TUESDAY_10.isoformat() in offered(page)
    assert "held for you" in page.content.decode()
    # Only this browser's answer: never kept by a browser or a proxy.
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    # Everyone else still sees it taken, and no "held for you".
    other = times_page(Client(REMOTE_ADDR="198.51.100.7"), therapist)
    assert TUESDAY_10.isoformat() not in offered(other)
    assert "held for you" not in other.content.decode()


def test_the_neighbours_the_own_hold_blocks_are_offered_and_picking_one_moves_the_hold(
    client, now, practice, therapist
):
    # Buffers make a hold block the times next to it.
    session_type = therapist.session_types.get()
    session_type.buffer_after_minutes = 30
    session_type.save()
    neighbour = TUESDAY_10 + timedelta(hours=1)
    other = Client(REMOTE_ADDR="198.51.100.7")
    pick(client, therapist)
    assert neighbour.isoformat() not in offered(times_page(other, therapist))
    assert neighbour.isoformat() in offered(times_page(client, therapist))
    assert "/book/details/" in pick(client, therapist, start=neighbour)["Location"]
    assert [h.start for h in active_holds(now)] == [neighbour]


def test_picking_the_own_held_time_from_the_times_page_again_reaches_the_same_details(
    client, now, therapist
):
    first = pick(client, therapist)["Location"]
    times_page(client, therapist)
    again = pick(client, therapist)
    assert again["Location"] == first
    booked = client.post(first, DETAILS)
    assert "booked=1" in booked["Location"]
    assert Appointment.objects.get().status == AppointmentStatus.PENDING


def test_a_lapsed_own_hold_is_not_marked(client, now, therapist, time_machine):
    pick(client, therapist)
    time_machine.move_to(now + HOLD_UNTIL_DETAILS + timedelta(seconds=1), tick=False)
    page = times_page(client, therapist)
    assert "held for you" not in page.content.decode()
    assert TUESDAY_10.isoformat() in offered(page)  # free again, for anyone
