"""Bad input about client records gets a readable 4xx, never a 500 (DEBUG off)."""

import pytest
from django.test import Client

from clients.intake import services as intake_services
from clients.intake.tokens import intake_token
from practice.models import StaffRole
from tests.factories import ClientFactory
from tests.support.staff import make_staff, sign_in

API = "/api/v1/staff"


@pytest.fixture
def web(db):
    return Client(raise_request_exception=False)


@pytest.fixture
def owner(web, practice, therapist, now):
    sign_in(web, make_staff(practice, StaffRole.OWNER))
    return web


@pytest.fixture
def patient(practice):
    return ClientFactory(practice=practice)


# --- Client records -------------------------------------------------------------------


@pytest.mark.parametrize("born", ["1899-12-31", "2026-03-03", "9999-12-31", "0001-01-01"])
def test_the_staff_api_refuses_a_date_of_birth_outside_1900_to_today(owner, patient, born):
    response = owner.patch(
        f"{API}/clients/{patient.public_id}/",
        {"date_of_birth": born},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "date_of_birth" in response.json()["errors"]


def test_the_staff_api_accepts_a_date_of_birth_in_range(owner, patient):
    response = owner.patch(
        f"{API}/clients/{patient.public_id}/",
        {"date_of_birth": "1900-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 200


def test_the_staff_api_refuses_an_oversized_address(owner, patient):
    response = owner.patch(
        f"{API}/clients/{patient.public_id}/",
        {"address": "x" * 100_000},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "address" in response.json()["errors"]


def test_the_staff_page_refuses_a_date_of_birth_outside_1900_to_today(owner, patient):
    response = owner.post(
        f"/staff/clients/{patient.public_id}/edit/",
        {
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "email": patient.email,
            "time_zone": patient.time_zone,
            "date_of_birth": "1899-12-31",
        },
    )
    assert response.status_code in (200, 400)
    patient.refresh_from_db()
    assert patient.date_of_birth is None


@pytest.mark.parametrize(
    "zone", ["Factory", "localtime", "posixrules", "etc/utc", "../etc/passwd", "Europe/../UTC"]
)
def test_what_is_not_a_zone_is_refused_for_clients(owner, patient, zone):
    response = owner.patch(
        f"{API}/clients/{patient.public_id}/",
        {"time_zone": zone},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "time_zone" in response.json()["errors"]


@pytest.mark.parametrize("zone", ["Factory", "localtime", "posixrules"])
def test_what_is_not_a_zone_is_refused_for_therapists(therapist, zone):
    from django.core.exceptions import ValidationError

    therapist.time_zone = zone
    with pytest.raises(ValidationError):
        therapist.full_clean()


def test_every_iana_zone_is_accepted(owner, patient):
    for zone in (
        "Europe/Berlin",
        "America/Argentina/Buenos_Aires",
        "UTC",
        "Etc/UTC",
        "GMT",
        "US/Pacific",
        "Etc/GMT+5",
    ):
        response = owner.patch(
            f"{API}/clients/{patient.public_id}/",
            {"time_zone": zone},
            content_type="application/json",
        )
        assert response.status_code == 200, zone
        patient.refresh_from_db()
        assert patient.time_zone == zone


# --- Exports ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json%0D%0ASet-Cookie:x=1", "x" * 200, "json%0A"])
def test_an_export_in_a_format_we_do_not_make_is_a_404(owner, patient, fmt):
    response = owner.get(f"/staff/clients/{patient.public_id}/export.{fmt}")
    assert response.status_code == 404


@pytest.mark.parametrize("fmt,kind", [("json", "application/json"), ("html", "text/html")])
def test_an_export_names_its_file_by_the_format_it_is(owner, patient, fmt, kind):
    response = owner.get(f"/staff/clients/{patient.public_id}/export.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(kind)
    assert response["Content-Disposition"] == f'attachment; filename="client-{patient.pk}.{fmt}"'


# --- Intake -----------------------------------------------------------------------------


def test_a_consent_box_with_a_name_that_is_not_a_number_is_ignored(web, intake_practice, now):
    patient = ClientFactory(practice=intake_practice)
    intake = intake_services.intake_resend(client=patient)
    link = f"/intake/{intake_token(intake)}/consent/"
    response = web.post(link, {"agree_abc": "on", "typed_name": "Q", "action": "next"})
    assert response.status_code == 400
