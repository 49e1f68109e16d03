"""Schemathesis against our own OpenAPI schema: no 5xx, no response the schema does not allow."""

from datetime import UTC, datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

from practice.wsgi import application
from tests.factories import SessionTypeFactory, TherapistFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def bookable(db):
    """A practice to book with, and the WSGI app kept inside the test's transaction."""
    session_type = SessionTypeFactory(name="Individual session")
    TherapistFactory(practice=session_type.practice, offers=[session_type])
    # Django's handler closes the connection after each request; the test
    # client does not, and neither may this app, or the test database goes.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_public_api_honours_its_schema(case, bookable):
    # Every check but "schema-valid data is accepted": a well-formed request for
    # a therapist who does not exist is rightly a 400, which the schema cannot say.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


staff_schema = schema.include(path_regex=r"^/api/v1/staff/")
CSRF = "fuzzcsrfsecret0123456789abcdefgh"  # 32 characters: cookie and header match


@pytest.fixture
def owner_session(bookable, client):
    """The staff API signed in as the practice owner (with two-factor), CSRF satisfied."""
    from booking.services import appointment_book
    from practice.models import Practice, StaffRole
    from tests.factories import ClientFactory
    from tests.support.staff import make_staff, sign_in

    practice = Practice.objects.get()
    therapist = practice.therapists.get()
    patient = ClientFactory(practice=practice)
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=patient,
        start=datetime(2026, 12, 1, 15, tzinfo=UTC),
        enforce_availability=False,
    )
    sign_in(client, make_staff(practice, StaffRole.OWNER))
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}


@staff_schema.parametrize()
@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_staff_api_honours_its_schema_when_signed_in(case, owner_session):
    # The schema's cookie security scheme makes schemathesis invent a session
    # cookie: replace it with the real one.
    # (So its "invalid credentials are refused" check cannot apply here.) Unknown
    # query parameters are ignored, as HTTP APIs do, rather than refused.
    case.cookies = {**(case.cookies or {}), **owner_session}
    response = case.call_and_validate(
        headers={"X-CSRFToken": CSRF},
        excluded_checks=[positive_data_acceptance, ignored_auth, negative_data_rejection],
    )
    # Signed in as the owner (CSRF satisfied), nothing is forbidden: the fuzzing
    # reaches the views, not just the permission check.
    assert response.status_code != 403, response.text[:200]
