"""Every time a client reads names its zone, right beside it: pages, email subjects and bodies,
texts. A client in Chicago books with a New York practice, so no zone goes without saying.

The check is generic: every clock time in the visible text ("10:00", "9:00 AM", a range
"09:00–09:50") must be followed, before the next time or the end of its line, by a
zone label — an IANA name ("America/Chicago") or an abbreviation ("CST").
"""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from booking.models import HOLD_DURATION, Notification, NotificationKind
from booking.notify.messages import build_email, build_sms
from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_book, appointment_hold, holds_release_expired
from booking.tokens import confirm_email_token, manage_token_for
from tests.factories import ClientFactory
from tests.support.booking_forms import DETAILS as FORM_DETAILS
from tests.support.identity import confirm_email

TUESDAY_10 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 09:00 CST for the client
DETAILS = {**FORM_DETAILS, "tz": "America/Chicago"}
TIME = r"\b\d{1,2}:\d{2}(?:\s?[AP]M)?(?:\s?[–-]\s?\d{1,2}:\d{2}(?:\s?[AP]M)?)?"
ZONE = r"\b[A-Z][a-z]+/[A-Za-z_]+\b|\b(?:[ECMP][SD]T|UTC|GMT|BST)\b"


def unlabelled_times(text: str) -> list[str]:
    """The times in ``text`` with no zone label after them on their line, before the next time."""
    bad = []
    for line in text.splitlines():
        matches = list(re.finditer(TIME, line))
        for i, match in enumerate(matches):
            stop = matches[i + 1].start() if i + 1 < len(matches) else len(line)
            if not re.search(ZONE, line[match.end() : stop]):
                bad.append(line.strip())
    return bad


def visible(page: str) -> str:
    """The text a person reads: no tags, scripts or attribute values, one line per block."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    page = re.sub(r"</?(p|h\d|li|dd|dt|div|tr|label|button|option|br)\b[^>]*>", "\n", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def assert_zoned(text: str, *, expect_times: bool = True):
    if expect_times:
        assert re.search(TIME, text), text
    assert unlabelled_times(text) == []


@pytest.fixture
def booked(client, now, therapist):
    """Held, details given, waiting for the emailed link: the "check your email" state."""
    hold = appointment_hold(
        therapist=therapist, session_type=therapist.session_types.get(), start=TUESDAY_10
    )
    token = manage_token_for(hold.public_id)
    response = client.post(f"/book/details/{token}/", DETAILS)
    assert response.status_code == 302
    hold.refresh_from_db()
    return hold


def test_the_check_your_email_page_names_the_zone_of_the_held_until_time(client, booked):
    page = client.get(f"/book/manage/{manage_token_for(booked.public_id)}/?booked=1")
    text = visible(page.content.decode())
    assert "check your email" in text and "hold this time for you until" in text
    assert_zoned(text)


def test_the_confirm_page_the_manage_page_and_its_policy_deadline_name_the_zone(client, booked):
    confirm_page = client.get(f"/book/confirm/{confirm_email_token(booked.public_id)}/")
    assert_zoned(visible(confirm_page.content.decode()))
    confirm_email(client, booked)
    booked.refresh_from_db()
    token = manage_token(booked)
    text = visible(client.get(f"/book/manage/{token}/").content.decode())
    assert "Cancellation policy" in text
    assert_zoned(text)


def test_the_cancel_and_move_pages_name_the_zone(client, booked, therapist):
    confirm_email(client, booked)
    booked.refresh_from_db()
    token = manage_token(booked)
    cancel = client.get(f"/book/manage/{token}/cancel/")
    assert cancel.status_code == 200
    assert_zoned(visible(cancel.content.decode()))
    times = client.get(
        "/book/times/",
        {
            "session_type": booked.session_type.pk,
            "therapist": therapist.pk,
            "tz": "America/Chicago",
            "reschedule": token,
        },
    ).content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", times, re.S).group(1)
    assert "Move your session of" in heading
    assert_zoned(visible(heading))
    later = (TUESDAY_10 + timedelta(days=1)).isoformat()
    move = client.get(f"/book/manage/{token}/reschedule/", {"start": later})
    assert move.status_code == 200, move.status_code
    assert_zoned(visible(move.content.decode()))


def test_the_details_page_deadline_and_other_free_times_name_the_zone(
    client, now, therapist, practice, time_machine
):
    response = client.post(
        "/book/hold/",
        {
            "session_type": therapist.session_types.get().pk,
            "start": TUESDAY_10.isoformat(),
            "tz": "America/Chicago",
        },
    )
    url = response["Location"].split("?")[0]
    page = client.get(url).content.decode()
    assert "You can cancel or move your session online until" in page
    assert_zoned(visible(page))
    # The hold lapsed and the time was taken: the nearest free times offered name the zone.
    time_machine.move_to(now + HOLD_DURATION + timedelta(minutes=2), tick=False)
    assert holds_release_expired() == 1
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=TUESDAY_10,
    )
    choice = {
        "session_type": therapist.session_types.get().pk,
        "therapist": therapist.pk,
        "start": TUESDAY_10.isoformat(),
    }
    taken = client.post(url, DETAILS | choice)
    assert taken.status_code == 409
    text = taken.content.decode()
    assert 'type="radio" name="start"' in text
    assert_zoned(visible(text))


@pytest.mark.parametrize(
    "kind",
    [
        NotificationKind.VERIFY_EMAIL,
        NotificationKind.NEW_LINKS,
        NotificationKind.REQUESTED,
        NotificationKind.CONFIRMATION,
        NotificationKind.UPDATE,
        NotificationKind.CANCELLATION,
        NotificationKind.DECLINED,
        NotificationKind.REMINDER,
    ],
)
def test_every_email_about_a_session_names_the_zone_of_each_time(booked, now, kind):
    email = build_email(Notification(appointment=booked, kind=kind, channel="email"), now=now)
    no_time = (NotificationKind.NEW_LINKS, NotificationKind.VERIFY_EMAIL)
    assert_zoned(email.subject, expect_times=kind not in no_time)
    assert_zoned(email.body)
    (body_html, _) = email.alternatives[0]
    assert_zoned(visible(body_html))


def test_the_reminder_text_names_the_zone(booked):
    assert_zoned(build_sms(Notification(appointment=booked, kind="reminder", channel="sms")))
