"""Every page a client or their intake link opens, at phone and desktop width:
axe finds no serious or critical violation, and a screenshot is kept
under test-results/screenshots/."""

import re

from django.core import mail

from tests.browser.conftest import assert_accessible
from tests.browser.test_booking_pages import choose, confirm_by_email, fill_details, slot_after
from tests.browser.test_client_journey import VIEWPORTS
from tests.browser.test_intake_flow import set_up_intake


@VIEWPORTS
def test_every_client_and_intake_page_passes_axe(open_page, clinic, shot, viewport):
    set_up_intake(clinic["practice"])
    page = open_page(viewport=viewport)
    seen = []

    def check(name):
        assert_accessible(page)
        # Nothing pushes the page sideways at 375 px.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        shot(page, f"{len(seen):02d}-{name}")
        seen.append(name)

    page.goto(page.base + "/book/")
    check("landing")
    choose(page, clinic)
    check("times")
    slot_after(page, 2).click()
    page.wait_for_url(re.compile(r"/book/details/"))
    check("details")
    fill_details(page)
    page.get_by_role("button", name="Book this session").click()
    page.wait_for_url(re.compile(r"/book/manage/.*booked=1"))
    check("check-your-email")
    request_email = next(m for m in mail.outbox if m.subject.startswith("Please confirm"))
    page.goto(
        page.base + re.search(r"https?://[^/]+(/book/confirm/\S+/)", request_email.body).group(1)
    )
    check("confirm-email")
    confirm_by_email(page)
    check("booked")
    manage = page.url.split("?")[0]

    page.get_by_role("link", name="Cancel this session").click()
    check("cancel-confirm")
    page.goto(manage)
    page.get_by_role("link", name="Move to another time").click()
    page.wait_for_url(re.compile(r"reschedule="))
    check("move-times")
    slot_after(page, 3).click()
    page.wait_for_url(re.compile(r"/reschedule/\?.*start="))
    check("move-confirm")

    invite = next(m for m in mail.outbox if "/intake/" in m.body)
    link = re.search(r"https?://\S+(/intake/[^/\s]+/)", invite.body).group(1)
    for step in ("", "about/", "questions/", "wellbeing/", "consent/"):
        page.goto(page.base + link + step)
        check("intake-" + (step.strip("/") or "start"))
    page.goto(page.base + link + "questions/")
    page.get_by_role("button", name="Save and continue").click()  # nothing answered
    check("intake-questions-errors")

    for path, name in [
        ("/book/manage/abc/", "manage-link-incomplete"),
        ("/intake/abc/", "intake-link-incomplete"),
        ("/book/nowhere/", "not-found"),
    ]:
        page.goto(page.base + path)
        check(name)
    assert len(seen) == 18
