"""Feed times read back right in the common parsers, X-WR-TIMEZONE handling included,
and whole days off are all-day events on the therapist's own dates."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import vobject
import x_wr_timezone

from booking.feeds import feeds
from booking.models import FeedKind, TimeOff
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory, TherapistFactory

NY = ZoneInfo("America/New_York")
FIRST = datetime(2027, 11, 7, 1, 30, tzinfo=NY)  # EDT
SECOND = datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=NY)  # EST, an hour later


def feed_text(client, feed):
    path = "/calendar/" + feeds.feed_urls(feed)["https"].rsplit("/calendar/", 1)[1]
    return client.get(path).content


def test_sessions_in_the_repeated_hour_read_back_at_their_instants_in_every_parser(
    client, therapist, session_type, practice, time_machine
):
    time_machine.move_to(datetime(2027, 11, 1, tzinfo=UTC), tick=False)
    session_type.duration_minutes = 30
    session_type.save()
    for start in (FIRST, SECOND):
        appointment_book(
            therapist=therapist,
            session_type=session_type,
            client=ClientFactory(practice=practice),
            start=start.astimezone(UTC),
            enforce_availability=False,
        )
    feed = feeds.feed_get_or_create(kind=FeedKind.THERAPIST, practice=practice, therapist=therapist)
    text = feed_text(client, feed)
    expected = sorted([FIRST.astimezone(UTC), SECOND.astimezone(UTC)])
    assert expected[1] - expected[0] == timedelta(hours=1)

    calendar = icalendar.Calendar.from_ical(text)
    assert sorted(e.decoded("DTSTART") for e in calendar.walk("VEVENT")) == expected
    parsed = vobject.readOne(text.decode())
    assert sorted(e.dtstart.value.astimezone(UTC) for e in parsed.vevent_list) == expected
    # x-wr-timezone rewrites UTC times into the named zone: the instants must not move.
    standard = x_wr_timezone.to_standard(icalendar.Calendar.from_ical(text))
    assert sorted(e.decoded("DTSTART").astimezone(UTC) for e in standard.walk("VEVENT")) == (
        expected
    )
    # recurring-ical-events applies X-WR-TIMEZONE itself.
    between = recurring_ical_events.of(icalendar.Calendar.from_ical(text)).between(
        date(2027, 11, 6), date(2027, 11, 8)
    )
    assert sorted(e.decoded("DTSTART").astimezone(UTC) for e in between) == expected


def test_a_whole_day_off_is_an_all_day_event_on_the_therapists_own_date(
    client, practice, session_type, now
):
    la = TherapistFactory(practice=practice, time_zone="America/Los_Angeles", offers=[session_type])
    TimeOff.objects.create(
        practice=practice, therapist=la, start_date=date(2026, 3, 9), end_date=date(2026, 3, 10)
    )
    TimeOff.objects.create(
        practice=practice,
        therapist=la,
        start_date=date(2026, 3, 12),
        end_date=date(2026, 3, 12),
        start_time=datetime(2026, 1, 1, 14, tzinfo=UTC).time(),
        end_time=datetime(2026, 1, 1, 16, tzinfo=UTC).time(),
    )
    feed = feeds.feed_get_or_create(kind=FeedKind.THERAPIST, practice=practice, therapist=la)
    calendar = icalendar.Calendar.from_ical(feed_text(client, feed))
    busy = sorted(
        (
            (e.decoded("DTSTART"), e.decoded("DTEND"))
            for e in calendar.walk("VEVENT")
            if e["SUMMARY"] == "Time off"
        ),
        key=lambda span: isinstance(span[0], datetime),  # the all-day one first
    )
    la_zone = ZoneInfo("America/Los_Angeles")
    assert busy[0] == (date(2026, 3, 9), date(2026, 3, 11))  # DTEND is the day after
    assert busy[1] == (
        datetime(2026, 3, 12, 14, tzinfo=la_zone).astimezone(UTC),
        datetime(2026, 3, 12, 16, tzinfo=la_zone).astimezone(UTC),
    )
