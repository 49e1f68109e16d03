"""Hours, time off and standing appointments from the staff pages, seen by the public slots."""

from datetime import UTC, date, datetime, time

import pytest
from django.core import mail

from booking.models import (
    Appointment,
    ExtraHours,
    Notification,
    Series,
    TimeOff,
    WorkingHours,
)
from booking.scheduling.series import series_plan
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory
from tests.support.staff import sign_in


def public_slots(client, therapist, day: str) -> list[str]:
    response = client.get(
        "/api/v1/slots/",
        {
            "therapist": therapist.pk,
            "session_type": therapist.session_types.get().pk,
            "start": day,
            "end": day,
            "tz": therapist.time_zone,
        },
    )
    assert response.status_code == 200, response.content
    return [s["start"][11:16] for s in response.json()["slots"]]


def test_time_off_added_on_the_page_takes_the_public_slots_away(client, team, therapist, now):
    assert "10:00" in public_slots(client, therapist, "2026-03-05")
    sign_in(client, team["therapist"])
    response = client.post(
        "/staff/availability/",
        {
            "form": "off",
            "start_date": "2026-03-05",
            "start_time": "09:00",
            "end_time": "13:00",
            "reason": "Dentist",
        },
    )
    assert response.status_code == 302
    slots = public_slots(client, therapist, "2026-03-05")
    assert "10:00" not in slots and "12:00" not in slots and "13:00" in slots
    # A whole day off.
    client.post("/staff/availability/", {"form": "off", "start_date": "2026-03-06"})
    assert public_slots(client, therapist, "2026-03-06") == []
    off = TimeOff.objects.get(reason="Dentist")
    client.post(f"/staff/availability/off/{off.pk}/delete/")
    assert "10:00" in public_slots(client, therapist, "2026-03-05")


def test_weekly_hours_with_several_intervals_and_a_clear_error(client, team, therapist, now):
    sign_in(client, team["therapist"])
    page = client.get("/staff/availability/").content.decode()
    assert 'value="09:00-17:00"' in page
    bad = client.post("/staff/availability/", {"form": "hours", "day_3": "9-12, 13:00-17:00"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "is not like 09:00-12:00" in text and 'value="9-12, 13:00-17:00"' in text
    overlap = client.post(
        "/staff/availability/", {"form": "hours", "day_3": "09:00-12:00, 11:00-13:00"}
    )
    assert "overlap" in overlap.content.decode()
    client.post(
        "/staff/availability/",
        {"form": "hours", "day_3": "08:00-10:00, 14:00-16:00", "day_5": "10:00-12:00"},
    )
    assert WorkingHours.objects.filter(therapist=therapist).count() == 3
    # 50-minute sessions on the hour: two in each two-hour interval.
    assert public_slots(client, therapist, "2026-03-05") == ["08:00", "09:00", "14:00", "15:00"]
    assert public_slots(client, therapist, "2026-03-07") == ["10:00", "11:00"]  # Saturday now
    assert public_slots(client, therapist, "2026-03-04") == []  # Wednesday: not working


def test_extra_hours_on_a_date_open_slots(client, team, therapist, now):
    assert public_slots(client, therapist, "2026-03-07") == []
    sign_in(client, team["therapist"])
    client.post(
        "/staff/availability/",
        {"form": "extra", "date": "2026-03-07", "start_time": "10:00", "end_time": "12:00"},
    )
    assert ExtraHours.objects.filter(therapist=therapist).count() == 1
    assert public_slots(client, therapist, "2026-03-07") == ["10:00", "11:00"]


def test_a_yearly_practice_holiday_closes_the_day_every_year(
    client, team, therapist, now, settings
):
    sign_in(client, team["receptionist"])
    client.post(
        f"/staff/availability/?therapist={therapist.pk}",
        {
            "form": "holiday",
            "start_date": "2025-03-05",
            "reason": "Founders' day",
            "repeats_yearly": "on",
            "therapist": therapist.pk,
        },
    )
    holiday = TimeOff.objects.get(reason="Founders' day")
    assert holiday.therapist is None and holiday.repeats_yearly
    assert public_slots(client, therapist, "2026-03-05") == []
    assert public_slots(client, therapist, "2026-03-04") != []
    # A therapist may not set practice holidays.
    sign_in(client, team["therapist"])
    response = client.post("/staff/availability/", {"form": "holiday", "start_date": "2026-03-10"})
    assert response.status_code == 403


def test_the_calendar_shows_the_holiday_next_year_too(client, team, therapist, now):
    TimeOff.objects.create(
        practice=therapist.practice,
        start_date=date(2025, 12, 25),
        end_date=date(2025, 12, 25),
        reason="Winter holiday",
        repeats_yearly=True,
    )
    sign_in(client, team["therapist"])
    assert "Winter holiday" in client.get("/staff/calendar/?date=2026-12-25").content.decode()
    assert "Winter holiday" in client.get("/staff/calendar/?date=2027-12-25").content.decode()


# --- standing appointments -------------------------------------------------------------


def series_form(**overrides):
    return {
        "first_date": "2026-03-03",  # a Tuesday, before the US change on 8 March
        "time": "10:00",
        "interval_weeks": "1",
        "ends": "count",
        "count": "4",
        "step": "preview",
    } | overrides


@pytest.fixture
def series_client(practice, therapist):
    """A client of the therapist's (a therapist sees only their own clients)."""
    return ClientFactory(
        practice=practice,
        first_name="Stan",
        last_name="Ding",
        email="stan@example.org",
        assigned_therapist=therapist,
    )


def test_a_weekly_series_across_the_dst_change_keeps_the_local_time(
    client, team, therapist, series_client, now, django_capture_on_commit_callbacks
):
    sign_in(client, team["therapist"])
    url = f"/staff/clients/{series_client.public_id}/series/new/"
    form = series_form(therapist=therapist.pk, session_type=therapist.session_types.get().pk)
    preview = client.post(url, form)
    assert preview.status_code == 200
    text = preview.content.decode()
    assert text.count('data-testid="local-time">10:00') == 4
    assert "10:00 EST" in text and "10:00 EDT" in text and "no clashes" in text
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(url, form | {"step": "create"})
    assert created.status_code == 302
    series = Series.objects.get()
    starts = list(series.appointments.order_by("start").values_list("start", flat=True))
    assert [s.astimezone(therapist.zone).strftime("%a %H:%M") for s in starts] == ["Tue 10:00"] * 4
    assert [s.strftime("%H:%M") for s in starts] == ["15:00", "14:00", "14:00", "14:00"]  # UTC
    # One confirmation that lists the other three; reminders for each.
    (confirmation,) = [m for m in mail.outbox if "is booked" in m.subject]
    assert confirmation.body.count("2026 at 10:00") >= 3
    assert Notification.objects.filter(kind="reminder", appointment__series=series).count() >= 4


def test_clashing_dates_are_shown_and_must_be_skipped_or_moved(
    client, team, therapist, practice, series_client, now
):
    TimeOff.objects.create(
        practice=practice,
        therapist=therapist,
        start_date=date(2026, 3, 10),
        end_date=date(2026, 3, 10),
    )
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=datetime(2026, 3, 17, 14, tzinfo=UTC),  # 10:00 EDT
    )
    sign_in(client, team["therapist"])
    url = f"/staff/clients/{series_client.public_id}/series/new/"
    form = series_form(therapist=therapist.pk, session_type=therapist.session_types.get().pk)
    preview = client.post(url, form).content.decode()
    assert (
        "2 clashes" in preview
        and "time off" in preview
        and "another session is booked then" in preview
    )
    refused = client.post(url, form | {"step": "create"})
    assert (
        refused.status_code == 409 and "Skip or move these dates first" in refused.content.decode()
    )
    assert not Series.objects.exists()
    # Keeping a date over another session is refused too.
    kept = client.post(
        url, form | {"step": "create", "decide_2026-03-10": "skip", "decide_2026-03-17": "keep"}
    )
    assert kept.status_code == 409 and not Series.objects.exists()
    done = client.post(
        url,
        form
        | {
            "step": "create",
            "decide_2026-03-10": "skip",
            "decide_2026-03-17": "move",
            "move_date_2026-03-17": "2026-03-18",
            "move_time_2026-03-17": "11:00",
        },
    )
    assert done.status_code == 302
    series = Series.objects.get()
    rows = list(series.appointments.order_by("start").values_list("occurrence_date", "start"))
    assert [d.isoformat() for d, _ in rows] == ["2026-03-03", "2026-03-17", "2026-03-24"]
    moved = rows[1][1].astimezone(therapist.zone)
    assert (moved.date().isoformat(), moved.strftime("%H:%M")) == ("2026-03-18", "11:00")


def test_every_other_week_until_a_date(therapist, now):
    plan = series_plan(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        first_date=date(2026, 3, 3),
        local_time=time(10),
        interval_weeks=2,
        until=date(2026, 4, 30),
    )
    assert [o.date.isoformat() for o in plan] == [
        "2026-03-03",
        "2026-03-17",
        "2026-03-31",
        "2026-04-14",
        "2026-04-28",
    ]


def test_a_time_that_does_not_exist_on_one_date_is_a_clash(therapist, now):
    plan = series_plan(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        first_date=date(2026, 3, 1),  # a Sunday; 8 March 02:30 does not exist in New York
        local_time=time(2, 30),
        interval_weeks=1,
        count=2,
    )
    assert [(o.start is None, o.conflict) for o in plan] == [(False, "hours"), (True, "gap")]


def test_ending_a_series_cancels_future_sessions_only(
    client, team, therapist, series_client, now, time_machine
):
    sign_in(client, team["therapist"])
    url = f"/staff/clients/{series_client.public_id}/series/new/"
    form = series_form(therapist=therapist.pk, session_type=therapist.session_types.get().pk)
    client.post(url, form | {"step": "create"})
    series = Series.objects.get()
    page = client.get(f"/staff/series/{series.public_id}/").content.decode()
    assert page.count('data-testid="local-time">10:00') == 4
    client.post(f"/staff/series/{series.public_id}/end/", {"from_date": "2026-03-17"})
    statuses = list(series.appointments.order_by("start").values_list("status", flat=True))
    assert statuses == ["confirmed", "confirmed", "cancelled", "cancelled"]
    series.refresh_from_db()
    assert series.ended_on == date(2026, 3, 17)


def test_one_occurrence_is_cancelled_like_any_session(client, team, therapist, series_client, now):
    sign_in(client, team["therapist"])
    url = f"/staff/clients/{series_client.public_id}/series/new/"
    client.post(
        url,
        series_form(
            therapist=therapist.pk, session_type=therapist.session_types.get().pk, step="create"
        ),
    )
    second = Appointment.objects.order_by("start")[1]
    client.post(f"/staff/appointments/{second.public_id}/cancel/")
    statuses = list(Appointment.objects.order_by("start").values_list("status", flat=True))
    assert statuses == ["confirmed", "cancelled", "confirmed", "confirmed"]


def test_bad_series_input_is_a_clear_400(client, team, therapist, series_client, now):
    sign_in(client, team["therapist"])
    url = f"/staff/clients/{series_client.public_id}/series/new/"
    response = client.post(
        url,
        series_form(
            therapist=therapist.pk, session_type=therapist.session_types.get().pk, count=""
        ),
    )
    assert response.status_code == 400 and "How many sessions?" in response.content.decode()
    too_many = client.post(
        url,
        series_form(
            therapist=therapist.pk,
            session_type=therapist.session_types.get().pk,
            ends="until",
            until="2030-01-01",
        ),
    )
    assert too_many.status_code == 409 and "more than 104 sessions" in too_many.content.decode()
    assert not Series.objects.exists()
