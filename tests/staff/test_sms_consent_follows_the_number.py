"""Consent to texts is to texts at a number: a new number clears it unless the same
edit gives it again (staff form, staff API, the service), and the audit trail says so."""

from rest_framework.test import APIClient

from clients.models import AuditEvent, Client
from clients.services import (
    SMS_CONSENT_CLEARED,
    SMS_CONSENT_FOR_NEW_PHONE,
    client_update_contact,
)
from tests.factories import ClientFactory
from tests.staff.test_sms_consent import MOBILE, edit_contact
from tests.support.staff import sign_in

NEW_MOBILE = "+12025550177"


def consenting(practice):
    record = ClientFactory(practice=practice, phone=MOBILE)
    client_update_contact(client=record, changes={"sms_consent": True})
    record.refresh_from_db()
    assert record.sms_consent
    return record


def audited(record) -> list[list[str]]:
    return [
        e.fields
        for e in AuditEvent.objects.filter(client_ref=record.pk, action="change").order_by("pk")
    ]


def test_the_service_clears_consent_when_the_number_changes(practice, now):
    record = consenting(practice)
    changed = client_update_contact(client=record, changes={"phone": NEW_MOBILE})
    record.refresh_from_db()
    assert record.phone == NEW_MOBILE and not record.sms_consent
    assert record.sms_consent_at is None and SMS_CONSENT_CLEARED in changed


def test_the_service_records_consent_anew_when_the_same_edit_gives_it(practice, now, time_machine):
    record = consenting(practice)
    before = record.sms_consent_at
    time_machine.shift(60)
    changed = client_update_contact(
        client=record, changes={"phone": NEW_MOBILE, "sms_consent": True}
    )
    record.refresh_from_db()
    assert record.sms_consent and record.sms_consent_at > before
    assert SMS_CONSENT_FOR_NEW_PHONE in changed


def test_other_edits_keep_consent(practice, now):
    record = consenting(practice)
    client_update_contact(client=record, changes={"preferred_name": "Jo", "phone": MOBILE})
    record.refresh_from_db()
    assert record.sms_consent


def test_the_staff_form_with_the_box_left_ticked_clears_it_and_says_so(client, team, practice):
    sign_in(client, team["receptionist"])
    record = consenting(practice)
    response = edit_contact(client, record, phone=NEW_MOBILE)
    assert response.status_code == 302
    record = Client.objects.get(pk=record.pk)
    assert record.phone == NEW_MOBILE and not record.sms_consent
    page = client.get(response.url).content.decode()
    assert "was for the old number, so it is cleared" in page
    assert SMS_CONSENT_CLEARED in audited(record)[-1]


def test_the_staff_form_ticked_again_for_the_new_number_keeps_it(client, team, practice):
    sign_in(client, team["receptionist"])
    record = consenting(practice)
    edit_contact(client, record, phone=NEW_MOBILE, sms_consent_again="1")
    record = Client.objects.get(pk=record.pk)
    assert record.phone == NEW_MOBILE and record.sms_consent
    assert record.sms_consent_by == team["receptionist"]
    assert SMS_CONSENT_FOR_NEW_PHONE in audited(record)[-1]


def test_the_staff_api_clears_consent_with_a_new_number_unless_given_again(team, practice):
    staff_api = APIClient()
    sign_in(staff_api, team["receptionist"])
    record = consenting(practice)
    url = f"/api/v1/staff/clients/{record.public_id}/"
    cleared = staff_api.patch(url, {"phone": NEW_MOBILE}, format="json").json()
    assert cleared["sms_consent"] is False
    given = staff_api.patch(url, {"phone": MOBILE, "sms_consent": True}, format="json").json()
    assert given["sms_consent"] is True
    assert SMS_CONSENT_CLEARED in audited(record)[0]
    assert SMS_CONSENT_FOR_NEW_PHONE in audited(record)[1]
