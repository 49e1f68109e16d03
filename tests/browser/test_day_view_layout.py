"""The staff day views as drawn: the repeated autumn hour on its own rows, and the front
desk on a phone and a desktop covering every therapist's hours with nothing cut off."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from booking.models import WorkingHours
from booking.scheduling.services import appointment_book
from practice.models import StaffRole
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.browser.test_intake_flow import sign_in, staff_user
from tests.factories import ClientFactory, TherapistFactory

NY, LA = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles")


def book(clinic, therapist, local: datetime, name: str):
    return appointment_book(
        therapist=therapist,
        session_type=clinic["session_type"],
        client=ClientFactory(practice=clinic["practice"], first_name=name, last_name="Layout"),
        start=local.astimezone(UTC),
        enforce_availability=False,
    )


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def assert_beside(page, session_name: str, hour_label: str):
    """The session's block starts within its labelled hour's row band, right of the label."""
    block = page.get_by_test_id("session").filter(has_text=session_name).bounding_box()
    label = page.locator(".cal-hour").filter(has_text=hour_label)
    assert label.count() == 1, hour_label
    box = label.bounding_box()
    assert box["y"] <= block["y"] < box["y"] + box["height"], (session_name, block, box)
    assert block["x"] >= box["x"] + box["width"] - 1
    return block


@pytest.mark.parametrize("view", ["desk", "therapist-day"])
def test_the_two_0130s_of_the_repeated_hour_are_drawn_apart(open_page, clinic, shot, view):
    alex = clinic["therapists"][0]  # New York
    book(clinic, alex, datetime(2027, 11, 7, 1, 30, tzinfo=NY), "First")  # 01:30 EDT
    book(clinic, alex, datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=NY), "Second")  # 01:30 EST
    page = open_page()
    if view == "desk":
        sign_in(page, staff_user(clinic["practice"], StaffRole.RECEPTIONIST))
        page.goto(f"{page.base}/staff/desk/?date=2027-11-07&therapist={alex.pk}")
    else:
        sign_in(page, staff_user(clinic["practice"], StaffRole.THERAPIST, therapist=alex))
        page.goto(f"{page.base}/staff/calendar/?date=2027-11-07&view=day")
    first = assert_beside(page, "First Layout", "01:00 EDT")
    second = assert_beside(page, "Second Layout", "01:00 EST")
    assert not overlaps(first, second), (first, second)
    assert second["y"] > first["y"]
    text = page.get_by_test_id("calendar").inner_text()
    assert "01:30 EDT First Layout" in text and "01:30 EST Second Layout" in text
    shot(page, "2027-11-07")


@pytest.fixture
def busy_desk(clinic):
    """Five therapists; Sam (Los Angeles) works 09:00-17:00 LA = 12:00-20:00 New York."""
    alex, sam = clinic["therapists"]
    day = date(2027, 1, 13)  # a Wednesday
    WorkingHours.objects.filter(therapist=sam).delete()
    WorkingHours.objects.create(
        therapist=sam, weekday=day.weekday(), start_time=time(9), end_time=time(17)
    )
    WorkingHours.objects.filter(therapist=alex).update(start_time=time(9), end_time=time(17))
    for name in ("Dana Ito", "Kim Osei", "Zoe Zed"):
        TherapistFactory(
            practice=clinic["practice"], offers=[clinic["session_type"]], display_name=name
        )
    book(clinic, sam, datetime.combine(day, time(16), LA), "Evening")  # 19:00 in New York
    return day


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_the_desk_day_shows_every_column_and_every_hour(
    open_page, clinic, shot, busy_desk, viewport
):
    page = open_page(viewport=viewport)
    sign_in(page, staff_user(clinic["practice"], StaffRole.RECEPTIONIST))
    page.goto(f"{page.base}/staff/desk/?date={busy_desk}")
    calendar = page.get_by_test_id("calendar")
    # The grid reaches 20:00 New York: its last hour row is 19:00, Sam's hours end there.
    hours = page.locator(".cal-hour").all_inner_texts()
    assert hours[-1].strip() == "19:00", hours
    assert "19:00 Evening Layout (16:00 America/Los_Angeles)" in calendar.inner_text()
    # The page itself never scrolls sideways; the calendar region does, and says what it is.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    region = page.get_by_role("region", name="Everyone's sessions today")
    assert region.get_attribute("tabindex") == "0"
    region.focus()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    # Scrolled to its end, the last column is wholly on screen: nothing is cut off.
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    width = viewport["width"]
    headers = page.locator(".cal-head")
    last = headers.nth(headers.count() - 1)
    assert "Zoe Zed" in last.inner_text()
    box = last.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    scroller = region.bounding_box()
    assert box["x"] + box["width"] <= scroller["x"] + scroller["width"] + 1, (box, scroller)
    region.evaluate("el => { el.scrollLeft = 0; }")
    assert_accessible(page)
    shot(page, f"front-desk-{width}")
