"""A new client whose email is on file: staff say "same person" or "a different person who
shares this email" — never a silent merge that drops the typed name; the audit says which."""

import pytest
from django.db import IntegrityError

from booking.scheduling.services import appointment_book_public, appointment_confirm_email
from clients.models import AuditEvent, Client
from tests.factories import ClientFactory
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import sign_in

TYPED = {
    "first_name": "Noor",
    "last_name": "Sharedtest",
    "email": "Family.Home@example.org",
    "phone": "",
    "time_zone": "America/New_York",
}


@pytest.fixture
def on_file(practice, now):
    return ClientFactory(
        practice=practice,
        first_name="Sami",
        last_name="Sharedtest",
        email="family.home@example.org",
    )


def test_a_matching_email_asks_and_saves_nothing_until_answered(client, team, on_file):
    sign_in(client, team["receptionist"])
    response = client.post("/staff/clients/new/", TYPED)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-testid="email-match"' in page
    assert "Sami Sharedtest" in page and "Noor Sharedtest" in page
    assert 'value="same"' in page and 'value="different"' in page
    # The typed details stay in the form.
    assert 'value="Noor"' in page
    assert Client.objects.count() == 1
    assert not AuditEvent.objects.filter(what__startswith="record").exists()


def test_a_different_person_sharing_the_email_gets_a_record_of_their_own(
    client, team, on_file, practice
):
    sign_in(client, team["receptionist"])
    response = client.post("/staff/clients/new/", TYPED | {"email_match": "different"})
    assert response.status_code == 302
    noor = Client.objects.get(first_name="Noor")
    assert response["Location"] == f"/staff/clients/{noor.public_id}/book/"
    assert noor.is_verified and noor.shares_email and noor.last_name == "Sharedtest"
    on_file.refresh_from_db()
    assert (on_file.first_name, on_file.shares_email) == ("Sami", False)
    entry = AuditEvent.objects.get(client_ref=noor.pk, what="record_shares_email")
    assert (entry.action, entry.actor) == ("create", team["receptionist"])


def test_the_same_person_uses_the_record_on_file_and_the_audit_says_so(client, team, on_file):
    sign_in(client, team["receptionist"])
    response = client.post("/staff/clients/new/", TYPED | {"email_match": "same"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/staff/clients/{on_file.public_id}/book/"
    assert "Using Sami Sharedtest’s record" in response.content.decode()
    assert Client.objects.count() == 1
    entry = AuditEvent.objects.get(what="record_same_person")
    assert (entry.action, entry.client_ref, entry.fields) == ("view", on_file.pk, ["first_name"])


def test_the_database_still_keeps_one_own_record_per_address(practice, on_file, now):
    Client.objects.create(
        practice=practice,
        first_name="Noor",
        last_name="Sharedtest",
        email="FAMILY.HOME@example.org",
        time_zone="UTC",
        verified_at=now,
        shares_email=True,
    )
    with pytest.raises(IntegrityError):
        Client.objects.create(
            practice=practice,
            first_name="Third",
            last_name="Person",
            email="family.home@example.org",
            time_zone="UTC",
            verified_at=now,
        )


def test_a_public_booker_proving_the_address_joins_its_own_record_not_the_sharer(
    client, team, on_file, therapist, now
):
    sign_in(client, team["receptionist"])
    client.post("/staff/clients/new/", TYPED | {"email_match": "different"})
    noor = Client.objects.get(first_name="Noor")
    booking = appointment_book_public(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        start=THURSDAY_10,
        client_details={
            "first_name": "Sami",
            "last_name": "Sharedtest",
            "email": "family.home@example.org",
            "phone": "",
            "time_zone": "America/New_York",
        },
    )
    confirmed = appointment_confirm_email(appointment=booking)
    assert confirmed.client == on_file and confirmed.client != noor


def test_the_api_takes_shares_email_and_names_the_choice_in_the_audit(client, team, on_file):
    sign_in(client, team["owner"])
    body = {k: v for k, v in TYPED.items() if k != "phone"}
    same = client.post("/api/v1/staff/clients/", body, content_type="application/json")
    assert same.status_code == 200 and same.json()["first_name"] == "Sami"
    other = client.post(
        "/api/v1/staff/clients/", body | {"shares_email": True}, content_type="application/json"
    )
    assert other.status_code == 201 and other.json()["first_name"] == "Noor"
    whats = set(AuditEvent.objects.filter(via="api").values_list("what", flat=True))
    assert whats == {"record_same_person", "record_shares_email"}
