"""Schemathesis against our own OpenAPI schema: no 5xx, no response the schema does not allow."""

import uuid
from datetime import UTC, date, datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

from practice.wsgi import application
from tests.factories import SessionTypeFactory, TherapistFactory

# Dates and date-times: the edges of what datetime can hold (where a day's or a
# zone's arithmetic overflows), the edges of the supported range, a day that does
# not exist, and ordinary days near "now". Registered for this module's fuzzing.
EDGE_DAYS = [
    "0001-01-01",
    "0001-01-02",
    "1899-12-31",
    "1900-01-01",
    "2024-02-29",
    "2024-02-30",
    "2199-12-31",
    "2200-01-01",
    "9999-12-25",
    "9999-12-31",
]
DAYS = st.one_of(
    st.sampled_from(EDGE_DAYS),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)).map(date.isoformat),
)
DATE_TIMES = st.builds(
    "{}T{}{}".format,
    DAYS,
    st.sampled_from(["00:00:00", "10:00:00", "23:59:59"]),
    st.sampled_from(["Z", "+14:00", "-12:00", "-05:00"]),
)
schemathesis.openapi.format("date", DAYS)
schemathesis.openapi.format("date-time", DATE_TIMES)

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def bookable(db):
    """A practice to book with, and the WSGI app kept inside the test's transaction."""
    session_type = SessionTypeFactory(name="Individual session")
    therapist = TherapistFactory(practice=session_type.practice, offers=[session_type])
    ids = {"therapist": therapist.pk, "session_type": session_type.pk}
    # Django's handler closes the connection after each request; the test
    # client does not, and neither may this app, or the test database goes.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield ids
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def point_at_real_rows(case, ids: dict) -> None:
    """Well-formed ids become ids of rows that exist, so the fuzzing reaches past the
    "no such therapist" check to the dates and the slot engine. Ill-formed ones stay."""
    for part in (case.query, case.body):
        if not isinstance(part, dict):
            continue
        for name, value in ids.items():
            if name in part and (isinstance(part[name], int) or _is_uuid(part[name])):
                part[name] = value


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


# Derandomized: the same examples every run, so a larger count buys no new cases over
# time, only minutes of CI on every run (both suites). Schemathesis's boundary-value
# phase runs whatever the count.
@schema.parametrize()
@settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_public_api_honours_its_schema(case, bookable):
    point_at_real_rows(case, bookable)
    # Every check but "schema-valid data is accepted": a well-formed request for
    # a therapist who does not exist is rightly a 400, which the schema cannot say.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


staff_schema = schema.include(path_regex=r"^/api/v1/staff/")
CSRF = "fuzzcsrfsecret0123456789abcdefgh"  # 32 characters: cookie and header match


@pytest.fixture
def owner_session(bookable, client):
    """The staff API signed in as the practice owner (with two-factor), CSRF satisfied."""
    from booking.scheduling.services import appointment_book
    from practice.models import Practice, StaffRole
    from tests.factories import ClientFactory
    from tests.support.staff import make_staff, sign_in

    practice = Practice.objects.get()
    therapist = practice.therapists.get()
    patient = ClientFactory(practice=practice)
    booked = appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=patient,
        start=datetime(2026, 12, 1, 15, tzinfo=UTC),
        enforce_availability=False,
    )
    sign_in(client, make_staff(practice, StaffRole.OWNER))
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}
    return cookies, {**bookable, "client": str(patient.public_id)}, str(booked.public_id)


@staff_schema.parametrize()
@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_staff_api_honours_its_schema_when_signed_in(case, owner_session):
    # The schema's cookie security scheme makes schemathesis invent a session
    # cookie: replace it with the real one.
    # (So its "invalid credentials are refused" check cannot apply here.) Unknown
    # query parameters are ignored, as HTTP APIs do, rather than refused.
    cookies, ids, appointment_id = owner_session
    case.cookies = {**(case.cookies or {}), **cookies}
    point_at_real_rows(case, ids)
    if (
        case.path_parameters
        and "public_id" in case.path_parameters
        and _is_uuid(case.path_parameters["public_id"])
    ):
        # The one session (or its client): the fuzzing reaches reschedule and actions.
        is_client = case.path.startswith("/api/v1/staff/clients/")
        case.path_parameters["public_id"] = ids["client"] if is_client else appointment_id
    response = case.call_and_validate(
        headers={"X-CSRFToken": CSRF},
        excluded_checks=[positive_data_acceptance, ignored_auth, negative_data_rejection],
    )
    # Signed in as the owner (CSRF satisfied), nothing is forbidden: the fuzzing
    # reaches the views, not just the permission check.
    assert response.status_code != 403, response.text[:200]


# Explicit examples at the edges of datetime: random dates rarely make a valid pair
# (start before end, within 92 days), which is what it took to reach the engine.
@pytest.mark.parametrize(
    "start,end",
    [("0001-01-01", "0001-01-02"), ("9999-12-25", "9999-12-31"), ("2199-12-30", "2199-12-31")],
)
def test_the_slots_api_answers_edge_dates_without_a_5xx(bookable, start, end):
    operation = schema["/api/v1/slots/"]["GET"]
    case = operation.Case(query={**bookable, "start": start, "end": end})
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.status_code == 400, response.text[:200]


@pytest.mark.parametrize("year", ["0001", "9999"])
@pytest.mark.parametrize(
    "path,method,body",
    [
        ("/api/v1/staff/series/plan/", "POST", {"first_date": "{year}-12-20"}),
        ("/api/v1/staff/availability/time-off/", "POST", {"end_date": "{year}-12-31"}),
        ("/api/v1/staff/availability/extra-hours/", "POST", {"date": "{year}-12-31"}),
        ("/api/v1/staff/appointments/", "POST", {"start": "{year}-12-31T23:30:00-05:00"}),
    ],
)
def test_the_staff_api_answers_edge_years_without_a_5xx(owner_session, path, method, body, year):
    cookies, ids, _ = owner_session
    base = {
        **ids,
        "start_date": "2026-12-01",
        "end_date": "2026-12-02",
        "start_time": "09:00",
        "end_time": "10:00",
        "local_time": "10:00",
        "interval_weeks": 1,
        "count": 3,
        "start": "2026-12-02T10:00:00-05:00",
    }
    sent = {**base, **{k: v.format(year=year) for k, v in body.items()}}
    case = schema[path][method].Case(body=sent, cookies=cookies)
    response = case.call_and_validate(
        headers={"X-CSRFToken": CSRF},
        excluded_checks=[positive_data_acceptance, ignored_auth, negative_data_rejection],
    )
    assert response.status_code == 400, response.text[:200]
