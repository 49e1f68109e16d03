"""An erased client's record offers nothing but "view what was kept", and the readable
export reads as words: labels, local dates naming their zone, Yes/No, no raw values."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import dateformat

from clients import privacy
from tests.clients.conftest import THURSDAY_10
from tests.clients.test_privacy_tools import submit
from tests.support.staff import sign_in


def test_the_readable_export_has_labels_local_dates_and_plain_words(client, booked, staff):
    submit(booked.client)
    sign_in(client, staff["owner"])
    text = client.get(f"/staff/clients/{booked.client.public_id}/export.html").content.decode()
    zone = ZoneInfo(booked.therapist.practice.time_zone)
    local = THURSDAY_10.astimezone(zone)
    # The session's start, in the practice's zone, named: "Thu 5 Mar 2026 10:00 EST".
    assert f"{dateformat.format(local, 'D j M Y')} {local:%H:%M} {local.tzname()}" in text
    assert "Date of birth" in text and "Agreed to text messages" in text and "Starts" in text
    assert "PHQ-9 (depression)" in text and "Confirmed" in text
    for raw in ("first_name", "date_of_birth", "sms_consent_at", "True", "False", "[", "phq9"):
        assert raw not in text, raw
    # No ISO stamps or microseconds.
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text)
    assert not re.search(r":\d\d\.\d{6}", text)


def test_the_json_export_keeps_its_machine_readable_values(client, booked, staff):
    sign_in(client, staff["owner"])
    data = client.get(f"/staff/clients/{booked.client.public_id}/export.json").json()
    assert data["appointments"][0]["start"] == THURSDAY_10.isoformat()
    assert "first_name" in data["client"] and data["appointments"][0]["status"] == "confirmed"


def test_plain_words_for_lists_and_yes_no():
    zone = ZoneInfo("Europe/Berlin")
    assert privacy._plain([1, 0, 3], zone, "items") == "1, 0, 3"
    assert privacy._plain(True, zone, "x") == "Yes" and privacy._plain(None, zone, "x") == "—"
    assert privacy._plain("1990-04-07", zone, "date_of_birth") == "7 April 1990"
    assert privacy._plain("2026-03-05T15:00:00.123456+00:00", zone, "signed_at") == (
        "Thu 5 Mar 2026 16:00 CET"
    )


def test_an_erased_record_offers_only_what_was_kept(client, booked, staff, time_machine):
    time_machine.move_to(THURSDAY_10 + timedelta(days=1), tick=False)
    sign_in(client, staff["owner"])
    url = f"/staff/clients/{booked.client.public_id}/"
    client.post(f"{url}anonymise/", {"confirm": "ERASE"})
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "View what was kept" in text
    main = text.split("<main", 1)[-1]
    assert "<button" not in main
    for action in ("edit/", "book/", "assign/", "anonymise/", "series/new/", "export.json"):
        assert f"{url}{action}" not in main and action not in main, action
    # The kept session is listed, and the readable download of what was kept.
    assert "export.html" in main and "Confirmed" in main
    # Every action is refused on the server too.
    assert client.get(f"{url}edit/").status_code == 403
    assert client.get(f"{url}book/").status_code == 403
    assert client.post(f"{url}anonymise/", {"confirm": "ERASE"}).status_code == 403
    kept = client.get(f"{url}export.html").content.decode()
    assert "What the practice kept about an erased client" in kept
