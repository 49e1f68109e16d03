"""The staff's "Share and embed" page and the popup snippet, in a real browser (issue 19).

The popup: a page on another origin carries the snippet the share page gives
(``data-booking-popup`` and embed.js); a click opens the booking pages in a
small window, and the client books there, with the link's source tag kept.
"""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from booking.models import Appointment
from booking.scheduling.services import appointment_confirm_hold, appointment_hold
from booking.web.embed import snippets
from practice.models import StaffRole
from tests.browser import test_embed
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.browser.test_embed import book_in
from tests.browser.test_intake_flow import sign_in, staff_user

website = test_embed.website  # the practice's own website, on another origin (a fixture)


def alex_hour(therapist, day, hours: int):
    """10:00 + ``hours`` on ``day`` in the therapist's zone (inside their 08:00-20:00)."""
    local = day.astimezone(therapist.zone).date()
    return datetime.combine(local, time(10 + hours), tzinfo=therapist.zone)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_owner_copies_a_booking_link_from_the_share_page(
    open_page, clinic, shot, viewport, settings
):
    settings.BOOKING_EMBED_ORIGINS = ["https://www.lakeside.example"]
    owner = staff_user(clinic["practice"], StaffRole.OWNER)
    alex = clinic["therapists"][0]
    tomorrow = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    for hours, tag in ((0, "attachment-article"), (2, "attachment-article"), (4, "newsletter")):
        hold = appointment_hold(
            therapist=alex,
            session_type=clinic["session_type"],
            start=alex_hour(alex, tomorrow, hours),
            source_ref=tag,
        )
        appointment_confirm_hold(
            hold=hold,
            client_details={
                "first_name": "Kim",
                "last_name": "Example",
                "email": f"kim{hours}@example.com",
                "time_zone": "UTC",
            },
        )
    page = open_page(viewport=viewport)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base)
    sign_in(page, owner)
    page.get_by_role("link", name="Share and embed").click()
    page.wait_for_url(re.compile(r"/staff/share/$"))
    assert page.get_by_role("heading", name="Share and embed", level=1).is_visible()
    assert page.get_by_text("https://www.lakeside.example").is_visible()
    counts = page.get_by_role("table")
    assert counts.get_by_role("row", name="attachment-article 2 0").is_visible()
    assert counts.get_by_role("row", name="newsletter 1 0").is_visible()
    assert_accessible(page)
    shot(page, "share")

    url = page.get_by_label("Link").first
    page.get_by_role("button", name="Copy: Link").first.click()
    page.get_by_role("status").filter(has_text="Copied").first.wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url.input_value()
    assert url.input_value() == "https://booking.example/book/"  # SITE_URL in test settings

    # Code for a website sits in a box to copy, with its own button.
    page.get_by_role("button", name=re.compile(r"Copy: The booking pages inside")).first.click()
    assert "data-booking-embed" in page.evaluate("navigator.clipboard.readText()")


def test_without_javascript_the_snippets_are_text_to_select(browser, live_server, clinic):
    owner = staff_user(clinic["practice"], StaffRole.OWNER)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.base = live_server.url
        sign_in(page, owner)
        page.goto(live_server.url + "/staff/share/")
        assert page.get_by_role("button", name=re.compile("^Copy")).count() == 0
        box = page.get_by_label("A link that opens the booking pages in a small window").first
        assert "data-booking-popup" in box.input_value()
        assert box.is_editable() is False
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_popup_link_on_another_origin_opens_the_booking_pages_and_books(
    open_page, clinic, website, shot, viewport
):
    session_type = clinic["session_type"]
    code = snippets(
        origin=website["booking"],
        path=f"/book/type/{session_type.slug}/",
        ref="popup-article",
    )["popup"]
    website["pages"]["/article"] = (
        "<!doctype html><html lang='en'><head><title>Our article</title></head><body>"
        f"<main><h1>About attachment</h1><p>Book a session here:</p>{code}</main></body></html>"
    )
    page = open_page(viewport=viewport)
    page.goto(website["origin"] + "/article")
    page.wait_for_load_state("networkidle")  # embed.js has run
    clicks = ["book a session"]
    with page.expect_popup() as opened:
        page.get_by_role("link", name="Book a session").click()
    popup = opened.value
    popup.set_default_timeout(15_000)
    # The article stays where it was; the booking pages are in their own small window.
    assert page.url == website["origin"] + "/article"
    # A small window, not a tab (COOP same-origin cuts the opener link, on purpose).
    assert popup.evaluate("[window.innerWidth, window.innerHeight]") == [480, 760]
    popup.locator("button.slot").first.wait_for()
    assert_accessible(popup)
    shot(popup, "popup-times")
    book_in(popup, popup, clicks=clicks)
    assert popup.get_by_role("heading", name="Almost done: check your email").is_visible()
    assert_accessible(popup)
    shot(popup, "popup-booked")
    assert Appointment.objects.get().source_ref == "popup-article"
    assert len(clicks) <= 6, clicks
