"""The session log and the audit log name staff by their full name when it is set, else by
their user name (one rule for both)."""

import re

from booking.scheduling.services import Actor, appointment_cancel
from clients.models import AuditEvent
from practice.models import StaffRole
from tests.support.staff import make_staff, sign_in


def desk(practice, **names):
    return make_staff(practice, StaffRole.RECEPTIONIST, username="frontdesk2", **names)


def session_log(client, appointment) -> str:
    return client.get(f"/staff/appointments/{appointment.public_id}/").content.decode()


def test_the_session_log_names_staff_by_their_full_name(client, team, booked, practice, now):
    named = desk(practice, first_name="Dana", last_name="Reyes")
    appointment_cancel(appointment=booked, actor=Actor.STAFF, by=named)
    sign_in(client, team["owner"])
    page = session_log(client, booked)
    assert "by Dana Reyes" in page and "by frontdesk2" not in page


def test_the_session_log_falls_back_to_the_user_name(client, team, booked, practice, now):
    unnamed = desk(practice)
    appointment_cancel(appointment=booked, actor=Actor.STAFF, by=unnamed)
    sign_in(client, team["owner"])
    assert "by frontdesk2" in session_log(client, booked)


def audit_rows(client, **params) -> list[str]:
    page = client.get("/staff/audit/", params).content.decode()
    return re.findall(r'data-testid="audit-row">(.*?)</tr>', page, re.S)


def test_the_audit_log_names_staff_by_full_name_with_the_user_name_beside(
    client, team, booked, practice, now
):
    named = desk(practice, first_name="Dana", last_name="Reyes")
    sign_in(client, named)
    client.get(f"/staff/clients/{booked.client.public_id}/")  # a look, audited
    assert AuditEvent.objects.filter(actor=named).exists()
    client.logout()
    sign_in(client, team["owner"])
    rows = [r for r in audit_rows(client) if "frontdesk2" in r]
    assert rows and all("<td>Dana Reyes <small>(frontdesk2)</small></td>" in r for r in rows)


def test_the_audit_log_finds_staff_by_full_name_or_user_name(client, team, booked, practice, now):
    named = desk(practice, first_name="Dana", last_name="Reyes")
    sign_in(client, named)
    client.get(f"/staff/clients/{booked.client.public_id}/")
    client.logout()
    sign_in(client, team["owner"])
    by_name = audit_rows(client, actor="dana reyes")
    by_user = audit_rows(client, actor="FRONTDESK2")
    assert by_name and by_name == by_user
    assert all("Dana Reyes" in r for r in by_name)
    assert audit_rows(client, actor="Dana") == []
