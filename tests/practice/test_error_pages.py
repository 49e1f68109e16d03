"""Error answers as production gives them: the practice's own page, or JSON under /api/."""

import pytest
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle

from booking.models import HOLD_DURATION
from tests.booking.test_pages import TUESDAY_10


def assert_branded(response, status: int, *phrases: str):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "Lakeside Therapy" in text, text
    assert 'href="/book/"' in text
    for phrase in phrases:
        assert phrase in text, text


@pytest.fixture
def lakeside(practice):
    practice.name = "Lakeside Therapy"
    practice.save()
    return practice


def test_an_unknown_page_is_the_practices_404(client, lakeside):
    assert_branded(client.get("/book/no-such-page/"), 404, "could not find")


def test_a_truncated_manage_link_says_it_is_incomplete_and_how_to_get_a_new_one(client, lakeside):
    response = client.get("/book/manage/abc123/")
    assert_branded(response, 404, "incomplete or has expired", "new link")


def test_a_truncated_intake_link_says_it_is_incomplete_and_how_to_get_a_new_one(client, lakeside):
    response = client.get("/intake/abc123/")
    assert_branded(response, 404, "incomplete or has expired", "new one")


@pytest.mark.parametrize(
    "path",
    [
        "/book/manage/abc123/",
        "/book/manage/abc123/cancel/",
        "/book/manage/abc123/reschedule/",
        "/book/manage/abc123/session.ics",
        "/book/manage/",
        "/book/manage/abc123/something-added/",
        "/book/confirm/",
        "/intake/abc123/",
        "/intake/abc123/about/",
        "/intake/",
        "/intake/abc123/about/something-added/",
    ],
)
def test_a_garbled_link_is_the_practices_page_even_in_the_demo(client, lakeside, settings, path):
    # DEBUG on (the demo): a raised Http404 would show Django's technical page.
    settings.DEBUG = True
    response = client.get(path)
    assert_branded(response, 404, "incomplete or has expired", "new")
    text = response.content.decode()
    assert "URLconf" not in text and "Django" not in text


def test_a_link_missing_its_last_slash_still_gets_it_first(client, lakeside):
    response = client.get("/book/manage/abc123")
    assert response.status_code == 301 and response["Location"] == "/book/manage/abc123/"


def test_an_unreadable_details_link_is_the_practices_page_even_in_the_demo(
    client, lakeside, settings
):
    settings.DEBUG = True
    response = client.get("/book/details/abc123/")
    assert_branded(response, 404, "no longer holding this time", "pick a time again")
    assert "Django" not in response.content.decode()


def test_an_expired_form_is_the_practices_403(lakeside):
    http = Client(enforce_csrf_checks=True)
    response = http.post("/book/hold/", {"session_type": "1"})
    assert_branded(response, 403, "reload the page")


def test_a_crash_is_the_practices_500(lakeside, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("booking.web.pages.session_type_list_bookable", broken)
    http = Client(raise_request_exception=False)
    response = http.get("/book/")
    assert_branded(response, 500, "went wrong on our side")
    assert "boom" not in response.content.decode()


def test_a_bad_value_is_the_practices_400(client, lakeside, session_type):
    query = {"session_type": session_type.pk, "start": "2024-02-30"}
    assert_branded(client.get("/book/times/", query), 400)


def test_too_many_requests_is_the_practices_429(client, lakeside, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"manage": "1/minute"})
    client.get("/book/manage/abc/")
    assert_branded(client.get("/book/manage/abc/"), 429, "try again")


def test_api_errors_stay_json(client, lakeside):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_a_lapsed_hold_page_still_reads_as_the_practice(
    client, lakeside, therapist, now, time_machine
):
    from booking.scheduling.services import appointment_hold, holds_release_expired
    from booking.tokens import manage_token_for

    hold = appointment_hold(
        therapist=therapist, session_type=therapist.session_types.get(), start=TUESDAY_10
    )
    time_machine.move_to(now + HOLD_DURATION * 2, tick=False)
    holds_release_expired()
    response = client.get(f"/book/details/{manage_token_for(hold.public_id)}/")
    assert_branded(response, 404, "no longer holding this time")
