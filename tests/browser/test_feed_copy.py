"""The staff's calendar feeds page: a Copy button beside each feed link (share.js), in a
real browser, with axe; without JavaScript the links are still text to select."""

import pytest

from booking.feeds import feeds
from practice.models import StaffRole
from tests.browser.conftest import DESKTOP, assert_accessible
from tests.browser.test_intake_flow import sign_in, staff_user


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"])
def test_a_therapist_copies_their_feed_link(open_page, clinic, shot, viewport):
    alex = clinic["therapists"][0]
    user = staff_user(clinic["practice"], StaffRole.THERAPIST, therapist=alex)
    page = open_page(viewport=viewport)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base)
    sign_in(page, user)
    page.goto(page.base + "/staff/calendar-feeds/")
    urls = feeds.feed_urls(alex.feeds.get())
    page.get_by_role("button", name="Copy: Link for Google Calendar and Outlook").first.click()
    page.get_by_role("status").filter(has_text="Copied").first.wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == urls["https"]
    page.get_by_role("button", name="Copy: Link for Apple Calendar").first.click()
    assert page.evaluate("navigator.clipboard.readText()") == urls["webcal"]
    assert_accessible(page)
    shot(page, "calendar-feeds-copy")
