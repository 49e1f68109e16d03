"""The owner's settings page: plain words ("24 hours"), reminders from a list, validated,
audited, with what clients are told previewed; owners only."""

import re
from datetime import time, timedelta

import pytest

from clients.models import AuditEvent
from tests.support.staff import sign_in


def form_values(page: str) -> dict:
    """The form as the browser would send it back unchanged."""
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


@pytest.mark.parametrize("role", ["receptionist", "therapist"])
def test_only_owners_open_it(client, team, role):
    sign_in(client, team[role])
    assert client.get("/staff/settings/").status_code == 403
