"""A client books, moves and cancels a session in a real browser; two clients race."""

import re
from datetime import datetime

import icalendar
import pytest
from django.core import mail

from booking.models import Appointment, AppointmentStatus
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible


def choose(page, clinic, therapist=None):
    page.goto(page.base + "/book/")
    page.get_by_label(clinic["session_type"].name).check()
    page.get_by_role(
        "radio", name=therapist.display_name if therapist else "Any available therapist"
    ).check()
    page.get_by_role("button", name="See free times").click()
    page.wait_for_url(re.compile(r"/book/times/.*tz="))


def first_slot(page):
    return page.locator("button.slot").first


def slot_after(page, days: int):
    """The first offered time at least ``days`` away (outside the late-cancel window),
    going through the week strip's days (one day's times are shown at a time)."""
    from datetime import UTC, timedelta

    limit = datetime.now(UTC) + timedelta(days=days)
    for _ in range(14):
        for button in page.locator("button.slot").all():
            if datetime.fromisoformat(button.get_attribute("value")) >= limit:
                return button
        following = page.locator(
            "a.day-link[aria-current] ~ a, li:has(a[aria-current]) ~ li a.has-times"
        )
        if not following.count():
            page.get_by_role("link", name="Later days").first.click()
        else:
            following.first.click()
        page.wait_for_load_state()
    raise AssertionError(f"no time offered {days} days ahead")


def fill_details(page, **overrides):
    values = {
        "First name": "Robin",
        "Last name": "Example",
        "Email": "robin@example.com",
        "Mobile phone (optional)": "+44 7911 123456",
    } | overrides
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Yes").check()
    page.get_by_label("Send me text-message reminders").check()
    page.get_by_label("You may contact me").check()


def confirm_by_email(page, address="robin@example.com"):
    """Open the link in the "please confirm" email and press the button, as the client would."""
    (request_email,) = [
        m for m in mail.outbox if address in m.to and m.subject.startswith("Please confirm")
    ]
    page.goto(
        page.base + re.search(r"https?://[^/]+(/book/confirm/\S+/)", request_email.body).group(1)
    )
    page.get_by_role("button", name="Confirm my booking").click()
    page.wait_for_url(re.compile(r"/book/manage/.*booked=1"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_new_client_books_moves_and_cancels(open_page, clinic, shot, viewport):
    page = open_page(viewport=viewport, timezone_id="Europe/London")
    choose(page, clinic)
    shot(page, "1-times")
    assert page.get_by_label("Times are shown in").input_value() == "Europe/London"
    assert_accessible(page)

    slot = slot_after(page, 2)
    chosen = slot.get_attribute("value")
    slot.click()
    page.wait_for_url(re.compile(r"/book/details/"))
    assert_accessible(page)

    # A mistake: everything typed stays, the error sits next to its field.
    fill_details(page, **{"Mobile phone (optional)": "12"})
    page.get_by_role("button", name="Book this session").click()
    error = page.locator("#id_phone-error")
    assert "phone number we can reach" in error.inner_text()
    assert page.get_by_label("First name", exact=True).input_value() == "Robin"
    assert page.get_by_label("Email", exact=True).input_value() == "robin@example.com"
    shot(page, "2-details-error")
    assert_accessible(page)

    page.get_by_label("Mobile phone (optional)", exact=True).fill("+44 7911 123456")
    page.get_by_label("You may contact me").check()
    page.get_by_role("button", name="Book this session").click()
    page.wait_for_url(re.compile(r"/book/manage/.*booked=1"))
    assert page.get_by_role("heading", name="Almost done: check your email").is_visible()
    shot(page, "3-check-your-email")
    assert_accessible(page)

    # The address is proven by the link sent to it, then one button.
    (request_email,) = mail.outbox
    assert request_email.subject.startswith("Please confirm your booking request")
    page.goto(
        page.base + re.search(r"https?://[^/]+(/book/confirm/\S+/)", request_email.body).group(1)
    )
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my booking").click()
    page.wait_for_url(re.compile(r"/book/manage/.*booked=1"))
    assert page.get_by_role("heading", name="You are booked").is_visible()
    shot(page, "3-confirmation")
    assert_accessible(page)

    appointment = Appointment.objects.get(status=AppointmentStatus.CONFIRMED)
    assert appointment.start == datetime.fromisoformat(chosen)
    (email,) = mail.outbox[1:]
    calendar = icalendar.Calendar.from_ical(email.attachments[0][1])
    assert calendar["METHOD"] == "REQUEST"
    manage_url = re.search(r"https?://\S+/book/manage/\S+/", email.body).group(0)
    assert "/book/manage/" in page.url and manage_url.split("/book/")[1] in page.url

    # Back through the link from the email: move it to another time.
    page.get_by_role("link", name="Move to another time").click()
    page.wait_for_url(re.compile(r"reschedule="))
    later = slot_after(page, 3)
    new_start = later.get_attribute("value")
    later.click()
    page.get_by_role("button", name="Yes, move my session").click()
    page.wait_for_url(re.compile(r"moved=1"))
    assert page.get_by_role("heading", name="Your session has moved").is_visible()
    appointment.refresh_from_db()
    assert (appointment.start, appointment.sequence) == (datetime.fromisoformat(new_start), 2)
    shot(page, "4-moved")

    page.get_by_role("link", name="Cancel this session").click()
    assert_accessible(page)
    page.get_by_label("Would you like to tell us why? (optional)").fill("Feeling better")
    page.get_by_role("button", name="Yes, cancel this session").click()
    page.wait_for_url(re.compile(r"cancelled=1"))
    assert page.get_by_role("heading", name="Your session is cancelled").is_visible()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert [m.subject.split(" ")[-1] for m in mail.outbox][-1] == "cancelled"
    shot(page, "5-cancelled")


def test_two_clients_pick_the_same_time_and_one_is_told_kindly(open_page, clinic, shot):
    alex = clinic["therapists"][0]
    first, second = open_page(), open_page()
    for page in (first, second):
        choose(page, clinic, therapist=alex)
    contested = first_slot(first).get_attribute("value")
    assert first_slot(second).get_attribute("value") == contested

    first_slot(first).click()
    first.wait_for_url(re.compile(r"/book/details/"))
    first_slot(second).click()  # the second page still shows the time
    second.wait_for_url(re.compile(r"taken=1"))
    assert "that time was just taken" in second.get_by_role("alert").inner_text()
    assert contested not in [b.get_attribute("value") for b in second.locator("button.slot").all()]
    shot(second, "taken")

    fill_details(first)
    first.get_by_role("button", name="Book this session").click()
    first.wait_for_url(re.compile(r"booked=1"))
    assert Appointment.objects.filter(status=AppointmentStatus.PENDING).count() == 1


def test_a_client_elsewhere_sees_the_same_instants_in_their_own_time(open_page, clinic):
    alex = clinic["therapists"][0]
    new_york, tokyo = open_page(timezone_id="America/New_York"), open_page(timezone_id="Asia/Tokyo")
    for page in (new_york, tokyo):
        choose(page, clinic, therapist=alex)
    assert tokyo.get_by_label("Times are shown in").input_value() == "Asia/Tokyo"
    here = {b.get_attribute("value"): b.inner_text() for b in new_york.locator("button.slot").all()}
    there = {b.get_attribute("value"): b.inner_text() for b in tokyo.locator("button.slot").all()}
    shared = sorted(set(here) & set(there))
    assert shared
    for instant in shared:
        start = datetime.fromisoformat(instant)
        # Worked out independently of the page: the offset between the two zones.
        from zoneinfo import ZoneInfo

        # The browsers say en-US: a 12-hour clock ("2:00 PM").
        def twelve(zone, at=start):
            return at.astimezone(ZoneInfo(zone)).strftime("%I:%M %p").lstrip("0")

        assert here[instant] == twelve("America/New_York")
        assert there[instant] == twelve("Asia/Tokyo")
    assert "America/New_York" in tokyo.content()  # the therapist's own zone is named


TABLET = {"width": 820, "height": 1180}
# Each time button's label: on how many lines its text lies (distinct line tops), and
# whether it stays inside the button.
LABEL_LINES = """buttons => buttons.map(button => {
  const text = document.createTreeWalker(button, NodeFilter.SHOW_TEXT).nextNode();
  const range = document.createRange();
  range.selectNodeContents(text);
  const rects = [...range.getClientRects()].filter(r => r.width > 0);
  const box = button.getBoundingClientRect();
  return {
    text: text.textContent.trim(),
    lines: new Set(rects.map(r => Math.round(r.top))).size,
    inside: rects.every(r => r.left >= box.left && r.right <= box.right),
  };
})"""


@pytest.mark.parametrize("viewport", [PHONE, TABLET, DESKTOP], ids=["375", "820", "1280"])
def test_each_time_stays_on_one_line_in_its_button(open_page, clinic, viewport):
    session_type = clinic["session_type"]
    session_type.slot_step_minutes = 30  # half hours too: "12:30 PM", the widest label
    session_type.save()
    page = open_page(viewport=viewport, timezone_id="America/Los_Angeles")
    choose(page, clinic, therapist=clinic["therapists"][0])
    page.locator("a.day-link.has-times").nth(1).click()  # a whole day: morning to evening
    page.wait_for_load_state()
    labels = page.locator("button.slot").evaluate_all(LABEL_LINES)
    assert {"10:00 AM", "12:30 PM"} <= {label["text"] for label in labels}
    assert [label for label in labels if label["lines"] != 1 or not label["inside"]] == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_long_unknown_zone_keeps_the_page_inside_a_phone(open_page, clinic):
    """Trial: a 3,000-character ?tz= was quoted in the notice and pushed the page 822 px
    wide at 375."""
    session_type = clinic["session_type"]
    page = open_page(viewport=PHONE)
    page.goto(f"{page.base}/book/times/?session_type={session_type.pk}&tz={'A' * 3000}")
    notice = page.get_by_test_id("zone-unknown")
    assert "is not a time zone we know" in notice.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = notice.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_later_days_and_back_return_to_where_the_client_was(open_page, clinic):
    page = open_page()
    choose(page, clinic)
    first_week = page.url
    page.get_by_role("link", name="Later days →").click()
    page.wait_for_url(re.compile(r"start="))
    page.locator("button.slot").first.wait_for()
    assert page.url != first_week
    page.go_back()
    page.wait_for_url(first_week)


def test_booking_works_with_the_keyboard_alone(open_page, clinic):
    page = open_page()
    page.goto(page.base + "/book/")

    def tab_to(predicate_js, limit=400):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
                return
        raise AssertionError(f"never reached {predicate_js}")

    tab_to("el.type === 'submit' && el.textContent.includes('See free times')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/book/times/.*tz="))
    tab_to("el.classList.contains('slot')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/book/details/"))
    for label, value in [
        ("First name", "Kim"),
        ("Last name", "Keyboard"),
        ("Email", "kim@example.com"),  # no mobile: reminders by email only
    ]:
        tab_to(
            f"el.id === document.querySelector('label[for]', null) && false || "
            f"(el.labels && el.labels[0] && el.labels[0].textContent.trim() === '{label}')"
        )
        page.keyboard.type(value)
    tab_to("el.type === 'radio' && el.value === 'yes'")
    page.keyboard.press("Space")
    tab_to("el.type === 'checkbox'")
    page.keyboard.press("Space")
    tab_to("el.type === 'submit'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"booked=1"))
    assert Appointment.objects.get().client.email == "kim@example.com"
