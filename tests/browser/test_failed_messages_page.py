"""The front desk's "Messages that did not go out" on Today, at 1280 and 375 px, with axe:
a refused email reads "could not", a text whose send never finished "may not have"."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from booking.models import Channel, Notification, NotificationKind, NotificationState
from booking.notify.dispatch import notifications_claim_due
from booking.scheduling.services import appointment_book
from practice.models import StaffRole
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.browser.test_intake_flow import sign_in, staff_user
from tests.factories import ClientFactory

S = NotificationState
COULD_NOT = "We could not email Robin's confirmation — call them"
MAY_NOT = "We may not have texted Robin's reminder — call them"


def failed_messages(clinic):
    """Robin's confirmation refused for good; a reminder text whose worker died mid-send."""
    now = timezone.now()
    therapist = clinic["therapists"][0]
    local = (now + timedelta(days=4)).astimezone(ZoneInfo("America/New_York"))
    robin = ClientFactory(
        practice=clinic["practice"],
        first_name="Robin",
        last_name="Example",
        phone="+12025550143",
        sms_consent_at=now,
    )
    appointment = appointment_book(
        therapist=therapist,
        session_type=clinic["session_type"],
        client=robin,
        start=local.replace(hour=10, minute=0, second=0, microsecond=0),
    )
    appointment.notifications.filter(kind=NotificationKind.CONFIRMATION).update(
        state=S.FAILED, last_error="SMTPRecipientsRefused (550)"
    )
    text = appointment.notifications.get(channel=Channel.SMS, state=S.SCHEDULED)
    Notification.objects.filter(pk=text.pk).update(
        state=S.SENDING, claimed_at=now, send_started_at=now, attempts=1
    )
    later = now + timedelta(seconds=settings.NOTIFICATION_STUCK_AFTER_SECONDS + 1)
    notifications_claim_due(now=later)  # the scanner: uncertain, so failed, not repeated


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_today_lists_failed_messages_in_words_the_desk_can_act_on(
    open_page, clinic, shot, viewport
):
    failed_messages(clinic)
    receptionist = staff_user(clinic["practice"], StaffRole.RECEPTIONIST)
    page = open_page(viewport=viewport)
    sign_in(page, receptionist)
    section = page.get_by_test_id("failed-messages")
    assert section.get_by_role("heading", name="Messages that did not go out").is_visible()
    assert section.get_by_text(COULD_NOT).is_visible()
    assert section.get_by_text(MAY_NOT).is_visible()
    assert "We could not text" not in section.inner_text()
    assert section.get_by_role("button", name="Resend").count() == 2
    # Nothing wider than the screen: the phone's 375 px included.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(page)
    shot(page, "failed-messages")

    section.get_by_role("listitem").filter(has_text=COULD_NOT).get_by_role(
        "button", name="Resend"
    ).click()
    page.wait_for_url(f"{page.base}/staff/")
    assert page.get_by_text("Sending Robin's confirmation again.").is_visible()
    assert page.get_by_text(COULD_NOT).count() == 0
    assert page.get_by_text(MAY_NOT).is_visible()
    assert_accessible(page)
