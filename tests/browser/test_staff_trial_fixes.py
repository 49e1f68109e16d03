"""What the front desk reads about a Los Angeles therapist at a New York practice, in
a real browser: the session page names its zones, a picked free time fills the move
form, a whole day off reads "all day (Los Angeles)"."""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from booking.models import TimeOff
from booking.scheduling.services import Actor, appointment_book, appointment_cancel
from practice.models import StaffRole
from tests.browser.conftest import assert_accessible
from tests.browser.test_intake_flow import sign_in, staff_user
from tests.factories import ClientFactory

LA, NY = ZoneInfo("America/Los_Angeles"), ZoneInfo("America/New_York")


def test_the_desk_reads_an_la_session_with_its_zones_and_moves_it_by_a_pick(
    open_page, clinic, shot
):
    sam = clinic["therapists"][1]  # America/Los_Angeles
    practice = clinic["practice"]
    day = (timezone.now().astimezone(LA) + timedelta(days=3)).date()
    start = datetime.combine(day, time(11), tzinfo=LA)
    booked = appointment_book(
        therapist=sam,
        session_type=clinic["session_type"],
        client=ClientFactory(practice=practice),
        start=start.astimezone(UTC),
    )
    page = open_page()
    sign_in(page, staff_user(practice, StaffRole.RECEPTIONIST))
    page.goto(f"{page.base}/staff/appointments/{booked.public_id}/")
    heading = page.get_by_role("heading", level=1).inner_text()
    la_label = start.strftime("%H:%M ") + start.tzname()
    ny = start.astimezone(NY)
    assert la_label in heading and "America/Los_Angeles" in heading
    assert f"{ny:%H:%M} America/New_York at the practice" in heading
    shot(page, "session-heading")
    assert_accessible(page)

    picked = page.locator('button.slot[name="pick"]').nth(2)
    value = datetime.fromisoformat(picked.get_attribute("value")).astimezone(LA)
    picked.click()
    page.wait_for_url(re.compile(r"pick="))
    assert page.get_by_label("Date", exact=True).input_value() == value.date().isoformat()
    assert page.get_by_label("Time", exact=True).input_value() == value.strftime("%H:%M")
    assert page.locator('button.slot[aria-pressed="true"]').get_attribute("value") == (
        value.astimezone(LA).isoformat()
    )
    shot(page, "move-picked")

    appointment_cancel(appointment=booked, actor=Actor.CLIENT)
    page.goto(f"{page.base}/staff/appointments/{booked.public_id}/")
    cancelled = page.locator("dt:has-text('Cancelled') + dd").inner_text()
    assert re.search(r"\d{2}:\d{2} P[SD]T$", cancelled), cancelled
    shot(page, "cancelled")


def test_the_desk_reads_an_la_whole_day_off_as_all_day_los_angeles(open_page, clinic, shot):
    sam = clinic["therapists"][1]
    practice = clinic["practice"]
    day = (timezone.now().astimezone(LA) + timedelta(days=2)).date()
    TimeOff.objects.create(practice=practice, therapist=sam, start_date=day, end_date=day)
    page = open_page()
    sign_in(page, staff_user(practice, StaffRole.RECEPTIONIST))
    page.goto(f"{page.base}/staff/desk/?date={day.isoformat()}")
    said = page.get_by_test_id("time-off").first.inner_text()
    assert "all day (Los Angeles)" in said and "00:00" not in said
    shot(page, "desk-all-day-la")
