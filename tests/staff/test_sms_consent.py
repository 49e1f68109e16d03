"""Text-message reminders only with recorded consent: staff pages, staff API, public API.

One rule (Client.can_receive_sms) decides when reminders are scheduled and
again when the worker sends, so consent withdrawn in between stops the text.
"""

import importlib
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from rest_framework.test import APIClient

from booking.models import Channel, NotificationKind, NotificationState
from booking.notify import sms
from booking.scheduling.services import appointment_book
from clients.models import AuditEvent, Client
from clients.privacy import client_anonymise
from clients.services import client_create_contact, client_prove_email
from tests.booking.test_notifications import run_scanner_at
from tests.factories import ClientFactory
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import sign_in

MOBILE = "+12025550143"
MOBILE_TYPED = "(202) 555-0143"
UK_LANDLINE = "+44 20 7946 0958"


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def new_client_on_the_desk(http, **fields):
    data = {
        "first_name": "Noor",
        "last_name": "Textwell",
        "email": "noor.textwell@example.org",
        "phone": MOBILE_TYPED,
        "time_zone": "America/New_York",
    } | fields
    return http.post("/staff/clients/new/", data)


def book_thursday(therapist, client):
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=client,
        start=THURSDAY_10,
    )


def sms_reminders(appointment):
    return appointment.notifications.filter(
        kind=NotificationKind.REMINDER, channel=Channel.SMS
    ).exclude(state=NotificationState.CANCELLED)


def edit_contact(http, client, **changes):
    """The edit form posted as staff see it: every field as stored, then the changes."""
    data = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "preferred_name": client.preferred_name,
        "pronouns": client.pronouns,
        "date_of_birth": "",
        "email": client.email,
        "phone": client.phone,
        "address": client.address,
        "time_zone": client.time_zone,
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        "emergency_contact_relationship": "",
        "status": client.status,
    }
    if client.sms_consent:
        data["sms_consent"] = "on"
    data |= changes
    return http.post(f"/staff/clients/{client.public_id}/edit/", data)


# --- the staff form -----------------------------------------------------------------


def test_a_number_entered_by_staff_without_consent_gets_no_sms_reminders(
    client, team, therapist, now
):
    sign_in(client, team["receptionist"])
    assert new_client_on_the_desk(client).status_code == 302
    record = Client.objects.get(email="noor.textwell@example.org")
    assert record.phone == MOBILE and record.sms_consent_at is None
    appointment = book_thursday(therapist, record)
    assert not sms_reminders(appointment).exists()
    # Email reminders are still there: only the texts depend on consent.
    assert appointment.notifications.filter(kind="reminder", channel="email").count() == 2


def test_consent_ticked_by_staff_schedules_sms_reminders_and_names_who_recorded_it(
    client, team, therapist, now
):
    sign_in(client, team["receptionist"])
    assert new_client_on_the_desk(client, sms_consent="on").status_code == 302
    record = Client.objects.get(email="noor.textwell@example.org")
    assert record.sms_consent_at == now and record.sms_consent_by == team["receptionist"]
    appointment = book_thursday(therapist, record)
    (reminder,) = sms_reminders(appointment)
    assert reminder.offset == timedelta(hours=3)
    page = client.get(f"/staff/clients/{record.public_id}/").content.decode()
    # The practice's zone, named: 12:00 UTC is 07:00 EST.
    assert "Yes: agreed Mon 2 Mar 2026 07:00 EST" in page


def test_consent_without_a_number_is_a_readable_form_error(client, team, now):
    sign_in(client, team["receptionist"])
    response = new_client_on_the_desk(client, phone="", sms_consent="on")
    assert response.status_code == 400
    assert "Text-message reminders need a mobile number" in response.content.decode()
    assert not Client.objects.filter(email="noor.textwell@example.org").exists()


def test_consent_for_a_landline_is_refused_with_a_reason(client, team, now):
    sign_in(client, team["receptionist"])
    response = new_client_on_the_desk(client, phone=UK_LANDLINE, sms_consent="on")
    assert response.status_code == 400
    assert "cannot receive text messages" in response.content.decode()


def test_the_edit_form_shows_the_consent_and_unticking_withdraws_it_with_an_audit_entry(
    client, team, therapist, now
):
    record = ClientFactory(practice=therapist.practice, phone=MOBILE, sms_consent_at=now)
    sign_in(client, team["receptionist"])
    form = client.get(f"/staff/clients/{record.public_id}/edit/").content.decode()
    assert "The client agreed to text-message reminders" in form
    assert re.search(r'<input type="checkbox" name="sms_consent"[^>]* checked', form)
    response = edit_contact(client, record, sms_consent="")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.sms_consent_at is None and record.phone == MOBILE
    entry = AuditEvent.objects.filter(client_ref=record.pk, action="change").latest("pk")
    assert "sms_consent_at" in entry.fields and entry.actor == team["receptionist"]


def test_clearing_the_number_while_consent_stays_ticked_is_a_form_error(
    client, team, practice, now
):
    record = ClientFactory(phone=MOBILE, sms_consent_at=now, practice=practice)
    sign_in(client, team["receptionist"])
    response = edit_contact(client, record, phone="")
    assert response.status_code == 400
    assert "Text-message reminders need a mobile number" in response.content.decode()
    record.refresh_from_db()
    assert record.phone == MOBILE


# --- withdrawn after scheduling: the worker does not send -----------------------------


@pytest.mark.parametrize("withdraw", [True, False])
def test_consent_withdrawn_after_scheduling_stops_the_queued_text(
    client, team, therapist, now, time_machine, withdraw
):
    record = ClientFactory(practice=therapist.practice, phone=MOBILE, sms_consent_at=now)
    appointment = book_thursday(therapist, record)
    (reminder,) = sms_reminders(appointment)
    # Three hours before is 07:00 in New York, inside the quiet hours (21:00-08:00):
    # it moves earlier, to 21:00 the evening before.
    assert reminder.due_at == datetime(2026, 3, 4, 21, 0, tzinfo=ZoneInfo("America/New_York"))
    if withdraw:
        sign_in(client, team["receptionist"])
        assert edit_contact(client, record, sms_consent="").status_code == 302
    run_scanner_at(reminder.due_at + timedelta(seconds=30), time_machine)
    reminder.refresh_from_db()
    if withdraw:
        assert sms.outbox == [] and reminder.state == NotificationState.CANCELLED
    else:
        assert [m["to"] for m in sms.outbox] == [MOBILE]
        assert reminder.state == NotificationState.SENT


# --- the staff API ----------------------------------------------------------------------


@pytest.fixture
def staff_api(team):
    api = APIClient()
    sign_in(api, team["receptionist"])
    return api


def api_new_client(api, **fields):
    data = {
        "first_name": "Ada",
        "last_name": "Apiclient",
        "email": "ada.apiclient@example.org",
        "phone": MOBILE_TYPED,
        "time_zone": "Europe/London",
    } | fields
    return api.post("/api/v1/staff/clients/", data, format="json")


def test_api_create_with_consent_records_when_and_by_whom(staff_api, team, therapist, now):
    response = api_new_client(staff_api, sms_consent=True)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sms_consent"] is True and body["phone"] == MOBILE
    assert datetime.fromisoformat(body["sms_consent_at"]) == now
    assert body["sms_consent_by"] == team["receptionist"].username
    record = Client.objects.get(public_id=body["id"])
    assert sms_reminders(book_thursday(therapist, record)).count() == 1


def test_api_create_without_consent_keeps_the_number_but_sends_no_texts(staff_api, therapist, now):
    body = api_new_client(staff_api).json()
    assert body["sms_consent"] is False and body["sms_consent_at"] is None
    record = Client.objects.get(public_id=body["id"])
    assert record.phone == MOBILE
    assert not sms_reminders(book_thursday(therapist, record)).exists()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"phone": "", "sms_consent": True}, "sms_consent", "need a mobile number"),
        ({"phone": UK_LANDLINE, "sms_consent": True}, "phone", "cannot receive text"),
        ({"sms_consent": "perhaps"}, "sms_consent", "valid boolean"),
    ],
)
def test_api_create_refuses_consent_it_cannot_honour_with_a_readable_400(
    staff_api, now, fields, field, words
):
    response = api_new_client(staff_api, **fields)
    assert response.status_code == 400
    assert words in " ".join(response.json()["errors"][field])
    assert not Client.objects.filter(email="ada.apiclient@example.org").exists()


def test_api_update_withdraws_and_gives_consent(staff_api, team, practice, now):
    record = ClientFactory(practice=practice, phone=MOBILE)
    url = f"/api/v1/staff/clients/{record.public_id}/"
    given = staff_api.patch(url, {"sms_consent": True}, format="json").json()
    assert given["sms_consent"] is True and given["sms_consent_by"] == team["receptionist"].username
    withdrawn = staff_api.patch(url, {"sms_consent": False}, format="json").json()
    assert withdrawn["sms_consent"] is False and withdrawn["sms_consent_at"] is None
    refused = staff_api.patch(url, {"sms_consent": True, "phone": ""}, format="json")
    assert refused.status_code == 400 and "sms_consent" in refused.json()["errors"]
    fields = [e.fields for e in AuditEvent.objects.filter(client_ref=record.pk, action="change")]
    assert fields == [["sms_consent_at", "sms_consent_by"]] * 2


def test_a_therapist_cannot_create_clients_through_the_api(team, now):
    api = APIClient()
    sign_in(api, team["therapist"])
    assert api_new_client(api).status_code == 403


# --- the public API -------------------------------------------------------------------


def public_booking(therapist, start=THURSDAY_10, **client_fields):
    payload = {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "start": start.isoformat(),
        "timezone": "America/New_York",
        "client": {
            "first_name": "Robin",
            "last_name": "Publicapi",
            "email": "robin.publicapi@example.org",
            "phone": MOBILE,
        }
        | client_fields,
    }
    return APIClient().post("/api/v1/bookings/", payload, format="json")


def test_public_api_records_explicit_consent_and_without_it_a_number_gets_no_texts(therapist, now):
    assert public_booking(therapist, sms_consent=True).status_code == 201
    consented = Client.objects.get(email="robin.publicapi@example.org")
    assert consented.sms_consent_at == now and consented.sms_consent_by is None
    # The old contract (a number, no consent field) still books, without texts.
    later = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
    assert public_booking(therapist, start=later).status_code == 201
    silent = Client.objects.exclude(pk=consented.pk).get(email="robin.publicapi@example.org")
    assert silent.phone == MOBILE and not silent.can_receive_sms


def test_public_api_consent_without_a_number_is_a_400(therapist, now):
    response = public_booking(therapist, phone="", sms_consent=True)
    assert response.status_code == 400
    assert "mobile number" in str(response.json()["errors"])


# --- merged on email proof -----------------------------------------------------------


def test_a_bookers_consent_carries_over_to_the_proven_record_with_its_number(practice, now):
    record = ClientFactory(practice=practice, email="sam@example.org", phone="")
    contact = contact_asking_for_texts(practice, "sam@example.org")
    joined = client_prove_email(contact=contact)
    assert joined.pk == record.pk
    assert (joined.phone, joined.sms_consent_at, joined.sms_consent_by) == (MOBILE, now, None)


def test_a_newer_consent_on_the_record_wins_over_an_older_booking(practice, team, now):
    contact = contact_asking_for_texts(practice, "sam@example.org")
    later = now + timedelta(hours=1)
    record = ClientFactory(
        practice=practice,
        email="sam@example.org",
        phone="+12025550199",
        sms_consent_at=later,
        sms_consent_by=team["receptionist"],
    )
    joined = client_prove_email(contact=contact)
    assert joined.pk == record.pk
    assert (joined.phone, joined.sms_consent_at) == ("+12025550199", later)
    assert joined.sms_consent_by == team["receptionist"]


def test_a_booking_without_consent_does_not_withdraw_the_records(practice, now):
    record = ClientFactory(
        practice=practice, email="sam@example.org", phone=MOBILE, sms_consent_at=now
    )
    contact = client_create_contact(
        practice=practice,
        first_name="Sam",
        last_name="Joiner",
        email="sam@example.org",
        time_zone="UTC",
    )
    joined = client_prove_email(contact=contact)
    assert joined.pk == record.pk and joined.can_receive_sms


def contact_asking_for_texts(practice, email):
    return client_create_contact(
        practice=practice,
        first_name="Sam",
        last_name="Joiner",
        email=email,
        phone=MOBILE,
        time_zone="UTC",
        sms_consent=True,
    )


# --- export and erasure --------------------------------------------------------------


def test_the_export_includes_the_consent_and_who_recorded_it(client, team, practice, now):
    record = ClientFactory(
        practice=practice,
        phone=MOBILE,
        sms_consent_at=now,
        sms_consent_by=team["receptionist"],
    )
    sign_in(client, team["owner"])
    exported = client.get(f"/staff/clients/{record.public_id}/export.json").json()["client"]
    assert datetime.fromisoformat(exported["sms_consent_at"]) == now
    assert exported["sms_consent_recorded_by"] == "staff"


def test_erasure_clears_the_consent(team, practice, now):
    record = ClientFactory(
        practice=practice,
        phone=MOBILE,
        sms_consent_at=now,
        sms_consent_by=team["receptionist"],
    )
    erased = client_anonymise(client=record)
    erased.refresh_from_db()
    assert (erased.phone, erased.sms_consent_at, erased.sms_consent_by) == ("", None, None)


# --- the backfill -----------------------------------------------------------------------


def test_the_migration_keeps_texts_for_numbers_given_with_consent_on_the_public_form(practice, now):
    earlier = timezone.now() - timedelta(days=30)
    from_the_form = ClientFactory(practice=practice, phone=MOBILE, contact_consent_at=earlier)
    staff_typed = ClientFactory(practice=practice, phone=MOBILE)
    no_number = ClientFactory(practice=practice, phone="", contact_consent_at=earlier)
    migration = importlib.import_module("clients.migrations.0007_client_sms_consent")
    migration.consent_given_on_the_public_form(django_apps, None)
    got = {c.pk: c.sms_consent_at for c in Client.objects.all()}
    assert got == {from_the_form.pk: earlier, staff_typed.pk: None, no_number.pk: None}
