"""The client's move page: the session being moved does not block its own neighbours."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory, SessionTypeFactory, TherapistFactory

NEW_YORK = ZoneInfo("America/New_York")
# Tuesday 3 March 2026, 10:00 in New York (EST, UTC-5): 15:00 UTC.
BOOKED = datetime(2026, 3, 3, 10, 0, tzinfo=NEW_YORK)


@pytest.fixture
def hour_long(practice):
    # An hour's session offered every half hour: 09:30 and 10:30 overlap a 10:00 one.
    return SessionTypeFactory(
        practice=practice, name="Long session", duration_minutes=60, slot_step_minutes=30
    )


@pytest.fixture
def session(now, practice, hour_long):
    therapist = TherapistFactory(practice=practice, offers=[hour_long])
    return appointment_book(
        therapist=therapist,
        session_type=hour_long,
        client=ClientFactory(practice=practice, time_zone="America/New_York"),
        start=BOOKED,
    )


def _offered(client, session) -> set[str]:
    query = {
        "session_type": session.session_type_id,
        "therapist": session.therapist_id,
        "tz": "America/New_York",
        "reschedule": manage_token(session),
        "start": "2026-03-03",
        "day": "2026-03-03",
    }
    text = client.get("/book/times/", query).content.decode()
    day = BOOKED.date()
    offered = set()
    for minutes in range(0, 24 * 60, 30):
        local = datetime(day.year, day.month, day.day, tzinfo=NEW_YORK) + timedelta(minutes=minutes)
        if f'value="{local.astimezone(UTC).isoformat()}"' in text:
            offered.add(local.strftime("%H:%M"))
    return offered, text


def test_moving_offers_the_times_that_overlap_only_the_session_being_moved(client, session):
    offered, _ = _offered(client, session)
    assert {"09:00", "09:30", "10:30", "11:00"} <= offered
    # Its own current time is not a place to move to.
    assert "10:00" not in offered


def test_another_clients_session_still_blocks_the_move_page(client, session, practice):
    appointment_book(
        therapist=session.therapist,
        session_type=session.session_type,
        client=ClientFactory(practice=practice),
        start=BOOKED + timedelta(hours=2),  # 12:00
    )
    offered, _ = _offered(client, session)
    assert "11:30" not in offered and "12:00" not in offered and "12:30" not in offered
    assert "10:30" in offered


def test_the_move_page_offers_keeping_the_current_time_not_a_new_booking(client, session):
    _, text = _offered(client, session)
    token = manage_token(session)
    assert f'href="/book/manage/{token}/"' in text and "Keep my current time" in text
    assert "Change session type" not in text
