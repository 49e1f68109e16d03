"""Mark attendance: sessions that started with no outcome, one click each on Today and on the
calendar block; attended and no-show look different; "attended" is stored as "attended"."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from booking.models import Appointment, AppointmentStatus
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import sign_in

# Friday 6 March 09:00 New York: the day after the Thursday session.
FRIDAY_MORNING = THURSDAY_10 + timedelta(hours=23)


@pytest.fixture
def yesterday(booked, time_machine):
    time_machine.move_to(FRIDAY_MORNING, tick=False)
    return booked


def mark_form(page, appointment):
    url = f"/staff/appointments/{appointment.public_id}/outcome/"
    match = re.search(rf'<form[^>]*action="{re.escape(url)}".*?</form>', page, re.S)
    return match.group(0) if match else None


def test_today_lists_yesterdays_session_with_one_click_outcomes(client, team, yesterday):
    sign_in(client, team["therapist"])
    page = client.get("/staff/").content.decode()
    section = re.search(r'data-testid="mark-attendance">(.*?)</section>', page, re.S).group(1)
    assert "Ines Calendartest" in section and "Thu 5 Mar 10:00" in section
    form = mark_form(section, yesterday)
    assert 'name="outcome" value="attended"' in form and 'name="outcome" value="no_show"' in form
    response = client.post(
        f"/staff/appointments/{yesterday.public_id}/outcome/",
        {"outcome": "attended", "next": "/staff/"},
    )
    assert response.status_code == 302 and response["Location"] == "/staff/"
    yesterday.refresh_from_db()
    assert yesterday.status == "attended"
    assert 'data-testid="mark-attendance"' not in client.get("/staff/").content.decode()


def test_a_session_still_to_come_is_not_listed(client, team, booked, now):
    sign_in(client, team["therapist"])
    assert 'data-testid="mark-attendance"' not in client.get("/staff/").content.decode()


def test_a_colleagues_session_is_not_on_a_therapists_list(client, team, yesterday):
    sign_in(client, team["colleague"])
    assert 'data-testid="mark-attendance"' not in client.get("/staff/").content.decode()
    client.logout()
    sign_in(client, team["receptionist"])
    assert 'data-testid="mark-attendance"' in client.get("/staff/").content.decode()


def test_the_calendar_block_marks_in_one_click_and_then_reads_differently(
    client, team, yesterday, therapist
):
    sign_in(client, team["therapist"])
    calendar = "/staff/calendar/?date=2026-03-05"
    page = client.get(calendar).content.decode()
    form = mark_form(page, yesterday)
    assert form is not None and f'name="next" value="{calendar}"' in form.replace("&amp;", "&")
    response = client.post(
        f"/staff/appointments/{yesterday.public_id}/outcome/",
        {"outcome": "no_show", "next": calendar},
    )
    assert response["Location"] == calendar
    page = client.get(calendar).content.decode()
    assert mark_form(page, yesterday) is None
    block = re.search(r'<a class="blk blk-session[^"]*"[^>]*>.*?</a>', page, re.S).group(0)
    assert " no-show" in block and "no show" in block
    # Corrected to attended: another look (and a tick), not the no-show one.
    client.post(f"/staff/appointments/{yesterday.public_id}/outcome/", {"outcome": "attended"})
    page = client.get(calendar).content.decode()
    block = re.search(r'<a class="blk blk-session[^"]*"[^>]*>.*?</a>', page, re.S).group(0)
    assert " attended" in block and " no-show" not in block and "✓" in block


def test_a_next_address_off_the_staff_area_is_ignored(client, team, yesterday):
    sign_in(client, team["therapist"])
    response = client.post(
        f"/staff/appointments/{yesterday.public_id}/outcome/",
        {"outcome": "attended", "next": "https://evil.example/staff/"},
    )
    assert response["Location"] == f"/staff/appointments/{yesterday.public_id}/"


def test_the_staff_api_speaks_attended_and_still_reads_completed(client, team, yesterday):
    sign_in(client, team["owner"])
    url = f"/api/v1/staff/appointments/{yesterday.public_id}/outcome/"
    old = client.post(url, {"outcome": "completed"}, content_type="application/json")
    assert old.status_code == 200 and old.json()["status"] == "attended"
    listed = client.get("/api/v1/staff/appointments/", {"status": "completed"}).json()
    assert [a["id"] for a in listed["results"]] == [str(yesterday.public_id)]
    assert Appointment.objects.get(pk=yesterday.pk).status == AppointmentStatus.ATTENDED


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_turns_completed_into_attended_and_back(booked):
    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.migrate(target or executor.loader.graph.leaf_nodes())

    def stored():
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM booking_appointment WHERE id = %s", [booked.pk])
            return cursor.fetchone()[0]

    migrate([("booking", "0021_notification_requests_for_staff")])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE booking_appointment SET status = 'completed' WHERE id = %s", [booked.pk]
        )
    migrate([("booking", "0022_attended_stored_as_attended")])
    assert stored() == "attended"
    migrate([("booking", "0021_notification_requests_for_staff")])
    assert stored() == "completed"
    migrate(None)
    assert stored() == "attended"
