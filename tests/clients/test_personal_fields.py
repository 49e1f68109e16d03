"""The one list of a client's personal fields: every personal field of the model is
in it, exported and cleared by erasure. A field added to Client fails here until
it is classified (personal, or the practice's bookkeeping)."""

import json
from datetime import UTC, date, datetime

import pytest
from django.db import models

from clients.models import PERSONAL_FIELDS, Client
from clients.privacy import client_anonymise, client_export
from tests.factories import ClientFactory

# The record's bookkeeping: ids, links to the practice, state and timestamps. Nothing
# here names, reaches, locates or describes the person.
NOT_PERSONAL = {
    "id",
    "public_id",
    "practice",
    "status",
    "assigned_therapist",
    "anonymised_at",
    "verified_at",
    "shares_email",  # staff told this person apart from the address's own record (a flag only)
    "link_nonce",
    "sms_consent_by",  # the staff member who heard the consent (cleared with it)
    "created_at",
    "updated_at",
}


def personal_fields_of_the_model() -> set[str]:
    return {f.name for f in Client._meta.concrete_fields} - NOT_PERSONAL


def sample(field: models.Field):
    """A distinctive value for a field, by its type, so a leak is recognisable."""
    if isinstance(field, models.EmailField):
        return "ada.sample-person@example.org"
    if isinstance(field, models.DateTimeField):
        return datetime(2025, 11, 3, 9, 41, tzinfo=UTC)
    if isinstance(field, models.DateField):
        return date(1987, 6, 15)
    if field.name == "time_zone":
        return "Asia/Tokyo"
    if "phone" in field.name:
        return "+12025550177"
    return f"Sample-{field.name.replace('_', '-')}"


@pytest.fixture
def person(practice):
    values = {name: sample(Client._meta.get_field(name)) for name in personal_fields_of_the_model()}
    return ClientFactory(practice=practice, **values), values


def test_every_personal_field_of_the_model_is_on_the_one_list():
    assert personal_fields_of_the_model() == set(PERSONAL_FIELDS)
    assert not NOT_PERSONAL & set(PERSONAL_FIELDS)


def test_the_export_holds_every_personal_field(person):
    client, values = person
    exported = client_export(client)["client"]
    for name, value in values.items():
        expected = value.isoformat() if hasattr(value, "isoformat") else value
        assert exported.get(name) == expected, name


def test_erasure_clears_every_personal_field(person):
    client, values = person
    client_anonymise(client=client)
    erased = Client.objects.get(pk=client.pk)
    for name, value in values.items():
        assert getattr(erased, name) != value, name
    # Nothing typed about the person survives anywhere in what is still held.
    held = json.dumps(client_export(erased), default=str)
    for value in values.values():
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        assert text not in held
