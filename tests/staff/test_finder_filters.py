"""The next-free-times finder honours a chosen day and time of day ("Thursday afternoon"),
starts from the day the desk is looking at, and book on behalf pages past its first 12 times
with the practice's most booked session type chosen."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.scheduling import selectors
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory, SessionTypeFactory
from tests.support.staff import sign_in

NEW_YORK = ZoneInfo("America/New_York")


def starts(day: date, hours) -> list[datetime]:
    """Wall-clock hours on ``day`` in New York, as the instants they are (DST on its own)."""
    return [datetime.combine(day, time(h), tzinfo=NEW_YORK) for h in hours]


def test_thursday_afternoon_across_two_weeks_in_the_pages_zone(now, team, therapist):
    found = selectors.free_times_next(
        therapists=[therapist, team["colleague_record"]],
        session_type=therapist.session_types.get(),
        now=now,
        limit=20,
        zone=NEW_YORK,
        weekday=3,
        part_of_day="afternoon",
    )
    # Both work 09:00-17:00 in New York, sessions on the hour: afternoon starts 12:00-16:00,
    # on Thursday 5 March (EST) and Thursday 12 March (EDT, after the change).
    expected = starts(date(2026, 3, 5), range(12, 17)) + starts(date(2026, 3, 12), range(12, 17))
    assert [start for start, _ in found] == expected


def test_the_desk_finder_starts_on_the_day_shown_and_keeps_the_mornings(
    client, team, therapist, now
):
    sign_in(client, team["receptionist"])
    page = client.get(
        "/staff/desk/",
        {
            "date": "2026-03-10",
            "session_type": therapist.session_types.get().pk,
            "find": "1",
            "part": "morning",
        },
    ).content.decode()
    items = page.split('data-testid="next-free"')[1].split("</ul>")[0]
    listed = re.findall(r"<li>(\w{3} \d+ \w{3} \d\d:\d\d)", items)
    assert listed[:3] == ["Tue 10 Mar 09:00", "Tue 10 Mar 10:00", "Tue 10 Mar 11:00"]
    assert "Wed 11 Mar 09:00" in listed and not any(t.endswith(("12:00", "13:00")) for t in listed)
    assert 'option value="morning" selected' in page


def test_book_on_behalf_preselects_the_most_booked_type_and_pages_on(
    client, team, therapist, practice, now
):
    couples = SessionTypeFactory(practice=practice, name="Couples session")
    therapist.session_types.add(couples)
    for hours_later in (0, 2):
        appointment_book(
            therapist=therapist,
            session_type=couples,
            client=ClientFactory(practice=practice),
            start=datetime(2026, 3, 4, 9, tzinfo=NEW_YORK) + timedelta(hours=hours_later),
        )
    someone = ClientFactory(practice=practice)
    sign_in(client, team["receptionist"])
    url = f"/staff/clients/{someone.public_id}/book/"
    page = client.get(url).content.decode()
    assert f'<option value="{couples.pk}" selected>Couples session</option>' in page
    first = re.findall(r'name="quick_start" value="\d+\|([^"]+)"', page)
    assert len(first) == 12
    later = re.search(r'<a href="\?([^"]+)" data-testid="later-times">', page).group(1)
    last_day = datetime.fromisoformat(first[-1]).astimezone(NEW_YORK).date()
    assert f"find_from={last_day + timedelta(days=1)}" in later.replace("&amp;", "&")
    page = client.get(f"{url}?{later.replace('&amp;', '&')}").content.decode()
    following = [
        datetime.fromisoformat(v)
        for v in re.findall(r'name="quick_start" value="\d+\|([^"]+)"', page)
    ]
    assert following and min(following).astimezone(NEW_YORK).date() > last_day
