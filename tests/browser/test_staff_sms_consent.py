"""The front desk records a caller's consent to text reminders, at desktop width, with axe."""

import re

from clients.models import Client
from practice.models import StaffRole
from tests.browser.conftest import DESKTOP, assert_accessible
from tests.browser.test_intake_flow import sign_in, staff_user

CONSENT = "The client agreed to text-message reminders"


def test_the_front_desk_ticks_and_later_withdraws_consent_to_texts(open_page, clinic, shot):
    receptionist = staff_user(clinic["practice"], StaffRole.RECEPTIONIST)
    page = open_page(viewport=DESKTOP)
    sign_in(page, receptionist)
    page.goto(f"{page.base}/staff/clients/new/")
    page.get_by_label("First name").fill("Tova")
    page.get_by_label("Last name").fill("Texter")
    page.get_by_label("Email").fill("tova.texter@example.org")
    page.get_by_label("Time zone").fill("America/Chicago")
    page.get_by_label(CONSENT).check()
    # Ticked without a number: the form says what to do, next to the box.
    page.get_by_role("button", name="Continue to booking").click()
    assert page.get_by_text("Text-message reminders need a mobile number").is_visible()
    assert page.get_by_label(CONSENT).is_checked()
    assert_accessible(page)
    shot(page, "consent-without-number")
    page.get_by_label("Phone").fill("+1 202 555 0177")
    page.get_by_role("button", name="Continue to booking").click()
    page.wait_for_url(re.compile(r"/staff/clients/[0-9a-f-]+/book/"))
    client = Client.objects.get(email="tova.texter@example.org")
    assert client.can_receive_sms and client.sms_consent_by == receptionist

    page.goto(f"{page.base}/staff/clients/{client.public_id}/edit/")
    box = page.get_by_label(CONSENT)
    assert box.is_checked()
    assert_accessible(page)
    shot(page, "edit-consent-recorded")
    box.uncheck()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/staff/clients/{client.public_id}/$"))
    assert page.get_by_test_id("sms-consent").inner_text() == "No: no consent to texts"
    shot(page, "consent-withdrawn")
    client.refresh_from_db()
    assert client.phone == "+12025550177" and not client.can_receive_sms
