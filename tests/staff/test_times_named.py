"""Staff pages never print a bare time where the page mixes zones.

A Los Angeles therapist at a New York practice: every time of day on the
session page, the client's record and the audit log is followed by the name
or abbreviation of its zone (or sits in a list whose legend names it).
Expectations are computed with zoneinfo here.
"""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.scheduling.services import Actor, appointment_book, appointment_cancel
from clients.services import client_update_contact
from practice.models import StaffRole
from tests.factories import ClientFactory, TherapistFactory
from tests.support.staff import make_staff, sign_in

LA, NY = ZoneInfo("America/Los_Angeles"), ZoneInfo("America/New_York")
SESSION = datetime(2026, 3, 5, 10, 0, tzinfo=LA)  # Thu 5 Mar, 13:00 in New York
CANCELLED_AT = datetime(2026, 3, 2, 8, 36, tzinfo=NY)  # Mon 2 Mar 08:36 EST = 13:36 UTC

TIME = re.compile(r"\b([01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s?[AP]M)?")
# A zone named right after the time: "PST", "(America/Los_Angeles)", "America/New_York".
LABEL = re.compile(r"^\s*(?:[A-Z]{3,5}\b|[+-]\d{2}\b|\(?[A-Z][A-Za-z_]+/[A-Za-z_]+)")


def visible_text(page: str) -> str:
    """The page's text as read: no head, scripts, form values; fieldsets whose legend
    names a zone (their buttons are read under it) left out."""
    page = re.sub(r"(?s)<head>.*?</head>|<script.*?</script>", "", page)
    page = re.sub(
        r"(?s)<fieldset><legend>[^<]*\([A-Z][A-Za-z_]+/[A-Za-z_]+\).*?</fieldset>", "", page
    )
    page = re.sub(r"(?s)<(input|option|textarea)[^>]*>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def bare_times(page: str) -> list[str]:
    text = visible_text(page)
    return [
        text[max(0, m.start() - 30) : m.end() + 20]
        for m in TIME.finditer(text)
        if not LABEL.match(text[m.end() :])
    ]


@pytest.fixture
def scene(practice, session_type, now, time_machine):
    therapist = TherapistFactory(
        practice=practice, time_zone="America/Los_Angeles", offers=[session_type]
    )
    client = ClientFactory(practice=practice, phone="+16175550199", time_zone="America/Chicago")
    client_update_contact(client=client, changes={"sms_consent": True})
    appointment = appointment_book(
        therapist=therapist, session_type=session_type, client=client, start=SESSION
    )
    time_machine.move_to(CANCELLED_AT, tick=False)
    appointment_cancel(appointment=appointment, actor=Actor.CLIENT, reason="Unwell")
    reception = make_staff(practice, StaffRole.RECEPTIONIST)
    owner = make_staff(practice, StaffRole.OWNER)
    return {"appointment": appointment, "client": client, "reception": reception, "owner": owner}


def test_the_cancellation_time_reads_in_the_pages_zone_and_names_it(client, scene):
    sign_in(client, scene["reception"])
    page = client.get(f"/staff/appointments/{scene['appointment'].public_id}/").content.decode()
    # The session page reads in the therapist's zone: 08:36 New York is 05:36 in Los Angeles.
    expected = CANCELLED_AT.astimezone(LA)
    assert f"{expected:%a} {expected.day} {expected:%b %Y %H:%M} PST" in visible_text(page)
    assert "13:36" not in page


def test_the_session_heading_names_its_zone_and_the_practices_time(client, scene):
    sign_in(client, scene["reception"])
    page = client.get(f"/staff/appointments/{scene['appointment'].public_id}/").content.decode()
    heading = visible_text(re.search(r"(?s)<h1>.*?</h1>", page).group(0))
    la_time = SESSION.strftime("%H:%M")
    ny_time = SESSION.astimezone(NY).strftime("%H:%M")
    assert f"{la_time} PST" in heading and "America/Los_Angeles" in heading
    assert f"{ny_time} America/New_York at the practice" in " ".join(heading.split())


@pytest.mark.parametrize("who", ["reception", "owner"])
def test_no_staff_page_that_mixes_zones_prints_a_bare_time(client, scene, who):
    sign_in(client, scene[who])
    pages = [
        f"/staff/appointments/{scene['appointment'].public_id}/",
        f"/staff/clients/{scene['client'].public_id}/",
        f"/staff/clients/{scene['client'].public_id}/edit/",
        f"/staff/clients/{scene['client'].public_id}/book/",
        "/staff/audit/",
        "/staff/intake/",
    ]
    for path in pages:
        response = client.get(path)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, path
        assert bare_times(response.content.decode()) == [], path


def test_the_book_page_says_one_true_thing_about_the_zone_of_a_typed_time(client, scene):
    sign_in(client, scene["reception"])
    page = client.get(f"/staff/clients/{scene['client'].public_id}/book/").content.decode()
    said = " ".join(
        visible_text(re.search(r'(?s)data-testid="typed-zone">.*?</p>', page).group(0)).split()
    )
    assert "read in the chosen therapist's own zone" in said
    assert "America/Los_Angeles" in said and "not in America/New_York" in said
    assert "The time is in the therapist's own time zone" not in page


def test_today_and_the_cancel_question_name_the_zone_of_each_time(
    client, practice, session_type, now, time_machine
):
    """Requests waiting, sessions to mark and the cancel question: the reception reads
    each time with its zone (an LA session is 10:00 PST, not a bare "10:00")."""
    therapist = TherapistFactory(
        practice=practice, time_zone="America/Los_Angeles", offers=[session_type]
    )
    time_machine.move_to(datetime(2026, 3, 5, 9, 0, tzinfo=LA), tick=False)
    past = appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=ClientFactory(practice=practice),
        start=datetime(2026, 3, 5, 8, 0, tzinfo=LA),
        enforce_availability=False,
        now=datetime(2026, 3, 4, 9, 0, tzinfo=LA),
    )
    session_type.requires_approval = True
    session_type.save()
    request = appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=ClientFactory(practice=practice),
        start=SESSION + timedelta(days=1),
    )
    sign_in(client, make_staff(practice, StaffRole.RECEPTIONIST))
    today = client.get("/staff/").content.decode()
    for part in ("requests", "mark-attendance"):  # the table below has a zone column header
        section = re.search(rf'(?s)data-testid="{part}">.*?</section>', today).group(0)
        assert bare_times(section) == [], part
    assert "11:00 EST" in today  # the session to mark, in the practice zone, named
    question = client.get(f"/staff/appointments/{request.public_id}/?cancel=1").content.decode()
    assert bare_times(question) == []
    assert "at 10:00 PST?" in question
    assert past.pk
