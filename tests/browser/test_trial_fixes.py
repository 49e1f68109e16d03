"""What a person sees after the user trial's fixes: the move page, the zone offer,
details kept across Back. Real Chromium at phone and desktop width."""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_book
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.browser.test_booking_pages import choose, slot_after
from tests.factories import ClientFactory, SessionTypeFactory

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
NY, CHICAGO = ZoneInfo("America/New_York"), ZoneInfo("America/Chicago")


@pytest.fixture
def booked(clinic):
    """Alex (New York) sees a Chicago client for an hour at 10:00 New York, three days on;
    the hour is offered every half hour."""
    alex = clinic["therapists"][0]
    long = SessionTypeFactory(
        practice=clinic["practice"], name="Long session", duration_minutes=60, slot_step_minutes=30
    )
    alex.session_types.add(long)
    day = (timezone.now().astimezone(NY) + timedelta(days=3)).date()
    start = datetime.combine(day, time(10), tzinfo=NY)
    client = ClientFactory(practice=clinic["practice"], time_zone="America/Chicago")
    appointment = appointment_book(
        therapist=alex, session_type=long, client=client, start=start.astimezone(UTC)
    )
    return {"appointment": appointment, "start": start, "day": day}


def offered_times(page) -> set[str]:
    return {
        datetime.fromisoformat(v).astimezone(NY).strftime("%H:%M")
        for v in page.locator("button.slot").evaluate_all("bs => bs.map(b => b.value)")
    }


@VIEWPORTS
def test_the_move_page_offers_the_neighbours_of_the_session_and_keeps_it(
    open_page, booked, shot, viewport
):
    page = open_page(viewport=viewport, timezone_id="America/Chicago")
    token = manage_token(booked["appointment"])
    page.goto(page.base + f"/book/manage/{token}/")
    href = page.get_by_role("link", name="Move to another time").get_attribute("href")
    day = booked["day"].isoformat()
    page.goto(page.base + href + f"&start={day}&day={day}")
    offered = offered_times(page)
    assert {"09:00", "09:30", "10:30", "11:00"} <= offered
    assert "10:00" not in offered
    assert page.get_by_role("link", name="← Keep my current time").is_visible()
    assert page.get_by_role("link", name=re.compile("Change session type")).count() == 0
    shot(page, "move-times")
    assert_accessible(page)
    page.get_by_role("link", name="← Keep my current time").click()
    page.wait_for_url(re.compile(rf"/book/manage/{re.escape(token)}/$"))


def test_the_bookings_zone_is_offered_once_when_it_is_the_browsers_too(open_page, booked):
    """Trial: a client in the booking's zone looking at another zone saw "Show times in
    America/Chicago" twice (the page's offer, and the browser's)."""
    page = open_page(timezone_id="America/Chicago")
    token = manage_token(booked["appointment"])
    page.goto(page.base + f"/book/manage/{token}/?tz=Europe/Berlin")
    offers = page.get_by_role("link", name="Show times in America/Chicago")
    assert offers.count() == 1 and offers.is_visible()


@VIEWPORTS
def test_a_client_in_another_zone_is_offered_their_own_not_switched(
    open_page, booked, shot, viewport
):
    page = open_page(viewport=viewport, timezone_id="Europe/Berlin")
    token = manage_token(booked["appointment"])
    page.goto(page.base + f"/book/manage/{token}/")
    when = page.locator("dl.summary dd").nth(1).inner_text()
    # The browser reads en-US: a 12-hour clock.
    chicago = booked["start"].astimezone(CHICAGO).strftime("%-I:%M %p")
    assert chicago in when and "(America/Chicago)" in when  # the booking's zone stays
    offer = page.get_by_role("link", name="Show times in Europe/Berlin")
    assert offer.is_visible()
    shot(page, "manage-offer")
    assert_accessible(page)
    offer.click()
    page.wait_for_url(re.compile(r"tz=Europe%2FBerlin|tz=Europe/Berlin"))
    berlin = booked["start"].astimezone(ZoneInfo("Europe/Berlin")).strftime("%-I:%M %p")
    when = page.locator("dl.summary dd").nth(1).inner_text()
    assert berlin in when and "(Europe/Berlin)" in when
    assert page.get_by_role("link", name="Show times in America/Chicago").is_visible()
    shot(page, "manage-in-berlin")

    # The move page, opened from the booking's zone, offers the browser's too.
    page.goto(page.base + f"/book/manage/{token}/")
    page.get_by_role("link", name="Move to another time").click()
    page.wait_for_url(re.compile(r"reschedule="))
    assert page.get_by_label("Times are shown in").input_value() == "America/Chicago"
    offer = page.get_by_role("link", name="Show times in Europe/Berlin")
    assert offer.is_visible()
    offer.click()
    page.wait_for_url(re.compile(r"reschedule=.*tz=Europe|tz=Europe.*reschedule="))
    assert page.get_by_label("Times are shown in").input_value() == "Europe/Berlin"
    shot(page, "move-in-berlin")


@VIEWPORTS
def test_back_and_the_same_time_again_keeps_what_was_typed(open_page, clinic, shot, viewport):
    page = open_page(viewport=viewport)
    choose(page, clinic)
    slot = slot_after(page, 2)
    chosen = slot.get_attribute("value")
    slot.click()
    page.wait_for_url(re.compile(r"/book/details/"))
    details = page.url.split("?")[0]
    page.get_by_label("First name", exact=True).fill("Robin")
    page.get_by_label("Last name", exact=True).fill("Example")
    page.get_by_label("Email", exact=True).fill("robin@example.com")
    page.go_back()
    page.wait_for_url(re.compile(r"/book/times/"))
    page.locator(f'button.slot[value="{chosen}"]').click()
    page.wait_for_url(re.compile(r"/book/details/"))
    assert page.url.split("?")[0] == details  # the same hold
    assert page.get_by_label("First name", exact=True).input_value() == "Robin"
    assert page.get_by_label("Last name", exact=True).input_value() == "Example"
    assert page.get_by_label("Email", exact=True).input_value() == "robin@example.com"
    shot(page, "details-kept")
    # Nothing of it in the address or a cookie; only this tab's storage.
    assert "Robin" not in page.url and "robin" not in page.url
    assert all("obin" not in c["value"] for c in page.context.cookies())
