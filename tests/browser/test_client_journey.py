"""Off the happy path, in a real browser: nobody is lost, at phone and desktop width."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from booking.models import Appointment, AppointmentStatus
from booking.scheduling.services import (
    Actor,
    appointment_cancel,
    appointment_reschedule,
    holds_release_expired,
)
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.browser.test_booking_pages import (
    choose,
    confirm_by_email,
    fill_details,
    first_slot,
    slot_after,
)
from tests.factories import SessionTypeFactory

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


def to_details(page, clinic, therapist=None):
    choose(page, clinic, therapist=therapist)
    slot = slot_after(page, 2)
    chosen = slot.get_attribute("value")
    slot.click()
    page.wait_for_url(re.compile(r"/book/details/"))
    return chosen


@VIEWPORTS
def test_a_hold_that_lapsed_and_was_cleaned_up_still_books(open_page, clinic, shot, viewport):
    page = open_page(viewport=viewport)
    chosen = to_details(page, clinic)
    fill_details(page)
    Appointment.objects.update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    assert holds_release_expired() == 1
    page.get_by_role("button", name="Book this session").click()
    page.wait_for_url(re.compile(r"/book/manage/.*booked=1"))
    assert page.get_by_role("heading", name="Almost done: check your email").is_visible()
    booked = Appointment.objects.get()
    assert booked.status == AppointmentStatus.PENDING
    assert booked.start == datetime.fromisoformat(chosen)
    shot(page, "booked-after-lapse")


@VIEWPORTS
def test_a_lapsed_hold_whose_time_was_taken_offers_the_nearest_times(
    open_page, clinic, shot, viewport
):
    alex = clinic["therapists"][0]
    page, rival = open_page(viewport=viewport), open_page()
    to_details(page, clinic, therapist=alex)
    fill_details(page, **{"First name": "Kept"})
    Appointment.objects.update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    to_details(rival, clinic, therapist=alex)  # the same first time: the lapsed hold made way
    page.get_by_role("button", name="Book this session").click()
    alert = page.get_by_role("alert")
    assert "someone else has booked it" in alert.inner_text()
    assert page.get_by_label("First name", exact=True).input_value() == "Kept"
    shot(page, "nearest-times")
    assert_accessible(page)
    times = page.locator('input[name="start"][type="radio"]')
    assert times.count() >= 2
    times.first.check()
    page.get_by_label("You may contact me").check()
    page.get_by_role("button", name="Book this session").click()
    page.wait_for_url(re.compile(r"/book/manage/.*booked=1"))
    assert Appointment.objects.get(status=AppointmentStatus.PENDING).client.first_name == "Kept"


@VIEWPORTS
def test_the_page_warns_a_minute_before_the_hold_lapses_and_says_when_it_has(
    open_page, clinic, shot, viewport
):
    page = open_page(viewport=viewport)
    page.clock.install()
    to_details(page, clinic)
    status = page.locator("#hold-status")
    assert status.is_hidden()
    page.clock.run_for(9 * 60 * 1000 + 5_000)
    assert "one more minute" in status.inner_text()
    shot(page, "one-minute-left")
    page.clock.run_for(60 * 1000)
    assert "no longer holding this time" in status.inner_text()
    assert_accessible(page)
    shot(page, "lapsed")


@VIEWPORTS
def test_the_landing_page_offers_only_therapists_who_give_the_session_type(
    open_page, clinic, viewport
):
    alex, sam = clinic["therapists"]
    couples = SessionTypeFactory(practice=clinic["practice"], name="Couples session")
    sam.session_types.add(couples)
    page = open_page(viewport=viewport)
    page.goto(page.base + "/book/")
    who = page.get_by_role("group", name="Who would you like to see?")
    page.get_by_label("Couples session").check()
    offered = who.get_by_role("radio")
    assert [
        offered.nth(i).get_attribute("id")
        for i in range(offered.count())
        if offered.nth(i).is_visible()
    ] == ["th-any", f"th-{sam.pk}"]
    page.get_by_label("Individual session").check()
    names = [
        who.get_by_role("radio", name=n).is_visible()
        for n in ("Any available therapist", "Alex Morgan", "Sam Rivera")
    ]
    assert names == [True, True, True]
    who.get_by_role("radio", name="Alex Morgan").check()
    page.get_by_label("Couples session").check()
    assert who.get_by_role("radio", name="Any available therapist").is_checked()
    page.get_by_role("button", name="See free times").click()
    page.wait_for_url(re.compile(r"/book/times/"))
    assert page.get_by_role("heading", name="Pick a time").is_visible()
    assert_accessible(page)


@VIEWPORTS
def test_a_double_tap_holds_once_and_back_then_another_time_frees_the_first(
    open_page, clinic, viewport
):
    alex = clinic["therapists"][0]
    page = open_page(viewport=viewport)
    choose(page, clinic, therapist=alex)
    first = slot_after(page, 2)
    first_value = first.get_attribute("value")
    first.dblclick()
    page.wait_for_url(re.compile(r"/book/details/"))
    assert Appointment.objects.filter(status=AppointmentStatus.HELD).count() == 1

    page.go_back()
    page.wait_for_url(re.compile(r"/book/times/"))
    later = slot_after(page, 3)
    later_value = later.get_attribute("value")
    later.click()
    page.wait_for_url(re.compile(r"/book/details/"))
    live = Appointment.objects.filter(
        status=AppointmentStatus.HELD, hold_expires_at__gt=timezone.now()
    )
    assert live.get().start == datetime.fromisoformat(later_value)
    # The first time is free again for anyone.
    other = open_page()
    choose(other, clinic, therapist=alex)
    assert slot_after(other, 2).get_attribute("value") == first_value


@VIEWPORTS
def test_back_to_the_times_still_offers_the_own_held_time_and_it_books(
    open_page, clinic, shot, viewport
):
    alex = clinic["therapists"][0]
    page = open_page(viewport=viewport)
    choose(page, clinic, therapist=alex)
    chosen = slot_after(page, 2).get_attribute("value")
    slot_after(page, 2).click()
    page.wait_for_url(re.compile(r"/book/details/"))
    details_url = page.url

    page.go_back()
    page.wait_for_url(re.compile(r"/book/times/"))
    mine = page.locator(f'button.slot[value="{chosen}"]')
    assert mine.count() == 1
    # The server's own answer (a reload, or a browser that kept no copy) marks it.
    page.reload()
    assert mine.count() == 1
    assert "held for you" in mine.inner_text()
    shot(page, "held-for-you")
    assert_accessible(page)

    mine.click()
    page.wait_for_url(re.compile(r"/book/details/"))
    assert page.url == details_url
    fill_details(page)
    page.get_by_role("button", name="Book this session").click()
    page.wait_for_url(re.compile(r"/book/manage/.*booked=1"))
    booked = Appointment.objects.get()
    assert booked.status == AppointmentStatus.PENDING
    assert booked.start == datetime.fromisoformat(chosen)


@VIEWPORTS
def test_a_double_submitted_details_form_books_once(open_page, clinic, viewport):
    page = open_page(viewport=viewport)
    to_details(page, clinic)
    fill_details(page)
    page.get_by_role("button", name="Book this session").dblclick()
    page.wait_for_url(re.compile(r"/book/manage/.*booked=1"))
    assert page.get_by_role("heading", name="Almost done: check your email").count() == 1
    assert Appointment.objects.filter(status=AppointmentStatus.PENDING).count() == 1


@VIEWPORTS
def test_error_pages_are_the_practices(open_page, clinic, shot, viewport):
    page = open_page(viewport=viewport)
    for path, words in [
        ("/book/manage/abc123/", "incomplete or has expired"),
        ("/intake/abc123/", "incomplete or has expired"),
        ("/book/nowhere/", "could not find"),
    ]:
        response = page.goto(page.base + path)
        assert response.status == 404
        assert words in page.content() and "Lakeside Therapy" in page.content()
        assert page.get_by_role("link", name="Book a session").is_visible()
        assert_accessible(page)
    shot(page, "not-found")


@VIEWPORTS
def test_a_garbled_link_in_the_demo_is_the_practices_page_with_a_number_to_call(
    open_page, clinic, shot, settings, viewport
):
    settings.DEBUG = True  # the demo: a raised 404 would be Django's technical page
    page = open_page(viewport=viewport)
    for path in ["/book/manage/", "/book/manage/abc123/", "/intake/abc123/about/added/"]:
        response = page.goto(page.base + path)
        assert response.status == 404
        assert page.get_by_role("heading", name="This link is incomplete or has expired")
        assert "Lakeside Therapy" in page.content() and "URLconf" not in page.content()
        call = page.locator('a[href^="tel:"]')
        assert call.first.get_attribute("href") == "tel:+12125550100"
        assert_accessible(page)
    shot(page, "garbled-link-demo")


@VIEWPORTS
@pytest.mark.parametrize("change", ["moved", "cancelled"])
def test_an_old_confirmation_address_shows_the_session_as_it_is_now(
    open_page, clinic, shot, viewport, change
):
    page = open_page(viewport=viewport)
    to_details(page, clinic)
    fill_details(page)
    page.get_by_role("button", name="Book this session").click()
    page.wait_for_url(re.compile(r"/book/manage/.*booked=1"))
    confirm_by_email(page)
    address = page.url
    assert page.get_by_role("heading", name="You are booked").is_visible()

    booked = Appointment.objects.get()
    if change == "moved":
        appointment_reschedule(
            appointment=booked, start=booked.start + timedelta(hours=1), actor=Actor.STAFF
        )
    else:
        appointment_cancel(appointment=booked, actor=Actor.STAFF)
    page.goto(address)
    assert page.get_by_role("heading", name="You are booked").count() == 0
    notice = page.get_by_text("This session has changed since this page's address was made")
    assert notice.is_visible()
    assert ("it has moved" if change == "moved" else "it is cancelled") in notice.inner_text()
    shot(page, f"old-address-{change}")
    assert_accessible(page)


@VIEWPORTS
def test_a_late_booking_and_a_request_are_described_honestly_before_booking(
    open_page, clinic, shot, viewport
):
    page = open_page(viewport=viewport)
    choose(page, clinic)
    soon = first_slot(page)
    assert datetime.fromisoformat(soon.get_attribute("value")) < timezone.now() + timedelta(
        hours=23
    )
    soon.click()
    page.wait_for_url(re.compile(r"/book/details/"))
    assert "cannot be changed or cancelled online" in page.content()
    assert "online until" not in page.content()
    shot(page, "inside-window")
    assert_accessible(page)

    clinic["session_type"].requires_approval = True
    clinic["session_type"].save()
    page.reload()
    assert page.get_by_role("button", name="Request this time").is_visible()
    fill_details(page)
    page.get_by_role("button", name="Request this time").click()
    page.wait_for_url(re.compile(r"/book/manage/.*booked=1"))
