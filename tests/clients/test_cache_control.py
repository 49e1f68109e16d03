"""Pages and API answers with a client's data are never stored by a browser or proxy."""

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_hold
from booking.tokens import manage_token_for
from clients.models import Intake
from tests.clients.conftest import intake_email, intake_link_from
from tests.support.staff import sign_in

TUESDAY_10 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


@pytest.fixture
def held(now, therapist):
    return appointment_hold(
        therapist=therapist, session_type=therapist.session_types.get(), start=TUESDAY_10
    )


def test_a_details_page_with_a_hold_is_not_stored(client, held):
    response = client.get(f"/book/details/{manage_token_for(held.public_id)}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_the_manage_page_and_the_booking_api_are_not_stored(client, booked):
    token = manage_token(booked)
    page = client.get(f"/book/manage/{token}/")
    api = APIClient().get(f"/api/v1/bookings/{token}/")
    assert (page.status_code, api.status_code) == (200, 200)
    assert page["Cache-Control"] == api["Cache-Control"] == "no-store"


def test_the_client_record_and_clinical_api_are_not_stored(client, booked, staff):
    sign_in(client, staff["owner"])
    public_id = booked.client.public_id
    for path in (f"/staff/clients/{public_id}/", f"/api/v1/staff/clients/{public_id}/clinical/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_an_intake_page_is_not_stored(client, booked):
    assert Intake.objects.filter(client=booked.client).exists()
    response = client.get(intake_link_from(intake_email()))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
