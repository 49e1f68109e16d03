"""One lookup each for a session, a series and the next free times, read by the pages
and the API alike."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from booking.scheduling import selectors
from booking.scheduling.series import series_create
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import sign_in


@pytest.fixture
def colleagues(now, team, practice, therapist):
    colleague = team["colleague_record"]
    session_type = therapist.session_types.get()
    client = ClientFactory(practice=practice)
    session = appointment_book(
        therapist=colleague, session_type=session_type, client=client, start=THURSDAY_10
    )
    series = series_create(
        therapist=colleague,
        session_type=session_type,
        client=client,
        first_date=date(2026, 3, 9),
        local_time=time(11),
        interval_weeks=1,
        count=2,
    )
    return session, series


@pytest.mark.parametrize(
    "url",
    [
        "/staff/appointments/{session}/",
        "/api/v1/staff/appointments/{session}/",
        "/staff/series/{series}/",
        "/api/v1/staff/series/{series}/",
    ],
)
def test_a_colleagues_session_and_series_do_not_exist_for_a_therapist_on_either_door(
    client, team, colleagues, url
):
    session, series = colleagues
    path = url.format(session=session.public_id, series=series.public_id)
    sign_in(client, team["therapist"])
    assert client.get(path).status_code == 404
    sign_in(client, team["receptionist"])
    assert client.get(path).status_code == 200


def test_the_finder_lists_the_first_free_starts_with_who_is_free(now, team, therapist):
    both = [therapist, team["colleague_record"]]
    found = selectors.free_times_next(
        therapists=both, session_type=therapist.session_types.get(), now=now, limit=5
    )
    # 24 hours' notice from Monday 12:00 UTC; both work 09:00-17:00 in New York (EST,
    # UTC-5) in 50-minute sessions on the hour: Tuesday from 09:00 EST = 14:00 UTC.
    tuesday_9 = datetime(2026, 3, 3, 14, tzinfo=UTC)
    assert [start for start, _ in found] == [tuesday_9 + timedelta(hours=h) for h in range(5)]
    assert all(set(who) == set(both) for _, who in found)


def test_the_desk_and_the_client_page_show_the_finders_times(client, team, therapist, now):
    sign_in(client, team["receptionist"])
    session_type = therapist.session_types.get()
    desk = client.get("/staff/desk/", {"session_type": session_type.pk, "find": "1"})
    someone = ClientFactory(practice=therapist.practice)
    book = client.get(f"/staff/clients/{someone.public_id}/book/", {"find_type": session_type.pk})
    desk_items = desk.content.decode().split('data-testid="next-free"')[1].split("</ul>")[0]
    # The desk lists 8 starts, the client page 12, from the same finder: Tuesday from
    # 09:00 in New York (the practice's zone), each hour to 16:00.
    assert desk_items.count("<li>") == 8
    assert "Tue 3 Mar 09:00" in desk_items and "Tue 3 Mar 16:00" in desk_items
    buttons = book.content.decode().count('name="quick_start"')
    assert buttons == 12
    assert '|2026-03-03T14:00:00+00:00"' in book.content.decode()  # Tuesday 09:00 EST
