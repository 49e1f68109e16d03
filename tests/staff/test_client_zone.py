"""Booking on a client's behalf says each time also in the client's own zone (from their
record) where it reads differently, and the client forms pick the zone by friendly name.

Expected wall times are computed here with zoneinfo, not with the project's helpers.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from clients.models import Client
from tests.factories import ClientFactory
from tests.support.staff import sign_in

NEW_YORK, DENVER = ZoneInfo("America/New_York"), ZoneInfo("America/Denver")
# On Monday 2 March 2026 (the tests' "now") Denver keeps Mountain Standard Time.
DENVER_LABEL = "Mountain Time — Denver (UTC−7)"


def test_each_free_time_also_reads_in_the_clients_zone(client, team, therapist, practice, now):
    casey = ClientFactory(practice=practice, first_name="Casey", time_zone="America/Denver")
    sign_in(client, team["receptionist"])
    page = client.get(f"/staff/clients/{casey.public_id}/book/").content.decode()
    buttons = re.findall(r'name="quick_start" value="\d+\|([^"]+)">(.*?)</button>', page, re.S)
    assert buttons
    for value, shown in buttons:
        instant = datetime.fromisoformat(value)
        ny, denver = instant.astimezone(NEW_YORK), instant.astimezone(DENVER)
        assert f"{ny:%H:%M} {ny:%Z} · {denver:%H:%M} {denver:%Z} for Casey" in shown


def test_a_client_in_the_pages_zone_gets_no_second_time(client, team, therapist, practice, now):
    local = ClientFactory(practice=practice, first_name="Nia", time_zone="America/New_York")
    sign_in(client, team["receptionist"])
    page = client.get(f"/staff/clients/{local.public_id}/book/").content.decode()
    buttons = re.findall(r'name="quick_start" value="[^"]+">(.*?)</button>', page, re.S)
    assert buttons and not any("for Nia" in shown for shown in buttons)


def test_the_check_step_gives_the_time_in_the_clients_zone(
    client, team, therapist, practice, session_type, now
):
    casey = ClientFactory(practice=practice, first_name="Casey", time_zone="America/Denver")
    sign_in(client, team["receptionist"])
    response = client.post(
        f"/staff/clients/{casey.public_id}/book/",
        {
            "session_type": session_type.pk,
            "therapist": therapist.pk,
            "date": "2026-03-11",  # after the US change: EDT and MDT
            "time": "13:00",
            "step": "check",
        },
    )
    instant = datetime(2026, 3, 11, 13, 0, tzinfo=ZoneInfo(therapist.time_zone))
    denver = instant.astimezone(DENVER)
    line = re.search(r'data-testid="client-time">([^<]+)<', response.content.decode()).group(1)
    assert line == f"{denver:%H:%M} {denver:%Z} for Casey"


def test_the_new_client_form_offers_friendly_zone_names_and_takes_one(client, team, practice, now):
    sign_in(client, team["receptionist"])
    page = client.get("/staff/clients/new/").content.decode()
    assert f'<option value="{DENVER_LABEL}">America/Denver</option>' in page
    response = client.post(
        "/staff/clients/new/",
        {
            "first_name": "Casey",
            "last_name": "Zonepick",
            "email": "casey.zonepick@example.org",
            "time_zone": DENVER_LABEL,
        },
    )
    assert response.status_code == 302
    assert Client.objects.get(email="casey.zonepick@example.org").time_zone == "America/Denver"


def test_an_unknown_zone_is_refused_readably(client, team, practice, now):
    sign_in(client, team["receptionist"])
    response = client.post(
        "/staff/clients/new/",
        {
            "first_name": "Casey",
            "last_name": "Zonepick",
            "email": "casey.zonepick@example.org",
            "time_zone": "Somewhere nice",
        },
    )
    assert response.status_code == 400
    assert "Choose a time zone from the list" in response.content.decode()


def test_the_edit_form_shows_the_stored_zone_by_its_friendly_name_and_keeps_it(
    client, team, practice, now
):
    casey = ClientFactory(practice=practice, first_name="Casey", time_zone="America/Denver")
    sign_in(client, team["receptionist"])
    page = client.get(f"/staff/clients/{casey.public_id}/edit/").content.decode()
    assert f'value="{DENVER_LABEL}"' in page
