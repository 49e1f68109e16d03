"""The client's "Join video session" in a real browser (issue 20), at 375 and 1280 px, with axe.

Eleven minutes before the start the manage page says when Join will appear; ten
minutes before, the button is there and opens the provider's room (the Jitsi
server is stood in for by a routed page: nothing leaves the machine).
"""

from datetime import UTC, datetime, time, timedelta

import pytest

from booking import video
from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_book
from practice.models import Modality, VideoProvider
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.factories import ClientFactory


@pytest.fixture
def video_session(clinic):
    practice, session_type = clinic["practice"], clinic["session_type"]
    practice.video_provider = VideoProvider.JITSI
    practice.save()
    session_type.modality = Modality.TELEHEALTH
    session_type.save()
    therapist = clinic["therapists"][0]
    therapist.licence_jurisdictions = "US-NY"
    therapist.save()
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(15), tzinfo=UTC)  # 10:00 or 11:00 in New York
    return appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=ClientFactory(practice=practice, first_name="Robin"),
        start=start,
        client_region="US-NY",
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_join_appears_ten_minutes_before_and_opens_the_room(
    open_page, video_session, time_machine, shot, viewport
):
    link = video.video_link(video_session)
    assert link.startswith("https://meet.example/")
    time_machine.move_to(video_session.start - timedelta(minutes=11), tick=True)
    page = open_page(viewport=viewport)
    rooms = []

    def room(route):
        rooms.append(route.request.url)
        route.fulfill(
            status=200,
            content_type="text/html",
            body="<!doctype html><html lang='en'><title>Room</title><h1>Video room</h1></html>",
        )

    page.route("https://meet.example/**", room)
    # Booking one: the times page asks where the client will be, guessed from their zone.
    page.goto(f"{page.base}/book/times/?session_type={video_session.session_type_id}")
    assert page.get_by_label("Where will you be during the video session?").input_value() == (
        "US-NY"
    )
    assert_accessible(page)
    page.goto(f"{page.base}/book/manage/{manage_token(video_session)}/")
    later = page.get_by_test_id("join-later")
    assert later.is_visible()
    assert "America/New_York" in later.inner_text()
    assert page.get_by_test_id("join").count() == 0
    assert_accessible(page)
    shot(page, "before")

    time_machine.move_to(video_session.start - timedelta(minutes=10), tick=True)
    page.reload()
    join = page.get_by_role("link", name="Join video session")
    assert join.is_visible()
    box = join.bounding_box()
    assert box["width"] <= viewport["width"] and box["height"] >= 24  # a tappable button
    assert_accessible(page)
    shot(page, "open")
    join.click()
    page.wait_for_url(link)
    assert rooms == [link]
    assert page.get_by_role("heading", name="Video room").is_visible()


def test_a_manage_page_left_open_shows_join_when_it_opens(open_page, video_session, time_machine):
    """Trial: the page said "a button appears on this page at 11:05" and, left open, it never
    did until the reader reloaded it."""
    time_machine.move_to(video_session.start - timedelta(minutes=10, seconds=3), tick=True)
    page = open_page(viewport=PHONE)
    page.route(
        "https://meet.example/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>R</title>"),
    )
    page.goto(f"{page.base}/book/manage/{manage_token(video_session)}/")
    assert page.get_by_test_id("join-later").is_visible()
    assert page.get_by_test_id("join").count() == 0
    # Nobody touches the page: within a few seconds of opening, Join is there.
    page.get_by_role("link", name="Join video session").wait_for(state="visible", timeout=15_000)
    assert page.get_by_test_id("join-later").count() == 0
