"""Booking links and the embed, in a real browser: a page on ANOTHER origin frames the
booking pages and a client books inside the frame (partitioned cookies, CSRF, the hold).

Also the figures for docs/performance.md: clicks from landing to "booked", page
weight and time to the first free time, printed with -s.
"""

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from booking.models import Appointment
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible

DETAILS = {
    "First name": "Robin",
    "Last name": "Example",
    "Email": "robin@example.com",
}


@pytest.fixture
def website(live_server):
    """The practice's own website: another host than the live server (cross-site)."""
    booking = urlsplit(live_server.url)
    other_host = "127.0.0.1" if booking.hostname == "localhost" else "localhost"
    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://{other_host}:{server.server_address[1]}"
    yield {"origin": origin, "pages": pages, "booking": live_server.url}
    server.shutdown()


def count_clicks(page):
    page.evaluate(
        "window.__clicks = 0; document.addEventListener('click', () => window.__clicks++, true)"
    )


def book_in(target, page, *, clicks):
    """Pick the first time, type details, book: each press counted."""
    target.locator("button.slot").first.click()
    clicks.append("time")
    target.wait_for_url(re.compile(r"/book/details/"))
    for label, value in DETAILS.items():
        target.get_by_label(label, exact=True).fill(value)
    target.get_by_label("Yes").check()
    clicks.append("first session: yes")
    target.get_by_label("You may contact me").check()
    clicks.append("consent")
    target.get_by_role("button", name="Book this session").click()
    clicks.append("book")
    target.wait_for_url(re.compile(r"/book/manage/.*booked=1"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_client_books_inside_a_frame_on_the_practices_website(
    open_page, clinic, website, settings, shot, viewport
):
    settings.BOOKING_EMBED_ORIGINS = [website["origin"]]
    session_type = clinic["session_type"]
    src = f"{website['booking']}/book/type/{session_type.slug}/?ref=embed-article"
    website["pages"]["/article"] = (
        "<!doctype html><html lang='en'><head><title>Our article</title></head><body>"
        "<main><h1>About attachment</h1><p>Book a session here:</p>"
        f'<iframe src="{src}" title="Book a session" data-booking-embed '
        'style="width:100%;border:0;min-height:300px"></iframe>'
        f'<script src="{website["booking"]}/book/embed.js"></script></main></body></html>'
    )
    page = open_page(viewport=viewport)
    page.goto(website["origin"] + "/article")
    frame = page.frame_locator("iframe[data-booking-embed]")
    inner = next(f for f in page.frames if "/book/type/" in (f.url or ""))
    inner.wait_for_load_state()
    # The browser's zone was detected (one reload inside the frame), then the times.
    frame.locator("button.slot").first.wait_for()
    inner = next(f for f in page.frames if "/book/" in (f.url or ""))
    # embed.js sized the frame to its page.
    page.wait_for_function(
        "document.querySelector('iframe[data-booking-embed]').style.height !== ''"
    )
    shot(page, "1-framed-times")
    clicks = []
    book_in(inner, page, clicks=clicks)
    assert inner.get_by_role("heading", name="Almost done: check your email").is_visible()
    # The website shows the new page's heading, not white space below it: the frame
    # shrank to the shorter page and its top was brought into view.
    page.wait_for_timeout(300)
    frame_box = page.evaluate(
        "(() => { const r = document.querySelector('iframe[data-booking-embed]')"
        ".getBoundingClientRect(); return {top: r.top, height: r.height,"
        " view: window.innerHeight}; })()"
    )
    inside = inner.evaluate(
        "(() => ({heading: document.querySelector('h1').getBoundingClientRect().top,"
        " body: document.body.getBoundingClientRect().height}))()"
    )
    assert 0 <= frame_box["top"] + inside["heading"] < frame_box["view"], (frame_box, inside)
    assert frame_box["height"] <= inside["body"] + 100, (frame_box, inside)
    shot(page, "2-framed-booked")
    booked = Appointment.objects.get()
    assert booked.source_ref == "embed-article"
    assert len(clicks) <= 6, clicks


def test_a_page_on_an_unlisted_origin_cannot_frame_the_booking_pages(
    browser, clinic, website, settings
):
    settings.BOOKING_EMBED_ORIGINS = ["https://www.somewhere-else.example"]
    website["pages"]["/article"] = (
        f'<!doctype html><html><body><iframe src="{website["booking"]}/book/"></iframe>'
        "</body></html>"
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        refused = []
        page.on(
            "console", lambda m: refused.append(m.text) if "frame-ancestors" in m.text else None
        )
        page.goto(website["origin"] + "/article")
        page.wait_for_timeout(1000)
        assert refused and "Book a session" not in page.frames[1].content()
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("kind", ["type", "therapist", "therapist-type", "landing"])
def test_each_kind_of_link_books_in_a_few_clicks(open_page, clinic, shot, viewport, kind):
    session_type, alex = clinic["session_type"], clinic["therapists"][0]
    path = {
        "type": f"/book/type/{session_type.slug}/",
        "therapist": f"/book/{alex.slug}/",
        "therapist-type": f"/book/{alex.slug}/{session_type.slug}/",
        "landing": "/book/",
    }[kind]
    page = open_page(viewport=viewport)
    weight = {"bytes": 0}
    page.on(
        "response",
        lambda r: (
            weight.__setitem__("bytes", weight["bytes"] + len(r.body() or b""))
            if r.ok and r.request.method == "GET"
            else None
        ),
    )
    started = time.perf_counter()
    page.goto(page.base + path)
    clicks = []
    if kind == "landing":
        page.get_by_role("button", name="See free times").click()
        clicks.append("see free times")
    page.locator("button.slot").first.wait_for()
    first_time = time.perf_counter() - started
    # The first free time shows without scrolling.
    box = page.locator("button.slot").first.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"], box
    shot(page, "times")
    assert_accessible(page)
    times_weight = weight["bytes"]
    # Another day: one tap in the strip.
    days = page.locator("a.day-link.has-times")
    if days.count() > 1:
        days.nth(1).click()
        clicks.append("day")
        page.wait_for_url(re.compile(r"day="))
        page.locator("button.slot").first.wait_for()
    book_in(page, page, clicks=clicks)
    assert_accessible(page)
    print(
        f"FIGURES {kind} {viewport['width']}px: clicks={len(clicks)} "
        f"times-page={times_weight / 1024:.1f}KB first-time={first_time * 1000:.0f}ms"
    )
    assert len(clicks) <= 6, clicks
