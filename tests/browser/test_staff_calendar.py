"""The staff calendar in a real browser: time off reaches the public page, a weekly series
keeps its local time across DST, the front desk books a caller; screenshots of each page."""

import re
import time as clock
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from booking.models import Appointment, Series
from practice.models import StaffRole
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.browser.test_intake_flow import sign_in, staff_user
from tests.factories import ClientFactory

TABLET = {"width": 820, "height": 1180}


def public_day(page, clinic, therapist, day: date):
    """The public times page for one therapist on ``day``; the buttons offered that day."""
    page.goto(
        f"{page.base}/book/times/?session_type={clinic['session_type'].pk}"
        f"&therapist={therapist.pk}&tz={therapist.time_zone}&start={day.isoformat()}"
        f"&day={day.isoformat()}"
    )
    return page.locator("section.day button.slot")


def test_a_therapist_adds_time_off_and_the_public_slots_disappear(open_page, clinic, shot):
    alex = clinic["therapists"][0]
    user = staff_user(clinic["practice"], StaffRole.THERAPIST, therapist=alex)
    day = timezone.now().astimezone(alex.zone).date() + timedelta(days=3)

    visitor = open_page()
    assert public_day(visitor, clinic, alex, day).count() > 0

    office = open_page()
    sign_in(office, user)
    office.get_by_role("link", name="Hours & time off").first.click()
    office.get_by_label("First day").fill(day.isoformat())
    office.get_by_label("Reason").fill("Training")
    office.get_by_role("button", name="Add time off").click()
    office.wait_for_url(re.compile(r"/staff/availability/"))
    assert "Training" in office.get_by_test_id("time-off-list").inner_text()
    assert_accessible(office)

    assert public_day(visitor, clinic, alex, day).count() == 0
    assert visitor.locator("section.day").get_by_text("No free times this day").is_visible()

    office.goto(f"{office.base}/staff/calendar/?date={day.isoformat()}")
    assert office.get_by_test_id("time-off").filter(has_text="Training").count() >= 1


def test_a_weekly_series_across_the_dst_change_keeps_its_local_time(open_page, clinic, shot):
    alex = clinic["therapists"][0]  # America/New_York; clocks go forward on 14 March 2027
    user = staff_user(clinic["practice"], StaffRole.THERAPIST, therapist=alex)
    patient = ClientFactory(
        practice=clinic["practice"], first_name="Dana", last_name="Weekly", assigned_therapist=alex
    )
    page = open_page()
    sign_in(page, user)
    page.goto(f"{page.base}/staff/clients/{patient.public_id}/")
    page.get_by_role("link", name="Standing appointments").click()
    page.get_by_label("First session").fill("2027-03-02")
    page.get_by_label("At (the therapist's local time)").fill("10:00")
    page.get_by_label("Every week").check()
    page.get_by_label("After a number of sessions").check()
    page.get_by_label("Number of sessions", exact=True).fill("4")
    page.get_by_role("button", name="Show the dates").click()
    page.get_by_test_id("series-plan").wait_for()
    times = page.get_by_test_id("series-plan").get_by_test_id("local-time").all_inner_texts()
    assert times == ["10:00 EST", "10:00 EST", "10:00 EDT", "10:00 EDT"]
    assert_accessible(page)
    shot(page, "1-series-preview")
    page.get_by_role("button", name="Book these sessions").click()
    page.wait_for_url(re.compile(r"/staff/series/"))
    page.get_by_test_id("series-occurrences").wait_for()
    shown = page.get_by_test_id("series-occurrences").get_by_test_id("local-time").all_inner_texts()
    assert shown == ["10:00 EST", "10:00 EST", "10:00 EDT", "10:00 EDT"]
    starts = Series.objects.get().appointments.order_by("start").values_list("start", flat=True)
    assert [s.strftime("%H:%M") for s in starts] == ["15:00", "15:00", "14:00", "14:00"]  # UTC
    # On the calendar, the week after the change shows the session at 10:00.
    page.goto(f"{page.base}/staff/calendar/?date=2027-03-16")
    session = page.get_by_test_id("session").filter(has_text="Dana Weekly")
    assert "10:00 Dana Weekly" in session.inner_text()
    shot(page, "2-calendar-after-dst")


def test_the_front_desk_books_a_caller_in_well_under_a_minute(open_page, clinic, shot):
    receptionist = staff_user(clinic["practice"], StaffRole.RECEPTIONIST)
    page = open_page()
    sign_in(page, receptionist)
    started = clock.monotonic()
    page.get_by_role("link", name="Front desk").first.click()
    page.get_by_role("link", name="New client on the phone").click()
    page.get_by_label("First name").fill("Casey")
    page.get_by_label("Last name").fill("Caller")
    page.get_by_label("Email").fill("casey.caller@example.org")
    page.get_by_label("Phone").fill("+1 202 555 0177")
    page.get_by_label("Time zone").fill("America/Chicago")
    page.get_by_role("button", name="Continue to booking").click()
    page.get_by_label("Session type", exact=True).first.select_option(
        label=clinic["session_type"].name
    )
    page.get_by_role("button", name="Show free times").click()
    page.get_by_test_id("free-times").locator("button.slot").first.click()
    page.wait_for_url(re.compile(r"/staff/clients/[0-9a-f-]+/$"))
    elapsed = clock.monotonic() - started
    assert page.get_by_text("Booked. The client gets a confirmation by email.").is_visible()
    booked = Appointment.objects.get(client__email="casey.caller@example.org")
    assert booked.status == "confirmed"
    assert elapsed < 60, elapsed
    shot(page, "booked")


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET, PHONE], ids=["desktop", "tablet", "phone"])
def test_every_staff_page_renders_accessibly(open_page, clinic, shot, viewport):
    """A tour of the staff pages at desktop and tablet width, with screenshots."""
    practice = clinic["practice"]
    alex = clinic["therapists"][0]
    owner = staff_user(practice, StaffRole.OWNER)
    patient = ClientFactory(practice=practice, first_name="Robin", last_name="Tour")
    from booking.scheduling.services import appointment_book

    now = timezone.now()
    monday = now.astimezone(alex.zone).date() - timedelta(days=now.astimezone(alex.zone).weekday())
    for offset, hour in ((0, 9), (1, 11), (2, 14), (3, 10), (4, 16), (7, 9)):
        local = datetime.combine(monday + timedelta(days=offset), datetime.min.time()).replace(
            hour=hour, tzinfo=alex.zone
        )
        appointment_book(
            therapist=alex,
            session_type=clinic["session_type"],
            client=patient,
            start=local,
            enforce_availability=False,
        )
    appointment = Appointment.objects.order_by("start").last()
    page = open_page(viewport=viewport)
    sign_in(page, owner)
    pages = {
        "today": "/staff/",
        "calendar": f"/staff/calendar/?therapist={alex.pk}",
        "front-desk": "/staff/desk/",
        "front-desk-week": "/staff/desk/?view=week",
        "availability": f"/staff/availability/?therapist={alex.pk}",
        "session": f"/staff/appointments/{appointment.public_id}/",
        "client": f"/staff/clients/{patient.public_id}/",
        "book-for-client": f"/staff/clients/{patient.public_id}/book/"
        f"?find_type={clinic['session_type'].pk}",
        "series-new": f"/staff/clients/{patient.public_id}/series/new/",
        "intake-queue": "/staff/intake/",
        "audit-log": "/staff/audit/",
        "clients": "/staff/clients/",
        "client-new": "/staff/clients/new/",
        "client-edit": f"/staff/clients/{patient.public_id}/edit/",
        "team": "/staff/team/",
        "settings": "/staff/settings/",
        "api-tokens": "/staff/api-tokens/",
        "share": "/staff/share/",
        "password": "/staff/password/",
        "two-factor": "/staff/two-factor/",
    }
    too_wide = {}
    for name, path in pages.items():
        response = page.goto(page.base + path)
        assert response.status == 200, (name, response.status)
        assert_accessible(page)
        shot(page, name)
        # Wide tables scroll inside their region; the page itself never scrolls sideways.
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            too_wide[name] = page.evaluate(
                """(w) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > w
                        && (!e.closest('.table-wrap') || e.matches('.table-wrap')))
                .slice(0, 4).map(e => e.tagName + '.' + e.className + '#' + e.id + ' '
                        + Math.round(e.getBoundingClientRect().right))""",
                viewport["width"],
            )
    assert too_wide == {}, repr(too_wide)
