"""The audit log is searched by the client's name, resolved server-side: no internal id needed."""

from clients.models import AuditEvent
from tests.factories import ClientFactory
from tests.support.staff import sign_in


def test_the_owner_finds_a_clients_entries_by_name(client, team, practice, now):
    ines = ClientFactory(practice=practice, first_name="Ines", last_name="Auditname")
    other = ClientFactory(practice=practice, first_name="Ines", last_name="Otherperson")
    sign_in(client, team["owner"])
    for who in (ines, other):
        client.get(f"/staff/clients/{who.public_id}/")
    page = client.get("/staff/audit/", {"client": "ines auditname"}).content.decode()
    rows = page.count('data-testid="audit-row"')
    assert rows == AuditEvent.objects.filter(client_ref=ines.pk).count() >= 1
    assert f"Ines Auditname <small>#{ines.pk}</small>" in page
    assert "Otherperson" not in page
    # Either word alone matches both; the number still works.
    both = client.get("/staff/audit/", {"client": "Ines"}).content.decode()
    assert "Otherperson" in both and "Auditname" in both
    by_number = client.get("/staff/audit/", {"client": str(other.pk)}).content.decode()
    assert "Otherperson" in by_number and "Ines Auditname" not in by_number


def test_the_api_takes_client_name(client, team, practice, now):
    ines = ClientFactory(practice=practice, first_name="Ines", last_name="Auditname")
    sign_in(client, team["owner"])
    client.get(f"/staff/clients/{ines.public_id}/")
    body = client.get("/api/v1/staff/audit/", {"client_name": "auditname"}).json()
    assert body["count"] >= 1
    assert {row["client_ref"] for row in body["results"]} == {ines.pk}
    nobody = client.get("/api/v1/staff/audit/", {"client_name": "nosuchname"}).json()
    assert nobody["count"] == 0
