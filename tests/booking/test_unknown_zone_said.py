"""A zone asked for in a booking page's address (``?tz=``) that we do not know is said on the
page, with the zone shown instead: never silently swapped, never a 500.

The pages stay usable (200): the link still books, in the zone the page names.
"""

import html
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_hold
from booking.tokens import manage_token_for
from clients.models import Client
from tests.support.booking_forms import DETAILS
from tests.support.identity import confirm_email

TUESDAY_10 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")
HOSTILE = [
    "Mars/Olympus",
    "../etc/passwd",
    "Europe/../UTC",
    "<script>alert(1)</script>",
    "x" * 5000,
    "Europe/Berlin\x00",
]


def notice(page) -> str:
    found = re.search(r'data-testid="zone-unknown"[^>]*>(.*?)</p>', page.content.decode(), re.S)
    assert found, "no unknown-zone notice on the page"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def wall(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


def test_the_times_page_says_the_zone_asked_for_is_unknown_and_which_it_shows(
    client, now, therapist
):
    page = client.get(
        "/book/times/",
        {"session_type": therapist.session_types.get().pk, "tz": "Mars/Olympus"},
    )
    assert page.status_code == 200
    said = notice(page)
    assert "Mars/Olympus" in said and "not a time zone we know" in said
    assert "Eastern Time — New York" in said and "the practice" in said
    # The times are in the zone the notice names (10:00 in New York).
    assert f">{wall(TUESDAY_10, NEW_YORK)}<" in page.content.decode()
    # The zone picker is open beside it, to choose theirs.
    assert '<details class="tz-picker" id="tz-picker" open>' in page.content.decode()


def test_a_known_zone_gets_no_notice(client, now, therapist):
    page = client.get(
        "/book/times/",
        {"session_type": therapist.session_types.get().pk, "tz": "America/Chicago"},
    )
    assert 'data-testid="zone-unknown"' not in page.content.decode()


@pytest.mark.parametrize("asked", HOSTILE)
def test_hostile_zones_are_said_escaped_and_shortened_never_a_500(client, now, therapist, asked):
    page = client.get(
        "/book/times/", {"session_type": therapist.session_types.get().pk, "tz": asked}
    )
    assert page.status_code == 200
    said = notice(page)
    assert "not a time zone we know" in said and len(said) < 400
    assert "<script>" not in page.content.decode().split("<main", 1)[-1]


@pytest.mark.parametrize(
    ("asked", "quoted"),
    [
        ("\x00", "\u201c\ufffd\u201d"),  # trial: an invisible character between empty quotes
        ("A" * 3000, "\u201c" + "A" * 39 + "\u2026\u201d"),  # trial: ran off a phone's screen
    ],
    ids=["NUL", "3,000 characters"],
)
def test_what_was_asked_is_quoted_visibly_and_short(client, now, therapist, asked, quoted):
    page = client.get(
        "/book/times/", {"session_type": therapist.session_types.get().pk, "tz": asked}
    )
    assert notice(page).startswith(quoted)


def test_a_hold_carries_the_unknown_zone_on_so_the_details_page_says_it(client, now, therapist):
    response = client.post(
        "/book/hold/",
        {
            "session_type": therapist.session_types.get().pk,
            "start": TUESDAY_10.isoformat(),
            "tz": "Mars/Olympus",
        },
    )
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert parse_qs(location.query)["tz"] == ["Mars/Olympus"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    said = notice(page)
    assert "Mars/Olympus" in said and "Eastern Time — New York" in said
    # The client is recorded in the zone the page showed, not a silent other one.
    client.post(response["Location"], {**DETAILS, "tz": "Mars/Olympus"})
    assert Client.objects.get().time_zone == "America/New_York"


def test_the_manage_page_says_the_zone_asked_for_is_unknown(client, now, therapist):
    hold = appointment_hold(
        therapist=therapist, session_type=therapist.session_types.get(), start=TUESDAY_10
    )
    token = manage_token_for(hold.public_id)
    client.post(f"/book/details/{token}/", {**DETAILS, "tz": "America/Chicago"})
    confirm_email(client, hold)
    hold.refresh_from_db()
    page = client.get(f"/book/manage/{manage_token(hold)}/", {"tz": "Mars/Olympus"})
    assert page.status_code == 200
    said = notice(page)
    assert "Mars/Olympus" in said and "Central Time — Chicago" in said
    assert "your booking" in said
    assert wall(TUESDAY_10, ZoneInfo("America/Chicago")) in page.content.decode()
    asked_to_cancel = client.get(
        f"/book/manage/{manage_token(hold)}/cancel/", {"tz": "Mars/Olympus"}
    )
    assert asked_to_cancel.status_code == 200
    assert "Central Time — Chicago" in notice(asked_to_cancel)
