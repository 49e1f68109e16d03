"""Removing time off and extra hours: one rule for the page and the API.

Not yours to see → 404 (nothing says it exists); yours to see but not to change
(a therapist and a practice holiday) → 403. Both doors must answer alike.
"""

from datetime import date, time

import pytest

from booking.models import ExtraHours, TimeOff
from tests.support.staff import sign_in

API = "/api/v1/staff/availability"


def page_delete(client, kind: str, pk) -> int:
    return client.post(f"/staff/availability/{kind}/{pk}/delete/").status_code


def api_delete(client, kind: str, pk) -> int:
    path = {"off": "time-off", "extra": "extra-hours"}[kind]
    return client.delete(f"{API}/{path}/{pk}/").status_code


DOORS = {"page": (page_delete, 302), "api": (api_delete, 204)}


@pytest.fixture
def rows(practice, therapist, team):
    colleague = team["colleague_record"]
    return {
        "holiday": TimeOff.objects.create(
            practice=practice, start_date=date(2026, 12, 24), end_date=date(2026, 12, 26)
        ),
        "own_off": TimeOff.objects.create(
            practice=practice,
            therapist=therapist,
            start_date=date(2026, 4, 1),
            end_date=date(2026, 4, 1),
        ),
        "colleague_off": TimeOff.objects.create(
            practice=practice,
            therapist=colleague,
            start_date=date(2026, 4, 2),
            end_date=date(2026, 4, 2),
        ),
        "colleague_extra": ExtraHours.objects.create(
            therapist=colleague, date=date(2026, 4, 4), start_time=time(9), end_time=time(12)
        ),
        "own_extra": ExtraHours.objects.create(
            therapist=therapist, date=date(2026, 4, 4), start_time=time(9), end_time=time(12)
        ),
    }


@pytest.mark.parametrize("door", DOORS)
def test_a_therapist_may_see_a_practice_holiday_but_not_remove_it(client, team, rows, door):
    delete, _ = DOORS[door]
    sign_in(client, team["therapist"])
    assert delete(client, "off", rows["holiday"].pk) == 403
    assert TimeOff.objects.filter(pk=rows["holiday"].pk).exists()


@pytest.mark.parametrize("door", DOORS)
def test_a_colleagues_time_off_and_extra_hours_do_not_exist_for_a_therapist(
    client, team, rows, door
):
    delete, _ = DOORS[door]
    sign_in(client, team["therapist"])
    assert delete(client, "off", rows["colleague_off"].pk) == 404
    assert delete(client, "extra", rows["colleague_extra"].pk) == 404
    assert TimeOff.objects.filter(pk=rows["colleague_off"].pk).exists()
    assert ExtraHours.objects.filter(pk=rows["colleague_extra"].pk).exists()


@pytest.mark.parametrize("door", DOORS)
def test_unknown_rows_are_404(client, team, rows, door):
    delete, _ = DOORS[door]
    sign_in(client, team["receptionist"])
    missing = TimeOff.objects.order_by("-pk").first().pk + 100
    assert delete(client, "off", missing) == 404
    assert delete(client, "extra", missing) == 404
    if door == "api":  # the page's URL takes digits only
        assert delete(client, "off", "x1") == 404


@pytest.mark.parametrize("door", DOORS)
def test_each_removes_what_it_may(client, team, rows, door):
    delete, done = DOORS[door]
    sign_in(client, team["therapist"])
    assert delete(client, "off", rows["own_off"].pk) == done
    assert delete(client, "extra", rows["own_extra"].pk) == done
    sign_in(client, team["receptionist"])
    assert delete(client, "off", rows["holiday"].pk) == done
    assert delete(client, "off", rows["colleague_off"].pk) == done
    assert delete(client, "extra", rows["colleague_extra"].pk) == done
    assert not TimeOff.objects.exists() and not ExtraHours.objects.exists()
