"""Browser tests: Playwright driving Debian's Chromium against a live server."""

import os
import shutil
from datetime import time, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from booking.models import WorkingHours
from tests.factories import PracticeFactory, SessionTypeFactory, TherapistFactory

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

# Playwright's sync API keeps an event loop in this thread; the ORM calls the
# tests make between page actions are still ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM), reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """New pages in fresh browser contexts; fails the test if a page broke its CSP."""
    contexts, violations = [], []

    def _open(*, viewport=DESKTOP, timezone_id="America/New_York"):
        context = browser.new_context(viewport=viewport, timezone_id=timezone_id, locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.set_default_timeout(15_000)
        page.base = live_server.url
        return page

    yield _open
    for context in contexts:
        context.close()
    assert violations == [], violations


@pytest.fixture
def shot(request):
    """Save a screenshot under test-results/screenshots/, named for the test and step."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("[", "-").replace("]", "")

    def _shot(page, step: str):
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{step}.png"), full_page=True)

    return _shot


def assert_accessible(page):
    """axe-core finds no serious or critical violation on the page as it stands."""
    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad


@pytest.fixture
def clinic(transactional_db):
    """An invented practice whose two therapists work every day, 08:00-20:00 local."""
    practice = PracticeFactory(
        name="Lakeside Therapy", min_notice=timedelta(hours=1), booking_horizon=timedelta(days=30)
    )
    session_type = SessionTypeFactory(
        practice=practice, name="Individual session", duration_minutes=50, slot_step_minutes=60
    )
    therapists = [
        TherapistFactory(
            practice=practice,
            offers=[session_type],
            display_name=name,
            time_zone=zone,
            weekday_hours=False,
        )
        for name, zone in (
            ("Alex Morgan", "America/New_York"),
            ("Sam Rivera", "America/Los_Angeles"),
        )
    ]
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=t, weekday=day, start_time=time(8), end_time=time(20))
        for t in therapists
        for day in range(7)
    )
    return {"practice": practice, "session_type": session_type, "therapists": therapists}
