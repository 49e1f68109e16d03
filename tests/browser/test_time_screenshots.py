"""Screenshots of times people read: the Los Angeles therapist's week, and the front desk
(New York) on the US autumn and spring change days of 2027."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from booking.scheduling.services import appointment_book
from practice.models import StaffRole
from tests.browser.test_intake_flow import sign_in, staff_user
from tests.factories import ClientFactory

NY, LA = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles")


def book(clinic, therapist, local: datetime, name: str):
    return appointment_book(
        therapist=therapist,
        session_type=clinic["session_type"],
        client=ClientFactory(practice=clinic["practice"], first_name=name, last_name="Shot"),
        start=local.astimezone(UTC),
        enforce_availability=False,
    )


def test_screenshots_of_the_la_week_and_the_desk_on_both_change_days(open_page, clinic, shot):
    alex, sam = clinic["therapists"]  # New York, Los Angeles
    book(clinic, sam, datetime(2027, 11, 5, 10, tzinfo=LA), "Lena")
    book(clinic, sam, datetime(2027, 11, 6, 22, 30, tzinfo=LA), "Late")  # crosses NY midnight
    book(clinic, alex, datetime(2027, 11, 7, 1, 30, tzinfo=NY), "First")  # 01:30 EDT
    book(clinic, alex, datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=NY), "Second")  # 01:30 EST
    book(clinic, sam, datetime(2027, 11, 7, 9, tzinfo=LA), "Sunday")
    book(clinic, alex, datetime(2027, 3, 14, 1, 30, tzinfo=NY), "Spring")  # ends 03:20 EDT
    book(clinic, sam, datetime(2027, 3, 14, 10, tzinfo=LA), "Pacific")

    therapist = open_page()
    sign_in(therapist, staff_user(clinic["practice"], StaffRole.THERAPIST, therapist=sam))
    therapist.goto(f"{therapist.base}/staff/calendar/?date=2027-11-05")
    week = therapist.get_by_test_id("calendar").inner_text()
    assert "10:00 Lena Shot" in week
    assert "America/Los_Angeles" in therapist.content()
    shot(therapist, "la-therapist-week-2027-11-01")

    desk = open_page()
    sign_in(desk, staff_user(clinic["practice"], StaffRole.RECEPTIONIST))
    desk.goto(f"{desk.base}/staff/desk/?date=2027-11-07")
    text = desk.get_by_test_id("calendar").inner_text()
    assert "01:30 EDT First Shot" in text and "01:30 EST Second Shot" in text
    assert "12:00 Sunday Shot" in text and "09:00 America/Los_Angeles" in text
    hours = [h.split() for h in desk.locator(".cal-hour").all_inner_texts()]
    assert ["01:00", "EDT"] in hours and ["01:00", "EST"] in hours  # the hour, twice
    shot(desk, "front-desk-2027-11-07")
    desk.goto(f"{desk.base}/staff/desk/?date=2027-03-14")
    text = desk.get_by_test_id("calendar").inner_text()
    assert "01:30 Spring Shot" in text and "13:00 Pacific Shot" in text
    hours = [h.strip() for h in desk.locator(".cal-hour").all_inner_texts()]
    assert "01:00" in hours and "03:00" in hours and "02:00" not in hours  # no such hour
    shot(desk, "front-desk-2027-03-14")
