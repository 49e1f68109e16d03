"""Video sessions (issue 20): a link per session, Join at the right time, nowhere else.

Providers (Jitsi room per session, optional JWT; a therapist's own room; none),
when the client's Join appears, which message carries the link, the calendar
feeds' privacy levels, moves and cancellations, and that no log line holds it.
"""

import logging
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import jwt
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from booking import video
from booking.feeds import feeds
from booking.models import FeedKind, FeedPrivacy
from booking.notify import sms
from booking.notify.tasks import dispatch_due_notifications
from booking.scheduling.selectors import manage_token
from booking.scheduling.services import (
    Actor,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from practice.models import Modality, StaffRole, VideoProvider
from tests.factories import ClientFactory
from tests.support.staff import make_staff, sign_in

# Thursday 2026-03-05 10:00 EST, 50 minutes (NOW is Monday 2026-03-02 12:00 UTC).
THURSDAY_10 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
END = THURSDAY_10 + timedelta(minutes=50)
JITSI = "https://meet.example/"
ROOM = re.compile(r"^https://meet\.example/([0-9a-f]{32})$")


@pytest.fixture(autouse=True)
def clean_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def by_video(practice, therapist):
    practice.video_provider = VideoProvider.JITSI
    practice.save()
    therapist.licence_jurisdictions = "US-NY"
    therapist.save()
    session_type = therapist.session_types.get()
    session_type.modality = Modality.TELEHEALTH
    session_type.save()
    return session_type


@pytest.fixture
def robin(practice):
    return ClientFactory(
        practice=practice,
        first_name="Robin",
        phone="+12025550143",
        sms_consent_at=timezone.now(),
        time_zone="America/Chicago",
    )


@pytest.fixture
def book(therapist, by_video, robin, django_capture_on_commit_callbacks):
    def _book(start=THURSDAY_10):
        with django_capture_on_commit_callbacks(execute=True):
            return appointment_book(
                therapist=therapist,
                session_type=by_video,
                client=robin,
                start=start,
                client_region="US-NY",
            )

    return _book


def manage(client, appointment):
    return client.get(f"/book/manage/{manage_token(appointment)}/")


def join(client, appointment):
    return client.get(f"/book/manage/{manage_token(appointment)}/join/")


# --- providers -------------------------------------------------------------------


def test_jitsi_gives_each_session_its_own_unguessable_room(now, book):
    first, second = book(), book(THURSDAY_10 + timedelta(days=1))
    rooms = [ROOM.match(video.video_link(a)).group(1) for a in (first, second)]
    assert rooms[0] != rooms[1]
    # 128 random bits, not anything derived from the session's id or time.
    for appointment, room in zip((first, second), rooms, strict=True):
        assert room not in str(appointment.public_id).replace("-", "")
    assert len({video.new_room() for _ in range(1000)}) == 1000


def test_jitsi_without_a_base_url_gives_no_link(now, book, settings):
    settings.JITSI_BASE_URL = ""
    assert video.video_link(book()) == ""


def decoded(token):
    # Read three days before the session: "not before" is checked as a claim below.
    return jwt.decode(
        token,
        "s3cret-for-tests-only-0123456789abcdef",
        algorithms=["HS256"],
        audience="jitsi",
        options={"verify_nbf": False},
    )


def test_jitsi_adds_a_token_with_the_servers_claims_when_configured(now, book, settings):
    settings.JITSI_JWT_APP_ID = "practice-app"
    settings.JITSI_JWT_SECRET = "s3cret-for-tests-only-0123456789abcdef"
    appointment = book()
    client_link = video.video_link(appointment)
    host_link = video.video_link(appointment, host=True)
    base, token = client_link.split("?jwt=")
    assert base == JITSI + appointment.video_room
    claims = decoded(token)
    assert claims["iss"] == "practice-app"
    assert claims["sub"] == "meet.example"
    assert claims["room"] == appointment.video_room
    assert claims["nbf"] == int(datetime(2026, 3, 5, 14, 50, tzinfo=UTC).timestamp())
    assert claims["exp"] == int(datetime(2026, 3, 5, 16, 50, tzinfo=UTC).timestamp())
    assert claims["moderator"] is False and claims["context"]["user"]["name"] == ""
    host = decoded(host_link.split("?jwt=")[1])
    assert host["moderator"] is True
    assert host["context"]["user"]["name"] == appointment.therapist.display_name
    # The same link every time (no iat): a calendar feed's event stays the same text.
    assert video.video_link(appointment) == client_link


def test_a_therapist_can_use_their_own_room_over_the_practices_jitsi(now, book, therapist):
    therapist.video_provider = VideoProvider.PERSONAL_ROOM
    therapist.video_room_url = "https://zoom.us/j/1234567890?pwd=abc"
    therapist.save()
    assert video.video_link(book()) == "https://zoom.us/j/1234567890?pwd=abc"


def test_no_provider_means_no_link_and_no_join(now, book, practice, client, time_machine):
    practice.video_provider = VideoProvider.NONE
    practice.save()
    appointment = book()
    assert video.video_link(appointment) == ""
    time_machine.move_to(THURSDAY_10, tick=False)
    page = manage(client, appointment).content.decode()
    assert 'data-testid="join"' not in page and "join-later" not in page


@pytest.mark.parametrize(
    "url",
    ["http://zoom.us/j/1", "zoom.us/j/1", "https://user:pw@zoom.us/j/1", "javascript:alert(1)"],
)
def test_a_personal_room_must_be_an_https_address(therapist, url):
    therapist.video_room_url = url
    with pytest.raises(ValidationError):
        therapist.full_clean()


def test_an_in_person_session_has_no_link(now, therapist, robin, practice):
    practice.video_provider = VideoProvider.JITSI
    practice.save()
    appointment = appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=robin,
        start=THURSDAY_10,
    )
    assert video.video_link(appointment) == ""


# --- when the client can join -----------------------------------------------------


def test_join_appears_ten_minutes_before_and_goes_at_the_end(now, book, client, time_machine):
    appointment = book()
    link = video.video_link(appointment)
    # Before: when it will appear, in the booking's zone, named (09:50 in Chicago).
    time_machine.move_to(THURSDAY_10 - timedelta(minutes=11), tick=False)
    page = manage(client, appointment).content.decode()
    assert 'data-testid="join"' not in page
    opens = (THURSDAY_10 - timedelta(minutes=10)).astimezone(ZoneInfo("America/Chicago"))
    assert f"at {opens:%H:%M} on Thursday 5 March (America/Chicago)" in page
    assert appointment.video_room not in page
    refused = join(client, appointment)
    assert refused.status_code == 409 and "open from 10 minutes before" in refused.content.decode()

    time_machine.move_to(THURSDAY_10 - timedelta(minutes=10), tick=False)
    page = manage(client, appointment).content.decode()
    assert "Join video session" in page
    # The page links to our join address; the room itself only in the redirect.
    assert appointment.video_room not in page
    response = join(client, appointment)
    assert response.status_code == 302 and response["Location"] == link
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]

    time_machine.move_to(END - timedelta(seconds=1), tick=False)
    assert join(client, appointment).status_code == 302
    time_machine.move_to(END, tick=False)
    assert "Join video session" not in manage(client, appointment).content.decode()
    assert join(client, appointment).status_code == 409


def test_a_cancelled_session_has_no_join(now, book, client, time_machine):
    appointment = book()
    appointment_cancel(appointment=appointment, actor=Actor.STAFF)
    time_machine.move_to(THURSDAY_10, tick=False)
    page = manage(client, appointment).content.decode()
    assert "Join video session" not in page and "join-later" not in page
    response = join(client, appointment)
    assert response.status_code == 409 and "no longer booked" in response.content.decode()


def test_a_moved_session_gets_a_new_room_and_the_old_one_is_not_offered(
    now, book, client, time_machine
):
    appointment = book()
    old_link = video.video_link(appointment)
    moved = appointment_reschedule(
        appointment=appointment, start=THURSDAY_10 + timedelta(days=1), actor=Actor.STAFF
    )
    new_link = video.video_link(moved)
    assert ROOM.match(new_link) and new_link != old_link
    time_machine.move_to(THURSDAY_10 + timedelta(days=1), tick=False)
    assert join(client, moved)["Location"] == new_link


def test_a_pending_request_has_no_link_until_approved(now, book, by_video):
    by_video.requires_approval = True
    by_video.save()
    assert video.video_link(book()) == ""


# --- which messages carry it ------------------------------------------------------


def run_scanner_at(instant, time_machine):
    time_machine.move_to(instant, tick=False)
    return dispatch_due_notifications.delay().get()


def test_only_the_last_email_reminder_carries_the_link(now, book, time_machine):
    appointment = book()
    (confirmation,) = mail.outbox
    assert appointment.video_room not in confirmation.body
    assert appointment.video_room not in confirmation.alternatives[0][0]
    assert all(appointment.video_room not in str(a[1]) for a in confirmation.attachments)
    mail.outbox.clear()
    run_scanner_at(THURSDAY_10 - timedelta(hours=48), time_machine)
    (early,) = mail.outbox
    assert appointment.video_room not in early.body + early.alternatives[0][0]
    run_scanner_at(THURSDAY_10 - timedelta(hours=24), time_machine)
    last = mail.outbox[-1]
    link = video.video_link(appointment)
    assert f"Join by video from 10 minutes before the start: {link}" in last.body
    assert f'href="{link}"' in last.alternatives[0][0]
    # The default schedule's text, 3 hours before: no link unless the practice opts in.
    run_scanner_at(THURSDAY_10 - timedelta(hours=3), time_machine)
    (text,) = sms.outbox
    assert appointment.video_room not in text["body"]


def test_the_last_text_carries_the_link_when_the_practice_opts_in(
    now, book, practice, time_machine
):
    practice.video_link_by_sms = True
    practice.save()
    appointment = book()
    run_scanner_at(THURSDAY_10 - timedelta(hours=3), time_machine)
    (text,) = sms.outbox
    assert f"Join by video: {video.video_link(appointment)}" in text["body"]


def test_a_reminder_days_ahead_never_carries_the_link(now, book, by_video, time_machine):
    by_video.reminder_schedule = [{"channel": "email", "minutes_before": 72 * 60}]
    by_video.save()
    appointment = book(THURSDAY_10 + timedelta(days=4))
    mail.outbox.clear()
    run_scanner_at(THURSDAY_10 + timedelta(days=1), time_machine)
    (reminder,) = mail.outbox
    assert "Reminder" in reminder.subject
    assert appointment.video_room not in reminder.body


def test_a_moved_sessions_reminder_carries_the_new_room(now, book, time_machine):
    appointment = book()
    old_room = appointment.video_room
    moved = appointment_reschedule(
        appointment=appointment, start=THURSDAY_10 + timedelta(days=1), actor=Actor.STAFF
    )
    mail.outbox.clear()
    run_scanner_at(THURSDAY_10, time_machine)  # 24 h before the new time (and its update)
    bodies = "".join(m.body for m in mail.outbox)
    assert moved.video_room in bodies and old_room not in bodies


# --- feeds ------------------------------------------------------------------------


def feed_text(client, feed):
    response = client.get(feeds.feed_urls(feed)["https"].removeprefix("https://booking.example"))
    assert response.status_code == 200
    return b"".join(response.streaming_content if response.streaming else [response.content])


@pytest.mark.parametrize("privacy", [FeedPrivacy.MINIMAL, FeedPrivacy.INITIALS])
def test_the_link_stays_out_of_feeds_below_full(now, book, therapist, client, privacy):
    appointment = book()
    feed = feeds.feed_get_or_create(
        kind=FeedKind.THERAPIST, practice=therapist.practice, therapist=therapist
    )
    feed.privacy = privacy
    feed.save()
    for kind_feed in (
        feed,
        feeds.feed_get_or_create(
            kind=FeedKind.CLIENT, practice=therapist.practice, client=appointment.client
        ),
    ):
        text = feed_text(client, kind_feed)
        assert appointment.video_room.encode() not in text


def test_a_full_feed_has_the_link_as_location_and_url(now, book, therapist, client):
    appointment = book()
    feed = feeds.feed_get_or_create(
        kind=FeedKind.THERAPIST, practice=therapist.practice, therapist=therapist
    )
    feed.privacy = FeedPrivacy.FULL
    feed.save()
    from icalendar import Calendar

    (event,) = Calendar.from_ical(feed_text(client, feed)).walk("VEVENT")
    link = video.video_link(appointment, host=True)
    assert str(event["LOCATION"]) == link and str(event["URL"]) == link


# --- logs -------------------------------------------------------------------------


def test_no_log_line_holds_the_room_during_a_join(now, book, client, time_machine, caplog):
    appointment = book()
    time_machine.move_to(THURSDAY_10, tick=False)
    with caplog.at_level(logging.DEBUG):
        assert join(client, appointment).status_code == 302
        time_machine.move_to(END + timedelta(minutes=1), tick=False)
        assert join(client, appointment).status_code == 409  # Django logs a 4xx's path
    assert caplog.records, "the capture saw nothing: the test would prove nothing"
    for record in caplog.records:
        assert appointment.video_room not in record.getMessage()
        assert appointment.video_room not in str(record.__dict__)


# --- the therapist's Join ---------------------------------------------------------


def test_the_therapist_sees_join_on_the_session_the_day_view_and_today(
    now, book, client, practice, therapist, time_machine
):
    appointment = book()
    user = make_staff(practice, StaffRole.THERAPIST, therapist=therapist)
    sign_in(client, user)
    host_link = video.video_link(appointment, host=True).replace("&", "&amp;")
    session = f"/staff/appointments/{appointment.public_id}/"
    page = client.get(session).content.decode()
    assert "Join opens at" in page and host_link not in page
    time_machine.move_to(THURSDAY_10 - timedelta(minutes=10), tick=False)
    sign_in(client, user)  # a staff sign-in lasts hours, not days
    for url in (session, "/staff/calendar/?view=day&date=2026-03-05", "/staff/"):
        page = client.get(url).content.decode()
        assert f'href="{host_link}"' in page, url
        assert 'data-testid="staff-join"' in page, url
    appointment_cancel(appointment=appointment, actor=Actor.STAFF)
    assert host_link not in client.get(session).content.decode()


# --- choosing the provider --------------------------------------------------------


def test_a_therapist_sets_their_own_room_and_licences_on_their_profile(client, practice, therapist):
    sign_in(client, make_staff(practice, StaffRole.THERAPIST, therapist=therapist))
    body = {"bio": "", "languages": "", "sees_by_video": "on"}
    room = {"video_provider": "personal_room", "video_room_url": "https://doxy.me/dr-example"}
    refused = client.post("/staff/profile/", body | room | {"video_room_url": "http://doxy.me/x"})
    assert refused.status_code == 400 and "https://" in refused.content.decode()
    missing = client.post("/staff/profile/", body | room | {"video_room_url": ""})
    assert missing.status_code == 400
    saved = client.post(
        "/staff/profile/",
        body | room | {"licence_jurisdictions": "us-ny, US-NJ", "compact_jurisdictions": "US-CO"},
    )
    assert saved.status_code == 302
    therapist.refresh_from_db()
    assert therapist.video_provider == VideoProvider.PERSONAL_ROOM
    assert therapist.video_room_url == "https://doxy.me/dr-example"
    assert therapist.licence_jurisdictions == "US-NJ US-NY"
    assert therapist.compact_jurisdictions == "US-CO"


def test_the_owner_picks_the_practices_provider_on_the_settings_page(client, practice, now):
    from tests.staff.test_practice_settings import form_values

    sign_in(client, make_staff(practice, StaffRole.OWNER))
    values = form_values(client.get("/staff/settings/").content.decode())
    assert values["video_provider"] == "none"
    values |= {"video_provider": "jitsi", "video_link_by_sms": "on"}
    assert client.post("/staff/settings/", values).status_code == 302
    practice.refresh_from_db()
    assert (practice.video_provider, practice.video_link_by_sms) == ("jitsi", True)


# --- the link always arrives (trial: a session booked inside the last reminder's offset) ---


def link_emails(appointment):
    link = video.video_link(appointment)
    return [m for m in mail.outbox if link in m.body]


def test_a_video_session_booked_inside_its_last_reminder_still_gets_its_link_by_email(
    now, book, by_video, time_machine
):
    """Booked 23 hours ahead: the 48 h and 24 h reminders are already past (skipped), so
    before this no message ever carried the link the pages promise."""
    start = THURSDAY_10
    time_machine.move_to(start - timedelta(hours=23), tick=False)
    by_video.min_notice = timedelta(0)
    by_video.save()
    appointment = book(start)
    assert link_emails(appointment) == []  # not in the confirmation
    run_scanner_at(start - timedelta(hours=1, seconds=1), time_machine)
    assert link_emails(appointment) == []  # not early either
    run_scanner_at(start - timedelta(hours=1), time_machine)
    (sent,) = link_emails(appointment)
    assert sent.to == [appointment.client.email]
    run_scanner_at(start - timedelta(minutes=5), time_machine)
    assert len(link_emails(appointment)) == 1


def test_a_video_session_booked_minutes_ahead_gets_its_link_at_once(
    now, book, by_video, time_machine
):
    start = THURSDAY_10
    time_machine.move_to(start - timedelta(minutes=18), tick=False)
    by_video.min_notice = timedelta(0)
    by_video.save()
    appointment = book(start)
    run_scanner_at(start - timedelta(minutes=18), time_machine)
    (sent,) = link_emails(appointment)
    assert "Join by video from 10 minutes before the start" in sent.body


def test_no_extra_link_message_when_a_reminder_within_a_day_carries_it(now, book, time_machine):
    appointment = book()  # Thursday: the 24 h email reminder will carry the link
    from booking.models import Notification, NotificationKind

    reminders = Notification.objects.filter(
        appointment=appointment, kind=NotificationKind.REMINDER, channel="email"
    )
    assert sorted(r.offset for r in reminders) == [timedelta(hours=24), timedelta(hours=48)]
