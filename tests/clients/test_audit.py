"""The audit trail: every look and change leaves an entry; entries hold no answers; append-only."""

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from clients.intake import services as intake_services
from clients.models import AuditEvent, Intake
from tests.clients.test_intake_flow import complete_everything
from tests.conftest import requires_postgres
from tests.support.staff import sign_in

CLINICAL_ANSWER = "Nightmares about the accident"


@pytest.fixture
def submitted(booked):
    intake = Intake.objects.get(client=booked.client)
    complete_everything(intake, reason=CLINICAL_ANSWER)
    intake_services.intake_submit(intake=intake)
    return booked.client


def test_a_receptionist_opening_a_record_leaves_an_entry(client, submitted, staff):
    user = staff["receptionist"]
    sign_in(client, user)
    client.get(
        f"/staff/clients/{submitted.public_id}/",
        HTTP_USER_AGENT="Front desk browser",
        REMOTE_ADDR="203.0.113.9",
    )
    (entry,) = AuditEvent.objects.filter(client_ref=submitted.pk, actor=user)
    assert (entry.action, entry.what, entry.actor_role, entry.via) == (
        "view",
        "record",
        "receptionist",
        "html",
    )
    assert (entry.ip_address, entry.user_agent) == ("203.0.113.9", "Front desk browser")
    assert entry.request_id and entry.at is not None


def test_a_therapist_reading_scores_is_recorded_as_such(client, submitted, staff):
    sign_in(client, staff["therapist"])
    client.get(f"/staff/clients/{submitted.public_id}/")
    client.get(f"/api/v1/staff/clients/{submitted.public_id}/clinical/")
    whats = list(
        AuditEvent.objects.filter(actor=staff["therapist"])
        .order_by("pk")
        .values_list("what", "via")
    )
    assert whats == [
        ("record", "html"),
        ("intake_and_scores", "html"),
        ("intake_and_scores", "api"),
    ]


def test_changes_record_field_names_never_values(client, submitted, staff):
    sign_in(client, staff["receptionist"])
    response = client.patch(
        f"/api/v1/staff/clients/{submitted.public_id}/",
        {"pronouns": "xe/xem", "phone": "+12025550111"},
        content_type="application/json",
    )
    assert response.status_code == 200
    entry = AuditEvent.objects.get(action="change", what="contact")
    assert entry.fields == ["phone", "pronouns"]
    assert "xe/xem" not in str(entry.__dict__)


def test_exports_are_recorded_and_the_log_never_holds_an_answer(client, submitted, staff):
    sign_in(client, staff["owner"])
    exported = client.get(f"/staff/clients/{submitted.public_id}/export.json").json()
    assert exported["intake"]["answers"][1]["answer"] == CLINICAL_ANSWER
    client.get(f"/api/v1/staff/clients/{submitted.public_id}/export/")
    client.get(f"/staff/clients/{submitted.public_id}/")
    assert AuditEvent.objects.filter(action="export").count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM clients_auditevent")
        dumped = repr(cursor.fetchall())
    assert CLINICAL_ANSWER not in dumped and "Nightmares" not in dumped
    assert submitted.email not in dumped and submitted.last_name not in dumped


def test_the_owner_reads_and_filters_the_log(client, submitted, staff):
    sign_in(client, staff["receptionist"])
    client.get(f"/staff/clients/{submitted.public_id}/")
    sign_in(client, staff["owner"])
    page = client.get(
        f"/staff/audit/?client={submitted.pk}&actor={staff['receptionist'].username}"
    ).content.decode()
    assert page.count('data-testid="audit-row"') == 1
    assert "receptionist" in page
    api = client.get(f"/api/v1/staff/audit/?client={submitted.pk}").json()
    assert {row["actor"] for row in api["results"]} == {staff["receptionist"].username}


def test_entries_cannot_be_changed_or_deleted_through_the_model(submitted):
    entry = AuditEvent.objects.create(
        practice=submitted.practice, at=submitted.created_at, action="view", what="record"
    )
    entry.what = "nothing"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@requires_postgres
def test_the_database_refuses_updates_and_deletes_of_entries(submitted):
    AuditEvent.objects.create(
        practice=submitted.practice, at=submitted.created_at, action="view", what="record"
    )
    for statement in ("UPDATE clients_auditevent SET what = 'x'", "DELETE FROM clients_auditevent"):
        with (
            pytest.raises((InternalError, ProgrammingError, IntegrityError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AuditEvent.objects.filter(what="record").exists()
