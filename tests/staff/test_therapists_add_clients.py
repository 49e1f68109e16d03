"""A practice setting, "therapists may add clients" (solo practices): off by default, the
front desk and owners add clients; on, a therapist may add one, assigned to them, through
the page and the API, and an address on file for a client they do not see is refused."""

from clients.models import AuditEvent, Client
from tests.factories import ClientFactory
from tests.staff.test_practice_settings import form_values
from tests.support.staff import sign_in

NEW = {
    "first_name": "Rowan",
    "last_name": "Solotest",
    "email": "rowan.solotest@example.org",
    "time_zone": "America/New_York",
}


def allow(practice, on=True):
    practice.therapists_add_clients = on
    practice.save(update_fields=["therapists_add_clients"])


def test_off_by_default_therapists_cannot_add_clients(client, team, practice, therapist, now):
    assert practice.therapists_add_clients is False
    sign_in(client, team["therapist"])
    assert client.get("/staff/clients/new/").status_code == 403
    assert client.post("/staff/clients/new/", NEW).status_code == 403
    assert 'href="/staff/clients/new/"' not in client.get("/staff/clients/").content.decode()
    answer = client.post("/api/v1/staff/clients/", NEW, content_type="application/json")
    assert answer.status_code == 403
    assert not Client.objects.filter(email=NEW["email"]).exists()


def test_on_a_therapist_adds_a_client_assigned_to_them_on_the_page(
    client, team, practice, therapist, now
):
    allow(practice)
    sign_in(client, team["therapist"])
    assert 'href="/staff/clients/new/"' in client.get("/staff/clients/").content.decode()
    answer = client.post("/staff/clients/new/", NEW)
    assert answer.status_code == 302
    made = Client.objects.get(email=NEW["email"])
    assert made.assigned_therapist == therapist
    assert answer["Location"] == f"/staff/clients/{made.public_id}/book/"
    assert client.get(answer["Location"]).status_code == 200
    assert AuditEvent.objects.filter(action="create", client_ref=made.pk).exists()


def test_on_a_therapist_adds_a_client_through_the_api(client, team, practice, therapist, now):
    allow(practice)
    sign_in(client, team["therapist"])
    answer = client.post("/api/v1/staff/clients/", NEW, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert Client.objects.get(email=NEW["email"]).assigned_therapist == therapist


def test_an_address_on_file_for_someone_they_do_not_see_is_refused_not_shown(
    client, team, practice, therapist, now
):
    allow(practice)
    hidden = ClientFactory(
        practice=practice,
        first_name="Hidden",
        last_name="Elsewhere",
        email=NEW["email"],
        assigned_therapist=team["colleague_record"],
    )
    sign_in(client, team["therapist"])
    page = client.post("/staff/clients/new/", NEW)
    assert page.status_code == 409
    text = page.content.decode()
    assert "you do not see" in text and "Elsewhere" not in text and 'name="email_match"' not in text
    answer = client.post("/api/v1/staff/clients/", NEW, content_type="application/json")
    assert answer.status_code == 409 and "Elsewhere" not in answer.content.decode()
    assert Client.objects.filter(email=NEW["email"]).count() == 1
    assert Client.objects.get(pk=hidden.pk).assigned_therapist == team["colleague_record"]


def test_the_owner_turns_it_on_and_off_on_the_settings_page(client, team, practice, now):
    sign_in(client, team["owner"])
    page = client.get("/staff/settings/").content.decode()
    assert "Therapists may add clients" in page
    values = form_values(page)
    assert "therapists_add_clients" not in values
    assert client.post(
        "/staff/settings/", values | {"therapists_add_clients": "on"}
    ).status_code in (
        200,
        302,
    )
    practice.refresh_from_db()
    assert practice.therapists_add_clients is True
    changes = AuditEvent.objects.filter(what="practice_settings").values_list("fields", flat=True)
    assert ["therapists_add_clients"] in list(changes)
    client.post("/staff/settings/", values)
    practice.refresh_from_db()
    assert practice.therapists_add_clients is False
