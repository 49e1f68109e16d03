"""The repeated autumn hour is always said which: "01:30 EDT" / "01:30 EST", never "01:30–01:30".

America/New_York falls back on Sunday 7 November 2027 (02:00 EDT -> 01:00 EST);
Australia/Lord_Howe falls back 30 minutes on Sunday 4 April 2027 (02:00 -> 01:30).
Expected instants are built here with zoneinfo.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from booking.models import WorkingHours
from booking.scheduling.services import appointment_book
from practice.display import wall_time
from tests.factories import ClientFactory, TherapistFactory

NY = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
FIRST_0130 = datetime(2027, 11, 7, 1, 30, tzinfo=NY)  # fold=0: EDT
SECOND_0130 = datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=NY)  # EST


def test_wall_time_names_the_zone_only_inside_the_repeated_hour():
    assert wall_time(FIRST_0130.astimezone(UTC).astimezone(NY)) == "01:30 EDT"
    assert wall_time(SECOND_0130.astimezone(UTC).astimezone(NY)) == "01:30 EST"
    assert wall_time(datetime(2027, 11, 7, 0, 30, tzinfo=NY)) == "00:30"
    assert wall_time(datetime(2027, 11, 7, 2, 30, tzinfo=NY)) == "02:30"
    assert SECOND_0130.astimezone(UTC) - FIRST_0130.astimezone(UTC) == timedelta(hours=1)


def test_wall_time_handles_a_thirty_minute_fold():
    first = datetime(2027, 4, 4, 1, 45, tzinfo=LORD_HOWE).astimezone(UTC)
    second = datetime(2027, 4, 4, 1, 45, fold=1, tzinfo=LORD_HOWE).astimezone(UTC)
    assert second - first == timedelta(minutes=30)
    assert wall_time(first.astimezone(LORD_HOWE)) == "01:45 +11"
    assert wall_time(second.astimezone(LORD_HOWE)) == "01:45 +1030"
    assert wall_time(datetime(2027, 4, 4, 1, 15, tzinfo=LORD_HOWE)) == "01:15"


@pytest.fixture
def night_owl(practice, session_type, time_machine):
    time_machine.move_to(datetime(2027, 11, 1, 12, 0, tzinfo=UTC), tick=False)
    session_type.slot_step_minutes = 30
    session_type.duration_minutes = 60
    session_type.save()
    therapist = TherapistFactory(practice=practice, offers=[session_type], weekday_hours=False)
    WorkingHours.objects.create(
        therapist=therapist, weekday=6, start_time=time(0), end_time=time(4)
    )
    return therapist


def test_the_times_page_says_which_0130(client, night_owl, session_type):
    page = client.get(
        "/book/times/",
        {
            "session_type": session_type.pk,
            "therapist": night_owl.pk,
            "tz": "America/New_York",
            "start": "2027-11-07",
        },
    ).content.decode()
    assert ">01:30 EDT<" in page
    assert ">01:30<" not in page


def test_the_email_subject_and_manage_page_say_which_0130(
    client, night_owl, session_type, practice, django_capture_on_commit_callbacks
):
    person = ClientFactory(practice=practice, time_zone="America/New_York")
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(
            therapist=night_owl,
            session_type=session_type,
            client=person,
            start=FIRST_0130.astimezone(UTC),
        )
    (email,) = mail.outbox
    assert "Sun 7 Nov at 01:30 EDT" in email.subject
    from booking.scheduling.selectors import manage_token

    page = client.get(f"/book/manage/{manage_token(appointment)}/").content.decode()
    # 60 minutes from 01:30 EDT ends at 01:30 EST: both said, never "01:30–01:30".
    assert "01:30 EDT–01:30 EST" in page
    assert "01:30–01:30" not in page


@pytest.fixture
def at_0130_edt(night_owl, session_type, practice):
    return appointment_book(
        therapist=night_owl,
        session_type=session_type,
        client=ClientFactory(practice=practice, time_zone="America/New_York"),
        start=FIRST_0130.astimezone(UTC),
    )


def test_the_agenda_email_says_which_0130(at_0130_edt, night_owl):
    from datetime import date

    from booking.models import Notification
    from booking.notify.messages import agenda_context

    context = agenda_context(Notification(therapist=night_owl, agenda_date=date(2027, 11, 7)))
    (row,) = context["sessions"]
    assert (row["start"], row["end"]) == ("01:30 EDT", "01:30 EST")


def test_the_front_desk_week_and_the_session_page_say_which_0130(client, at_0130_edt, practice):
    from practice.models import StaffRole
    from tests.support.staff import make_staff, sign_in

    sign_in(client, make_staff(practice, StaffRole.RECEPTIONIST))
    week = client.get("/staff/desk/?date=2027-11-07&view=week").content.decode()
    assert "01:30 EDT" in week
    session = client.get(f"/staff/appointments/{at_0130_edt.public_id}/").content.decode()
    assert "01:30 EDT" in session


def test_the_second_0130_through_the_api_is_refused_saying_why(night_owl, session_type):
    from rest_framework.test import APIClient

    response = APIClient().post(
        "/api/v1/bookings/",
        {
            "therapist": night_owl.pk,
            "session_type": session_type.pk,
            "start": "2027-11-07T01:30:00-05:00",  # the second 01:30, in EST
            "timezone": "America/New_York",
            "client": {"first_name": "Robin", "last_name": "Fold", "email": "r@example.com"},
        },
        format="json",
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "happens twice" in detail and "01:30 EDT" in detail


def test_a_start_carrying_a_zone_books_real_minutes(night_owl, session_type, practice):
    # 01:30 EDT plus 60 minutes of wall clock would be 02:30 EST: two real hours.
    appointment = appointment_book(
        therapist=night_owl,
        session_type=session_type,
        client=ClientFactory(practice=practice, time_zone="America/New_York"),
        start=FIRST_0130,
    )
    assert appointment.end == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    appointment.refresh_from_db()
    assert appointment.end - appointment.start == timedelta(minutes=60)


def test_a_start_carrying_a_zone_gets_its_reminder_24_real_hours_before(
    night_owl, session_type, practice
):
    from booking.models import Notification, NotificationKind

    start = datetime(2027, 11, 7, 10, 0, tzinfo=NY)  # EST, the morning after the change
    appointment = appointment_book(
        therapist=night_owl,
        session_type=session_type,
        client=ClientFactory(practice=practice, time_zone="America/New_York"),
        start=start,
        enforce_availability=False,
    )
    reminder = Notification.objects.get(
        appointment=appointment, kind=NotificationKind.REMINDER, offset=timedelta(hours=24)
    )
    # 24 real hours before 15:00 UTC; wall-clock arithmetic would say 10:00 EDT (14:00 UTC).
    assert reminder.due_at == datetime(2027, 11, 6, 15, 0, tzinfo=UTC)
