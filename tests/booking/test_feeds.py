"""Private calendar feeds, parsed back as calendar apps would read them."""

import time
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import vobject
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from booking.feeds import feeds
from booking.models import Appointment, FeedFetch, FeedKind, TimeOff
from booking.scheduling.services import (
    Actor,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from practice.models import StaffRole
from tests.factories import ClientFactory, TherapistFactory
from tests.support.ics_check import parse_all
from tests.support.staff import make_staff, sign_in

TUESDAY_10 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 10:00 EST
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def jamie(practice):
    return ClientFactory(
        practice=practice,
        first_name="Jamie",
        last_name="Doe",
        email="jamie.doe@example.com",
        phone="+12025550143",
        sms_consent_at=timezone.now(),
    )


@pytest.fixture
def booked(now, therapist, jamie):
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=jamie,
        start=TUESDAY_10,
    )


@pytest.fixture
def feed(therapist):
    return feeds.feed_get_or_create(
        kind=FeedKind.THERAPIST, practice=therapist.practice, therapist=therapist
    )


def path_of(feed):
    return "/calendar/" + feeds.feed_urls(feed)["https"].rsplit("/calendar/", 1)[1]


def fetch(client, feed, **headers):
    return client.get(path_of(feed), **headers)


def events_of(response):
    calendar = parse_all(response.content)
    return calendar, {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_is_valid_icalendar_for_three_parsers(client, booked, feed):
    response = fetch(client, feed)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    calendar, events = events_of(response)
    assert len(events) == 1
    parsed = vobject.readOne(text)
    assert parsed.vevent.uid.value == f"{booked.public_id}@booking.example"
    window = recurring_ical_events.of(calendar).between(date(2026, 3, 1), date(2026, 3, 8))
    assert [e.decoded("DTSTART") for e in window] == [TUESDAY_10]


def test_calendar_properties_follow_rfc_5545_and_7986(client, booked, feed, therapist):
    response = fetch(client, feed)
    text = response.content.decode()
    calendar, _ = events_of(response)
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert str(calendar["PRODID"]).startswith("-//")
    assert str(calendar["X-WR-CALNAME"]) == str(calendar["NAME"])
    # No X-WR-TIMEZONE: times are UTC, and a parser applying it moves the repeated hour
    # (tests/booking/test_feed_times.py).
    assert "X-WR-TIMEZONE" not in calendar
    # The two icalendar 7 pitfalls: VALUE=DURATION, and a duration, not "1:00:00".
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "X-PUBLISHED-TTL:PT1H\r\n" in text


def test_every_event_carries_what_calendar_apps_need(client, booked, feed):
    text = fetch(client, feed).content.decode()
    for line in [
        f"UID:{booked.public_id}@booking.example",
        "DTSTART:20260303T150000Z",
        "DTEND:20260303T155000Z",
        "SEQUENCE:0",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
    ]:
        assert line + "\r\n" in text
    assert "DTSTAMP:20260302T120000Z\r\n" in text  # UTC, the last change
    assert "LAST-MODIFIED:20260302T120000Z\r\n" in text


def test_the_uid_survives_a_reschedule_and_the_sequence_grows(client, booked, feed):
    uid = f"{booked.public_id}@booking.example"
    later = TUESDAY_10 + timedelta(days=1)
    appointment_reschedule(appointment=booked, start=later, actor=Actor.STAFF)
    _, events = events_of(fetch(client, feed))
    assert list(events) == [uid]
    assert events[uid]["SEQUENCE"] == 1
    assert events[uid].decoded("DTSTART") == later


def test_a_cancelled_session_leaves_the_feed_and_moves_its_validators_forward(
    client, booked, feed, time_machine
):
    first = fetch(client, feed)
    assert len(events_of(first)[1]) == 1
    time_machine.move_to(timezone.now() + timedelta(minutes=5), tick=False)
    # The database stamps the change (a trigger, on its own clock, which time_machine
    # does not move) a second after the booking's, as HTTP dates count seconds.
    time.sleep(1.01)
    appointment_cancel(appointment=booked, actor=Actor.CLIENT)
    second = fetch(client, feed)
    assert events_of(second)[1] == {}
    assert second["ETag"] != first["ETag"]
    # A calendar app asking only "changed since the first fetch?" is told yes.
    assert fetch(client, feed, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


def test_a_pending_request_is_tentative(client, now, therapist, jamie, feed):
    session_type = therapist.session_types.get()
    session_type.requires_approval = True
    session_type.save()
    appointment_book(therapist=therapist, session_type=session_type, client=jamie, start=TUESDAY_10)
    (event,) = events_of(fetch(client, feed))[1].values()
    assert event["STATUS"] == "TENTATIVE"


@pytest.mark.parametrize(
    ("privacy", "summary"),
    [
        ("minimal", "Individual session"),
        ("initials", "Individual session — J.D."),
        ("full", "Individual session — Jamie Doe"),
    ],
)
def test_privacy_levels(client, booked, feed, privacy, summary):
    feeds.feed_update_settings(feed=feed, privacy=privacy, include_time_off=True)
    text = fetch(client, feed).content.decode()
    (event,) = parse_all(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == summary
    for never in ("jamie.doe@example.com", "2025550143", "Jamie.Doe"):
        assert never not in text
    if privacy == "minimal":
        assert "Jamie" not in text and "Doe" not in text


def test_times_are_right_across_dst(client, now, therapist, jamie, feed):
    # Tuesday 2026-03-10 09:00 New York is EDT (UTC-4): 13:00 UTC, a week after 14:00 UTC.
    for start in (datetime(2026, 3, 3, 14, tzinfo=UTC), datetime(2026, 3, 10, 13, tzinfo=UTC)):
        appointment_book(
            therapist=therapist,
            session_type=therapist.session_types.get(),
            client=jamie,
            start=start,
        )
    calendar, _ = events_of(fetch(client, feed))
    occurrences = recurring_ical_events.of(calendar).between(date(2026, 3, 1), date(2026, 3, 15))
    local = sorted(e.decoded("DTSTART").astimezone(NEW_YORK) for e in occurrences)
    assert [(d.date().isoformat(), d.strftime("%H:%M %Z")) for d in local] == [
        ("2026-03-03", "09:00 EST"),
        ("2026-03-10", "09:00 EDT"),
    ]


def test_time_off_shows_as_busy_unless_switched_off(client, booked, feed, practice, therapist):
    TimeOff.objects.create(
        practice=practice,
        therapist=therapist,
        start_date=date(2026, 3, 9),
        end_date=date(2026, 3, 9),
        reason="Dentist",
    )
    text = fetch(client, feed).content.decode()
    busy = [e for e in parse_all(text).walk("VEVENT") if e["SUMMARY"] == "Time off"]
    # A whole day off: an all-day event on the therapist's own date.
    assert [(b.decoded("DTSTART"), b.decoded("DTEND")) for b in busy] == [
        (date(2026, 3, 9), date(2026, 3, 10))
    ]
    assert "Dentist" not in text
    feeds.feed_update_settings(feed=feed, privacy="minimal", include_time_off=False)
    assert "Time off" not in fetch(client, feed).content.decode()


def test_a_yearly_practice_holiday_is_busy_in_each_year_of_the_window(
    client, booked, feed, practice
):
    TimeOff.objects.create(
        practice=practice,
        start_date=date(2020, 12, 25),
        end_date=date(2020, 12, 25),
        reason="Winter holiday",
        repeats_yearly=True,
    )
    calendar, events = events_of(fetch(client, feed))
    busy = sorted(e.decoded("DTSTART") for uid, e in events.items() if uid.startswith("time-off-"))
    # NOW is 2 March 2026; the feed runs 90 days back and a year ahead: two Christmases.
    assert busy == [date(2025, 12, 25), date(2026, 12, 25)]  # all-day events
    assert len({uid for uid in events if uid.startswith("time-off-")}) == 2


def test_the_practice_feed_has_every_therapist_and_the_client_feed_one_client(
    client, now, practice, session_type, jamie
):
    other = ClientFactory(practice=practice)
    first, second = (TherapistFactory(practice=practice, offers=[session_type]) for _ in range(2))
    mine = appointment_book(
        therapist=first, session_type=session_type, client=jamie, start=TUESDAY_10
    )
    appointment_book(therapist=second, session_type=session_type, client=other, start=TUESDAY_10)
    practice_feed = feeds.feed_get_or_create(kind=FeedKind.PRACTICE, practice=practice)
    summaries = sorted(
        str(e["SUMMARY"]) for e in events_of(fetch(client, practice_feed))[1].values()
    )
    assert summaries == sorted(f"Individual session · {t.display_name}" for t in (first, second))
    client_feed = feeds.feed_get_or_create(kind=FeedKind.CLIENT, practice=practice, client=jamie)
    _, events = events_of(fetch(client, client_feed))
    assert list(events) == [f"{mine.public_id}@booking.example"]
    (event,) = events.values()
    assert str(event["SUMMARY"]) == f"Individual session with {first.display_name}"
    assert str(event["LOCATION"]) == practice.name


def test_rotating_kills_the_old_url_at_once(client, booked, feed):
    old = path_of(feed)
    feeds.feed_rotate(feed=feed)
    assert client.get(old).status_code == 404
    assert fetch(client, feed).status_code == 200


def test_a_revoked_feed_is_gone(client, booked, feed):
    feeds.feed_revoke(feed=feed)
    assert fetch(client, feed).status_code == 404


def test_a_token_grants_exactly_its_own_feed(client, booked, feed, practice):
    other = feeds.feed_get_or_create(kind=FeedKind.PRACTICE, practice=practice)
    token = path_of(feed).split("/")[-1].removesuffix(".ics")
    _, signature = token.split(".", 1)
    forged = f"{other.public_id.hex}.{signature}"  # another feed's id with this signature
    assert client.get(f"/calendar/{forged}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_unchanged_feeds_answer_304_without_being_built(
    client, booked, feed, django_assert_num_queries
):
    first = fetch(client, feed)
    etag = first["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first["Cache-Control"] == "private, no-cache"
    assert first["Last-Modified"]
    # Feed lookup, its two versions, the fetch log: no query reads the events themselves.
    with django_assert_num_queries(3):
        again = fetch(client, feed, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    since = fetch(client, feed, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_a_change_changes_the_etag(client, booked, feed):
    etag = fetch(client, feed)["ETag"]
    appointment_reschedule(
        appointment=booked, start=TUESDAY_10 + timedelta(days=1), actor=Actor.STAFF
    )
    changed = fetch(client, feed, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    feeds.feed_update_settings(feed=feed, privacy="initials", include_time_off=True)
    assert fetch(client, feed, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


@pytest.mark.parametrize("sessions", [3, 30])
def test_building_costs_a_fixed_number_of_queries(
    now, therapist, practice, feed, django_assert_num_queries, sessions
):
    session_type = therapist.session_types.get()
    session_type.booking_horizon = timedelta(days=365)
    session_type.save()
    for day in range(sessions):
        start = TUESDAY_10 + timedelta(days=day)
        appointment_book(
            therapist=therapist,
            session_type=session_type,
            client=ClientFactory(practice=practice),
            start=start,
            enforce_availability=False,
        )
    with django_assert_num_queries(2):  # sessions, time off
        feeds.feed_build(feed, now)
    with django_assert_num_queries(1):  # the versions behind ETag and Last-Modified
        feeds.feed_validators(feed, now)


def test_each_fetch_is_recorded_with_app_and_network_not_address(client, booked, feed):
    fetch(client, feed, HTTP_USER_AGENT="Google-Calendar-Importer", REMOTE_ADDR="203.0.113.77")
    record = FeedFetch.objects.get()
    assert (record.user_agent, record.ip_prefix) == ("Google-Calendar-Importer", "203.0.113.0/24")
    assert feeds.ip_prefix("2001:db8:1234:5678::1") == "2001:db8:1234::/48"


def test_the_management_command_prints_and_rotates_the_url(client, booked, feed, therapist):
    out = StringIO()
    call_command("calendar_feed_url", therapist.user.email, stdout=out)
    https, webcal = out.getvalue().split()
    assert https.startswith("https://booking.example/calendar/") and webcal.startswith("webcal://")
    rotated = StringIO()
    call_command(
        "calendar_feed_url", therapist.user.email, "--rotate", stdout=rotated, stderr=StringIO()
    )
    assert rotated.getvalue().split()[0] != https
    assert client.get("/calendar/" + https.rsplit("/calendar/", 1)[1]).status_code == 404


def test_the_download_emails_and_feed_share_one_event(client, booked, feed):
    from booking.scheduling.selectors import manage_token

    download = client.get(f"/book/manage/{manage_token(booked)}/session.ics")
    assert download.status_code == 200
    (downloaded,) = parse_all(download.content).walk("VEVENT")
    (in_feed,) = events_of(fetch(client, feed))[1].values()
    for prop in ("UID", "DTSTART", "DTEND", "SEQUENCE", "STATUS"):
        assert downloaded[prop] == in_feed[prop] or str(downloaded[prop]) == str(in_feed[prop])


# --- the staff page ----------------------------------------------------------------


def test_a_therapist_copies_tunes_and_rotates_their_feed_from_the_app(client, booked, therapist):
    sign_in(client, make_staff(therapist.practice, StaffRole.THERAPIST, therapist=therapist))
    page = client.get("/staff/calendar-feeds/")
    assert page.status_code == 200
    feed = therapist.feeds.get()
    urls = feeds.feed_urls(feed)
    assert urls["https"] in page.content.decode() and urls["webcal"] in page.content.decode()
    assert "Google refreshes" in page.content.decode()
    assert "sessions from 90 days back to 365 days ahead" in " ".join(page.content.decode().split())
    response = client.post(
        f"/staff/calendar-feeds/{feed.public_id}/settings/", {"privacy": "initials"}, follow=True
    )
    assert response.status_code == 200
    feed.refresh_from_db()
    assert (feed.privacy, feed.include_time_off) == ("initials", False)
    client.post(f"/staff/calendar-feeds/{feed.public_id}/rotate/")
    assert client.get("/calendar/" + urls["https"].rsplit("/calendar/", 1)[1]).status_code == 404


def test_the_page_says_which_app_fetched_last(client, booked, therapist, feed):
    fetch(client, feed, HTTP_USER_AGENT="Google-Calendar-Importer")
    sign_in(client, make_staff(therapist.practice, StaffRole.THERAPIST, therapist=therapist))
    assert (
        "Last fetched by Google Calendar" in client.get("/staff/calendar-feeds/").content.decode()
    )


def test_staff_cannot_touch_someone_elses_feed(client, booked, feed, practice):
    colleague = TherapistFactory(practice=practice)
    sign_in(client, make_staff(practice, StaffRole.THERAPIST, therapist=colleague))
    response = client.post(f"/staff/calendar-feeds/{feed.public_id}/rotate/")
    assert response.status_code == 404
    assert fetch(client, feed).status_code == 200


def test_the_feed_page_needs_a_staff_login(client, practice):
    assert client.get("/staff/calendar-feeds/").status_code == 302
    user = get_user_model().objects.create_user("visitor", password="x" * 16)
    client.force_login(user)
    assert client.get("/staff/calendar-feeds/").status_code == 403


def test_the_feeds_page_marks_each_link_to_copy(client, booked, therapist):
    sign_in(client, make_staff(therapist.practice, StaffRole.THERAPIST, therapist=therapist))
    page = client.get("/staff/calendar-feeds/").content.decode()
    urls = feeds.feed_urls(therapist.feeds.get())
    for url in (urls["https"], urls["webcal"]):
        assert f'value="{url}" data-copy>' in page
    assert "/static/booking/share.js" in page


# The window, stated here on its own (docs/architecture.md, "Calendar feeds"): a
# therapist's or the practice's feed from 90 days back to 365 days ahead, by start.
@pytest.mark.parametrize(
    ("from_now", "shown"),
    [
        (-timedelta(days=90, minutes=1), False),
        (-timedelta(days=90), True),
        (timedelta(days=365) - timedelta(minutes=1), True),
        (timedelta(days=365), False),
    ],
)
def test_the_feed_window_runs_from_90_days_back_to_a_year_ahead(
    client, now, booked, feed, from_now, shown
):
    start = now + from_now
    Appointment.objects.filter(pk=booked.pk).update(
        start=start,
        end=start + timedelta(minutes=50),
        blocked_start=start,
        blocked_end=start + timedelta(minutes=50),
    )
    _, events = events_of(fetch(client, feed))
    assert (f"{booked.public_id}@booking.example" in events) == shown
