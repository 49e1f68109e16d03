"""The owner's settings page: plain words ("24 hours"), reminders from a list, validated,
audited, with what clients are told previewed; owners only."""

import html
import re
from datetime import time, timedelta

import pytest

from booking.models import AppointmentStatus
from clients.models import AuditEvent
from practice.models import Room, SessionType
from tests.support.staff import sign_in


def form_values(page: str) -> dict:
    """The (main) form as the browser would send it back unchanged."""
    main = re.search(r"<form method=\"post\" novalidate>.*?</form>", page, re.S)
    page = main.group(0) if main else page
    values = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                values.setdefault(name.group(1), []).append(value.group(1) if value else "on")
            continue
        values[name.group(1)] = value.group(1) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        values[name] = html.unescape(text.removeprefix("\n"))
    for select in re.findall(r'<select name="([^"]+)".*?</select>', page, re.S):
        block = re.search(rf'<select name="{select}".*?</select>', page, re.S).group(0)
        chosen = re.search(r'<option value="([^"]*)" selected', block)
        values[select] = chosen.group(1) if chosen else ""
    return values


def test_durations_read_in_plain_words(client, team, practice, now):
    sign_in(client, team["owner"])
    page = client.get("/staff/settings/").content.decode()
    values = form_values(page)
    # The defaults: 24 hours' notice and late-cancel window, 60 days ahead.
    assert (values["min_notice_amount"], values["min_notice_unit"]) == ("24", "hours")
    assert (values["booking_horizon_amount"], values["booking_horizon_unit"]) == ("60", "days")
    assert "1 00:00:00" not in page and "day, 0:00:00" not in page
    preview = re.search(r'data-testid="policy-preview">(.*?)</div>', page, re.S).group(1)
    assert "up to 60 days ahead, and no later than 24 hours before" in preview
    # Reminders chosen from a list, the current ones ticked.
    assert values["reminders"] == ["email:2880", "email:1440", "sms:180"]
    assert "Email, 2 days before" in page and "Text message, 3 hours before" in page


def test_saving_changes_the_practice_and_the_audit_names_the_fields(client, team, practice, now):
    sign_in(client, team["owner"])
    values = form_values(client.get("/staff/settings/").content.decode())
    values |= {
        "min_notice_amount": "48",
        "late_cancel_window_amount": "2",
        "late_cancel_window_unit": "days",
        "reminders": ["email:1440", "sms:60"],
        "quiet_hours_start": "20:30",
    }
    response = client.post("/staff/settings/", values)
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.min_notice == timedelta(hours=48)
    assert practice.late_cancel_window == timedelta(days=2)
    assert practice.reminder_schedule == [
        {"channel": "email", "minutes_before": 1440},
        {"channel": "sms", "minutes_before": 60},
    ]
    assert practice.quiet_hours_start == time(20, 30)
    entry = AuditEvent.objects.get(what="practice_settings")
    assert (entry.action, entry.actor) == ("change", team["owner"])
    assert entry.fields == [
        "late_cancel_window",
        "min_notice",
        "quiet_hours_start",
        "reminder_schedule",
    ]
    page = client.get("/staff/settings/").content.decode()
    assert form_values(page)["min_notice_amount"] == "48"
    assert "until 2 days before it" in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"time_zone": "Mars/Olympus"}, "Choose a time zone from the list"),
        ({"time_zone": "localtime"}, "Choose a time zone from the list"),
        ({"time_zone": "europe/berlin"}, "Did you mean Europe/Berlin?"),
        ({"min_notice_amount": "-3"}, "greater than or equal to 0"),
        ({"booking_horizon_amount": "0"}, "bookable some time ahead"),
        ({"min_notice_unit": "fortnights"}, "Select a valid choice"),
        ({"reminders": ["email:999999"]}, "Select a valid choice"),
    ],
)
def test_bad_values_are_a_readable_400_and_nothing_changes(
    client, team, practice, now, change, message
):
    sign_in(client, team["owner"])
    values = form_values(client.get("/staff/settings/").content.decode()) | change
    response = client.post("/staff/settings/", values)
    assert response.status_code == 400 and message in response.content.decode()
    before = practice.min_notice
    practice.refresh_from_db()
    assert practice.min_notice == before and practice.time_zone != "Mars/Olympus"
    assert not AuditEvent.objects.filter(what="practice_settings").exists()


@pytest.mark.parametrize("zone", ["Etc/UTC", "GMT", "US/Pacific"])
def test_the_practice_may_keep_any_iana_zone(client, team, practice, now, zone):
    sign_in(client, team["owner"])
    values = form_values(client.get("/staff/settings/").content.decode()) | {"time_zone": zone}
    assert client.post("/staff/settings/", values).status_code == 302
    practice.refresh_from_db()
    assert practice.time_zone == zone


@pytest.mark.parametrize("role", ["receptionist", "therapist"])
def test_only_owners_open_it(client, team, role):
    sign_in(client, team[role])
    assert client.get("/staff/settings/").status_code == 403


# --- the late-cancel fee and embed origins ------------------------------------------------


def test_the_fee_text_and_embed_origins_are_saved_and_audited(client, team, practice, now):
    sign_in(client, team["owner"])
    values = form_values(client.get("/staff/settings/").content.decode())
    values |= {
        "late_cancel_fee": "A $60 fee applies to cancellations within 24 hours.",
        "embed_origins": "https://www.example.org\r\nhttps://shop.example.org:8443/\r\n",
    }
    assert client.post("/staff/settings/", values).status_code == 302
    practice.refresh_from_db()
    assert practice.late_cancel_fee == "A $60 fee applies to cancellations within 24 hours."
    assert practice.embed_origins == "https://www.example.org\nhttps://shop.example.org:8443"
    entry = AuditEvent.objects.get(what="practice_settings")
    assert entry.fields == ["embed_origins", "late_cancel_fee"]
    page = client.get("/staff/settings/").content.decode()
    assert "A $60 fee applies" in re.search(
        r'data-testid="policy-preview">(.*?)</div>', page, re.S
    ).group(1)


@pytest.mark.parametrize(
    "typed, message",
    [
        ("http://www.example.org", "must start with https://"),
        ("https://www.example.org/booking", "is not an origin"),
        ("https://*.example.org", "is not an origin"),
        ("www.example.org", "is not an origin"),
    ],
)
def test_an_embed_origin_is_https_host_and_port_or_a_readable_400(
    client, team, practice, now, typed, message
):
    sign_in(client, team["owner"])
    values = form_values(client.get("/staff/settings/").content.decode())
    values |= {"embed_origins": f"https://ok.example.org\n{typed}", "name": "Renamed"}
    response = client.post("/staff/settings/", values)
    page = html.unescape(response.content.decode())
    assert response.status_code == 400 and message in page and typed in page
    # What was typed stays in the form.
    assert form_values(response.content.decode())["name"] == "Renamed"
    practice.refresh_from_db()
    assert practice.embed_origins == "" and practice.name != "Renamed"


# --- session types --------------------------------------------------------------------------


def type_values(page: str) -> dict:
    values = form_values(page)
    values.pop("next", None)
    return values


def test_session_types_are_listed_in_plain_words(client, team, therapist, practice, now):
    session_type = therapist.session_types.get()
    session_type.buffer_after_minutes = 10
    session_type.save()
    sign_in(client, team["owner"])
    page = client.get("/staff/settings/").content.decode()
    listing = re.search(r'data-testid="session-types">(.*?)</table>', page, re.S).group(1)
    assert session_type.name in listing
    assert f"{session_type.duration_minutes} minutes" in listing
    assert "10 minutes after" in listing
    assert f"/staff/settings/session-types/{session_type.pk}/" in listing


def test_an_owner_adds_a_session_type_for_chosen_therapists(client, team, therapist, practice, now):
    sign_in(client, team["owner"])
    page = client.get("/staff/settings/session-types/new/").content.decode()
    values = type_values(page) | {
        "name": "Couples session",
        "duration_minutes": "80",
        "price": "150.00",
        "buffer_before_minutes": "5",
        "buffer_after_minutes": "15",
        "modality": "telehealth",
        "requires_approval": "on",
        "requires_intake": "on",
        "is_active": "on",
        "therapists": [str(therapist.pk)],
    }
    response = client.post("/staff/settings/session-types/new/", values)
    assert response.status_code == 302, response.content.decode()[:2000]
    made = SessionType.objects.get(practice=practice, name="Couples session")
    assert (made.duration_minutes, made.buffer_before_minutes, made.buffer_after_minutes) == (
        80,
        5,
        15,
    )
    assert str(made.price) == "150.00" and made.modality == "telehealth"
    assert made.requires_approval and made.requires_intake and made.is_active
    assert list(made.therapists.all()) == [therapist]
    entry = AuditEvent.objects.get(what="session_type")
    assert (entry.action, entry.actor, entry.practice) == ("create", team["owner"], practice)


def test_a_bad_session_type_is_a_readable_400_that_keeps_what_was_typed(
    client, team, therapist, practice, now
):
    sign_in(client, team["owner"])
    existing = therapist.session_types.get()
    values = type_values(client.get("/staff/settings/session-types/new/").content.decode())
    values |= {"name": "Long walk", "duration_minutes": "0", "price": "12.5"}
    response = client.post("/staff/settings/session-types/new/", values)
    page = response.content.decode()
    assert response.status_code == 400
    assert "at least 5 minutes" in page and form_values(page)["name"] == "Long walk"
    values |= {"name": existing.name, "duration_minutes": "50"}
    again = client.post("/staff/settings/session-types/new/", values)
    assert again.status_code == 400
    assert "already has a session type called" in html.unescape(again.content.decode())
    assert SessionType.objects.filter(practice=practice).count() == 1
    assert not AuditEvent.objects.filter(what="session_type").exists()


def test_a_booked_session_type_is_switched_off_not_deleted(
    client, team, booked, therapist, practice, now
):
    session_type = booked.session_type
    sign_in(client, team["owner"])
    url = f"/staff/settings/session-types/{session_type.pk}/"
    page = client.get(url).content.decode()
    assert "Delete" not in page
    values = type_values(page)
    values.pop("is_active", None)
    values["duration_minutes"] = "45"
    assert client.post(url, values).status_code == 302
    session_type.refresh_from_db()
    assert not session_type.is_active and session_type.duration_minutes == 45
    booked.refresh_from_db()
    assert booked.session_type == session_type and booked.status == AppointmentStatus.CONFIRMED
    entry = AuditEvent.objects.get(what="session_type")
    assert entry.action == "change" and entry.fields == ["duration_minutes", "is_active"]


def test_another_practices_session_type_is_not_found(client, team, now):
    from tests.factories import SessionTypeFactory

    theirs = SessionTypeFactory(name="Elsewhere")
    sign_in(client, team["owner"])
    assert client.get(f"/staff/settings/session-types/{theirs.pk}/").status_code == 404


# --- rooms ------------------------------------------------------------------------------------


def test_rooms_are_added_renamed_and_switched_off(client, team, practice, now):
    sign_in(client, team["owner"])
    assert client.post("/staff/settings/rooms/", {"name": "Garden room"}).status_code == 302
    room = Room.objects.get(practice=practice)
    assert room.name == "Garden room" and room.is_active
    response = client.post(f"/staff/settings/rooms/{room.pk}/", {"name": "Blue room"})
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.name == "Blue room" and not room.is_active  # "in use" left unticked
    assert sorted(AuditEvent.objects.filter(what="room").values_list("action", "fields")) == [
        ("change", ["is_active", "name"]),
        ("create", ["is_active", "name"]),
    ]
    page = client.get("/staff/settings/").content.decode()
    assert "Blue room" in re.search(r'data-testid="rooms">(.*?)</section>', page, re.S).group(1)


def test_a_duplicate_or_empty_room_name_is_a_readable_400(client, team, practice, now):
    Room.objects.create(practice=practice, name="Garden room")
    sign_in(client, team["owner"])
    taken = client.post("/staff/settings/rooms/", {"name": "Garden room"})
    assert taken.status_code == 400
    assert "already has a room called" in html.unescape(taken.content.decode())
    empty = client.post("/staff/settings/rooms/", {"name": "  "})
    assert empty.status_code == 400 and "Give the room a name" in empty.content.decode()
    assert Room.objects.filter(practice=practice).count() == 1


@pytest.mark.parametrize("role", ["receptionist", "therapist"])
@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/staff/settings/session-types/new/"),
        ("post", "/staff/settings/session-types/new/"),
        ("post", "/staff/settings/rooms/"),
    ],
)
def test_only_owners_change_session_types_and_rooms(client, team, role, method, path):
    sign_in(client, team[role])
    assert getattr(client, method)(path, {"name": "X"}).status_code == 403
    assert not Room.objects.filter(name="X").exists()


@pytest.mark.parametrize(
    "minutes, words",
    [
        (90, "90 minutes"),
        (60, "1 hour"),
        (24 * 60, "24 hours"),
        (48 * 60, "2 days"),
        (1, "1 minute"),
    ],
)
def test_durations_are_never_rounded_into_other_words(minutes, words):
    from booking.scheduling.policy import humanize_duration

    assert humanize_duration(timedelta(minutes=minutes)) == words
