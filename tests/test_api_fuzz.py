"""Schemathesis against our own OpenAPI schema: no 5xx, no response the schema does not allow."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

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
