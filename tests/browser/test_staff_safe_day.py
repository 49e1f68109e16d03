"""The front desk's day with actions that cannot surprise anyone, at desktop and tablet width,
with axe on every step: a request to approve and yesterday's attendance on Today, a cancel that
asks first (and may leave the client unmessaged), time off over a booked session, a session
recorded after it happened, and a new caller who shares an email with a client on file."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from booking.models import Appointment, AppointmentStatus, Notification, TimeOff
from booking.scheduling.services import appointment_book
from clients.models import Client
from practice.models import StaffRole
from tests.browser.conftest import DESKTOP, assert_accessible
from tests.browser.test_intake_flow import sign_in, staff_user
from tests.browser.test_staff_calendar import TABLET
from tests.factories import ClientFactory


def _hour(days: int, hour_utc: int) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour_utc, tzinfo=UTC)


@pytest.fixture
def day(clinic):
    practice, session_type = clinic["practice"], clinic["session_type"]
    alex = clinic["therapists"][0]
    ask = session_type.__class__.objects.create(
        practice=practice, name="Couples session", duration_minutes=50, requires_approval=True
    )
    alex.session_types.add(ask)

    def book(first, last, start, kind=session_type):
        return appointment_book(
            therapist=alex,
            session_type=kind,
            client=ClientFactory(practice=practice, first_name=first, last_name=last),
            start=start,
            enforce_availability=False,
            by_staff=start < datetime.now(UTC),
        )

    return {
        "alex": alex,
        "yesterday": book("Yara", "Pastday", _hour(-1, 15)),
        "day_before": book("Pia", "Calendarmark", _hour(-2, 17)),
        "request": book("Reza", "Asking", _hour(2, 15), kind=ask),
        "to_cancel": book("Cai", "Cancelling", _hour(3, 15)),
        "inside_off": book("Ola", "Offday", _hour(5, 15)),
    }


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["desktop", "tablet"])
def test_the_front_desks_day_asks_before_anything_surprising(
    open_page, clinic, day, shot, viewport
):
    practice = clinic["practice"]
    desk = staff_user(practice, StaffRole.RECEPTIONIST)
    page = open_page(viewport=viewport)
    sign_in(page, desk)

    # Today: the request to approve, and yesterday's session to mark.
    assert page.get_by_test_id("requests").get_by_text("Reza Asking").is_visible()
    assert page.get_by_test_id("mark-attendance").get_by_text("Yara Pastday").is_visible()
    assert_accessible(page)
    shot(page, "today")
    page.get_by_role("button", name=re.compile(r"^Attended: Yara Pastday")).click()
    page.wait_for_url(re.compile(r"/staff/$"))
    assert page.get_by_test_id("mark-attendance").get_by_text("Yara Pastday").count() == 0
    day["yesterday"].refresh_from_db()
    assert day["yesterday"].status == AppointmentStatus.ATTENDED
    # The other one from its block on the calendar: one click, and it reads "no show" after.
    before = day["day_before"]
    local = before.start.astimezone(day["alex"].zone).date().isoformat()
    page.goto(f"{page.base}/staff/calendar/?therapist={day['alex'].pk}&date={local}")
    page.get_by_role("button", name=re.compile(r"^No-show: ")).first.click()
    page.wait_for_url(re.compile(r"/staff/calendar/"))
    block = page.get_by_test_id("session").filter(has_text="no show")
    assert block.count() == 1
    # The week, Sunday included, fits the width: no sideways scrolling, tablet too.
    region = page.get_by_role("region", name="Sessions, time off and working hours")
    assert region.evaluate("r => r.scrollWidth <= r.clientWidth")
    assert_accessible(page)
    shot(page, "calendar-marked")
    before.refresh_from_db()
    assert before.status == AppointmentStatus.NO_SHOW
    page.goto(f"{page.base}/staff/")
    page.get_by_role("button", name=re.compile(r"^Approve Reza Asking")).click()
    page.wait_for_url(re.compile(r"/staff/$"))
    day["request"].refresh_from_db()
    assert day["request"].status == AppointmentStatus.CONFIRMED

    # Cancel asks first; unticking "Notify the client?" sends nothing.
    to_cancel = day["to_cancel"]
    page.goto(f"{page.base}/staff/appointments/{to_cancel.public_id}/")
    page.get_by_role("button", name="Cancel this session…").click()
    question = page.get_by_test_id("cancel-check")
    notify = question.get_by_label("Notify the client?")
    assert notify.is_checked()
    assert_accessible(page)
    shot(page, "cancel-asks")
    notify.uncheck()
    question.get_by_label("Reason (optional)").fill("Client phoned: travelling")
    mail.outbox.clear()
    question.get_by_role("button", name="Yes, cancel this session").click()
    assert page.get_by_text("The client was not sent a message.").is_visible()
    log = page.get_by_test_id("action-log")
    assert "Cancelled" in log.inner_text() and desk.username in log.inner_text()
    assert_accessible(page)
    shot(page, "cancelled-with-log")
    to_cancel.refresh_from_db()
    assert to_cancel.status == AppointmentStatus.CANCELLED
    assert not Notification.objects.filter(appointment=to_cancel, kind="cancellation").exists()
    # Undo, within its few seconds: the session is back, and the log says who undid it.
    page.get_by_test_id("undo").get_by_role("button", name="Undo").click()
    assert page.get_by_text("Undone: the session is as it was.").is_visible()
    log = page.get_by_test_id("action-log")
    assert "Undone" in log.inner_text() and desk.username in log.inner_text()
    assert_accessible(page)
    shot(page, "cancel-undone")
    to_cancel.refresh_from_db()
    assert to_cancel.status == AppointmentStatus.CONFIRMED
    # Cancelled again, for good this time.
    page.get_by_role("button", name="Cancel this session…").click()
    question = page.get_by_test_id("cancel-check")
    question.get_by_label("Notify the client?").uncheck()
    question.get_by_role("button", name="Yes, cancel this session").click()
    assert page.get_by_text("The client was not sent a message.").is_visible()
    to_cancel.refresh_from_db()
    assert to_cancel.status == AppointmentStatus.CANCELLED

    # Time off over a booked session: listed, and a choice asked for, before saving.
    alex, inside = day["alex"], day["inside_off"]
    local_day = inside.start.astimezone(alex.zone).date().isoformat()
    page.goto(f"{page.base}/staff/availability/?therapist={alex.pk}")
    page.locator("#off-start_date").fill(local_day)
    page.get_by_role("button", name="Add time off").click()
    listed = page.get_by_test_id("sessions-inside")
    assert "Ola Offday" in listed.inner_text()
    assert not TimeOff.objects.exists()
    assert_accessible(page)
    shot(page, "time-off-asks")
    listed.get_by_label("Cancel it and tell the client").check()
    page.get_by_role("button", name="Add time off").click()
    assert page.get_by_text("Saved.").is_visible()
    inside.refresh_from_db()
    assert inside.status == AppointmentStatus.CANCELLED and TimeOff.objects.count() == 1

    # A session that happened last week, recorded: warned about, nothing sent.
    caller = Client.objects.get(first_name="Cai")
    page.goto(f"{page.base}/staff/clients/{caller.public_id}/book/")
    last_week = (datetime.now(alex.zone).date() - timedelta(days=6)).isoformat()
    page.locator("#id_session_type").select_option(str(clinic["session_type"].pk))
    page.locator("#id_therapist").select_option(str(alex.pk))
    page.locator("#id_date").fill(last_week)
    page.locator("#id_time").fill("11:00")
    page.get_by_role("button", name="Check this time").click()
    assert page.get_by_test_id("past-warning").is_visible()
    assert_accessible(page)
    shot(page, "past-warning")
    page.get_by_role("button", name="Record this past session").click()
    page.wait_for_url(re.compile(rf"/staff/clients/{caller.public_id}/$"))
    recorded = Appointment.objects.get(client=caller, start__lt=datetime.now(UTC))
    assert not Notification.objects.filter(appointment=recorded).exists()

    # A new caller sharing Cai's email: asked, and a record of their own.
    page.goto(f"{page.base}/staff/clients/new/")
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Cancelling")
    page.get_by_label("Email").fill(caller.email.upper())
    page.get_by_label("Time zone").fill("America/New_York")
    page.get_by_role("button", name="Continue to booking").click()
    assert page.get_by_test_id("email-match").is_visible()
    assert_accessible(page)
    shot(page, "email-on-file")
    page.get_by_label(re.compile(r"^A different person who shares this email")).check()
    page.get_by_role("button", name="Continue to booking").click()
    page.wait_for_url(re.compile(r"/staff/clients/[0-9a-f-]+/book/"))
    dana = Client.objects.get(first_name="Dana")
    assert dana.shares_email and dana.email.lower() == caller.email.lower()


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["desktop", "tablet"])
def test_the_owner_reads_and_changes_the_settings_in_plain_words(open_page, clinic, shot, viewport):
    practice = clinic["practice"]
    owner = staff_user(practice, StaffRole.OWNER)
    page = open_page(viewport=viewport)
    sign_in(page, owner)
    page.get_by_role("link", name="Settings").click()
    notice = page.get_by_label("Booking notice: how many")
    assert notice.input_value() == "1"
    assert page.get_by_label("Booking notice: unit").input_value() == "hours"
    assert_accessible(page)
    shot(page, "settings")
    notice.fill("48")
    page.get_by_label("Text message, 3 hours before").uncheck()
    page.get_by_role("button", name="Save settings").click()
    assert page.get_by_text("Saved.").is_visible()
    # The words the emails and pages use (booking.scheduling.policy): 48 hours reads "2 days".
    assert "no later than 2 days before" in page.get_by_test_id("policy-preview").inner_text()
    assert_accessible(page)
    practice.refresh_from_db()
    assert practice.min_notice == timedelta(hours=48)
    assert {r["channel"] for r in practice.reminder_schedule} == {"email"}

    # The late-cancel fee and the sites that may frame the booking pages.
    fee = "A $60 fee applies to cancellations within 24 hours."
    page.get_by_label("Late-cancel fee (optional)").fill(fee)
    origins = page.get_by_label("Websites that may show the booking pages in a frame")
    origins.fill("https://www.example.org/booking")
    page.get_by_role("button", name="Save settings").click()
    assert page.get_by_text("is not an origin").first.is_visible()
    assert page.get_by_label("Late-cancel fee (optional)").input_value() == fee  # kept
    assert_accessible(page)
    shot(page, "settings-origin-error")
    page.get_by_label("Websites that may show the booking pages in a frame").fill(
        "https://www.example.org"
    )
    page.get_by_role("button", name="Save settings").click()
    assert page.get_by_text("Saved.").is_visible()
    assert fee in page.get_by_test_id("policy-preview").inner_text()
    practice.refresh_from_db()
    assert practice.late_cancel_fee == fee and practice.embed_origins == "https://www.example.org"

    # Session types: listed in plain words; a new one added on its own page.
    page.get_by_role("link", name="Add a session type").click()
    page.get_by_label("Name").fill("Family session")
    page.get_by_label("Length (minutes)").fill("80")
    page.get_by_label("Price").fill("140")
    page.get_by_label("Free time after (minutes)").fill("10")
    page.get_by_label("Where").select_option("telehealth")
    page.get_by_label(re.compile(r"^Needs approval")).check()
    page.get_by_label(clinic["therapists"][0].display_name).check()
    assert_accessible(page)
    shot(page, "session-type-new")
    page.get_by_role("button", name="Save session type").click()
    assert page.get_by_text("Saved “Family session”.").is_visible()
    row = page.get_by_test_id("session-types").get_by_role("row", name=re.compile("Family session"))
    assert "80 minutes" in row.inner_text() and "10 minutes after" in row.inner_text()
    assert "1 day, 4:20:00" not in page.content()

    # Rooms: added, then switched off.
    rooms = page.get_by_test_id("rooms")
    rooms.get_by_label("New room").fill("Garden room")
    rooms.get_by_role("button", name="Add room").click()
    assert page.get_by_text("Saved the room “Garden room”.").is_visible()
    page.get_by_test_id("rooms").get_by_label("In use").uncheck()
    page.get_by_test_id("rooms").get_by_role("button", name="Save Garden room").click()
    assert page.get_by_test_id("rooms").get_by_label("In use").is_checked() is False
    assert_accessible(page)
    page.get_by_role("heading", name="Session types").scroll_into_view_if_needed()
    shot(page, "settings-types-and-rooms")
