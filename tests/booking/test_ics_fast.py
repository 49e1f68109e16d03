"""The feeds' direct event writer against icalendar: the same bytes, and parseable."""

import uuid
from datetime import UTC, datetime, timedelta

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.feeds.ics import appointment_event, appointment_event_bytes, event_uid

# Hypothesis takes naive bounds and makes aware values with ``timezones``.
instants = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2090, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
# Text with everything TEXT escaping and folding care about: separators, backslashes,
# carets, line ends, "\N", and characters of 2 to 4 bytes.
texts = st.text(
    alphabet=st.sampled_from(list("ab ,;:\\^\r\nN—éü漢😀\"'"))
    | st.characters(exclude_categories=["Cs"]),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(
    start=instants,
    minutes=st.integers(1, 600),
    changed=instants,
    sequence=st.integers(0, 10_000),
    status=st.sampled_from(["pending", "confirmed", "attended", "no_show", "cancelled"]),
    summary=texts,
    location=st.none() | texts,
    url=st.none()
    | st.from_regex(
        r"https://meet\.example/[0-9a-f]{32}(\?jwt=[A-Za-z0-9._-]{0,300})?", fullmatch=True
    ),
    public_id=st.uuids(),
)
def test_the_direct_writer_matches_icalendar_byte_for_byte(
    start, minutes, changed, sequence, status, summary, location, url, public_id
):
    fields = dict(
        public_id=public_id,
        start=start,
        end=start + timedelta(minutes=minutes),
        changed=changed,
        sequence=sequence,
        status=status,
        summary=summary,
        location=location,
        url=url,
    )
    fast = appointment_event_bytes(**fields)
    assert fast == appointment_event(**fields).to_ical()
    event = icalendar.Event.from_ical(fast)
    assert event["UID"] == event_uid(public_id)
    assert event.decoded("DTSTART") == start.replace(microsecond=0)


def test_a_long_summary_is_folded_and_reads_back_whole():
    summary = "Couples session — " + "Ängström, Łukasz; " * 6
    fast = appointment_event_bytes(
        public_id=uuid.uuid4(),
        start=datetime(2026, 3, 3, 15, tzinfo=UTC),
        end=datetime(2026, 3, 3, 16, tzinfo=UTC),
        changed=datetime(2026, 3, 1, tzinfo=UTC),
        sequence=1,
        status="confirmed",
        summary=summary,
    )
    assert all(len(line) <= 75 for line in fast.split(b"\r\n"))
    assert str(icalendar.Event.from_ical(fast)["SUMMARY"]) == summary
