"""Readable booking links, source tags, the day picker and framing (issue 19)."""

import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from booking.models import Appointment, AppointmentStatus
from practice.models import FormerSlug
from practice.services import slug_remember
from tests.factories import SessionTypeFactory, TherapistFactory

# conftest's "now": Monday 2 March 2026, 12:00 UTC; the therapist works
# Monday-Friday 09:00-17:00 New York time, bookable from 24 hours ahead.
FIRST_FREE = datetime(2026, 3, 3, 9, 0, tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)


@pytest.fixture
def alex(practice, session_type):
    return TherapistFactory(practice=practice, offers=[session_type], display_name="Alex Morgan")


def test_slugs_are_made_from_names_unique_per_practice(practice, session_type):
    first = TherapistFactory(practice=practice, display_name="Alex Morgan")
    second = TherapistFactory(practice=practice, display_name="Alex Morgan")
    elsewhere = TherapistFactory(display_name="Alex Morgan")
    assert (first.slug, second.slug, elsewhere.slug) == (
        "alex-morgan",
        "alex-morgan-2",
        "alex-morgan",
    )
    assert session_type.slug == "individual-session"


def test_a_slug_may_not_take_a_fixed_address(practice):
    from django.core.exceptions import ValidationError

    therapist = TherapistFactory(practice=practice, display_name="Times")
    assert therapist.slug == "times-1"
    therapist.slug = "manage"
    with pytest.raises(ValidationError):
        therapist.full_clean()


def test_a_type_link_shows_its_times_with_any_therapist(client, now, alex, session_type):
    page = client.get(f"/book/type/{session_type.slug}/", {"tz": "America/New_York"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "any available therapist" in text
    assert f'value="{FIRST_FREE.isoformat()}"' in text


def test_a_therapist_link_with_one_session_type_goes_straight_to_times(client, now, alex):
    page = client.get("/book/alex-morgan/", {"tz": "America/New_York"})
    text = page.content.decode()
    assert page.status_code == 200 and "with Alex Morgan" in text
    assert f'value="{FIRST_FREE.isoformat()}"' in text


def test_a_therapist_link_with_two_session_types_asks_which(client, now, alex, practice):
    alex.session_types.add(SessionTypeFactory(practice=practice, name="Couples session"))
    page = client.get("/book/alex-morgan/")
    text = page.content.decode()
    assert "Couples session" in text and "Individual session" in text
    assert f'name="therapist" value="{alex.pk}"' in text


def test_a_therapist_and_type_link(client, now, alex, session_type):
    page = client.get(f"/book/alex-morgan/{session_type.slug}/", {"tz": "America/New_York"})
    assert page.status_code == 200
    assert f'value="{FIRST_FREE.isoformat()}"' in page.content.decode()


def test_a_renamed_slug_redirects_with_the_query_kept(client, now, alex, session_type):
    alex.slug = "dr-alex"
    alex.save()
    slug_remember(obj=alex, old="alex-morgan")
    response = client.get(f"/book/alex-morgan/{session_type.slug}/?ref=spring-article")
    assert response.status_code == 301
    assert response["Location"] == f"/book/dr-alex/{session_type.slug}/?ref=spring-article"
    # Giving the old slug back makes it live again, not a redirect.
    alex.slug = "alex-morgan"
    alex.save()
    slug_remember(obj=alex, old="dr-alex")
    assert client.get("/book/alex-morgan/").status_code == 200
    assert list(FormerSlug.objects.values_list("slug", flat=True)) == ["dr-alex"]


def test_the_admin_remembers_a_changed_slug(client, now, alex):
    from django.contrib.admin.sites import site
    from django.forms import modelform_factory

    from practice.models import Therapist

    admin = site._registry[Therapist]
    form = modelform_factory(Therapist, fields=["slug"])(
        {"slug": "dr-alex"}, instance=alex, initial={"slug": alex.slug}
    )
    assert form.is_valid()
    admin.save_model(None, form.save(commit=False), form, change=True)
    response = client.get("/book/alex-morgan/")
    assert response.status_code == 301 and response["Location"] == "/book/dr-alex/"


@pytest.mark.parametrize("path", ["/book/nobody/", "/book/type/nothing/", "/book/alex-morgan/x/"])
def test_unknown_links_are_a_404(client, now, alex, path):
    assert client.get(path).status_code == 404


def test_the_old_id_link_still_works(client, now, alex, session_type):
    query = {"session_type": session_type.pk, "therapist": alex.pk, "tz": "America/New_York"}
    page = client.get("/book/times/", query)
    assert page.status_code == 200 and f'value="{FIRST_FREE.isoformat()}"' in page.content.decode()


def test_a_source_tag_is_carried_to_the_booking(client, now, alex, session_type):
    page = client.get(f"/book/type/{session_type.slug}/", {"ref": "attachment-article"})
    assert 'name="ref" value="attachment-article"' in page.content.decode()
    client.post(
        "/book/hold/",
        {
            "session_type": session_type.pk,
            "start": FIRST_FREE.isoformat(),
            "ref": "attachment-article",
        },
    )
    assert Appointment.objects.get(status=AppointmentStatus.HELD).source_ref == "attachment-article"


@pytest.mark.parametrize("ref", ["robin@example.com", "Robin Example", "x" * 41, "-x", "a/b"])
def test_a_tag_that_is_not_a_short_plain_word_is_dropped(client, now, alex, session_type, ref):
    page = client.get(f"/book/type/{session_type.slug}/", {"ref": ref})
    assert page.status_code == 200 and 'name="ref"' not in page.content.decode()
    client.post(
        "/book/hold/",
        {"session_type": session_type.pk, "start": FIRST_FREE.isoformat(), "ref": ref},
    )
    assert Appointment.objects.get(status=AppointmentStatus.HELD).source_ref == ""


def test_the_day_picker_groups_the_day_and_stops_at_the_horizon(client, now, alex, session_type):
    session_type.booking_horizon = timedelta(days=10)
    session_type.save()
    page = client.get(f"/book/type/{session_type.slug}/", {"tz": "America/New_York"})
    text = page.content.decode()
    assert "Next available: Tue 3 Mar" in text
    assert '<h2 id="day-heading">Tuesday 3 March</h2>' in text
    # 09:00-11:00 starts are morning; 12:00-16:00 afternoon; nothing in the evening.
    assert text.index(">Morning<") < text.index(">09:00<") < text.index(">Afternoon<")
    assert text.index(">Afternoon<") < text.index(">12:00<") and ">Evening<" not in text
    assert "Bookings open up to 10 days ahead" in text
    # The zone is named above the first time (on a phone the picker is below the fold).
    note = text.index('data-testid="zone-note"')
    assert note < text.index(">09:00<") and "Eastern Time" in text[note : note + 200]
    # A week further is still inside ten days; the week after is not offered.
    later = client.get(
        f"/book/type/{session_type.slug}/", {"tz": "America/New_York", "start": "2026-03-09"}
    ).content.decode()
    assert "Later days" not in later
    # Days past the horizon (now + 10 days = 12 March) are not in the strip.
    assert "day=2026-03-12" in later and "day=2026-03-13" not in later


def test_a_day_link_shows_that_day(client, now, alex, session_type):
    page = client.get(
        f"/book/type/{session_type.slug}/",
        {"tz": "America/New_York", "start": "2026-03-03", "day": "2026-03-05"},
    )
    text = page.content.decode()
    thursday_9 = datetime(2026, 3, 5, 9, tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)
    assert '<h2 id="day-heading">Thursday 5 March</h2>' in text
    assert f'value="{thursday_9.isoformat()}"' in text
    assert f'value="{FIRST_FREE.isoformat()}"' not in text


def test_times_follow_the_clients_locale(client, now, alex, session_type):
    url = f"/book/type/{session_type.slug}/?tz=America/New_York"
    us = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    uk = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert ">2:00 PM<" in us and ">14:00<" not in us
    assert ">14:00<" in uk


def test_the_zone_list_is_not_in_the_page_but_a_cached_list(client, now, alex, session_type):
    page = client.get(f"/book/type/{session_type.slug}/", {"tz": "America/Chicago"})
    text = page.content.decode()
    assert "Central Time — Chicago (UTC\u22126)" in text
    assert "Europe/Berlin" not in text and len(page.content) < 20_000
    response = client.get("/book/zones.json")
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    zones = {z["value"]: z["label"] for z in json.loads(response.content)}
    assert zones["America/Chicago"] == "Central Time — Chicago (UTC\u22126)"
    assert zones["Asia/Kolkata"] == "India Time — Kolkata (UTC+5:30)"
    for name in ("Factory", "localtime", "EST5EDT", "Etc/GMT+5", "US/Eastern"):
        assert name not in zones


# --- framing -------------------------------------------------------------------


def frame_ancestors(response) -> str:
    return re.search(r"frame-ancestors ([^;]*)", response["Content-Security-Policy"]).group(1)


@override_settings(BOOKING_EMBED_ORIGINS=["https://www.lakeside.example"])
@pytest.mark.parametrize("path", ["/book/", "/book/alex-morgan/", "/book/zones.json"])
def test_listed_origins_may_frame_the_booking_pages(client, now, alex, path, practice):
    practice.embed_origins = "https://blog.lakeside.example\n"
    practice.save()
    response = client.get(path)
    assert frame_ancestors(response) == "https://www.lakeside.example https://blog.lakeside.example"
    assert "X-Frame-Options" not in response


@override_settings(BOOKING_EMBED_ORIGINS=["https://www.lakeside.example"])
@pytest.mark.parametrize("path", ["/staff/login/", "/intake/x/", "/api/v1/session-types/", "/"])
def test_other_pages_stay_unframeable(client, now, alex, path):
    response = client.get(path)
    if "Content-Security-Policy" in response:
        assert frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_without_listed_origins_nothing_may_frame_the_booking_pages(client, now, alex):
    response = client.get("/book/")
    assert frame_ancestors(response) == "'none'" and response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "value",
    [
        "www.example.org",
        "https://example.org/book",
        "https://*.example.org",
        "javascript:x",
        "https://",
    ],
)
def test_an_embed_origin_must_be_an_origin(value):
    from django.core.exceptions import ValidationError

    from practice.origins import validate_origin

    with pytest.raises(ValidationError):
        validate_origin(value)


def test_inside_a_frame_the_flows_cookies_are_partitioned(client, now, alex, session_type):
    page = client.get(f"/book/type/{session_type.slug}/", HTTP_SEC_FETCH_DEST="iframe")
    cookie = page.cookies["csrftoken"].OutputString()
    assert "SameSite=None" in cookie and "Secure" in cookie and cookie.endswith("Partitioned")
    top = client.get(f"/book/type/{session_type.slug}/")
    assert "Partitioned" not in "".join(c.OutputString() for c in top.cookies.values())
