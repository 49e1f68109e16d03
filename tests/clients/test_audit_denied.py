"""A staff member asking for a client they may not see: still a 404, and an audit row
"denied" that only owners read."""

import uuid

from clients.models import AuditEvent
from tests.support.staff import sign_in


def test_opening_someone_elses_client_is_a_404_recorded_as_denied(client, booked, staff):
    sign_in(client, staff["other_therapist"])
    page = client.get(f"/staff/clients/{booked.client.public_id}/")
    assert page.status_code == 404
    assert booked.client.last_name not in page.content.decode()
    (row,) = AuditEvent.objects.filter(action="denied")
    assert row.client_ref == booked.client.pk
    assert row.actor == staff["other_therapist"]
    assert row.actor_role == "therapist" and row.what == "record" and row.via == "html"
    assert not AuditEvent.objects.filter(
        actor=staff["other_therapist"], action="view", client_ref=booked.client.pk
    ).exists()


def test_the_api_records_the_denied_attempt_too(client, booked, staff):
    sign_in(client, staff["other_therapist"])
    answer = client.get(f"/api/v1/staff/clients/{booked.client.public_id}/")
    assert answer.status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", client_ref=booked.client.pk, via="api"
    ).exists()


def test_an_unknown_id_is_a_404_with_nothing_to_record(client, booked, staff):
    sign_in(client, staff["other_therapist"])
    assert client.get(f"/staff/clients/{uuid.uuid4()}/").status_code == 404
    assert not AuditEvent.objects.filter(action="denied").exists()


def test_owners_see_denied_attempts_in_the_audit_log(client, booked, staff):
    sign_in(client, staff["other_therapist"])
    client.get(f"/staff/clients/{booked.client.public_id}/edit/")
    client.logout()
    sign_in(client, staff["owner"])
    log = client.get("/staff/audit/", {"action": "denied"}).content.decode()
    assert "Denied" in log and "Harlowe" in log
