"""Which time off applies in a window: one selector, read alike by the slot engine,
the staff calendar and the therapist's calendar feed."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.feeds import feeds
from booking.models import FeedKind, TimeOff
from booking.scheduling import selectors
from booking.staff import calendar
from tests.factories import PracticeFactory, TherapistFactory

NEW_YORK = ZoneInfo("America/New_York")
FIRST, LAST = date(2026, 12, 21), date(2026, 12, 27)  # a Monday to Sunday


@pytest.fixture
def rows(practice, therapist, session_type):
    colleague = TherapistFactory(practice=practice, offers=[session_type])

    def off(**fields):
        return TimeOff.objects.create(practice=fields.pop("practice", practice), **fields)

    return {
        "own": off(
            therapist=therapist,
            start_date=date(2026, 12, 22),
            end_date=date(2026, 12, 22),
            start_time=time(13),
            end_time=time(15, 30),
            reason="Dentist",
        ),
        "ends_on_first_day": off(
            therapist=therapist, start_date=date(2026, 12, 14), end_date=FIRST
        ),
        "yearly": off(
            start_date=date(2019, 12, 25),
            end_date=date(2019, 12, 26),
            repeats_yearly=True,
            reason="Winter holiday",
        ),
        # None of these applies to this therapist in this week:
        "colleague": off(therapist=colleague, start_date=FIRST, end_date=LAST),
        "other_practice": off(practice=PracticeFactory(), start_date=FIRST, end_date=LAST),
        "after": off(therapist=therapist, start_date=date(2026, 12, 30), end_date=date(2027, 1, 2)),
        "before": off(
            therapist=therapist, start_date=date(2026, 12, 1), end_date=date(2026, 12, 18)
        ),
    }


def test_the_selector_finds_own_and_practice_time_off_with_each_yearly_occurrence(
    rows, practice, therapist
):
    found = selectors.time_off_in_window(
        practice_id=practice.pk, therapist_ids=[therapist.pk], first_day=FIRST, last_day=LAST
    )
    assert sorted((off.pk, start, end) for off, start, end in found) == sorted(
        [
            (rows["own"].pk, date(2026, 12, 22), date(2026, 12, 22)),
            (rows["ends_on_first_day"].pk, date(2026, 12, 14), FIRST),
            (rows["yearly"].pk, date(2026, 12, 25), date(2026, 12, 26)),
        ]
    )


def expected_spans() -> set[tuple[datetime, datetime]]:
    """The same rows as UTC instants, by hand: New York is UTC-5 all December."""

    def ny(day, hour=0, minute=0):
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)

    return {
        (ny(date(2026, 12, 22), 13), ny(date(2026, 12, 22), 15, 30)),
        (ny(date(2026, 12, 14)), ny(FIRST + timedelta(days=1))),
        (ny(date(2026, 12, 25)), ny(date(2026, 12, 27))),
    }


def test_the_slot_engine_the_calendar_and_the_feed_read_the_same_time_off(
    rows, practice, therapist, session_type
):
    window_start = datetime(2026, 12, 21, 5, tzinfo=UTC)  # 00:00 in New York
    rules = selectors.slot_rules_get(
        therapist=therapist,
        session_type=session_type,
        window_start=window_start,
        window_end=window_start + timedelta(days=7),
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    engine = {
        (datetime.fromtimestamp(s, UTC), datetime.fromtimestamp(e, UTC))
        if isinstance(s, int | float)
        else (s.astimezone(UTC), e.astimezone(UTC))
        for s, e in rules.time_off
    }
    # The rules may carry time off beyond the window (the slots cache reads a wider cover,
    # booking/scheduling/slot_cache.py); what overlaps the window must be exactly these.
    window_end = window_start + timedelta(days=7)
    engine = {(s, e) for s, e in engine if s < window_end and e > window_start}
    assert engine == expected_spans()

    grid = calendar.therapist_week(
        therapist=therapist, first_day=FIRST, days=7, today=date(2026, 12, 1)
    )
    shown = {(c.day, b.label) for c in grid.columns for b in c.blocks if b.kind == "off"}
    assert shown == {
        (FIRST, "Time off"),
        (date(2026, 12, 22), "Dentist"),
        (date(2026, 12, 25), "Winter holiday"),
        (date(2026, 12, 26), "Winter holiday"),
    }

    feed = feeds.feed_get_or_create(kind=FeedKind.THERAPIST, practice=practice, therapist=therapist)
    feed.include_time_off = True
    in_feed = set(
        feeds.feed_time_off(feed, datetime(2026, 12, 1, tzinfo=UTC)).values_list("pk", flat=True)
    )
    assert in_feed == {
        rows[k].pk for k in ("own", "ends_on_first_day", "yearly", "after", "before")
    }
